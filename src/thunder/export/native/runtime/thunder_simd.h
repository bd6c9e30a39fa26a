/* Thunder native kernels, SIMD path: helpers and the batch driver included by every generated
 * tile file (generated; do not edit).
 *
 * A tile is TH_W instances evaluated together: every value of the instruction list is one GCC
 * vector (th_v, one lane per instance), so each CasADi instruction becomes one vector
 * instruction. TH_W follows the widest vectors the compiler targets (-march at build time):
 * 8 doubles / 16 floats with AVX-512, 4 / 8 with AVX, 2 / 4 otherwise (GCC splits vectors wider
 * than the hardware, so any width is correct anywhere). Transcendentals use glibc's libmvec
 * vector variants where they exist (x86-64 with AVX-512, glibc >= 2.22/2.35; <= 4 ulp), else libm
 * lane by lane. Compile with -fno-math-errno (lets sqrt, floor, ... vectorize; values unchanged).
 */
#ifndef THUNDER_SIMD_H
#define THUNDER_SIMD_H
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef TH_F32
typedef float th_t;
#else
typedef double th_t;
#endif
#ifndef TH_VBYTES
#if defined(__AVX512F__)
#define TH_VBYTES 64
#elif defined(__AVX__)
#define TH_VBYTES 32
#else
#define TH_VBYTES 16
#endif
#endif
#define TH_W ((int)(TH_VBYTES / sizeof(th_t)))
typedef th_t th_v __attribute__((vector_size(TH_VBYTES)));
#define TH_INLINE static inline __attribute__((always_inline))

TH_INLINE th_v th_c(th_t c) {  /* a constant in every lane (exact, -0 and nan included) */
  th_v r;
  for (int l = 0; l < TH_W; ++l) r[l] = c;
  return r;
}

/* Lane-by-lane fallbacks (C++ overloads pick the float or double libm function). */
#define TH_LANES1(name, expr)                                   \
  TH_INLINE th_v th_##name(th_v x) {                            \
    th_v r;                                                     \
    for (int l = 0; l < TH_W; ++l) { th_t a = x[l]; r[l] = (expr); } \
    return r;                                                   \
  }
#define TH_LANES2(name, expr)                                   \
  TH_INLINE th_v th_##name(th_v x, th_v y) {                    \
    th_v r;                                                     \
    for (int l = 0; l < TH_W; ++l) { th_t a = x[l], b = y[l]; r[l] = (expr); } \
    return r;                                                   \
  }

/* libmvec (x86-64 glibc): _ZGVeN8v_sin = 8-lane AVX-512 sin, ...; the vector types are passed
 * in zmm registers as __m512d / __m512 are. */
#if defined(__AVX512F__) && TH_VBYTES == 64 && defined(__GLIBC__) && defined(__x86_64__) && !defined(TH_NO_MVEC)
#define TH_MVEC 1
#define TH_MVEC_235 (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 35)
#ifdef TH_F32
#define TH_MV1(name, glibc) extern "C" th_v _ZGVeN16v_##glibc##f(th_v); \
  TH_INLINE th_v th_##name(th_v x) { return _ZGVeN16v_##glibc##f(x); }
#define TH_MV2(name, glibc) extern "C" th_v _ZGVeN16vv_##glibc##f(th_v, th_v); \
  TH_INLINE th_v th_##name(th_v x, th_v y) { return _ZGVeN16vv_##glibc##f(x, y); }
#else
#define TH_MV1(name, glibc) extern "C" th_v _ZGVeN8v_##glibc(th_v); \
  TH_INLINE th_v th_##name(th_v x) { return _ZGVeN8v_##glibc(x); }
#define TH_MV2(name, glibc) extern "C" th_v _ZGVeN8vv_##glibc(th_v, th_v); \
  TH_INLINE th_v th_##name(th_v x, th_v y) { return _ZGVeN8vv_##glibc(x, y); }
#endif
#else
#define TH_MVEC 0
#define TH_MVEC_235 0
#endif

#if TH_MVEC
TH_MV1(exp, exp) TH_MV1(log, log) TH_MV2(pow, pow)
#else
TH_LANES1(exp, exp(a)) TH_LANES1(log, log(a)) TH_LANES2(pow, pow(a, b))
#endif

