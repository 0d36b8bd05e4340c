#!/usr/bin/env bash
# A data race that ThreadSanitizer reports comes with the scenario that was
# being played, on standard error and in wrongbox-sanitizer-PID.wbs.
# Usage: tsan_report_test.sh TSAN_REPORT_TEST_BINARY
set -uo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
TSAN_OPTIONS=halt_on_error=1:exitcode=66 "$bin" >out 2>err
rc=$?
fails=0
[ "$rc" -eq 66 ] || { echo "FAIL exit $rc, expected ThreadSanitizer's 66"; fails=$((fails + 1)); }
for want in "WARNING: ThreadSanitizer: data race" \
            "wrongbox: the report above came while this scenario was played" \
            "name racy-counter" "  s1 1 to 199001011239"; do
  grep -qF -- "$want" err || { echo "FAIL stderr lacks: $want"; fails=$((fails + 1)); }
done
saved=$(ls wrongbox-sanitizer-*.wbs 2>/dev/null | head -1)
if [ -z "$saved" ] || ! grep -q "^name racy-counter" "$saved"; then
  echo "FAIL no saved scenario"
  fails=$((fails + 1))
fi
[ "$fails" -eq 0 ] || { echo "--- stderr"; cat err; }
echo "tsan_report_test: $fails failure(s)"
[ "$fails" -eq 0 ]
