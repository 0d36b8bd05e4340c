#!/usr/bin/env bash
# The HTML report as a person sees it: rendered by headless Chromium (Debian's
# `chromium`, installed by ci/install-deps.sh), it shows the integrity banner,
# the latest verdicts and the defect-detection matrix, loads nothing from
# outside the file, and logs no script errors.
# Usage: html_report_test.sh PATH/TO/wrongbox   (run from the source root)
set -u
WB="$1"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
  echo "FAIL: chromium is not installed; run 'bash ci/install-deps.sh' (it installs Debian's chromium)"
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

"$WB" replay corpus/regressions --sut builtin:stale-route -q --evidence "$tmp/e.db" >/dev/null
# Three variants (one of the two-condition ones) keep the matrix readable and quick.
"$WB" mutants --tests 1000 --defects stale-route,address-as-pattern,retry-forgets-block \
  --evidence "$tmp/e.db" >/dev/null 2>&1
# A short check leaves situation pairs never exercised: the report lists them.
"$WB" check --sut builtin:reference --tests 20 --seed 2 --save-failures "" --evidence "$tmp/e.db" >/dev/null 2>&1
"$WB" report --evidence "$tmp/e.db" --format html --out "$tmp/report.html" >/dev/null || fail "report"

flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --user-data-dir="$tmp/profile" --enable-logging=stderr --v=0)
timeout 120 "$CHROMIUM" "${flags[@]}" --dump-dom "file://$tmp/report.html" >"$tmp/dom.html" 2>"$tmp/console.log" \
  || fail "chromium could not render the report"
for text in "Hash chain verified: 3 runs recorded, 3 complete" "Latest verdicts" \
            "Situations covered (run #3, check)" "Never exercised" "times each value was met" \
            "route: attempt=after restart" \
            "Defect-detection matrix" "address-as-pattern" ">caught<" ">clean<" \
            "Counterexample: S1" "wrongbox replay corpus/regressions/03-stale-route-after-reopen.wbs" \
            "<svg"; do
  grep -qF -- "$text" "$tmp/dom.html" || fail "the rendered page lacks: $text"
done
if grep -E "Uncaught|CONSOLE.*[Ee]rror" "$tmp/console.log" >/dev/null; then
  fail "script errors while rendering:"; grep -E "Uncaught|CONSOLE" "$tmp/console.log" | head -5
fi
if grep -Eo '(src|href)="[^"#][^"]*"|@import|url\(' "$tmp/report.html" | grep -v '^href="#' | head -1 | grep -q .; then
  fail "the report loads something from outside the file"
fi
timeout 120 "$CHROMIUM" "${flags[@]}" --hide-scrollbars --window-size=1100,1400 \
  --screenshot="$tmp/shot.png" "file://$tmp/report.html" >/dev/null 2>&1
[ "$(stat -c %s "$tmp/shot.png" 2>/dev/null || echo 0)" -gt 20000 ] || fail "no screenshot"
echo "html_report_test: $fails failure(s)"
[ "$fails" -eq 0 ]
