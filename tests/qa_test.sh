#!/usr/bin/env bash
# A QA engineer curating a corpus, from a directory of their own: replay
# selects by tag, by guard (defect, class, property) and by what failed last
# time, stops at the first failure on request; shrink cuts a failing file to
# the same failure over every transport and keeps its header.
# Usage: qa_test.sh WRONGBOX REFERENCE_SWITCH REFERENCE_PLUGIN   (from the source root)
set -u
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
WB=$(abs "$1")
REF=$(abs "$2")
PLUGIN=$(abs "$3")
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib.sh"
root=$(pwd)
cp -r "$root/corpus/regressions" "$tmp/corpus"
cp "$root/tests/fixtures/padded-stale-route.wbs" "$tmp/padded.wbs"
cd "$tmp"
total=$(ls corpus/*.wbs | wc -l)
tagged=$(grep -l '^tag outage$' corpus/*.wbs | wc -l)

# --- selection ---
check "replay --tag plays the tagged files" 0 "$WB" replay corpus --sut builtin:reference --tag outage -q
contains "it says what it selected and why" "selected $tagged of $total scenario file(s): --tag outage"
contains "and plays only those" "replayed $tagged scenario(s)"
check "replay --guards DEFECT plays the file guarding it, which fails" 1 "$WB" replay corpus \
  --sut builtin:stale-route --guards stale-route -q
contains "one file guards stale-route" "selected 1 of $total scenario file(s): --guards stale-route (defect)"
check "replay --guards CLASS" 1 "$WB" replay corpus --sut builtin:stale-route --guards class-3 -q
contains "the class is named" "--guards class-3 (defect class)"
s1=$(grep -l '^guards .* S1$' corpus/*.wbs | wc -l)
check "replay --guards PROPERTY" 0 "$WB" replay corpus --sut builtin:reference --guards S1 -q
contains "every file guarding S1" "selected $s1 of $total"
check "an unknown guard is a usage error" 2 "$WB" replay corpus --sut builtin:reference --guards nonsense
contains "it says what a guard can be" "not a built-in defect"
check "a selection that keeps nothing is a usage error" 2 "$WB" replay corpus \
  --sut builtin:reference --tag no-such-tag
contains "it says so" "no file matches the selection"
# The selection is recorded with the run.
"$WB" report --evidence wrongbox-evidence.db --format json > report.json
if grep -q '"selection": "selected 1 of' report.json || grep -q '"selection":"selected 1 of' report.json; then
  echo "ok   the evidence records the selection"
else
  echo "FAIL the evidence lacks the selection"; fails=$((fails + 1))
fi

# A file with an error anywhere stays in a tag selection, to be reported.
mkdir -p badtag && printf 'wrongbox-scenario 1\nname late\n\nopen kivra/a for 199001011239\ntick\ntag outage\n' \
  > badtag/taglate.wbs
check "a misplaced tag line is an input error, not a silent omission" 2 "$WB" replay badtag \
  --tag outage --no-evidence
contains "named with its line" "taglate.wbs:6:1: 'tag' belongs in the header"

# --check-guards: every guard of the corpus, on its defect, in one command.
guarded=$(grep -l '^guards ' corpus/*.wbs | wc -l)
check "replay --check-guards: every guard holds" 0 "$WB" replay corpus --check-guards -q
contains "it counts them" "0 lost, in $guarded file(s)"
sed 's/^guards stale-route S1$/guards stale-route C4/' corpus/03-stale-route-after-reopen.wbs > lost.wbs
check "a guard naming the wrong property is lost" 1 "$WB" replay lost.wbs --check-guards
contains "it says how the defect failed instead" "LOST  lost.wbs: guards stale-route C4: on builtin:stale-route it FAIL S1"

# --last-failed, --fail-fast
check "a defect fails some files" 1 "$WB" replay corpus --sut builtin:batch-offset -q
failed=$(grep -c '^FAIL ' "$tmp/out")
check "--last-failed replays what failed" 1 "$WB" replay corpus --sut builtin:batch-offset --lf -q
contains "only those" "selected $failed of $total scenario file(s): --last-failed: $failed file(s) failed when last replayed"
check "--last-failed with nothing failed plays everything" 0 "$WB" replay corpus \
  --sut builtin:reference --last-failed -q
contains "it says why" "nothing failed in the last replays against builtin:reference"
check "--fail-fast stops at the first failure" 1 "$WB" replay corpus --sut builtin:stale-route --fail-fast
contains "and says how many were not played" "--fail-fast: stopped at the first failure"
played=$(grep -oE 'replayed [0-9]+' "$tmp/out" | grep -oE '[0-9]+')
if [ "${played:-0}" -lt "$total" ]; then echo "ok   it played $played of $total"
else echo "FAIL --fail-fast played all $total files"; fails=$((fails + 1)); fi

# With --trace given, the report does not ask for it.
check "a failure replayed with --trace" 1 "$WB" replay corpus/03-stale-route-after-reopen.wbs \
  --sut builtin:stale-route --trace --no-evidence
contains "points at the trace shown" "the trace above shows each call"

# --last-failed keeps what a --fail-fast run did not play.
"$WB" replay corpus --sut builtin:stale-route -q > /dev/null 2>&1
all_failed=$("$WB" replay corpus --sut builtin:stale-route -q 2>&1 | grep -c '^FAIL ')
"$WB" replay corpus --sut builtin:stale-route -x -q > /dev/null 2>&1
check "--last-failed after a --fail-fast run" 1 "$WB" replay corpus --sut builtin:stale-route --lf -q
contains "still selects every file that failed" "selected $all_failed of $total scenario file(s)"
mkdir -p other && cp corpus/ref-close-at-delivery-race.wbs other/
check "--last-failed on files none of which failed" 0 "$WB" replay other --sut builtin:stale-route --lf
contains "says the failed files are elsewhere" "none of them among these files, so every file"
check "--check-guards with --last-failed is a usage error" 2 "$WB" replay corpus --check-guards --lf
mkdir -p twolost && for f in 01-batch-offset-repeated-subject 03-stale-route-after-reopen; do
  sed 's/^\(guards [^ ]*\) S1$/\1 C4/' "corpus/$f.wbs" > "twolost/$f.wbs"; done
check "--check-guards -x stops at the first lost guard" 1 "$WB" replay twolost --check-guards -x
[ "$(grep -c '^LOST ' "$tmp/out")" -eq 1 ] && echo "ok   one LOST line" ||
  { echo "FAIL --check-guards -x went on"; fails=$((fails + 1)); }
sed 's/^guards stale-route S1$/guards reference S1/' corpus/03-stale-route-after-reopen.wbs > notadefect.wbs
check "a guard naming no defect variant is an input error" 2 "$WB" replay notadefect.wbs --check-guards
contains "it says so" "'reference' is not a built-in defect variant"
guard_line=$(grep -n '^guards reference S1$' notadefect.wbs | cut -d: -f1)
contains "naming the file and line" "notadefect.wbs:$guard_line: guards reference S1"
check "shrink of a directory" 2 "$WB" shrink corpus --sut builtin:reference
contains "says to give one file" "is a directory: shrink takes one scenario file"

# --- shrink: the same minimum over every transport, the header kept ---
first=""
for sut in builtin:stale-route "exec:$REF stale-route" "plugin:$PLUGIN stale-route"; do
  check "shrink over ${sut%%:*}: exits as the failure does" 1 "$WB" shrink padded.wbs --sut "$sut" \
    --out shrunk.wbs
  contains "it says from how many steps to how many" "shrunk padded.wbs from 17 to"
  steps=$(grep -oE 'from 17 to [0-9]+' "$tmp/out" | grep -oE '[0-9]+$')
  first=${first:-$steps}
  if [ "$steps" = "$first" ] && [ "$steps" -le 6 ]; then echo "ok   ${sut%%:*}: $steps steps"
  else echo "FAIL ${sut%%:*}: shrunk to $steps steps (first transport: $first)"; fails=$((fails + 1)); fi
  check "the shrunk file fails again over ${sut%%:*}" 1 "$WB" replay shrunk.wbs --sut "$sut"
  contains "with the same property" "FAIL  shrunk.wbs: S1"
done
for line in "name padded-stale-route" "tag reopen" "guards stale-route S1" \
            "# The decision that goes astray." "# shrunk by \`wrongbox shrink\` from padded.wbs"; do
  if grep -qF -- "$line" shrunk.wbs; then echo "ok   the shrunk file keeps: $line"
  else echo "FAIL the shrunk file lost: $line"; fails=$((fails + 1)); fi
done
check "shrink without --out prints the scenario" 1 "$WB" shrink padded.wbs --sut builtin:stale-route \
  --no-evidence
contains "on standard output" "wrongbox-scenario 1"
cmp -s padded.wbs "$root/tests/fixtures/padded-stale-route.wbs" && echo "ok   the input file is unchanged" ||
  { echo "FAIL shrink changed its input"; fails=$((fails + 1)); }
check "a file that passes has nothing to shrink" 0 "$WB" shrink padded.wbs --sut builtin:reference
contains "it says so" "does not fail against builtin:reference"
printf 'wrongbox-scenario 1\nopen kivra/a for 1990\n' > bad.wbs
check "a malformed file is an input error" 2 "$WB" shrink bad.wbs --sut builtin:reference
contains "naming file and line" "bad.wbs:2:"

# --- corpus minimize: fewer files, the same pairs, guards and failures ---
mkdir big && cp corpus/*.wbs big/
for f in 01-batch-offset-repeated-subject 03-stale-route-after-reopen ref-outages-and-rejections; do
  cp "big/$f.wbs" "big/zz-copy-of-$f.wbs"
done
check "corpus minimize keeps what the corpus tests" 0 "$WB" corpus minimize big \
  --sut builtin:reference --out small
contains "it says what it kept and why" "keep  big/01-batch-offset-repeated-subject.wbs"
contains "copies add nothing" "kept $total of $((total + 3)) file(s) in small"
if [ "$(ls small/*.wbs | wc -l)" -eq "$total" ] && ! ls small | grep -q zz-copy; then
  echo "ok   the copies were left out"
else echo "FAIL small/ holds: $(ls small | tr '\n' ' ')"; fails=$((fails + 1)); fi
bad=0
for f in small/*.wbs; do
  for defect in $(sed -n 's/^guards \([^ ]*\) .*/\1/p' "$f"); do
    "$WB" replay "$f" --sut "builtin:$defect" --no-evidence -q > /dev/null 2>&1
    [ $? -eq 1 ] || { echo "FAIL $f no longer fails builtin:$defect"; bad=1; }
  done
done
[ $bad -eq 0 ] && echo "ok   every guard of the kept files still fails its defect" || fails=$((fails + 1))
check "corpus minimize refuses a directory that holds scenarios" 2 "$WB" corpus minimize big \
  --sut builtin:reference --out small
contains "it says why" "already holds scenario files"
check "corpus minimize needs --out" 2 "$WB" corpus minimize big --sut builtin:reference

# --- corpus dedup: one file per failure signature ---
mkdir dups && cp padded.wbs corpus/03-stale-route-after-reopen.wbs \
  corpus/01-batch-offset-repeated-subject.wbs dups/
check "corpus dedup reports without changing anything" 0 "$WB" corpus dedup dups \
  --sut builtin:stale-route
contains "the long file shrinks to the hand-written one's failure" \
  "drop  dups/padded.wbs: the same failure as dups/03-stale-route-after-reopen.wbs"
contains "passing files stay" "1 duplicate(s) (nothing changed"
[ "$(ls dups | wc -l)" -eq 3 ] && echo "ok   dups/ untouched" ||
  { echo "FAIL dedup changed dups/"; fails=$((fails + 1)); }
# Findings that differ only in senders, ids and persons are one.
mkdir renamed && cp corpus/07-retry-drops-last-part.wbs corpus/08-retry-forgets-block.wbs renamed/
check "corpus dedup over renamed findings" 0 "$WB" corpus dedup renamed --sut builtin:stale-route
contains "one is dropped" "drop  renamed/08-retry-forgets-block.wbs: the same failure as renamed/07-retry-drops-last-part.wbs"
check "corpus dedup --out writes the kept files" 0 "$WB" corpus dedup dups --sut builtin:stale-route \
  --out deduped
[ "$(ls deduped | wc -l)" -eq 2 ] && [ ! -e deduped/padded.wbs ] && echo "ok   deduped/ holds 2 files" ||
  { echo "FAIL deduped/ holds: $(ls deduped | tr '\n' ' ')"; fails=$((fails + 1)); }

# A failure saved from an exec: switch carries `guards PROPERTY`, which
# --check-guards plays on --sut: it holds on the buggy switch, is lost on the
# correct one, and without --sut it is an input error naming FILE:LINE.
check "check saves an exec: failure" 1 "$WB" check --sut "exec:$REF stale-route" --seed 4 \
  --save-failures exec-mem --no-evidence
saved=$(ls exec-mem/*/*.wbs | head -1)
if grep -qE '^guards (S[1-6]|C[1-4]|L1)$' "$saved"; then echo "ok   it carries guards PROPERTY"
else echo "FAIL $saved has no guards PROPERTY line"; fails=$((fails + 1)); fi
check "its guard holds on the switch it was found against" 0 "$WB" replay exec-mem --check-guards \
  --sut "exec:$REF stale-route"
contains "HOLDS" "HOLDS $saved: guards "
check "and is lost on the fixed switch" 1 "$WB" replay exec-mem --check-guards --sut "exec:$REF"
check "without --sut it is an input error" 2 "$WB" replay exec-mem --check-guards
contains "naming the file and line" "$saved:$(grep -n '^guards' "$saved" | cut -d: -f1): guards"

echo "qa_test: $fails failure(s)"
[ "$fails" -eq 0 ]
