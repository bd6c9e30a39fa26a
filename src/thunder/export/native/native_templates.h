// Fixed text of the native exporter's generated files (see native_exporter.h).
#pragma once

namespace thunder {
namespace native_templates {

/// OUT/native/thunder_native.h: the C ABI of libthunder_<robot>_{f64,f32,cuda_f64,cuda_f32}.so.
inline const char* const kAbiHeader = R"(/* Thunder native kernels: C ABI (generated; do not edit).
 *
 * Every library libthunder_<robot>_<f64|f32|cuda_f64|cuda_f32>.so exports these functions.
 * Entry e = 2*i + reverse: function i (0 <= i < thunder_native_n_functions()) or its reverse-mode
 * partner (CasADi fn.reverse(1): inputs (inputs..., outputs..., output seeds...) -> input
 * adjoints). Input j of an entry is a (batch, size_in(e, j)) array of casadi_real read at
 * in[j] + b * in_stride[j] (elements; 0 broadcasts one vector to every instance), output j a
 * contiguous (batch, size_out(e, j)) array. Matrices are flattened row-major per instance.
 * CPU libraries ignore `stream`; CUDA libraries take device pointers and launch on the
 * cudaStream_t passed as `stream` (asynchronously; capturable in a CUDA graph).
 * An entry returns 0 on success, nonzero on failure (CUDA: a launch error).
 */
#ifndef THUNDER_NATIVE_H
#define THUNDER_NATIVE_H
#ifdef __cplusplus
extern "C" {
#endif

#define THUNDER_NATIVE_ABI 1

typedef int (*thunder_native_fn)(const void* const* in, const long long* in_stride,
                                 void* const* out, long long batch, void* stream);

int thunder_native_abi(void);                    /* THUNDER_NATIVE_ABI */
const char* thunder_native_robot(void);          /* robot name as in manifest.json */
const char* thunder_native_hash(void);           /* FNV-1a 64 of manifest.json, 16 hex digits */
const char* thunder_native_dtype(void);          /* "float64" or "float32" */
const char* thunder_native_device(void);         /* "cpu" or "cuda" */
int thunder_native_n_functions(void);
const char* thunder_native_name(int i);
int thunder_native_n_in(int entry);
int thunder_native_n_out(int entry);
long long thunder_native_size_in(int entry, int j);
long long thunder_native_size_out(int entry, int j);
thunder_native_fn thunder_native_entry(int entry);
int thunder_native_max_threads(void);            /* OpenMP threads (1 without OpenMP; CUDA: 0) */

#ifdef __cplusplus
}
#endif
#endif
)";

/// OUT/native/thunder_native_batch.h: the OpenMP loop over instances, included by every C file
/// after CasADi's code (which defines casadi_real and casadi_int).
inline const char* const kBatchHeader = R"(/* Thunder native kernels: batch loop (generated; do not edit). */
#ifndef THUNDER_NATIVE_BATCH_H
#define THUNDER_NATIVE_BATCH_H
#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

typedef int (*thunder_casadi_fn)(const casadi_real** arg, casadi_real** res, casadi_int* iw,
                                 casadi_real* w, int mem);
typedef int (*thunder_casadi_work)(casadi_int* sz_arg, casadi_int* sz_res, casadi_int* sz_iw,
                                   casadi_int* sz_w);

/* Instances are independent: split them statically over the OpenMP threads, each thread with its
 * own CasADi work arrays (sizes from <fn>_work). A batch of one runs on the calling thread. */
static int thunder_batch(thunder_casadi_fn f, thunder_casadi_work work, int n_in, int n_out,
                         const long long* out_size, const void* const* in,
                         const long long* in_stride, void* const* out, long long batch) {
  casadi_int sz_arg, sz_res, sz_iw, sz_w;
  int n_threads = 1, err = 0;
  size_t per_thread;
  char* mem;
  if (batch <= 0) return 0;
  if (work(&sz_arg, &sz_res, &sz_iw, &sz_w)) return 1;
  if (sz_arg < n_in) sz_arg = n_in;
  if (sz_res < n_out) sz_res = n_out;
#ifdef _OPENMP
  if (batch > 1) n_threads = omp_get_max_threads();
  if (n_threads > batch) n_threads = (int)batch;
#endif
  per_thread = (size_t)(sz_arg + sz_res) * sizeof(void*) + (size_t)sz_iw * sizeof(casadi_int) +
               (size_t)sz_w * sizeof(casadi_real);
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
      long long b;
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
      for (b = 0; b < batch; ++b) {
        int j;
        for (j = 0; j < n_in; ++j)
          arg[j] = in[j] ? (const casadi_real*)in[j] + b * in_stride[j] : 0;
        for (j = 0; j < n_out; ++j) res[j] = (casadi_real*)out[j] + b * out_size[j];
        if (f(arg, res, iw, w, 0)) err |= 1;
      }
    }
  }
  free(mem);
  return err;
}
#endif
)";

/// CUDA helpers included at the top of every .cu file.
inline const char* const kCudaPrologue = R"(#ifndef THUNDER_CUDA_PROLOGUE
#define THUNDER_CUDA_PROLOGUE
#include <math.h>
#ifdef __CUDACC__
#include <cuda_runtime.h>
#else
/* Host emulation (plain C++ compiler): one loop iteration per instance, for testing the kernels
 * where no GPU exists. Not used by nvcc builds. */
#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(n)
#define __restrict__
struct thunder_dim3_ { unsigned int x; };
static thread_local thunder_dim3_ blockIdx = {0}, blockDim = {1}, threadIdx = {0};
#endif
#ifndef casadi_real
#define casadi_real double
#endif
typedef casadi_real T_;
static __device__ __forceinline__ T_ th_sign(T_ x) { return x < T_(0) ? T_(-1) : (x > T_(0) ? T_(1) : x); }
static __device__ __forceinline__ T_ th_bool(bool c) { return c ? T_(1) : T_(0); }
#endif
)";

}  // namespace native_templates
}  // namespace thunder
