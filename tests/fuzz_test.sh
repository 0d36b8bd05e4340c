#!/usr/bin/env bash
# Fuzz targets as plain replayers (or libFuzzer binaries, which replay files
# the same way): the regression corpus, converted to fuzzer inputs, is clean
# on the reference switch and aborts on each guarded defect naming its
# property; the parser and protocol targets survive their seeds.
# Usage: fuzz_test.sh WRONGBOX FUZZ_BUILD_DIR   (run from the source root)
set -u
WB="$1"
FZ="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A libFuzzer build that crashes writes crash-<sha1> into -artifact_prefix,
# by default the working directory: the source tree here. Keep it in $tmp.
art="-artifact_prefix=$tmp/"
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

mkdir -p "$tmp/seeds"
for f in corpus/regressions/*.wbs; do
  "$WB" convert "$f" --out "$tmp/seeds/$(basename "$f" .wbs).bin" 2>/dev/null || fail "convert $f"
  # And back: the steps survive the round trip.
  "$WB" convert "$tmp/seeds/$(basename "$f" .wbs).bin" --out "$tmp/back.wbs" 2>/dev/null || fail "convert back $f"
  diff <(grep -vE '^(#|name|tag|guards|wrongbox-scenario|$)' "$f") \
       <(grep -vE '^(#|name|tag|guards|wrongbox-scenario|$)' "$tmp/back.wbs") >/dev/null \
    || fail "round trip of $f changed its steps"
done
# -runs=0: a libFuzzer build runs each input once and stops (the replayer ignores it).
WRONGBOX_SUT=builtin:reference "$FZ/switch_fuzzer" -runs=0 "$art" "$tmp/seeds" 2>"$tmp/log" || {
  fail "switch_fuzzer on the reference"; tail -20 "$tmp/log"; }
for f in corpus/regressions/*.wbs; do
  while read -r _ defect prop; do
    WRONGBOX_SUT="builtin:$defect" "$FZ/switch_fuzzer" -runs=0 "$art" "$tmp/seeds/$(basename "$f" .wbs).bin" \
      >/dev/null 2>"$tmp/log"
    rc=$?
    [ "$rc" -ne 0 ] || fail "switch_fuzzer did not abort on $defect for $f"
    grep -q "== wrongbox: FAIL $prop" "$tmp/log" || fail "switch_fuzzer on $defect did not name $prop"
  done < <(grep '^guards ' "$f")
done
"$FZ/scenario_parser_fuzzer" -runs=0 "$art" corpus/regressions corpus/fuzz/parser 2>"$tmp/log" || { fail "parser fuzzer"; tail "$tmp/log"; }
"$FZ/protocol_fuzzer" -runs=0 "$art" corpus/fuzz/protocol 2>"$tmp/log" || { fail "protocol fuzzer"; tail "$tmp/log"; }
echo "fuzz_test: $fails failure(s)"
[ "$fails" -eq 0 ]
