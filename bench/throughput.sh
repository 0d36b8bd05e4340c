#!/usr/bin/env bash
# Messages per second through the reference switch in-process, as a plugin
# and over protocol v1, on the same scenarios (batches of 32 and of 1), with
# the ratios to in-process measured in the same run: medians of 5 repetitions,
# interleaved at random so that a noisy neighbour hits every seam alike.
# Two runs: as the scheduler places the processes, then with the harness and
# the protocol v1 switch pinned to one CPU (taskset -c 0); on a VM a wake-up
# across CPUs can cost ten times one on the same CPU (`perf bench sched pipe`
# is printed for both placements).
# Usage: bench/throughput.sh [BUILD_DIR]   (a Release or RelWithDebInfo build)
set -euo pipefail
B=${1:-build}

table() {
  "$@" --benchmark_repetitions=5 --benchmark_min_time=1 --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true \
    --benchmark_format=csv 2>/dev/null | grep '_median' | awk -F, '
  { name=$1; gsub(/"/, "", name); split(name, p, "/");   # run/SEAM/BATCH/real_time_median
    rate[p[2] "/" p[3]] = $7 }                           # items_per_second (real time)
  END {
    printf "%-14s %8s %16s %12s\n", "seam", "batch", "messages/s", "vs in-process";
    n = split("in_process plugin protocol_v1", seams, " ");
    for (b = 1; b <= 2; b++) {
      batch = (b == 1) ? 32 : 1;
      for (i = 1; i <= n; i++) {
        k = seams[i] "/" batch; base = rate["in_process/" batch];
        printf "%-14s %8d %16.0f %11.2fx\n", seams[i], batch, rate[k], base / rate[k];
      }
    }
  }'
}

pipe_rtt() {  # microseconds per round trip between two processes over pipes
  local us
  us=$("$@" perf bench sched pipe -l 20000 2>/dev/null | awk '/usecs\/op/ { printf "%.1f", $1 }')
  echo "${us:-n/a (no perf)}"
}

echo "== placed by the scheduler (pipe round trip, us: $(pipe_rtt))"
table "$B/bench/throughput_bench"
if command -v taskset >/dev/null; then
  echo "== pinned to CPU 0: taskset -c 0 (pipe round trip, us: $(pipe_rtt taskset -c 0))"
  table taskset -c 0 "$B/bench/throughput_bench"
fi
