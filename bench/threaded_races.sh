#!/usr/bin/env bash
# Races of the threaded example switch (docs/concurrency.md): for each racy
# variant, over independent seeds, the median scenarios and search seconds
# until `wrongbox check` finds it with schedule perturbation (the default for
# a switch with threads: each scenario under 4 schedules), without it
# (--perturb off: each scenario still runs 4 times, with no pauses), and as a
# harness unaware of threads would (--perturb off --schedules 1: each
# scenario once); then how often the shrunk
# counterexample of seed 1 fails in 200 replays with and without
# perturbation; then the correct threaded switch over CLEAN scenarios under
# perturbation. "inf" means not found within --time-budget 60.
# Usage: bench/threaded_races.sh [WRONGBOX] [CLEAN] [SEEDS...]   (default 10000, seeds 1-5)
set -euo pipefail
WB=${1:-build/harness/wrongbox}
CLEAN=${2:-10000}
shift 2 || true
SEEDS=${*:-1 2 3 4 5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%g\n", (a[NR/2]+a[NR/2+1])/2}'; }
# One search: "SCENARIOS SECONDS" or "inf inf"; the failure is saved under $tmp/$3.
one() {
  local out line schedules=4 perturb=$3
  if [ "$3" = once ]; then schedules=1; perturb=off; fi
  out=$("$WB" check --sut "builtin:$1" --seed "$2" --perturb "$perturb" --schedules "$schedules" \
    --time-budget 60 --save-failures "$tmp/$3-$2" --no-memory --no-evidence -q 2>/dev/null || true)
  line=$(grep -m1 '^FAIL: found after' <<<"$out" || true)
  if [ -z "$line" ]; then echo "inf inf"; return; fi
  sed -E 's/.*after ([0-9]+) scenario.* in ([0-9.]+) s;.*/\1 \2/' <<<"$line"
}
# Runs of 200 in which FILE fails: "K".
rate() {
  local out
  out=$("$WB" replay "$2" --sut "builtin:$1" --runs 200 --perturb "$3" --no-evidence -q \
    2>/dev/null || true)
  if grep -q '(failed [0-9]* of 200 runs)' <<<"$out"; then
    sed -nE 's/.*\(failed ([0-9]+) of 200 runs\).*/\1/p' <<<"$out" | head -1
  else
    echo 0
  fi
}

printf "%-26s %21s   %21s   %21s   %25s\n" "" "perturbed (default)" "--perturb off" \
  "each scenario once" "fails in 200 replays"
printf "%-26s %10s %10s   %10s %10s   %10s %10s   %12s %12s\n" variant scenarios seconds \
  scenarios seconds scenarios seconds perturbed "not perturbed"
for v in $("$WB" suts | sed -n 's/^builtin:\(threaded-.*\)/\1/p'); do
  row=()
  for p in on off once; do
    scen=()
    secs=()
    for s in $SEEDS; do
      read -r n t < <(one "$v" "$s" "$p")
      scen+=("$n")
      secs+=("$t")
    done
    row+=("$(printf '%s\n' "${scen[@]}" | median)" "$(printf '%s\n' "${secs[@]}" | median)")
  done
  first=$(echo $SEEDS | cut -d' ' -f1)
  file=$(ls "$tmp/on-$first/builtin_$v"/*.wbs 2>/dev/null | head -1 || true)
  if [ -n "$file" ]; then
    on=$(rate "$v" "$file" on)
    off=$(rate "$v" "$file" off)
  else
    on=-
    off=-
  fi
  printf "%-26s %10s %10s   %10s %10s   %10s %10s   %12s %12s\n" "$v" "${row[@]}" "$on/200" \
    "$off/200"
done
echo
start=$(date +%s.%N)
if "$WB" check --sut builtin:threaded --seed 1 --tests "$CLEAN" --no-memory --save-failures "" \
  --no-evidence -q >"$tmp/clean" 2>&1; then
  printf "builtin:threaded: %s scenarios under perturbation (4 schedules each), none failed, %.1f s\n" \
    "$CLEAN" "$(echo "$(date +%s.%N) - $start" | bc)"
else
  echo "builtin:threaded FAILED:"
  cat "$tmp/clean"
fi
