#!/usr/bin/env bash
# Coverage-guided fuzzing against every built-in defect variant, from an
# empty corpus with the dictionary: per defect, the median over RUNS runs
# (seeds 1..RUNS) of the seconds to the first violation and of the inputs
# run per second (startup included: for a defect found within a second it
# mostly measures the start), then the reference switch's steady exec/s:
# the median over RUNS clean runs of REF_SECONDS (seeds 1..RUNS; the rate
# depends on which inputs a run happens to grow, so one seed is not enough),
# and last the same for bench/fuzz_decode_ceiling, a target that only decodes
# its input: the rate switch_fuzzer would have if the switch and the oracle
# cost nothing.
# A line after the defects sums their medians and names the slowest, per build.
# Each BUILD_DIR must be a -DWRONGBOX_FUZZ=ON build (e.g. one plain, one with
# -DWRONGBOX_SANITIZE="address;undefined"); their columns sit side by side.
# Usage: bench/fuzz_defects.sh BUILD_DIR [BUILD_DIR...]
#   RUNS=3 BUDGET=60 REF_SECONDS=20 MAX_LEN=512 FLAGS=-len_control=0 \
#     bench/fuzz_defects.sh build-fuzz build-asan
# FLAGS: extra libFuzzer flags; the default is what `wrongbox fuzz` passes.
set -uo pipefail
RUNS=${RUNS:-3}
BUDGET=${BUDGET:-60}
REF_SECONDS=${REF_SECONDS:-20}
MAX_LEN=${MAX_LEN:-512}
FLAGS=${FLAGS--len_control=0}
[ $# -ge 1 ] || { sed -n 2,18p "$0"; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else print v[int((NR + 1) / 2)] }'; }

# run FUZZER SUT SEED SECONDS [DICT] -> "seconds found exec_per_s"
run() {
  local fz=$1 sut=$2 seed=$3 secs=$4 dict=${5:-$1.dict}
  rm -rf "$tmp/c" "$tmp/a" && mkdir -p "$tmp/c" "$tmp/a"
  local t0 t1
  t0=$(date +%s.%N)
  WRONGBOX_SUT=$sut "$fz" -seed="$seed" -max_total_time="$secs" -max_len="$MAX_LEN" \
    -dict="$dict" -artifact_prefix="$tmp/a/" -print_final_stats=1 $FLAGS "$tmp/c" >"$tmp/log" 2>&1
  t1=$(date +%s.%N)
  local found=0
  ls "$tmp/a" | grep -q . && found=1
  local units
  units=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/log" | tail -1)
  # exec/s over the whole process, startup included (libFuzzer's own figure
  # rounds runs shorter than a second to 0).
  awk -v a="$t0" -v b="$t1" -v f="$found" -v u="${units:-0}" \
    'BEGIN { printf "%.3f %d %.0f\n", b - a, f, u / (b - a) }'
}

# Out of the fuzzer's reach by construction, and so left out: the volume-only
# variants (their regression scenarios are in corpus/volume/: thousands of
# messages, more than an input encodes; `wrongbox soak` finds them), and the
# threaded switches (the fuzz target does not perturb schedules;
# docs/concurrency.md), the correct `threaded` among them.
src=$(cd "$(dirname "$0")/.." && pwd)
volume=$(ls "$src/corpus/volume" | sed -n 's/^[0-9]*-\(.*\)\.wbs$/\1/p')
suts=$("$1/harness/wrongbox" suts | sed 's/^builtin://')
defects=$(echo "$suts" | grep -v '^reference$' | grep -v '^threaded' | grep -vxF -f <(echo "$volume"))
echo "left out (not fuzzable): volume-only $(echo $volume | tr ' ' ','); threaded: $(echo "$suts" |
  grep '^threaded' | tr '\n' ',' | sed 's/,$//')"
header=$(printf "%-24s" "defect")
for b in "$@"; do header+=$(printf " | %-30s" "$(basename "$b"): s to find, exec/s"); done
echo "$header"
for b in "$@"; do : >"$tmp/medians.$(basename "$b")"; done
for d in $defects; do
  line=$(printf "%-24s" "$d")
  for b in "$@"; do
    : >"$tmp/s"; : >"$tmp/e"; missed=0
    for seed in $(seq "$RUNS"); do
      read -r secs found eps < <(run "$b/fuzz/switch_fuzzer" "builtin:$d" "$seed" "$BUDGET")
      if [ "$found" = 1 ]; then echo "$secs" >>"$tmp/s"; else missed=$((missed + 1)); echo 1e9 >>"$tmp/s"; fi
      echo "$eps" >>"$tmp/e"
    done
    s=$(median <"$tmp/s")
    echo "$s" >>"$tmp/medians.$(basename "$b")"
    [ "$s" = 1e9 ] && s="not found"
    [ "$s" != "not found" ] && s=$(printf "%.1f" "$s")
    note=""; [ "$missed" -gt 0 ] && note=" ($missed/$RUNS missed)"
    line+=$(printf " | %-30s" "$s$note, $(median <"$tmp/e")")
  done
  echo "$line"
done
# One line per build to compare settings by: the sum and the largest of the
# medians above (a defect not found in most runs makes them "-").
line=$(printf "%-24s" "defects: sum, slowest")
for b in "$@"; do
  line+=$(printf " | %-30s" "$(awk '$1 >= 1e9 { miss = 1 } { t += $1; if ($1 > m) m = $1 }
    END { if (miss) print "-, -"; else printf "%.1f s, %.1f s", t, m }' "$tmp/medians.$(basename "$b")")")
done
echo "$line"
line=$(printf "%-24s" "reference (clean runs)")
for b in "$@"; do
  : >"$tmp/e"; hits=0
  for seed in $(seq "$RUNS"); do
    read -r secs found eps < <(run "$b/fuzz/switch_fuzzer" builtin:reference "$seed" "$REF_SECONDS")
    hits=$((hits + found))
    echo "$eps" >>"$tmp/e"
  done
  verdict="clean ${RUNS}x${REF_SECONDS} s"; [ "$hits" -gt 0 ] && verdict="VIOLATION in $hits"
  line+=$(printf " | %-30s" "$verdict, $(median <"$tmp/e")")
done
echo "$line"
line=$(printf "%-24s" "decoding only (ceiling)")
for b in "$@"; do
  : >"$tmp/e"
  for seed in $(seq "$RUNS"); do
    read -r secs found eps < <(run "$b/bench/fuzz_decode_ceiling" builtin:reference "$seed" "$REF_SECONDS" \
      "$b/fuzz/switch_fuzzer.dict")
    echo "$eps" >>"$tmp/e"
  done
  line+=$(printf " | %-30s" "${RUNS}x${REF_SECONDS} s, $(median <"$tmp/e")")
done
echo "$line"
