// kd_int8.h: the x86 VNNI micro-kernel of kdistill's int8 GEMM (vpdpbusd: uint8 x int8 products summed
// four at a time into int32 lanes), chosen at run time when the CPU has AVX-VNNI or AVX512-VNNI.
#ifndef KD_INT8_H
#define KD_INT8_H

#include <stdint.h>

/// The VNNI level of this CPU: 0 none, 1 AVX-VNNI (256-bit VEX), 2 AVX512-VNNI with AVX512VL (256-bit EVEX).
int kd_int8_vnni_level(void);

/// c[i*rowStride + j*colStride] = sum_p (a[i*k + p] - aZero) * b[j*k + p] for uint8 a [m, k] and int8 b
/// [n, k], computed as sum a*b - aZero * bRowSums[j]. k must be a multiple of 32; `level` must be one the
/// CPU has (kd_int8_vnni_level), else nothing is written. Single-threaded: callers split rows over cores.
void kd_int8_gemm_vnni(int level, const uint8_t *a, int32_t aZero, const int8_t *b, const int32_t *bRowSums,
                       long m, long n, long k, int32_t *c, long rowStride, long colStride);

#endif
