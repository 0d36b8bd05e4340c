#!/usr/bin/env bash
# Messages `wrongbox soak` (default profile) sends before it catches each
# built-in defect variant, for traffic seeds 1 to 3, and their median; "-"
# when a seed's first MESSAGES messages did not catch it.
# Usage: bench/soak_defects.sh [BUILD_DIR] [MESSAGES]   (defaults build 100000)
set -u
B=${1:-build}
N=${2:-100000}
WB="$B/harness/wrongbox"
printf '%-28s %10s %10s %10s %10s  %s\n' defect seed1 seed2 seed3 median property
missed=0
for sut in $("$WB" suts | grep -v reference); do
  row=() props=""
  for seed in 1 2 3; do
    out=$("$WB" soak --sut "$sut" --seed "$seed" --messages "$N" --json --no-evidence \
      --save-failures '' --shrink-budget 1 --time-budget 60 2>/dev/null | tail -1)
    read -r verdict messages prop < <(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["verdict"], d["messages"], d["property"] or "-")' "$out")
    if [ "$verdict" = pass ]; then row+=("-"); missed=$((missed + 1)); else row+=("$messages"); fi
    props="$props $prop"
  done
  med=$(printf '%s\n' "${row[@]}" | sed 's/^-$/999999999999/' | sort -n | sed -n 2p | sed 's/^999999999999$/-/')
  printf '%-28s %10s %10s %10s %10s %s\n' "${sut#builtin:}" "${row[@]}" "$med" "$props"
done
echo "runs that did not catch their defect within $N messages: $missed"
