// kd_int8.c: the VNNI int8 GEMM micro-kernel: a 3x4 tile of dot products (3 rows of a, 4 of b) in twelve
// 256-bit accumulators, 32 k-values per step, reduced with horizontal adds (Intel VNNI, vpdpbusd).

#include "kd_int8.h"

#include <immintrin.h>

int kd_int8_vnni_level(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avxvnni")) return 1;
    if (__builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vl")) return 2;
    return 0;
}

// The body of one kernel, DP(acc, a, b) being that ISA's vpdpbusd. Tiles at the edges point their missing
// rows and columns at the last real one and store only the real results, so one 3x4 tile covers any m, n.
#define KD_INT8_GEMM_BODY(DP)                                                                                 \
    for (long i = 0; i < m; i += 3) {                                                                       \
        const uint8_t *a0 = a + i * k;                                                                      \
        const uint8_t *a1 = a + (i + 1 < m ? i + 1 : m - 1) * k;                                            \
        const uint8_t *a2 = a + (i + 2 < m ? i + 2 : m - 1) * k;                                            \
        for (long j = 0; j < n; j += 4) {                                                                   \
            const int8_t *b0 = b + j * k;                                                                   \
            const int8_t *b1 = b + (j + 1 < n ? j + 1 : n - 1) * k;                                         \
            const int8_t *b2 = b + (j + 2 < n ? j + 2 : n - 1) * k;                                         \
            const int8_t *b3 = b + (j + 3 < n ? j + 3 : n - 1) * k;                                         \
            __m256i c00 = _mm256_setzero_si256(), c01 = c00, c02 = c00, c03 = c00;                          \
            __m256i c10 = c00, c11 = c00, c12 = c00, c13 = c00;                                             \
            __m256i c20 = c00, c21 = c00, c22 = c00, c23 = c00;                                             \
            for (long p = 0; p < k; p += 32) {                                                              \
                const __m256i x0 = _mm256_loadu_si256((const __m256i *)(a0 + p));                           \
                const __m256i x1 = _mm256_loadu_si256((const __m256i *)(a1 + p));                           \
                const __m256i x2 = _mm256_loadu_si256((const __m256i *)(a2 + p));                           \
                __m256i w = _mm256_loadu_si256((const __m256i *)(b0 + p));                                  \
                c00 = DP(c00, x0, w), c10 = DP(c10, x1, w), c20 = DP(c20, x2, w);                           \
                w = _mm256_loadu_si256((const __m256i *)(b1 + p));                                          \
                c01 = DP(c01, x0, w), c11 = DP(c11, x1, w), c21 = DP(c21, x2, w);                           \
                w = _mm256_loadu_si256((const __m256i *)(b2 + p));                                          \
                c02 = DP(c02, x0, w), c12 = DP(c12, x1, w), c22 = DP(c22, x2, w);                           \
                w = _mm256_loadu_si256((const __m256i *)(b3 + p));                                          \
                c03 = DP(c03, x0, w), c13 = DP(c13, x1, w), c23 = DP(c23, x2, w);                           \
            }                                                                                               \
            store_row(reduce4(c00, c01, c02, c03), i, j, m, n, aZero, bRowSums, c, rowStride, colStride);   \
            store_row(reduce4(c10, c11, c12, c13), i + 1, j, m, n, aZero, bRowSums, c, rowStride, colStride); \
            store_row(reduce4(c20, c21, c22, c23), i + 2, j, m, n, aZero, bRowSums, c, rowStride, colStride); \
        }                                                                                                   \
    }

// The four sums of v0..v3 (eight lanes each), in order: three horizontal adds and one add of the halves.
__attribute__((target("avx2"), always_inline)) static inline __m128i reduce4(__m256i v0, __m256i v1, __m256i v2,
                                                                             __m256i v3) {
    const __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(v0, v1), _mm256_hadd_epi32(v2, v3));
    return _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
}

// Row i of the tile's four sums, zero-point corrected, where row and columns are real.
__attribute__((target("avx2"), always_inline)) static inline void store_row(__m128i sums, long i, long j, long m,
                                                                            long n, int32_t aZero,
                                                                            const int32_t *bRowSums, int32_t *c,
                                                                            long rowStride, long colStride) {
    if (i >= m) return;
    int32_t s[4];
    _mm_storeu_si128((__m128i *)s, sums);
    for (long t = 0; t < 4 && j + t < n; t++) {
        c[i * rowStride + (j + t) * colStride] = (int32_t)((uint32_t)s[t] - (uint32_t)aZero * (uint32_t)bRowSums[j + t]);
    }
}

__attribute__((target("avx2,avxvnni"))) static void gemm_avxvnni(const uint8_t *a, int32_t aZero, const int8_t *b,
                                                                const int32_t *bRowSums, long m, long n, long k,
                                                                int32_t *c, long rowStride, long colStride) {
    KD_INT8_GEMM_BODY(_mm256_dpbusd_avx_epi32)
}

__attribute__((target("avx2,avx512f,avx512vl,avx512vnni"))) static void gemm_avx512vnni(
    const uint8_t *a, int32_t aZero, const int8_t *b, const int32_t *bRowSums, long m, long n, long k, int32_t *c,
    long rowStride, long colStride) {
    KD_INT8_GEMM_BODY(_mm256_dpbusd_epi32)
}

void kd_int8_gemm_vnni(int level, const uint8_t *a, int32_t aZero, const int8_t *b, const int32_t *bRowSums, long m,
                       long n, long k, int32_t *c, long rowStride, long colStride) {
    if (m <= 0 || n <= 0 || k % 32 != 0 || level < 1 || level > kd_int8_vnni_level()) return;
    if (level == 1) gemm_avxvnni(a, aZero, b, bRowSums, m, n, k, c, rowStride, colStride);
    else gemm_avx512vnni(a, aZero, b, bRowSums, m, n, k, c, rowStride, colStride);
}