/* sin and cos: libmvec where available (an inline musl-style sincos sharing one argument
 * reduction was tried: no faster in double, 2x slower in float), else libm lane by lane. The
 * emitter writes th_sincos where a function takes both of one value (every joint angle). */
#if TH_MVEC
TH_MV1(sin, sin) TH_MV1(cos, cos)
#else
TH_LANES1(sin, sin(a)) TH_LANES1(cos, cos(a))
#endif
TH_INLINE void th_sincos(th_v x, th_v& s, th_v& c) { s = th_sin(x); c = th_cos(x); }
#if TH_MVEC && TH_MVEC_235
TH_MV1(tan, tan) TH_MV1(asin, asin) TH_MV1(acos, acos) TH_MV1(atan, atan) TH_MV1(sinh, sinh)
TH_MV1(cosh, cosh) TH_MV1(tanh, tanh) TH_MV1(asinh, asinh) TH_MV1(acosh, acosh)
TH_MV1(atanh, atanh) TH_MV1(erf, erf) TH_MV1(log1p, log1p) TH_MV1(expm1, expm1)
TH_MV2(atan2, atan2) TH_MV2(hypot, hypot)
#else
TH_LANES1(tan, tan(a)) TH_LANES1(asin, asin(a)) TH_LANES1(acos, acos(a)) TH_LANES1(atan, atan(a))
TH_LANES1(sinh, sinh(a)) TH_LANES1(cosh, cosh(a)) TH_LANES1(tanh, tanh(a))
TH_LANES1(asinh, asinh(a)) TH_LANES1(acosh, acosh(a)) TH_LANES1(atanh, atanh(a))
TH_LANES1(erf, erf(a)) TH_LANES1(log1p, log1p(a)) TH_LANES1(expm1, expm1(a))
TH_LANES2(atan2, atan2(a, b)) TH_LANES2(hypot, hypot(a, b))
#endif

/* CasADi's constpow is pow with a constant exponent (CasADi's C code calls pow too). */
TH_INLINE th_v th_constpow(th_v x, th_v y) { return th_pow(x, y); }
TH_INLINE th_v th_sq(th_v x) { return x * x; }
TH_INLINE th_v th_twice(th_v x) { return x + x; }
TH_INLINE th_v th_inv(th_v x) { return th_c(1) / x; }
TH_INLINE th_v th_fma(th_v c, th_v a, th_v b) { return c + a * b; }
TH_LANES1(sqrt, sqrt(a)) TH_LANES1(fabs, fabs(a)) TH_LANES1(floor, floor(a)) TH_LANES1(ceil, ceil(a))
TH_LANES2(fmod, fmod(a, b)) TH_LANES2(remainder, remainder(a, b)) TH_LANES2(copysign, copysign(a, b))
TH_LANES2(fmin, fmin(a, b)) TH_LANES2(fmax, fmax(a, b))
/* Comparisons and logic give 1 or 0 in the value type, as CasADi's C code does. */
TH_INLINE th_v th_lt(th_v x, th_v y) { return x < y ? th_c(1) : th_c(0); }
TH_INLINE th_v th_le(th_v x, th_v y) { return x <= y ? th_c(1) : th_c(0); }
TH_INLINE th_v th_eq(th_v x, th_v y) { return x == y ? th_c(1) : th_c(0); }
TH_INLINE th_v th_ne(th_v x, th_v y) { return x != y ? th_c(1) : th_c(0); }
TH_INLINE th_v th_not(th_v x) { return x == th_c(0) ? th_c(1) : th_c(0); }
TH_INLINE th_v th_and(th_v x, th_v y) { return (x != th_c(0)) & (y != th_c(0)) ? th_c(1) : th_c(0); }
TH_INLINE th_v th_or(th_v x, th_v y) { return (x != th_c(0)) | (y != th_c(0)) ? th_c(1) : th_c(0); }
/* CasADi: sign(x) = x<0 ? -1 : x>0 ? 1 : x (keeps 0, -0 and nan); if_else_zero(x, y) = x ? y : 0
 * (nan counts as true). */
TH_INLINE th_v th_sign(th_v x) { return x < th_c(0) ? th_c(-1) : (x > th_c(0) ? th_c(1) : x); }
TH_INLINE th_v th_if_else_zero(th_v x, th_v y) { return x == th_c(0) ? th_c(0) : y; }

