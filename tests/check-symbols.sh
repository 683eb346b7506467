#!/bin/sh
# The plugin runs inside collectd's address space next to other plugins: it
# must export module_register and nothing else (no core symbol may clash).
so=${1:?usage: check-symbols.sh PLUGIN.so}
exported=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sort)
if [ "$exported" != "module_register" ]; then
  echo "symbols: $so exports more than module_register:" >&2
  echo "$exported" >&2
  exit 1
fi
echo "symbols: $so exports only module_register"
