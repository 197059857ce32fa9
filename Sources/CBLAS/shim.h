// CBLAS: OpenBLAS's C interface (cblas_sgemm, openblas_set_num_threads) for KDTensor/Kernels/Gemm.swift.
#include <cblas.h>
