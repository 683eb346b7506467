#!/bin/sh
# Runs every unit-test program given as an argument and fails if any fails.
# Set VALGRIND=1 to run each under valgrind (leaks and errors are failures).
status=0
failed=""
for t in "$@"; do
  echo "== $t"
  if [ -n "$VALGRIND" ]; then
    # Children forked without exec (the GeoIP validation walk, crash
    # trials) end with _exit() holding copies of the parent's heap: they
    # would report it all as lost. Only the test process itself is judged.
    valgrind --quiet --error-exitcode=99 --leak-check=full \
      --errors-for-leak-kinds=definite --child-silent-after-fork=yes \
      "$t" || { status=1; failed="$failed $t"; }
  else
    "$t" || { status=1; failed="$failed $t"; }
  fi
done
if [ $status -ne 0 ]; then
  echo "FAILED unit test programs:$failed"
else
  echo "all $# unit test programs passed"
fi
exit $status
