/* Thunder native kernels: C ABI (generated; do not edit).
 *
 * Every library libthunder_<robot>_<f64|f32|cuda_f64|cuda_f32>.so exports these functions.
 * Entry e = 2*i + reverse: function i (0 <= i < thunder_native_n_functions()) or its reverse-mode
 * partner (CasADi fn.reverse(1): inputs (inputs..., outputs..., output seeds...) -> input
 * adjoints). Every input and output j is a (batch, size) array of casadi_real given by a pointer
 * and two strides in elements: element k of instance b is at p[b * stride[2j] + k * stride[2j+1]]
 * (batch stride 0 broadcasts one vector to every instance). Instance-major (batch, size) arrays
 * have strides (size, 1), slot-major (size, batch) arrays (1, batch); the kernels read and write
 * either, and are fastest on the layout thunder_native_out_layout() names. Matrices are flattened
 * row-major per instance; outputs are dense (structural zeros written as 0).
 * CPU libraries ignore `stream`; CUDA libraries take device pointers and launch on the
 * cudaStream_t passed as `stream` (asynchronously; capturable in a CUDA graph).
 * An entry returns 0 on success, nonzero on failure (CUDA: a launch error; CPU: out of memory).
 */
#ifndef THUNDER_NATIVE_H
#define THUNDER_NATIVE_H
#ifdef __cplusplus
extern "C" {
#endif

#define THUNDER_NATIVE_ABI 2

typedef int (*thunder_native_fn)(const void* const* in, const long long* in_stride,
                                 void* const* out, const long long* out_stride, long long batch,
                                 void* stream);

int thunder_native_abi(void);                    /* THUNDER_NATIVE_ABI */
const char* thunder_native_robot(void);          /* robot name as in manifest.json */
const char* thunder_native_hash(void);           /* FNV-1a 64 of manifest.json, 16 hex digits */
const char* thunder_native_dtype(void);          /* "float64" or "float32" */
const char* thunder_native_device(void);         /* "cpu" or "cuda" */
const char* thunder_native_kernels(void);        /* "simd", "scalar" (CasADi C per instance), "cuda" */
int thunder_native_lanes(void);                  /* instances per SIMD tile (1: scalar; CUDA: 0) */
int thunder_native_out_layout(void);             /* preferred output layout: 0 instance-major, 1 slot-major */
int thunder_native_n_functions(void);
const char* thunder_native_name(int i);
int thunder_native_n_in(int entry);
int thunder_native_n_out(int entry);
long long thunder_native_size_in(int entry, int j);
long long thunder_native_size_out(int entry, int j);
thunder_native_fn thunder_native_entry(int entry);
int thunder_native_max_threads(void);            /* OpenMP threads (1 without OpenMP; CUDA: 0) */
void thunder_native_set_threads(int n);          /* threads a CPU call may use (<= 0: OpenMP's
                                                    default); each thread gets a minimum of work,
                                                    so small batches run on the calling thread */

#ifdef __cplusplus
}
#endif
#endif
