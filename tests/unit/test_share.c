/*
 * test_share.c - the origin-share window (ao_share).
 */
#include "ao_test.h"

#include "ao_share.h"

#include <math.h>
#include <string.h>

static ao_country_t cc(const char *code) {
  ao_country_t c;
  assert_int_equal(ao_country_from_code(code, 2, &c), 0);
  return c;
}

/* Shares are count/total over the window and sum to 100. */
static void test_shares_sum_to_100(void **state) {
  (void)state;
  ao_share_t *s = ao_share_create(300, 10, NULL);
  assert_non_null(s);
  ao_share_advance(s, 1000);
  ao_share_add(s, cc("CN"), 62);
  ao_share_add(s, cc("US"), 30);
  ao_share_add(s, cc("DE"), 8);
  assert_int_equal(ao_share_total(s), 100);
  assert_true(fabs(ao_share_percent(s, cc("CN"), 10) - 62.0) < 1e-9);
  assert_true(fabs(ao_share_percent(s, cc("US"), 10) - 30.0) < 1e-9);
  double sum = 0;
  for (ao_country_t c = 0; c < AO_COUNTRY_COUNT; c++)
    sum += ao_share_percent(s, c, 10);
  assert_true(fabs(sum - 100.0) < 1e-9);
  /* A country without attacks in the window has share 0, not NaN. */
  assert_true(ao_share_percent(s, cc("FR"), 10) == 0.0);
  ao_share_destroy(s);
}

/* Below MinAttacks there is no share: NaN for every country. */
static void test_min_attacks_gives_nan(void **state) {
  (void)state;
  ao_share_t *s = ao_share_create(300, 10, NULL);
  ao_share_advance(s, 0);
  ao_share_add(s, cc("CN"), 9);
  assert_true(isnan(ao_share_percent(s, cc("CN"), 10)));
  assert_true(isnan(ao_share_percent(s, cc("US"), 10)));
  ao_share_add(s, cc("US"), 1);
  assert_true(fabs(ao_share_percent(s, cc("CN"), 10) - 90.0) < 1e-9);
  /* An empty window has no share even with MinAttacks 0. */
  ao_share_t *e = ao_share_create(300, 10, NULL);
  ao_share_advance(e, 0);
  assert_true(isnan(ao_share_percent(e, cc("CN"), 0)));
  ao_share_destroy(e);
  ao_share_destroy(s);
}

/* Attacks leave the window slot by slot as time passes. */
static void test_window_slides(void **state) {
  (void)state;
  ao_share_t *s = ao_share_create(30, 10, NULL); /* 3 slots of 10 s */
  assert_true(ao_share_slot_width(s) == 10.0);
  ao_share_advance(s, 100); /* slot 10 */
  ao_share_add(s, cc("CN"), 10);
  ao_share_advance(s, 110); /* slot 11 */
  ao_share_add(s, cc("US"), 10);
  ao_share_advance(s, 125); /* slot 12 */
  ao_share_add(s, cc("DE"), 20);
  assert_int_equal(ao_share_total(s), 40);
  assert_true(fabs(ao_share_percent(s, cc("CN"), 1) - 25.0) < 1e-9);
  ao_share_advance(s, 130); /* slot 13: slot 10 (CN) leaves */
  assert_int_equal(ao_share_total(s), 30);
  assert_int_equal(ao_share_count(s, cc("CN")), 0);
  assert_true(ao_share_percent(s, cc("CN"), 1) == 0.0);
  assert_true(fabs(ao_share_percent(s, cc("DE"), 1) - 200.0 / 3) < 1e-9);
  ao_share_advance(s, 1000); /* far later: everything left */
  assert_int_equal(ao_share_total(s), 0);
  assert_int_equal(ao_share_count(s, cc("DE")), 0);
  ao_share_destroy(s);
}

/* A clock that steps back counts into the current slot. */
static void test_clock_back(void **state) {
  (void)state;
  ao_share_t *s = ao_share_create(30, 10, NULL);
  ao_share_advance(s, 500);
  ao_share_add(s, cc("CN"), 5);
  ao_share_advance(s, 100);
  ao_share_add(s, cc("CN"), 5);
  assert_int_equal(ao_share_count(s, cc("CN")), 10);
  ao_share_advance(s, 520);
  assert_int_equal(ao_share_count(s, cc("CN")), 10);
  ao_share_advance(s, 530); /* slot 53: slot 50 leaves the 3-slot ring */
  assert_int_equal(ao_share_count(s, cc("CN")), 0);
  ao_share_destroy(s);
}

/* Long windows at short intervals widen the slots instead of growing. */
static void test_slot_cap(void **state) {
  (void)state;
  ao_share_t *s = ao_share_create(86400, 1, NULL);
  assert_non_null(s);
  assert_true(ao_share_slot_width(s) >= 86400.0 / AO_SHARE_MAX_SLOTS - 1e-9);
  ao_share_advance(s, 0);
  ao_share_add(s, cc("CN"), 1);
  ao_share_advance(s, 86400 - 2 * ao_share_slot_width(s));
  assert_int_equal(ao_share_total(s), 1);
  ao_share_advance(s, 86400 + 1);
  assert_int_equal(ao_share_total(s), 0);
  ao_share_destroy(s);
}

/* Bad arguments are refused with a message. */
static void test_bad_arguments(void **state) {
  (void)state;
  ao_err_t err = {{0}};
  assert_null(ao_share_create(5, 10, &err));
  assert_non_null(strstr(err.msg, "5"));
  assert_null(ao_share_create(300, 0, &err));
  assert_null(ao_share_create(NAN, 10, &err));
  ao_share_destroy(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_shares_sum_to_100),
      cmocka_unit_test(test_min_attacks_gives_nan),
      cmocka_unit_test(test_window_slides),
      cmocka_unit_test(test_clock_back),
      cmocka_unit_test(test_slot_cap),
      cmocka_unit_test(test_bad_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
