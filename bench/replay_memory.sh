#!/usr/bin/env bash
# Peak memory of `wrongbox replay` on generated scenarios of SMALL and LARGE
# steps (bench/long_scenario.py), in-process against the reference switch
# (harness and switch in one process) and over exec: (the harness alone; the
# switch is another process). The harness keeps what is in flight, the last
# --retain settled messages and 16 bytes per message key, not the steps.
# Memory is sampled five times a second, so a peak in the last 0.2 s is missed.
# Usage: bench/replay_memory.sh [BUILD_DIR] [SMALL] [LARGE]   (defaults build 100000 1000000)
set -eu
B=${1:-build}
SMALL=${2:-100000}
LARGE=${3:-1000000}
WB="$B/harness/wrongbox"
REF="$B/examples/wrongbox-reference-switch"
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in "$SMALL" "$LARGE"; do
  python3 "$here/long_scenario.py" "$n" >"$tmp/s$n.wbs"
  for sut in builtin:reference "exec:$REF"; do
    # The harness's own peak (VmHWM), read while it runs: the resource usage
    # a parent sees would include the exec: switch's process.
    t0=$(date +%s.%N)
    "$WB" replay --sut "$sut" "$tmp/s$n.wbs" --no-evidence -q >"$tmp/out" &
    pid=$!
    kb=0
    while kill -0 "$pid" 2>/dev/null; do
      hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null || true)
      [ -n "$hwm" ] && kb=$hwm
      sleep 0.2
    done
    wait "$pid" || { cat "$tmp/out"; exit 1; }
    s=$(python3 -c "import time; print(f'{time.time() - $t0:.1f}')")
    where=${sut%%:*}
    echo "steps $n, $where: peak $kb KiB, $s s"
    echo "$kb" >"$tmp/kb-$where-$n"
  done
done
for where in builtin exec; do
  python3 -c "print(f'$where: {$(cat "$tmp/kb-$where-$LARGE")}/{$(cat "$tmp/kb-$where-$SMALL")} = {$(cat "$tmp/kb-$where-$LARGE")/$(cat "$tmp/kb-$where-$SMALL"):.2f} times the memory for {$LARGE/$SMALL:.0f} times the steps')"
done
