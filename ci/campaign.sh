#!/usr/bin/env bash
# The main job, as the README's first command: install missing packages,
# build, then run a campaign against the built-in reference switch and its
# defect catalog, and write a report.
#   1. replay the regression corpus against the reference switch,
#   2. a property-based campaign against the reference switch,
#   3. the defect-detection matrix over every built-in defect variant.
# The report goes to out/campaign-report.md (override: WRONGBOX_OUT=dir).
# Exit status: 0 all as expected, 1 a property was violated or a defect went
# undetected, 2 usage or input error, 3 the switch failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh || exit 2
cmake -S . -B build -G Ninja >/dev/null && cmake --build build >/dev/null || exit 2
WB=build/harness/wrongbox
OUT=${WRONGBOX_OUT:-out}
SEED=${WRONGBOX_SEED:-$(date +%s)}
TESTS=${WRONGBOX_TESTS:-20000}
mkdir -p "$OUT"
rc=0
worst() { if [ "$1" -ne 0 ] && { [ "$rc" -eq 0 ] || [ "$1" -gt "$rc" ]; }; then rc=$1; fi; }

echo "== 1/3 regression corpus against builtin:reference"
"$WB" replay corpus/regressions --sut builtin:reference -q | tee "$OUT/replay.txt"
worst "${PIPESTATUS[0]}"

echo "== 2/3 property-based campaign against builtin:reference ($TESTS scenarios, seed $SEED)"
"$WB" check --sut builtin:reference --tests "$TESTS" --seed "$SEED" \
  --save-failures "$OUT/failures" | tee "$OUT/check.txt"
worst "${PIPESTATUS[0]}"

echo "== 3/3 defect-detection matrix"
"$WB" mutants --markdown "$OUT/mutants.md" 2>/dev/null | tee "$OUT/mutants.txt"
worst "${PIPESTATUS[0]}"

{
  echo "# Wrongbox campaign report"
  echo
  echo "- when: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- harness: $("$WB" --version), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- switch: builtin:reference; seed $SEED; exit status $rc"
  echo
  echo "## Regression corpus"
  echo; echo '```'; tail -n 1 "$OUT/replay.txt"; echo '```'; echo
  echo "## Property-based campaign"
  echo; echo '```'; cat "$OUT/check.txt"; echo '```'; echo
  tail -n +2 "$OUT/mutants.md" | sed 's/^# /## /'
} >"$OUT/campaign-report.md"
echo
echo "report: $OUT/campaign-report.md (exit $rc)"
exit "$rc"
