#!/usr/bin/env bash
# The harness's own memory on a long replay: one scenario file of 62,500,
# 125,000 and 250,000 steps (bench/long_scenario.py: about 100k, 200k, 400k
# messages, every key fresh), played over exec: against the C++ reference
# switch with --retain 1024. Prints
# the peak resident set of the wrongbox process alone (read from /proc while
# it runs; the switch's process is not counted), and the growth per message.
# Usage: bench/replay_memory.sh [BUILD_DIR]   (default build)
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
peak_rss_kb() {  # COMMAND...: the command's own peak VmRSS, in KB
  python3 - "$@" <<'PY'
import subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
peak = 0
while p.poll() is None:
    try:
        for line in open(f"/proc/{p.pid}/status"):
            if line.startswith("VmRSS:"):
                peak = max(peak, int(line.split()[1]))
    except (FileNotFoundError, ProcessLookupError):
        break
    time.sleep(0.02)
print(peak)
PY
}
declare -A rss msgs
for steps in 62500 125000 250000; do
  python3 "$(dirname "$0")/long_scenario.py" "$steps" > "$work/long-$steps.wbs"
  n=$(grep -c ' to ' "$work/long-$steps.wbs")
  msgs[$steps]=$n
  rss[$steps]=$(peak_rss_kb "$build/harness/wrongbox" replay "$work/long-$steps.wbs" \
    --sut "exec:$build/examples/wrongbox-reference-switch" --retain 1024 --no-evidence -q)
  printf '%7d messages: wrongbox peak RSS %7d KB\n' "$n" "${rss[$steps]}"
done
printf 'growth: %.0f bytes a message (from the first file to the last)\n' \
  "$(echo "(${rss[250000]} - ${rss[62500]}) * 1024 / (${msgs[250000]} - ${msgs[62500]})" | bc -l)"
