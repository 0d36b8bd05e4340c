#!/usr/bin/env bash
# Search speed per built-in defect, the RapidCheck generators alone
# (--search rapidcheck) beside the coverage-steered loop (the default): over
# independent seeds, the median scenarios until the first violation, and the
# median search seconds (as wrongbox reports them, start-up excluded) and the
# median length in steps of the shrunk counterexample; then, on the reference
# switch, the median scenarios until every feasible situation pair was met
# once and k (3) times. "inf" means not found within --tests 100000. The
# threaded switches are left out: their races have their own figures
# (docs/concurrency.md).
# Usage: bench/check_defects.sh [WRONGBOX] [SEEDS...]   (default seeds 1-5)
set -euo pipefail
WB=${1:-build/harness/wrongbox}
shift || true
SEEDS=${*:-1 2 3 4 5}
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%g\n", (a[NR/2]+a[NR/2+1])/2}'; }
# One search: "SCENARIOS SECONDS STEPS" or "inf inf inf".
one() {
  local out line
  out=$("$WB" check --sut "$1" --seed "$2" --search "$3" --tests 100000 --save-failures "" \
    --no-evidence -q 2>/dev/null || true)
  line=$(grep -m1 '^FAIL: found after' <<<"$out" || true)
  if [ -z "$line" ]; then echo "inf inf inf"; return; fi
  sed -E 's/.*after ([0-9]+) scenario.* in ([0-9.]+) s;.*shrunk to ([0-9]+) step.*/\1 \2 \3/' <<<"$line"
}

printf "%-26s %31s   %31s\n" "" "rapidcheck generators" "steered (default)"
printf "%-26s %10s %10s %9s   %10s %10s %9s\n" defect scenarios seconds shrunk scenarios seconds shrunk
for sut in $("$WB" suts | grep -v '^builtin:reference$' | grep -v '^builtin:threaded'); do
  row=()
  for search in rapidcheck steered; do
    scen=(); secs=(); steps=()
    for seed in $SEEDS; do
      read -r s c t < <(one "$sut" "$seed" "$search")
      scen+=("$s"); secs+=("$c"); steps+=("$t")
    done
    row+=("$(printf '%s\n' "${scen[@]}" | median)" "$(printf '%s\n' "${secs[@]}" | median)"
          "$(printf '%s\n' "${steps[@]}" | median)")
  done
  printf "%-26s %10s %10s %9s   %10s %10s %9s\n" "${sut#builtin:}" "${row[@]}"
done
echo
for search in rapidcheck steered; do
  once=(); k=()
  for seed in $SEEDS; do
    line=$("$WB" check --sut builtin:reference --seed "$seed" --search "$search" --time-budget 30 \
      --coverage-k 3 --save-failures "" --no-evidence 2>/dev/null | grep -m1 '^situation pairs' || true)
    o=$(grep -oE 'all met once after [0-9]+' <<<"$line" | grep -oE '[0-9]+$' || echo inf)
    t=$(grep -oE '3 times after [0-9]+' <<<"$line" | grep -oE '[0-9]+$' || echo inf)
    once+=("$o"); k+=("$t")
  done
  printf "reference, %-10s all pairs met once after %s scenarios, 3 times after %s (medians; 30 s cap)\n" \
    "$search:" "$(printf '%s\n' "${once[@]}" | median)" "$(printf '%s\n' "${k[@]}" | median)"
done
