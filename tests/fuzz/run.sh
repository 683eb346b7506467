#!/bin/sh
# run.sh SECONDS BIN... - replays, then fuzzes, every libFuzzer target given.
#
# For each build-fuzz/fuzz_<name>:
#   1. replay: every kept regression input (tests/fuzz/regressions/<name>/)
#      and hand-written seed (tests/fuzz/seeds/<name>/) is run once; any
#      failure fails the run;
#   2. fuzz (SECONDS > 0): libFuzzer for SECONDS on a working corpus in
#      build-fuzz/corpus/<name> (seeds, regressions and tests/fuzz/seeds.py's
#      generated inputs), 10 s per-input timeout, 2 GiB RSS limit. A crash,
#      leak, timeout or oracle failure leaves its input in
#      build-fuzz/artifacts/<name>/ and fails the run: fix the bug and keep
#      the input under tests/fuzz/regressions/<name>/.
# Prints one line per target: executions, executions per second, coverage
# (edges), corpus size, result.
set -u
secs=${1:?usage: run.sh SECONDS BIN...}
shift
here=$(cd "$(dirname "$0")" && pwd)
fb=$(cd "$(dirname "$1")" && pwd)
status=0
summary=""
for bin in "$@"; do
  name=$(basename "$bin")
  name=${name#fuzz_}
  seeds="$here/seeds/$name"
  regs="$here/regressions/$name"
  corpus="$fb/corpus/$name"
  arts="$fb/artifacts/$name"
  log="$fb/logs/$name.log"
  mkdir -p "$corpus" "$arts" "$fb/logs"

  # 1. replay
  inputs=$(find "$regs" "$seeds" -type f 2>/dev/null | sort)
  if [ -n "$inputs" ]; then
    # shellcheck disable=SC2086
    if ! "$bin" -runs=1 $inputs >"$fb/logs/$name.replay.log" 2>&1; then
      echo "fuzz_$name: a kept input fails (see $fb/logs/$name.replay.log)"
      tail -30 "$fb/logs/$name.replay.log"
      status=1
      summary="$summary
$(printf '%-10s %8s %10s %8s %8s  %s' "$name" - - - - "REPLAY FAILED")"
      continue
    fi
  fi
  nin=$(printf '%s\n' "$inputs" | grep -c . || true)
  if [ "$secs" -eq 0 ]; then
    summary="$summary
$(printf '%-10s %8s %10s %8s %8s  %s' "$name" "$nin" - - - "replayed")"
    continue
  fi

  # 2. fuzz
  for d in "$seeds" "$regs"; do
    [ -d "$d" ] && cp -f "$d"/* "$corpus"/ 2>/dev/null
  done
  python3 "$here/seeds.py" "$name" "$corpus" >/dev/null
  "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$arts/" "$corpus" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ncorp=$(ls "$corpus" | wc -l)
  if [ $rc -ne 0 ]; then
    result="FAILED (exit $rc): $(ls "$arts" | head -3 | tr '\n' ' ')"
    grep -m1 -E 'ERROR|oracle failed|runtime error' "$log"
    status=1
  else
    result="clean"
  fi
  summary="$summary
$(printf '%-10s %8s %10s %8s %8s  %s' "$name" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$ncorp" "$result")"
done
printf '%-10s %8s %10s %8s %8s  %s' target execs "execs/s" edges corpus result
echo "$summary"
[ "$secs" -gt 0 ] && echo "(fuzzed ${secs}s each; logs in $fb/logs)"
exit $status
