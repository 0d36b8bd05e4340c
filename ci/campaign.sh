#!/usr/bin/env bash
# The main job, as the README's first command: install missing packages,
# build with clang and libFuzzer (build-main/), then
#   1. `wrongbox campaign` against the built-in reference switch: the
#      regression corpus and saved failures, a coverage-steered search and
#      coverage-guided fuzzing sharing the budget, every run recorded in the
#      evidence store;
#   2. `wrongbox mutants`: the defect-detection matrix over its 27 defect
#      variants of 13 classes (corpus, property-based search, fuzzing, and
#      a soak against the reference and what the others miss),
#      recorded too;
#   3. the evidence chain verified and the reports written: HTML (auditors),
#      Markdown, JUnit, SARIF.
# Output in out/ (WRONGBOX_OUT=dir); evidence accumulates in out/evidence.db.
# WRONGBOX_BUDGET (seconds, default 60) and WRONGBOX_SEED tune the search.
# Exit status: 0 all as expected, 1 a property was violated or a defect went
# undetected, 2 usage or input error, 3 the switch failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh || exit 2
CC=clang CXX=clang++ cmake -S . -B build-main -G Ninja -DWRONGBOX_FUZZ=ON -DWRONGBOX_TESTS=OFF \
  >/dev/null && cmake --build build-main >/dev/null || exit 2
WB=build-main/harness/wrongbox
OUT=${WRONGBOX_OUT:-out}
EV="$OUT/evidence.db"
mkdir -p "$OUT"
rc=0
worst() { if [ "$1" -ne 0 ] && { [ "$rc" -eq 0 ] || [ "$1" -gt "$rc" ]; }; then rc=$1; fi; }

echo "== campaign against builtin:reference"
"$WB" campaign --sut builtin:reference --budget "${WRONGBOX_BUDGET:-60}" \
  --seed "${WRONGBOX_SEED:-0}" --evidence "$EV" --report "$OUT/report.html" \
  --logs "$OUT/logs" --save-failures "$OUT/failures" --fuzz-work "$OUT/fuzz"
worst $?

echo
echo "== defect-detection matrix"
"$WB" mutants --markdown "$OUT/mutants.md" --evidence "$EV" --fuzz-work "$OUT/fuzz" 2>/dev/null
worst $?

echo
echo "== evidence and reports"
"$WB" evidence verify "$EV"
worst $?
for f in html md junit sarif; do
  ext=$f; [ "$f" = junit ] && ext=junit.xml; [ "$f" = sarif ] && ext=sarif.json
  "$WB" report --evidence "$EV" --format "$f" --out "$OUT/report.$ext" >/dev/null || worst 2
done
echo
echo "evidence: $EV"
echo "report: $OUT/report.html (also report.md, report.junit.xml, report.sarif.json; exit $rc)"
exit "$rc"
