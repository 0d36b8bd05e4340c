#!/usr/bin/env bash
# The test suite on a busy machine, as a shared CI runner is: the README's
# test command (ci/test.sh) beside CPU hogs, one per core by default, so the
# load is about twice the cores. Tests assert by counts, never by seconds,
# and their timeouts are generous where time is not the subject: the suite
# must stay green here.
#   bash ci/under-load.sh            # one hog per core; sanitizer builds skipped
#   HOGS=4 bash ci/under-load.sh     # more load
#   WRONGBOX_SKIP_SANITIZERS=0 bash ci/under-load.sh   # the whole of ci/test.sh
# Uses Debian's stress-ng when it is installed, a shell busy loop otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
hogs=${HOGS:-$(nproc)}
pids=()
stop() { [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true; }
trap stop EXIT
if command -v stress-ng >/dev/null; then
  stress-ng --cpu "$hogs" --timeout 4h --quiet &
  pids+=($!)
else
  for _ in $(seq "$hogs"); do
    bash -c 'while :; do :; done' &
    pids+=($!)
  done
fi
echo "== under load: $hogs CPU hog(s) on $(nproc) core(s)"
start=$(date +%s)
rc=0
WRONGBOX_SKIP_SANITIZERS=${WRONGBOX_SKIP_SANITIZERS:-1} bash ci/test.sh || rc=$?
echo "== under load: exit $rc after $(( $(date +%s) - start )) s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
exit $rc
