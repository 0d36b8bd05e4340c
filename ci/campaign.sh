#!/usr/bin/env bash
# The main job, as the README's first command: install missing packages,
# build, then
#   1. `wrongbox campaign` against the built-in reference switch: the
#      regression corpus and saved failures, a property-based search for the
#      budget, every run recorded in the evidence store;
#   2. `wrongbox mutants`: the defect-detection matrix over its 13 defect
#      variants, recorded too;
#   3. the evidence chain verified and the reports written: HTML (auditors),
#      Markdown, JUnit, SARIF.
# Output in out/ (WRONGBOX_OUT=dir); evidence accumulates in out/evidence.db.
# WRONGBOX_BUDGET (seconds, default 60) and WRONGBOX_SEED tune the search.
# Exit status: 0 all as expected, 1 a property was violated or a defect went
# undetected, 2 usage or input error, 3 the switch failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh || exit 2
cmake -S . -B build -G Ninja >/dev/null && cmake --build build >/dev/null || exit 2
WB=build/harness/wrongbox
OUT=${WRONGBOX_OUT:-out}
EV="$OUT/evidence.db"
mkdir -p "$OUT"
rc=0
worst() { if [ "$1" -ne 0 ] && { [ "$rc" -eq 0 ] || [ "$1" -gt "$rc" ]; }; then rc=$1; fi; }

echo "== campaign against builtin:reference"
"$WB" campaign --sut builtin:reference --budget "${WRONGBOX_BUDGET:-60}" \
  --seed "${WRONGBOX_SEED:-0}" --evidence "$EV" --report "$OUT/report.html" \
  --logs "$OUT/logs" --save-failures "$OUT/failures"
worst $?

echo
echo "== defect-detection matrix"
"$WB" mutants --markdown "$OUT/mutants.md" --evidence "$EV" 2>/dev/null
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
