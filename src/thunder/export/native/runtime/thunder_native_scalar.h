/* Thunder native kernels, scalar path (`--native-kernels scalar`): CasADi's C code of each
 * function called once per instance in an OpenMP loop (generated; do not edit). Kept as the
 * reference the SIMD tiles (thunder_simd.h) are measured against. Included by every scalar C file
 * after CasADi's code (which defines casadi_real and casadi_int). */
#ifndef THUNDER_NATIVE_SCALAR_H
#define THUNDER_NATIVE_SCALAR_H
#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

typedef int (*thunder_casadi_fn)(const casadi_real** arg, casadi_real** res, casadi_int* iw,
                                 casadi_real* w, int mem);
typedef int (*thunder_casadi_work)(casadi_int* sz_arg, casadi_int* sz_res, casadi_int* sz_iw,
                                   casadi_int* sz_w);

/* Threads a call may use: torch.get_num_threads() (set through thunder_native_set_threads),
 * capped so that each thread gets at least THUNDER_GRAIN instance-instructions; smaller batches
 * run on the calling thread (see thunder_simd.h's th_threads_for: the same rule). */
#define THUNDER_GRAIN (1LL << 19)
extern int thunder_native_threads_; /* defined by the registry; <= 0: OpenMP's default */

/* Instances are independent: handed out in chunks to the threads (dynamic), each thread with its
 * own CasADi work arrays (sizes from <fn>_work). CasADi reads and writes contiguous vectors: an
 * input or output whose element stride is not 1 goes through a per-thread copy. `cost`: CasADi
 * instructions of one instance. */
static int thunder_batch(thunder_casadi_fn f, thunder_casadi_work work, long long cost, int n_in, int n_out,
                         const long long* in_size, const long long* out_size, const void* const* in,
                         const long long* in_stride, void* const* out, const long long* out_stride,
                         long long batch) {
  casadi_int sz_arg, sz_res, sz_iw, sz_w;
  int n_threads = 1, err = 0, j;
  size_t per_thread, n_copy = 0;
  char* mem;
  if (batch <= 0) return 0;
  if (work(&sz_arg, &sz_res, &sz_iw, &sz_w)) return 1;
  if (sz_arg < n_in) sz_arg = n_in;
  if (sz_res < n_out) sz_res = n_out;
  for (j = 0; j < n_in; ++j) n_copy += (size_t)in_size[j];
  for (j = 0; j < n_out; ++j) n_copy += (size_t)out_size[j];
#ifdef _OPENMP
  n_threads = thunder_native_threads_ > 0 ? thunder_native_threads_ : omp_get_max_threads();
  if (omp_in_parallel()) n_threads = 1;
  if (batch * (cost > 0 ? cost : 1) / THUNDER_GRAIN < n_threads)
    n_threads = (int)(batch * (cost > 0 ? cost : 1) / THUNDER_GRAIN);
  if (n_threads < 1) n_threads = 1;
#endif
  per_thread = (size_t)(sz_arg + sz_res) * sizeof(void*) + (size_t)sz_iw * sizeof(casadi_int) +
               ((size_t)sz_w + n_copy) * sizeof(casadi_real);
  per_thread = (per_thread + 127) / 64 * 64; /* whole cache lines, one spare */
  mem = (char*)calloc((size_t)n_threads, per_thread);
  if (!mem) return 2;
#ifdef _OPENMP
#pragma omp parallel num_threads(n_threads) if (n_threads > 1) reduction(| : err)
#endif
  {
    int t = 0;
#ifdef _OPENMP
    t = omp_get_thread_num();
#endif
    {
      char* p = mem + (size_t)t * per_thread;
      const casadi_real** arg = (const casadi_real**)p;
      casadi_real** res = (casadi_real**)(p + (size_t)sz_arg * sizeof(void*));
      casadi_int* iw = (casadi_int*)(p + (size_t)(sz_arg + sz_res) * sizeof(void*));
      casadi_real* w = (casadi_real*)(iw + sz_iw);
      casadi_real* copy = w + sz_w;
      long long b;
      int j; /* private: the j above is shared by the threads */
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 16)
#endif
      for (b = 0; b < batch; ++b) {
        casadi_real* c = copy;
        long long k;
        for (j = 0; j < n_in; ++j) {
          const casadi_real* x = (const casadi_real*)in[j];
          if (!x) { arg[j] = 0; continue; }
          x += b * in_stride[2 * j];
          if (in_stride[2 * j + 1] == 1 || in_size[j] <= 1) { arg[j] = x; continue; }
          for (k = 0; k < in_size[j]; ++k) c[k] = x[k * in_stride[2 * j + 1]];
          arg[j] = c;
          c += in_size[j];
        }
        for (j = 0; j < n_out; ++j) {
          casadi_real* y = (casadi_real*)out[j] + b * out_stride[2 * j];
          if (out_stride[2 * j + 1] == 1 || out_size[j] <= 1) { res[j] = y; continue; }
          res[j] = c;
          c += out_size[j];
        }
        if (f(arg, res, iw, w, 0)) err |= 1;
        for (j = 0; j < n_out; ++j) {
          casadi_real* y = (casadi_real*)out[j] + b * out_stride[2 * j];
          if (res[j] != y)
            for (k = 0; k < out_size[j]; ++k) y[k * out_stride[2 * j + 1]] = res[j][k];
        }
      }
    }
  }
  free(mem);
  return err;
}
#endif
