/* VB: the bytes of the widest vectors the compiler targets (-march at build time), as the SIMD
 * kernels use them (thunder_simd.h's TH_VBYTES); shared by the bench/ probes fma_peak.c and
 * store_peak.c. */
#pragma once
#if defined(__AVX512F__)
#define VB 64
#elif defined(__AVX__)
#define VB 32
#else
#define VB 16
#endif
