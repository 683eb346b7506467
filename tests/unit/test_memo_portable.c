/*
 * test_memo_portable.c - the same tests as test_memo.c on the memo built
 * with its portable folded multiply (four 32-bit products, for compilers
 * without a 128-bit integer type), which is also compared with the 128-bit
 * product. The memo's source is compiled in here with AO_MEMO_PORTABLE, so
 * the library's copy is not linked.
 */
#define AO_MEMO_PORTABLE 1
#include "ao_memo.c"
#include "test_memo.c"
