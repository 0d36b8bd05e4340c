#!/usr/bin/env bash
# Scenarios per second of `wrongbox check` against one switch, for each
# wrongbox binary given, over independent seeds, the binaries alternating so
# that they share the machine's mood. Prints one line per run and the
# median per binary.
# Usage: bench/check_rate.sh [--sut SUT] [--tests N] [--seeds "1 2 3"] WRONGBOX...
set -euo pipefail
sut=builtin:reference tests=5000 seeds="1 2 3"
while [ $# -gt 0 ]; do
  case $1 in
    --sut) sut=$2; shift 2 ;;
    --tests) tests=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: $0 [--sut SUT] [--tests N] [--seeds LIST] WRONGBOX..." >&2; exit 2; }
bins=()
for wb in "$@"; do bins+=("$(cd "$(dirname "$wb")" && pwd)/$(basename "$wb")"); done
set -- "${bins[@]}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
declare -A rates
for seed in $seeds; do
  for wb in "$@"; do
    start=$(date +%s.%N)
    if ! "$wb" check --sut "$sut" --seed "$seed" --tests "$tests" --no-evidence \
      --save-failures '' -q >"$work/out" 2>&1; then
      echo "$wb check --seed $seed failed:" >&2
      cat "$work/out" >&2
      exit 1
    fi
    end=$(date +%s.%N)
    rate=$(echo "$tests / ($end - $start)" | bc -l)
    printf '%-50s seed %-4s %8.0f scenarios/s\n' "$wb" "$seed" "$rate"
    rates[$wb]+="$rate "
  done
done
for wb in "$@"; do
  median=$(printf '%s\n' ${rates[$wb]} | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')
  printf 'median %-43s %8.0f scenarios/s (%s, %s tests a seed)\n' "$wb" "$median" "$sut" "$tests"
done
