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
# Three variants (one of the two-condition ones) keep the matrix readable and
# quick; a short soak shows the reference clean in the soak columns (the
# variants, caught by the other engines, are not soaked).
"$WB" mutants --tests 1000 --soak-messages 3000 --defects stale-route,address-as-pattern,retry-forgets-block \
  --evidence "$tmp/e.db" >/dev/null 2>&1
# A short check leaves situation pairs never exercised: the report lists them.
"$WB" check --sut builtin:reference --tests 20 --seed 2 --save-failures "" --evidence "$tmp/e.db" >/dev/null 2>&1
"$WB" report --evidence "$tmp/e.db" --format html --out "$tmp/report.html" >/dev/null || fail "report"

flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --user-data-dir="$tmp/profile" --enable-logging=stderr --v=0)
timeout 120 "$CHROMIUM" "${flags[@]}" --dump-dom "file://$tmp/report.html" >"$tmp/dom.html" 2>"$tmp/console.log" \
  || fail "chromium could not render the report"
grep -qE '<td>reference</td>.*<td>no violation</td><td>30[0-9]{2}</td><td>[0-9.]+</td></tr>' "$tmp/report.html" ||
  fail "the matrix's soak columns do not show the reference's clean soak"
grep -qF '<td>address-as-pattern</td>' "$tmp/report.html" && grep -qF '<td>not run (caught)</td><td>-</td><td>-</td>' "$tmp/report.html" ||
  fail "the matrix does not say a caught variant was not soaked"
"$WB" report --evidence "$tmp/e.db" --format markdown --out "$tmp/report.md" >/dev/null || fail "markdown report"
grep -qE '^\| 0 \| reference \|.*\| no violation \| 30[0-9]{2} \| [0-9.]+ \|$' "$tmp/report.md" ||
  fail "the markdown matrix lacks the reference's soak"
for text in "Hash chain verified: 3 runs recorded, 3 complete" "Latest verdicts" \
            "Situations covered (run #3, check)" "Never exercised" "times each value was met" \
            "route: attempt=after restart" \
            "Defect-detection matrix" "address-as-pattern" ">caught<" ">clean<" ">soak found<" \
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

# The first screen answers the audit question in words.
# Each counterexample's story: every step and call, whose content went
# where, the violating call marked and explained.
for text in "The story, step by step" "whose content went where" '<tr class="violating">' \
            '<li class="violated">' "S1 VIOLATED" "went to   mailbox kivra/000042, owned now by" \
            "ok: s1/1 about 199001011239 (submitted at step 2) -&gt; mailbox kivra/000042"; do
  grep -qF -- "$text" "$tmp/dom.html" || fail "the story view lacks: $text"
done
# The first counterexample with its story, alone on a page with the
# report's styles, screenshot at 1280 px (kept as story.png for a reader).
python3 - "$tmp/report.html" "$tmp/story.html" <<'PY'
import sys
page = open(sys.argv[1]).read()
start = page.index("<h2>Counterexample")
end = page.index("</details>", start) + len("</details>")
open(sys.argv[2], "w").write(page[:page.index("<body>") + 6] + page[start:end] + "</body></html>")
PY
timeout 120 "$CHROMIUM" "${flags[@]}" --hide-scrollbars --window-size=1280,1600 \
  --screenshot="$tmp/story.png" "file://$tmp/story.html" >/dev/null 2>&1
[ "$(stat -c %s "$tmp/story.png" 2>/dev/null || echo 0)" -gt 40000 ] || fail "no screenshot of a story at 1280 px"
[ -n "${WRONGBOX_KEEP_SCREENSHOTS:-}" ] && cp "$tmp/story.png" "$WRONGBOX_KEEP_SCREENSHOTS/"

for text in "with wrongbox" "Properties checked: S1" "A violation was found" \
            "S1 was violated" "Defect detection:" "3 of 3 defect variants caught"; do
  grep -qF -- "$text" "$tmp/dom.html" || fail "the first screen lacks: $text"
done
grep -q '<table id="settings">' "$tmp/dom.html" || fail "the settings are not a table"
grep -q '<table id="builds">' "$tmp/dom.html" || fail "no trend per switch build"

# No horizontal overflow at 1280 px and at 390 px (a phone): no element
# outside a table's own scrolling box reaches past the page's width. The
# page is constrained to the width in a copy, with a script that measures.
for width in 1280 390; do
  python3 - "$tmp/report.html" "$tmp/measure-$width.html" "$width" <<'PY'
