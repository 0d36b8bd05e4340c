#!/usr/bin/env bash
# Does the steered search reach the network fakes' freedoms sooner when it
# keeps plans for them? Default check against examples/network/mailswitch.py
# with wire steering on and off (WRONGBOX_WIRE_STEERING=0), alternating per
# seed in one run; prints, per seed, how many pairs of freedoms (a freedom
# with itself included) were used together by 3+ scenarios, and the medians.
# Usage: bash bench/wire_steering.sh [--tests N] [--seeds "1 2 3"] WRONGBOX
set -euo pipefail
tests=200
seeds="1 2 3"
while [ $# -gt 1 ]; do
  case "$1" in
    --tests) tests=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    *) break ;;
  esac
done
WB=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
N="$(cd "$(dirname "$0")/.." && pwd)/examples/network/mailswitch.net.toml"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
on=() off=()
for s in $seeds; do
  for mode in 1 0; do
    met=$(WRONGBOX_WIRE_STEERING=$mode "$WB" check --sut "net:$N" --seed "$s" --tests "$tests" \
      --no-memory --no-evidence 2>&1 | sed -n 's/^pairs of freedoms used in one scenario: \([0-9]*\) met.*/\1/p')
    echo "seed $s, wire steering $([ $mode = 1 ] && echo on || echo off): $met pairs met by 3+ scenarios"
    if [ $mode = 1 ]; then on+=("$met"); else off+=("$met"); fi
  done
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "median over seeds ($tests scenarios each): on $(median "${on[@]}"), off $(median "${off[@]}")"
