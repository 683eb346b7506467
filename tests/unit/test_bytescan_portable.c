/*
 * test_bytescan_portable.c - the same tests as test_bytescan.c on the
 * portable 64-bit-word path of ao_bytescan.h, the one machines without
 * SSE2 build.
 */
#define AO_BYTESCAN_NO_SIMD 1
#include "test_bytescan.c"
