#!/usr/bin/env bash
# Property-based search speed per built-in defect: over 5 seeds, the median
# scenarios and seconds until the first violation, and the median length (in
# steps) of the shrunk counterexample. Seconds are the search time wrongbox
# reports (process start-up excluded). Usage: bench/check_defects.sh [WRONGBOX] [SEEDS...]
set -euo pipefail
WB=${1:-build/harness/wrongbox}
shift || true
SEEDS=${*:-1 2 3 4 5}
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%g\n", (a[NR/2]+a[NR/2+1])/2}'; }

printf "%-24s %10s %12s %12s  %s\n" defect scenarios seconds shrunk properties
for sut in $("$WB" suts | grep -v '^builtin:reference$'); do
  scen=(); secs=(); steps=(); props=()
  for seed in $SEEDS; do
    out=$("$WB" check --sut "$sut" --seed "$seed" --tests 100000 --save-failures "" -q || true)
    line=$(grep -m1 '^FAIL: found after' <<<"$out" || true)
    if [ -z "$line" ]; then scen+=(inf); secs+=(inf); steps+=(inf); props+=(none); continue; fi
    scen+=("$(sed -E 's/.*after ([0-9]+) scenario.*/\1/' <<<"$line")")
    secs+=("$(sed -E 's/.* in ([0-9.]+) s;.*/\1/' <<<"$line")")
    steps+=("$(sed -E 's/.*shrunk to ([0-9]+) step.*/\1/' <<<"$line")")
    props+=("$(grep -m1 -oE '^(S[1-5]|C[1-4]|L1) violated' <<<"$out" | cut -c1-2)")
  done
  printf "%-24s %10s %12s %12s  %s\n" "${sut#builtin:}" \
    "$(printf '%s\n' "${scen[@]}" | median)" "$(printf '%s\n' "${secs[@]}" | median)" \
    "$(printf '%s\n' "${steps[@]}" | median)" "$(printf '%s\n' "${props[@]}" | sort | uniq -c | awk '{printf "%s%s×%s", (NR>1?",":""), $2, $1}')"
done
echo
echo "reference: $("$WB" check --sut builtin:reference --seed 1 --tests 10000 --save-failures "" 2>/dev/null | grep -E "^(PASS|FAIL)")"
