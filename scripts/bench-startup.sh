#!/usr/bin/env bash
# Start-up to the first frame, and resident memory then, of the real window on a
# practice-sized database (default 100,000 items), under Xvfb with software
# rendering only (no GPU). Runs the app 7 times and prints each run and the median.
# Needs: apt-get install -y xvfb xauth
set -euo pipefail
cd "$(dirname "$0")/.."
items=${1:-100000}
runs=${2:-7}
cargo build --release --quiet
bin=$PWD/target/release/cutover-log
dir=$(mktemp -d)
trap 'kill "${xvfb:-}" 2>/dev/null || true; rm -rf "$dir"' EXIT
$bin --db "$dir/a.sqlite3" demo --items "$items" >/dev/null
display=:$((90 + RANDOM % 9))
Xvfb "$display" -screen 0 1280x820x24 -nolisten tcp >/dev/null 2>&1 & xvfb=$!
sleep 1
export DISPLAY=$display LIBGL_ALWAYS_SOFTWARE=1 CUTOVER_LOG_STARTUP_PROBE=1
echo "items: $items, runs: $runs (software rendering, Xvfb)"
results=()
for i in $(seq "$runs"); do
  sync
  start=$(date +%s%3N)
  $bin --db "$dir/a.sqlite3" 2>"$dir/err" || true
  line=$(grep -o 'first_frame_epoch_ms=[0-9]* rss_kb=[0-9]*' "$dir/err" || true)
  if [ -z "$line" ]; then echo "run $i: no first frame"; cat "$dir/err"; exit 1; fi
  frame=${line#first_frame_epoch_ms=}; frame=${frame%% *}
  rss=${line##*rss_kb=}
  ms=$((frame - start))
  printf 'run %d: first frame after %4d ms, resident %4d MB\n' "$i" "$ms" "$((rss / 1024))"
  results+=("$ms $((rss / 1024))")
done
printf '%s\n' "${results[@]}" | sort -n | awk '{a[NR]=$1; m[NR]=$2} END {i=int((NR+1)/2); printf "median: first frame after %d ms, resident %d MB\n", a[i], m[i]}'
