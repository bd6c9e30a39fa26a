/* Streaming-store bandwidth of this machine, for context next to batch calls whose outputs leave
 * the caches (the SIMD kernels write outputs above 1 MiB with non-temporal stores, TH_STREAM_BYTES).
 * Each OpenMP thread writes its share of one buffer of `bytes` with whole-vector non-temporal
 * stores, as the kernels do; prints one JSON line.
 *
 *   cc -O2 -march=native -fopenmp bench/store_peak.c -o store_peak && OMP_NUM_THREADS=2 ./store_peak [bytes]
 *
 * The best of 200 passes is reported (a peak, not a typical time). On the 2-core VM this project
 * is measured on, the two-thread figure of the same binary varied between runs minutes apart (28
 * and 56 GB/s), and kernels writing ~45 GB/s were measured while it read 28: treat it as context,
 * not as a ceiling. Not x86: plain stores. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "vector_bytes.h"
typedef double vd __attribute__((vector_size(VB)));

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static inline void stream(double* q, vd y) {
#if defined(__x86_64__) && defined(__AVX512F__)
  __asm__ volatile("vmovntpd %1, %0" : "=m"(*(vd*)q) : "v"(y));
#elif defined(__x86_64__) && defined(__AVX__)
  __asm__ volatile("vmovntpd %1, %0" : "=m"(*(vd*)q) : "x"(y));
#elif defined(__x86_64__)
  __asm__ volatile("movntpd %1, %0" : "=m"(*(vd*)q) : "x"(y));
#else
  *(vd*)q = y;
#endif
}

int main(int argc, char** argv) {
  const long bytes = argc > 1 ? atol(argv[1]) : 16L << 20;
  const long lanes = VB / sizeof(double), n = (bytes / VB) * lanes;
  double* b = aligned_alloc(64, ((n * sizeof(double) + 63) / 64) * 64);
  if (!b) return 1;
#pragma omp parallel for
  for (long i = 0; i < n; ++i) b[i] = 0;  /* pages mapped before timing */
  double best = 1e30;
  for (int r = 0; r < 200; ++r) {
    const double t0 = now();
#pragma omp parallel
    {
      vd v;
      for (long l = 0; l < lanes; ++l) v[l] = r + l;
#pragma omp for schedule(static)
      for (long i = 0; i < n; i += lanes) stream(b + i, v);
#if defined(__x86_64__)
      __asm__ volatile("sfence" ::: "memory");
#endif
    }
    const double t = now() - t0;
    if (t < best) best = t;
  }
  printf("{\"threads\": %d, \"bytes\": %ld, \"bytes_per_s\": %.4g}\n", omp_get_max_threads(), n * (long)sizeof(double),
         n * sizeof(double) / best);
  free(b);
  return 0;
}