/* erfinv is not in libm: Giles' single-precision approximation ("Approximating the erfinv
 * function", GPU Computing Gems 2011) refined by two Newton steps on erf (quadratic
 * convergence: ~1 ulp in double), as CasADi's runtime computes it to full precision. */
static inline double th_erfinv1(double x) {
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
  return y;
}
TH_LANES1(erfinv, (th_t)th_erfinv1(a))

/* Where a tile writes its outputs straight to the caller's arrays: output element k of the
 * tile's instances is the whole vector at row[k] + b0 (slot-major rows, aligned). */
typedef struct {
  th_t* const* row;
  long long b0;
} th_direct;

/* One tile: x = the instances' inputs, slot-major (one th_v per input element, inputs
 * concatenated in order). Outputs: with d null, into y (one th_v per output element, outputs
 * concatenated), which th_scatter copies out; otherwise straight to d's rows (th_out). */
typedef void (*th_tile_fn)(const th_v* __restrict x, th_v* __restrict y, const th_direct* d);

/* Reads the inputs of instances b0 .. b0+nl-1 into x; lanes past nl repeat the last instance (so
 * the padding computes finite values). A null input is zeros, as in CasADi. */
static inline void th_gather(th_v* x, int n_in, const long long* size, const void* const* in,
                             const long long* stride, long long b0, int nl) {
  for (int j = 0; j < n_in; ++j) {
    const th_t* p = (const th_t*)in[j];
    const long long sb = stride[2 * j], se = stride[2 * j + 1], n = size[j];
    for (long long k = 0; k < n; ++k, ++x) {
      if (!p) { *x = th_c(0); continue; }
      const th_t* q = p + b0 * sb + k * se;
      if (sb == 1 && nl == TH_W) memcpy(x, q, sizeof(th_v));
      else for (int l = 0; l < TH_W; ++l) (*x)[l] = q[(l < nl ? l : nl - 1) * sb];
    }
  }
}

/* Streaming (non-temporal) stores of whole vectors: x86 only, else plain copies. Inline asm
 * rather than <immintrin.h>, whose parsing costs ~0.3 s of CPU in every compiled file. */
#if defined(__x86_64__) && !defined(TH_NO_STREAM)
#define TH_STREAM 1
TH_INLINE void th_stream(void* q, const th_v* y) {
#ifdef __AVX__
  __asm__ volatile("vmovntdq %1, %0" : "=m"(*(th_v*)q) : "v"(*y));
#else
  __asm__ volatile("movntdq %1, %0" : "=m"(*(th_v*)q) : "x"(*y));
#endif
}
TH_INLINE void th_stream_fence(void) { __asm__ volatile("sfence" ::: "memory"); }
#else
#define TH_STREAM 0
TH_INLINE void th_stream(void* q, const th_v* y) { memcpy(q, y, sizeof(th_v)); }
TH_INLINE void th_stream_fence(void) {}
#endif

/* One output element of a tile, as soon as the tile has it. Direct: a streaming store into the
 * caller's row, so the stores leave the core spread over the tile's arithmetic instead of as one
 * burst after it (a burst of Yr's 490 lines stalls the core once the store buffer is full: Panda
 * Yr at batch 4096 ran at half the streaming-store ceiling, bench/RESULTS.md section 5). */
TH_INLINE void th_out(th_v* __restrict y, th_t* const* row, long long b0, long long k, th_v v) {
  if (row) th_stream(row[k] + b0, &v);
  else y[k] = v;
}
/* A tile's view of th_direct: locals, so that no store reloads them. */
#define TH_DIRECT_LOCALS(d)                          \
  th_t* const* const th_row = (d) ? (d)->row : 0; \
  const long long th_b0 = (d) ? (d)->b0 : 0;       \
  (void)th_row; (void)th_b0;

/* Writes the outputs of instances b0 .. b0+nl-1. `stream`: whole aligned vectors bypass the
 * caches (non-temporal stores). The driver asks for it when a call's outputs exceed
 * TH_STREAM_BYTES (bigger than this machine's L2: they leave the core's caches anyway), where it
 * saves the read-for-ownership of every line: Panda Yr (490 outputs) at batch 4096, float64, one
 * thread: 2.4e6 -> 5.5e6 evals/s (bench/RESULTS.md section 5). Slot-major rows whose stride is a
 * multiple of 4 KiB map a tile's lines to the same cache sets; thunder_torch pads the rows
 * (_native.py, new_outputs). */
