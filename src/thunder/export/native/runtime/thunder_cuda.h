/* Thunder CUDA kernels: helpers included at the top of every .cu file (generated; do not edit).
 * The th_<op> functions implement the operations of the shared op table (export/op_table.cpp)
 * that have no C operator, with CasADi's semantics. Without nvcc the file compiles as plain C++:
 * a kernel launch becomes a loop over instances on the host, for testing the kernels where no GPU
 * exists (the host emulation). */
#ifndef THUNDER_CUDA_PROLOGUE
#define THUNDER_CUDA_PROLOGUE
#include <math.h>
#ifdef __CUDACC__
#include <cuda_runtime.h>
#define TH_D static __device__ __forceinline__
#else
#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(n)
#define __restrict__
struct thunder_dim3_ { unsigned int x; };
static thread_local thunder_dim3_ blockIdx = {0}, blockDim = {1}, threadIdx = {0};
#define TH_D static inline
#endif
#ifndef casadi_real
#define casadi_real double
#endif
typedef casadi_real T_;

TH_D T_ th_exp(T_ x) { return exp(x); }
TH_D T_ th_log(T_ x) { return log(x); }
TH_D T_ th_pow(T_ x, T_ y) { return pow(x, y); }
TH_D T_ th_constpow(T_ x, T_ y) { return pow(x, y); }
TH_D T_ th_sqrt(T_ x) { return sqrt(x); }
TH_D T_ th_sq(T_ x) { return x * x; }
TH_D T_ th_twice(T_ x) { return x + x; }
TH_D T_ th_inv(T_ x) { return T_(1) / x; }
TH_D T_ th_fma(T_ c, T_ a, T_ b) { return c + a * b; }
TH_D T_ th_sin(T_ x) { return sin(x); }
TH_D T_ th_cos(T_ x) { return cos(x); }
TH_D T_ th_tan(T_ x) { return tan(x); }
TH_D T_ th_asin(T_ x) { return asin(x); }
TH_D T_ th_acos(T_ x) { return acos(x); }
TH_D T_ th_atan(T_ x) { return atan(x); }
TH_D T_ th_sinh(T_ x) { return sinh(x); }
TH_D T_ th_cosh(T_ x) { return cosh(x); }
TH_D T_ th_tanh(T_ x) { return tanh(x); }
TH_D T_ th_asinh(T_ x) { return asinh(x); }
TH_D T_ th_acosh(T_ x) { return acosh(x); }
TH_D T_ th_atanh(T_ x) { return atanh(x); }
TH_D T_ th_atan2(T_ x, T_ y) { return atan2(x, y); }
TH_D T_ th_floor(T_ x) { return floor(x); }
TH_D T_ th_ceil(T_ x) { return ceil(x); }
TH_D T_ th_fmod(T_ x, T_ y) { return fmod(x, y); }
TH_D T_ th_remainder(T_ x, T_ y) { return remainder(x, y); }
TH_D T_ th_fabs(T_ x) { return fabs(x); }
TH_D T_ th_copysign(T_ x, T_ y) { return copysign(x, y); }
TH_D T_ th_fmin(T_ x, T_ y) { return fmin(x, y); }
TH_D T_ th_fmax(T_ x, T_ y) { return fmax(x, y); }
TH_D T_ th_hypot(T_ x, T_ y) { return hypot(x, y); }
TH_D T_ th_erf(T_ x) { return erf(x); }
TH_D T_ th_log1p(T_ x) { return log1p(x); }
TH_D T_ th_expm1(T_ x) { return expm1(x); }
TH_D T_ th_bool(bool c) { return c ? T_(1) : T_(0); }
TH_D T_ th_lt(T_ x, T_ y) { return th_bool(x < y); }
TH_D T_ th_le(T_ x, T_ y) { return th_bool(x <= y); }
TH_D T_ th_eq(T_ x, T_ y) { return th_bool(x == y); }
TH_D T_ th_ne(T_ x, T_ y) { return th_bool(x != y); }
TH_D T_ th_not(T_ x) { return th_bool(!x); }
TH_D T_ th_and(T_ x, T_ y) { return th_bool(x && y); }
TH_D T_ th_or(T_ x, T_ y) { return th_bool(x || y); }
/* CasADi: sign(x) = x<0 ? -1 : x>0 ? 1 : x; if_else_zero(x, y) = x ? y : 0 (nan is true). */
TH_D T_ th_sign(T_ x) { return x < T_(0) ? T_(-1) : (x > T_(0) ? T_(1) : x); }
TH_D T_ th_if_else_zero(T_ x, T_ y) { return x ? y : T_(0); }
#ifdef __CUDACC__
TH_D T_ th_erfinv(T_ x) { return erfinv(x); }
#else
/* Host emulation: Giles' approximation refined by two Newton steps (see thunder_simd.h). */
static inline T_ th_erfinv(T_ xr) {
  const double x = xr;
  if (!(x > -1 && x < 1)) return x == 1 ? INFINITY : (x == -1 ? -INFINITY : NAN);
  double w = -log((1.0 - x) * (1.0 + x)), p;
  if (w < 5.0) {
    w -= 2.5;
    p = 2.81022636e-08; p = 3.43273939e-07 + p * w; p = -3.5233877e-06 + p * w;
    p = -4.39150654e-06 + p * w; p = 0.00021858087 + p * w; p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w; p = 0.246640727 + p * w; p = 1.50140941 + p * w;
  } else {
    w = sqrt(w) - 3.0;
    p = -0.000200214257; p = 0.000100950558 + p * w; p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w; p = 0.00573950773 + p * w; p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w; p = 1.00167406 + p * w; p = 2.83297682 + p * w;
  }
  double y = p * x;
  for (int i = 0; i < 2; ++i) y -= (erf(y) - x) / (1.1283791670955126 * exp(-y * y));
  return (T_)y;
}
#endif
#endif
