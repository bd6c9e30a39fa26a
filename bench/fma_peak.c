/* FMA peak of this machine: independent chains of vector FMAs (GCC vectors of the widest width the
 * compiler targets, as the SIMD kernels use) on every OpenMP thread; prints one JSON line.
 *
 *   cc -O2 -march=native -fopenmp bench/fma_peak.c -o fma_peak && OMP_NUM_THREADS=2 ./fma_peak
 *
 * 12 accumulators per thread (named, so they stay in registers) hide the FMA latency (4 cycles
 * x 2 units needs >= 8 in flight). One
 * FMA = 2 flops; "fma_per_s" counts scalar (per-lane) FMAs, "flops" = 2 * fma_per_s. Each
 * dtype is timed 5 times (0.2 s each); the best run is reported (a peak, not a typical time), each
 * thread's work over its own CPU time, summed over the threads. */
#include <omp.h>
#include <stdio.h>
#include <time.h>

#include "vector_bytes.h"

static double cpu_now(void) { /* this thread's CPU time: other processes on a shared machine do
                                 not count, so the peak is the cores' when they run */
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

#define FMA12(x, y)                                                                          \
  a0 = a0 * x + y; a1 = a1 * x + y; a2 = a2 * x + y; a3 = a3 * x + y; a4 = a4 * x + y;       \
  a5 = a5 * x + y; a6 = a6 * x + y; a7 = a7 * x + y; a8 = a8 * x + y; a9 = a9 * x + y;       \
  a10 = a10 * x + y; a11 = a11 * x + y;
#define CHAINS(T, V, NAME)                                                                  \
  static double NAME(long iters) {                                                          \
    double sink = 0, rate = 0;                                                              \
    _Pragma("omp parallel reduction(+ : sink, rate)") {                                    \
      const double c0 = cpu_now();                                                          \
      V x, y;                                                                               \
      for (int l = 0; l < (int)(VB / sizeof(T)); ++l) x[l] = (T)0.999999, y[l] = (T)1e-7;   \
      V a0 = x, a1 = x + y, a2 = x - y, a3 = x * x, a4 = x + x, a5 = y, a6 = y + y,           \
        a7 = x * y, a8 = x - x, a9 = y * y, a10 = x + y + y, a11 = x - y - y;                 \
      for (long i = 0; i < iters; ++i) {                                                    \
        FMA12(x, y)                                                                         \
        __asm__ volatile("" : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3), "+v"(a4), "+v"(a5));  \
        __asm__ volatile("" : "+v"(a6), "+v"(a7), "+v"(a8), "+v"(a9), "+v"(a10), "+v"(a11)); \
      }                                                                                     \
      V s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;                    \
      sink += (double)s[0];                                                                 \
      rate += (double)iters * 12 * (VB / sizeof(T)) / (cpu_now() - c0);                     \
    }                                                                                       \
    if (sink == 12345.678) printf("#");                                                     \
    return rate;                                                                            \
  }

typedef double vd __attribute__((vector_size(VB)));
typedef float vf __attribute__((vector_size(VB)));
CHAINS(double, vd, run_f64)
CHAINS(float, vf, run_f32)

static double best(double (*run)(long)) {
  long iters = 1000;
  for (;;) {  /* calibrate: double the work until one run lasts 0.2 s */
    const double t0 = now();
    run(iters);
    if (now() - t0 >= 0.2) break;
    iters *= 2;
  }
  double b = 0;
  for (int r = 0; r < 5; ++r) {
    const double x = run(iters);
    if (x > b) b = x;
  }
  return b;
}

int main(void) {
  double f64 = best(run_f64), f32 = best(run_f32);
  printf("{\"threads\": %d, \"vector_bytes\": %d, \"float64\": {\"fma_per_s\": %.4g, \"flops\": %.4g}, "
         "\"float32\": {\"fma_per_s\": %.4g, \"flops\": %.4g}}\n",
         omp_get_max_threads(), VB, f64, 2 * f64, f32, 2 * f32);
  return 0;
}