#ifndef TH_STREAM_BYTES
#define TH_STREAM_BYTES (1LL << 20)
#endif
static inline void th_scatter(const th_v* y, int n_out, const long long* size, void* const* out,
                              const long long* stride, long long b0, int nl, int stream) {
  for (int j = 0; j < n_out; ++j) {
    th_t* p = (th_t*)out[j];
    const long long sb = stride[2 * j], se = stride[2 * j + 1], n = size[j];
    for (long long k = 0; k < n; ++k, ++y) {
      th_t* q = p + b0 * sb + k * se;
      if (sb == 1 && nl == TH_W) {
        if (stream && ((unsigned long long)q & (TH_VBYTES - 1)) == 0) th_stream(q, y);
        else memcpy(q, y, sizeof(th_v));
      } else for (int l = 0; l < nl; ++l) q[l * sb] = (*y)[l];
    }
  }
}

/* The rows of direct output (th_direct) when a streaming call can write every output straight
 * from the tile: slot-major outputs (batch stride 1) with aligned rows; else null. Row k of the
 * concatenated outputs at instance 0. malloc'd: the caller frees it. */
static inline th_t** th_direct_rows(int n_out, const long long* size, void* const* out, const long long* stride,
                                    long long ny) {
  for (int j = 0; j < n_out; ++j) {
    if (size[j] == 0) continue;
    if (!out[j] || stride[2 * j] != 1 || ((unsigned long long)out[j] & (TH_VBYTES - 1)) != 0 ||
        (stride[2 * j + 1] * (long long)sizeof(th_t)) % TH_VBYTES != 0)
      return 0;
  }
  th_t** row = (th_t**)malloc((size_t)(ny > 0 ? ny : 1) * sizeof(th_t*));
  if (!row) return 0;
  long long r = 0;
  for (int j = 0; j < n_out; ++j)
    for (long long k = 0; k < size[j]; ++k) row[r++] = (th_t*)out[j] + k * stride[2 * j + 1];
  return row;
}

/* Tiles t0 .. t1-1 with input/output tiles `buf` (nx + ny vectors); whole tiles write straight
 * to `rows` when given (th_direct_rows), the last partial one through buf. */
static inline void th_tiles(th_tile_fn f, th_v* buf, long long nx, long long t0, long long t1, int n_in,
                            const long long* in_size, int n_out, const long long* out_size,
                            const void* const* in, const long long* in_stride, void* const* out,
                            const long long* out_stride, long long batch, int stream, th_t* const* rows) {
  th_direct d;
  d.row = rows;
  for (long long t = t0; t < t1; ++t) {
    const long long b0 = t * TH_W;
    const int nl = batch - b0 < TH_W ? (int)(batch - b0) : TH_W;
    th_gather(buf, n_in, in_size, in, in_stride, b0, nl);
    if (rows && nl == TH_W) {
      d.b0 = b0;
      f(buf, buf + nx, &d);
    } else {
      f(buf, buf + nx, 0);
      th_scatter(buf + nx, n_out, out_size, out, out_stride, b0, nl, stream);
    }
  }
  if (stream) th_stream_fence();
}

/* How many threads a call may use: the threads torch.set_num_threads gives (the runtime passes
 * torch.get_num_threads() through thunder_native_set_threads; 1 until it does), capped so that every
 * thread gets at least TH_GRAIN tile-instructions (about 50-100 us of work): below that, waking a
 * thread costs more than it saves, and on a busy machine a woken thread may wait a whole scheduler
 * slice for a core. Small batches therefore run on the calling thread and never touch the pool
 * (thunder_pool.h: blocking workers, the caller takes part, no waiting for late workers). */
#define TH_GRAIN (1LL << 16)
#ifdef __cplusplus
extern "C" {
#endif
extern int thunder_native_threads_; /* defined by the registry */
void thunder_native_parallel(void (*fn)(void*, long long, int), void* ctx, long long n_chunks, int n_threads);
#ifdef __cplusplus
}
#endif
static inline int th_threads_for(long long work) {
  int n = thunder_native_threads_ > 0 ? thunder_native_threads_ : 1;
  if (work / TH_GRAIN < n) n = (int)(work / TH_GRAIN);
  return n < 1 ? 1 : n;
}

