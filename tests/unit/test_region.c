/*
 * test_region.c - big long-lived allocations (ao_region): zeroed, aligned to
 * a cache line, regions of AO_REGION_HUGE bytes or more mapped on their own
 * at a 2 MiB boundary and rounded up to whole 2 MiB, every byte usable,
 * release clears the handle.
 */
/* the test checks the mapped path where ao_region.c has it */
#define _DEFAULT_SOURCE
#include "ao_test.h"

#include "ao_region.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

static int all_zero(const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != 0)
      return 0;
  return 1;
}

/* A size of 0 is refused and leaves an empty handle. */
static void test_zero_size(void **state) {
  (void)state;
  ao_region_t r;
  memset(&r, 0xa5, sizeof(r));
  assert_int_equal(ao_region_alloc(&r, 0), -1);
  assert_null(r.p);
  assert_int_equal(r.size, 0);
  assert_int_equal(r.mapped, 0);
  ao_region_free(&r); /* an empty handle is a no-op */
  assert_null(r.p);
}

/* Small regions come from the heap: aligned to 64, zeroed, writable. */
static void test_small(void **state) {
  (void)state;
  static const size_t sizes[] = {1, 63, 64, 65, 4096, 100000};
  for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
    ao_region_t r;
    assert_int_equal(ao_region_alloc(&r, sizes[i]), 0);
    assert_non_null(r.p);
    assert_int_equal((uintptr_t)r.p % 64, 0);
    assert_int_equal(r.size, sizes[i]);
    assert_int_equal(r.mapped, 0);
    assert_true(all_zero(r.p, sizes[i]));
    memset(r.p, 0xff, sizes[i]);
    ao_region_free(&r);
    assert_null(r.p);
    assert_int_equal(r.size, 0);
  }
}

/* Big regions: at a 2 MiB boundary, rounded up to whole 2 MiB (the cost
 * the header states), zeroed, every byte usable. */
static void test_huge(void **state) {
  (void)state;
  static const size_t sizes[] = {AO_REGION_HUGE, AO_REGION_HUGE + 1,
                                 3 * AO_REGION_HUGE - 64};
  for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
    ao_region_t r;
    assert_int_equal(ao_region_alloc(&r, sizes[i]), 0);
    assert_non_null(r.p);
    assert_int_equal(r.size, sizes[i]);
    assert_int_equal((uintptr_t)r.p % 64, 0);
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
    size_t whole = (sizes[i] + AO_REGION_HUGE - 1) / AO_REGION_HUGE;
    assert_int_equal((uintptr_t)r.p % AO_REGION_HUGE, 0);
    assert_int_equal(r.mapped, whole * AO_REGION_HUGE);
#endif
    assert_true(all_zero(r.p, sizes[i]));
    memset(r.p, 0x5a, sizes[i]);
    ((unsigned char *)r.p)[sizes[i] - 1] = 1;
    ao_region_free(&r);
    assert_null(r.p);
    assert_int_equal(r.mapped, 0);
  }
}

/* Many regions in turn: each release gives its memory back (a leak would
 * show under valgrind and ASan, which run this test). */
static void test_repeated(void **state) {
  (void)state;
  for (int i = 0; i < 64; i++) {
    ao_region_t a, b;
    assert_int_equal(ao_region_alloc(&a, AO_REGION_HUGE), 0);
    assert_int_equal(ao_region_alloc(&b, 1000), 0);
    assert_ptr_not_equal(a.p, b.p);
    ((char *)a.p)[i] = 1;
    ao_region_free(&b);
    ao_region_free(&a);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_zero_size),
      cmocka_unit_test(test_small),
      cmocka_unit_test(test_huge),
      cmocka_unit_test(test_repeated),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