import sys
page = open(sys.argv[1]).read()
script = """<script>
let right = 0;
for (const e of document.querySelectorAll('body *')) {
  if (e.parentElement.closest('.scroll')) continue;
  const r = e.getBoundingClientRect();
  if (r.width > 0) right = Math.max(right, r.right);
}
document.title = 'RIGHT=' + Math.ceil(right);
</script>"""
page = page.replace("</head>", "<style>html{width:%spx}</style></head>" % sys.argv[3], 1)
open(sys.argv[2], "w").write(page.replace("</body>", script + "</body>", 1))
PY
  right=$(timeout 120 "$CHROMIUM" "${flags[@]}" --window-size=$((width > 500 ? width : 500)),900 \
    --dump-dom "file://$tmp/measure-$width.html" 2>/dev/null | sed -n 's/.*<title>RIGHT=\([0-9]*\)<.*/\1/p')
  if [ -z "$right" ]; then
    fail "could not measure the page at $width px"
  elif [ "$right" -gt "$width" ]; then
    fail "at $width px the page is $right px wide: it overflows horizontally"
  fi
done

# Printed on A4: a handful of pages, the summary on the first, each page
# turned into an image that is not blank.
timeout 120 "$CHROMIUM" "${flags[@]}" --no-pdf-header-footer --print-to-pdf="$tmp/report.pdf" \
  "file://$tmp/report.html" >/dev/null 2>&1 || fail "chromium could not print the report"
if command -v pdfinfo >/dev/null; then
  pages=$(pdfinfo "$tmp/report.pdf" | sed -n 's/^Pages: *//p')
  size=$(pdfinfo "$tmp/report.pdf" | sed -n 's/^Page size: *//p')
  case "$size" in *"(A4)"*) ;; *) fail "the PDF pages are not A4: $size" ;; esac
  { [ -n "$pages" ] && [ "$pages" -ge 1 ] && [ "$pages" -le 40 ]; } || fail "the PDF has $pages pages"
  pdftotext -f 1 -l 1 "$tmp/report.pdf" - | tr '\n' ' ' > "$tmp/page1.txt"  # words, not lines
  grep -q "Properties checked" "$tmp/page1.txt" || fail "the first printed page lacks the summary"
  grep -q "Hash chain verified" "$tmp/page1.txt" || fail "the first printed page lacks the integrity verdict"
  pdftotext "$tmp/report.pdf" - | tr '\n' ' ' | grep -q "The story, step by step" ||
    fail "the printed report lacks the stories"
  echo "the report prints on $pages A4 page(s)"
  pdftoppm -png -r 30 "$tmp/report.pdf" "$tmp/page"
  n=$(ls "$tmp"/page-*.png 2>/dev/null | wc -l)
  [ "$n" -eq "$pages" ] || fail "pdftoppm made $n images of $pages pages"
  for png in "$tmp"/page-*.png; do
    [ "$(stat -c %s "$png")" -gt 1500 ] || fail "$(basename "$png") is blank"
  done
else
  fail "pdfinfo is not installed; run 'bash ci/install-deps.sh' (it installs poppler-utils)"
fi
# The same finding twice (the second run replays the saved failure): one
# counterexample, naming both runs; the second run counts the scenario it played.
"$WB" check --sut builtin:stale-route --seed 4 --tests 500 --save-failures "$tmp/mem" \
  --evidence "$tmp/twice.db" >/dev/null 2>&1
"$WB" check --sut builtin:stale-route --seed 4 --tests 500 --save-failures "$tmp/mem" \
  --evidence "$tmp/twice.db" >/dev/null 2>&1
"$WB" report --evidence "$tmp/twice.db" --format html --out "$tmp/twice.html" >/dev/null
[ "$(grep -c '<h2>Counterexample' "$tmp/twice.html")" -eq 1 ] && grep -qF '; also in run #1)' "$tmp/twice.html" ||
  fail "a counterexample found twice is not shown once with both runs"
"$WB" report --evidence "$tmp/twice.db" --format json --out "$tmp/twice.json" >/dev/null
python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['runs']; assert r[1]['scenarios'] >= 1, r[1]['scenarios']" \
  "$tmp/twice.json" || fail "a run whose saved failure fired counts no scenario"
grep -qF 'th,td{overflow-wrap:break-word}' "$tmp/twice.html" || fail "table headers may break inside words"
if grep -qE '<h2>What the generators covered</h2><table><tr><th>scenarios with</th><th>count</th></tr></table>' "$tmp/twice.html"; then
  fail "an empty coverage table"
fi

echo "html_report_test: $fails failure(s)"
[ "$fails" -eq 0 ]
