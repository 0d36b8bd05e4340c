#!/usr/bin/env bash
# `wrongbox fuzz`, the campaign's fuzzing phase and the matrix's fuzzing
# column, in a libFuzzer build (-DWRONGBOX_FUZZ=ON): a defect is found from
# an empty corpus, minimized, saved as a scenario that replays and guards it,
# and recorded; the reference switch stays clean; a broken fuzzer is an error.
# Usage: fuzz_cli_test.sh WRONGBOX REFERENCE_PLUGIN   (run from the source root)
set -u
WB="$1"
PLUGIN="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
source "$(dirname "$0")/lib.sh"

EV="$tmp/ev.db"
check "fuzzing finds stale-route from nothing" 1 "$WB" fuzz --sut builtin:stale-route --budget 60 \
  --seed 1 --work "$tmp/w" --save-failures "$tmp/mem" --evidence "$EV"
contains "finding" "FAIL: found after"
contains "minimized" "step(s):"
saved=$(sed -n 's/^saved: *//p' "$tmp/out")
[ -f "$saved" ] || { echo "FAIL no saved scenario"; fails=$((fails + 1)); }
cp "$tmp/out" "$tmp/found"
check "the saved scenario fails on the defect" 1 "$WB" replay "$saved" --sut builtin:stale-route --no-evidence
check "the saved scenario passes on the reference" 0 "$WB" replay "$saved" --no-evidence
grep -q "^guards stale-route " "$saved" || { echo "FAIL saved scenario lacks its guards line"; fails=$((fails + 1)); }
grep -q "^tag found-by-fuzzing" "$saved" || { echo "FAIL saved scenario lacks its tag"; fails=$((fails + 1)); }
check "the finding is recorded" 0 "$WB" evidence verify "$EV"
check "the report carries it" 0 "$WB" report --evidence "$EV" --format md
contains "report names the fuzz run" "fuzz"
contains "report carries the replay command" "wrongbox replay $saved"

check "the reference is clean under fuzzing" 0 "$WB" fuzz --sut builtin:reference --budget 5 \
  --seeds corpus/regressions --work "$tmp/w" --no-evidence
contains "pass line" "no property violated; $CORPUS_COUNT seed(s)"
check "a plugin can be fuzzed" 0 "$WB" fuzz --sut "plugin:$PLUGIN" --budget 3 --work "$tmp/w" \
  --no-evidence
check "a fuzzer that dies is an error" 2 "$WB" fuzz --budget 2 --fuzzer /bin/false --work "$tmp/w" \
  --no-evidence
contains "says what happened" "the fuzzer exited with status 1 and saved no input"

check "matrix with the fuzzing engine" 0 "$WB" mutants --soak-messages 0 --defects stale-route,receipt-mixup \
  --budget-per-defect 20 --fuzz-work "$tmp/w" --markdown "$tmp/m.md" --no-evidence
contains "reference clean under all engines" "| - | reference | clean (expected) |"
for d in stale-route receipt-mixup; do
  row=$(grep "| $d |" "$tmp/m.md")
  # column 10 is "by fuzzing": a property, not "not found" / "not run"
  col=$(echo "$row" | awk -F'|' '{gsub(/ /, "", $10); print $10}')
  case "$col" in
    S[1-5] | C[1-4] | L1) echo "ok   fuzzing caught $d ($col)" ;;
    *) echo "FAIL fuzzing column for $d: '$col'"; fails=$((fails + 1)) ;;
  esac
done

echo "fuzz_cli_test: $fails failure(s)"
[ "$fails" -eq 0 ]
