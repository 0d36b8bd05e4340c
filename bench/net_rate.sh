#!/usr/bin/env bash
# Scenarios per second of `wrongbox check` over network mode against
# examples/network/mailswitch.py, and over exec: against the Python reference
# switch (examples/python/reference_switch.py: the same routing rules, spoken
# as protocol v1), in one run: the two alternate per seed, so they share the
# machine's mood. Prints one line per run, the medians and their ratio.
# Usage: bench/net_rate.sh [--tests N] [--seeds "1 2 3"] WRONGBOX
set -euo pipefail
tests=300 seeds="1 2 3"
while [ $# -gt 0 ]; do
  case $1 in
    --tests) tests=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    *) break ;;
  esac
done
[ $# -eq 1 ] || { echo "usage: $0 [--tests N] [--seeds LIST] WRONGBOX" >&2; exit 2; }
wb="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
src="$(cd "$(dirname "$0")/.." && pwd)"
net="net:$src/examples/network/mailswitch.net.toml"
exe="exec:python3 $src/examples/python/reference_switch.py"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
declare -A rates
for seed in $seeds; do
  for sut in "$net" "$exe"; do
    start=$(date +%s.%N)
    if ! "$wb" check --sut "$sut" --seed "$seed" --tests "$tests" --no-evidence \
      --save-failures '' -q >"$work/out" 2>&1; then
      echo "check --sut '$sut' --seed $seed failed:" >&2
      cat "$work/out" >&2
      exit 1
    fi
    end=$(date +%s.%N)
    rate=$(echo "$tests / ($end - $start)" | bc -l)
    kind=${sut%%:*}
    printf '%-5s seed %-4s %8.1f scenarios/s\n' "$kind" "$seed" "$rate"
    rates[$kind]+="$rate "
  done
done
median() {
  printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}
n=$(median "${rates[net]}")
e=$(median "${rates[exec]}")
printf 'median net:  %8.1f scenarios/s (mailswitch.py, %s tests a seed)\n' "$n" "$tests"
printf 'median exec: %8.1f scenarios/s (reference_switch.py)\n' "$e"
printf 'exec/net     %8.2f\n' "$(echo "$e / $n" | bc -l)"
