#!/usr/bin/env bash
# Peak memory of `wrongbox soak` against the reference switch at 10^6 and
# 10^7 messages (median of three traffic seeds each), and their ratio: the
# streaming oracle keeps what is in flight, so the ratio stays near 1.
# Usage: bench/soak_memory.sh [BUILD_DIR] [SMALL] [LARGE]   (defaults build 1000000 10000000)
set -eu
B=${1:-build}
SMALL=${2:-1000000}
LARGE=${3:-10000000}
WB="$B/harness/wrongbox"
peak() {  # peak RSS in KiB and messages/s of one soak
  "$WB" soak --messages "$1" --seed "$2" --json --no-evidence --save-failures '' | tail -1 |
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["verdict"]=="pass", d; print(d["peak_rss_kb"], d["messages_per_second"])'
}
median() { sort -n | sed -n 2p; }
for n in "$SMALL" "$LARGE"; do
  : >"/tmp/soak_mem_$n"
  for seed in 1 2 3; do
    read -r kb rate < <(peak "$n" "$seed")
    echo "messages $n seed $seed: peak $kb KiB, $rate messages/s"
    echo "$kb" >>"/tmp/soak_mem_$n"
  done
done
s=$(median <"/tmp/soak_mem_$SMALL")
l=$(median <"/tmp/soak_mem_$LARGE")
python3 -c "print(f'median peak: {$s} KiB at $SMALL messages, {$l} KiB at $LARGE; ratio {$l/$s:.3f}')"
