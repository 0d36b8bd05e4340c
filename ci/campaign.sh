#!/usr/bin/env bash
# The main job, as the README's first command: install missing packages,
# build, then run a campaign against the built-in reference switch and its
# defect catalog, record every run in an evidence store, and write reports.
#   1. protocol conformance of the reference switch,
#   2. replay of the regression corpus against it,
#   3. a property-based campaign against it,
#   4. the defect-detection matrix over every built-in defect variant,
#   5. the hash chain verified, and reports: HTML (auditors), Markdown, JUnit, SARIF.
# Output in out/ (override: WRONGBOX_OUT=dir); evidence accumulates in
# out/evidence.db across runs. Exit status: 0 all as expected, 1 a property
# was violated or a defect went undetected, 2 usage or input error, 3 the
# switch failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh || exit 2
cmake -S . -B build -G Ninja >/dev/null && cmake --build build >/dev/null || exit 2
WB=build/harness/wrongbox
OUT=${WRONGBOX_OUT:-out}
SEED=${WRONGBOX_SEED:-$(date +%s)}
TESTS=${WRONGBOX_TESTS:-20000}
EV="$OUT/evidence.db"
mkdir -p "$OUT"
rc=0
worst() { if [ "$1" -ne 0 ] && { [ "$rc" -eq 0 ] || [ "$1" -gt "$rc" ]; }; then rc=$1; fi; }

echo "== 1/5 conformance of builtin:reference"
"$WB" conformance --sut builtin:reference --evidence "$EV"
worst $?

echo "== 2/5 regression corpus against builtin:reference"
"$WB" replay corpus/regressions --sut builtin:reference -q --evidence "$EV"
worst $?

echo "== 3/5 property-based campaign against builtin:reference ($TESTS scenarios, seed $SEED)"
"$WB" check --sut builtin:reference --tests "$TESTS" --seed "$SEED" \
  --save-failures "$OUT/failures" --evidence "$EV"
worst $?

echo "== 4/5 defect-detection matrix"
"$WB" mutants --markdown "$OUT/mutants.md" --evidence "$EV" 2>/dev/null
worst $?

echo "== 5/5 evidence and reports"
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