typedef struct {
  th_tile_fn f;
  long long nx, n_tiles, chunk, batch, per_slot;
  int n_in, n_out, stream;
  th_t* const* rows; /* th_direct_rows, or null */
  const long long *in_size, *out_size, *in_stride, *out_stride;
  const void* const* in;
  void* const* out;
  th_v* bufs; /* per_slot vectors per thread */
} th_job;

static void th_chunk(void* ctx, long long c, int slot) {
  const th_job* j = (const th_job*)ctx;
  const long long t0 = c * j->chunk, t1 = t0 + j->chunk < j->n_tiles ? t0 + j->chunk : j->n_tiles;
  th_tiles(j->f, j->bufs + slot * j->per_slot, j->nx, t0, t1, j->n_in, j->in_size, j->n_out, j->out_size, j->in,
           j->in_stride, j->out, j->out_stride, j->batch, j->stream, j->rows);
}

/* The batch: chunks of tiles claimed by the threads, each thread with its own input/output tiles
 * (the tile function keeps its values in registers and its stack frame: the working set of a tile
 * is its live values * TH_VBYTES bytes). One thread's worth runs on the calling thread, with the
 * tiles on the stack when they are small: a batch-1 call costs the tile itself and little else.
 * `cost`: instructions of one tile. */
#define TH_STACK_VECTORS 256
static int th_tile_batch(th_tile_fn f, long long cost, int n_in, const long long* in_size, int n_out,
                         const long long* out_size, const void* const* in, const long long* in_stride,
                         void* const* out, const long long* out_stride, long long batch) {
  if (batch <= 0) return 0;
  long long nx = 0, ny = 0;
  for (int j = 0; j < n_in; ++j) nx += in_size[j];
  for (int j = 0; j < n_out; ++j) ny += out_size[j];
  const long long n_tiles = (batch + TH_W - 1) / TH_W;
  if (cost < 1) cost = 1;
  const int n_threads = th_threads_for(n_tiles * cost);
  const int stream = TH_STREAM && ny * batch * (long long)sizeof(th_t) >= TH_STREAM_BYTES;
  th_t** rows = stream ? th_direct_rows(n_out, out_size, out, out_stride, ny) : 0;
  if (n_threads == 1) {
    if (nx + ny <= TH_STACK_VECTORS) {
      th_v buf[TH_STACK_VECTORS];
      th_tiles(f, buf, nx, 0, n_tiles, n_in, in_size, n_out, out_size, in, in_stride, out, out_stride, batch,
               stream, rows);
      free(rows);
      return 0;
    }
    void* mem = 0;
    if (posix_memalign(&mem, 64, (size_t)(nx + ny + 1) * sizeof(th_v))) {
      free(rows);
      return 2;
    }
    th_tiles(f, (th_v*)mem, nx, 0, n_tiles, n_in, in_size, n_out, out_size, in, in_stride, out, out_stride,
             batch, stream, rows);
    free(mem);
    free(rows);
    return 0;
  }
  /* chunks: about 4 per thread, none below half a grain */
  long long chunk = n_tiles / (4LL * n_threads);
  if (chunk < (TH_GRAIN / 2) / cost) chunk = (TH_GRAIN / 2) / cost;
  if (chunk < 1) chunk = 1;
  th_job job;
  job.f = f, job.nx = nx, job.n_tiles = n_tiles, job.chunk = chunk, job.batch = batch;
  job.per_slot = (nx + ny + 7) / 8 * 8; /* whole cache lines per thread */
  job.n_in = n_in, job.n_out = n_out, job.stream = stream, job.rows = rows, job.in_size = in_size;
  job.out_size = out_size;
  job.in_stride = in_stride, job.out_stride = out_stride, job.in = in, job.out = out;
  void* mem = 0;
  if (posix_memalign(&mem, 64, (size_t)(job.per_slot * n_threads) * sizeof(th_v))) {
    free(rows);
    return 2;
  }
  job.bufs = (th_v*)mem;
  thunder_native_parallel(th_chunk, &job, (n_tiles + chunk - 1) / chunk, n_threads);
  free(mem);
  free(rows);
  return 0;
}

#endif
