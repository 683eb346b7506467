#!/bin/sh
# run.sh BUILD_DIR - the integration tests with the plugin and the CLI built
# with AddressSanitizer and UndefinedBehaviorSanitizer (`make sanitize`).
#
# collectd is Debian's, not instrumented: tests/integration/harness.py
# starts it with the sanitizer runtimes preloaded (LD_PRELOAD), so that
# the instrumented plugin runs inside the real daemon. Every process of the
# run reports to one directory; the harness fails a test whose collectd or
# CLI left a report involving our code, and lists collectd's own leaks at
# exit (allocations with no frame of ours) as tolerated. Anything left in
# the directory that involves our code fails the run here too.
set -u
build=${1:?usage: run.sh BUILD_DIR}
logs=$(mktemp -d "${TMPDIR:-/tmp}/ao-sanitize-XXXXXX")
export AO_SANITIZE=1 AO_BUILD="$build" AO_SANITIZE_LOGS="$logs"
# halt_on_error: the first error stops the process, and the test sees it.
export ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1:halt_on_error=1:fast_unwind_on_malloc=0:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1"
export UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1:halt_on_error=1"
# Leaks do not change a process's exit status: collectd 5.12 leaks two small
# allocations of its own configuration reader (cf_read, oconfig_parse_file)
# at every exit. A suppression file cannot set those apart from ours - LSan
# suppresses a report when *any* frame matches, and our config callback runs
# under cf_read - so the harness reads each report instead (slow unwinding:
# complete stacks through code without frame pointers) and fails on any
# leak with a frame of ours.
export LSAN_OPTIONS="exitcode=0"
python3 "$(dirname "$0")/../integration/run.py" "$@"
status=$?
shift
stray=$(grep -l -E 'attack_origin\.so|attack-origin|plugin/(core|collectd|cli)/|in ao_[a-z_]+' "$logs"/* 2>/dev/null)
if [ -n "$stray" ]; then
  echo "sanitizer reports involving the plugin:"
  for f in $stray; do echo "== $f"; head -60 "$f"; done
  status=1
fi
echo "sanitize: $(ls "$logs" | wc -l) report file(s) in $logs"
[ $status -eq 0 ] && rm -rf "$logs"
exit $status
