// CBLAS: OpenBLAS's C interface (cblas_sgemm, openblas_set_num_threads) for KDTensor/Kernels/Gemm.swift, and the one
// compiler builtin Swift lacks that a kernel needs (a cache prefetch, for contrastiveNCE's random bank rows).
#include <cblas.h>

// kd_prefetch_row: asks the cache for the `bytes` at `p` ahead of a random-access read (CRD's bank rows).
static inline void kd_prefetch_row(const void *p, long bytes) {
    for (long off = 0; off < bytes; off += 64) __builtin_prefetch((const char *)p + off, 0, 1);
}
