#!/usr/bin/env bash
# Time and peak memory of the exports at practice scale (default 100,000 items), side by side:
# CSV export, PDF report, and CSV import against the sqlite3 tool's own .import of the same rows.
# Needs: /usr/bin/time (package "time"), sqlite3 (package "sqlite3") for the import comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
items=${1:-100000}
cargo build --release --quiet
bin=./target/release/cutover-log
dir=$(mktemp -d)
export CUTOVER_LOG_PASSWORD=demo-password
$bin --db "$dir/a.sqlite3" demo --items "$items" >/dev/null
measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$dir/t" "$@" >/dev/null
  read -r secs kb <"$dir/t"
  printf '%-34s %8.2f s %8.0f MB\n' "$label" "$secs" "$((kb / 1024))"
}
echo "items: $items"
measure "export csv" $bin --db "$dir/a.sqlite3" --as "Chris Manager" export --format csv --out "$dir/a.csv"
measure "export pdf (re-entry report)" $bin --db "$dir/a.sqlite3" --as "Chris Manager" export --format pdf --out "$dir/a.pdf"
# Import into a fresh practice with the same staff (the demo's), then sqlite3's own .import of the same file.
$bin --db "$dir/b.sqlite3" demo --items 1 >/dev/null
measure "import csv (cutover-log)" $bin --db "$dir/b.sqlite3" --as "Chris Manager" import "$dir/a.csv"
if command -v sqlite3 >/dev/null; then
  tail -n +2 "$dir/a.csv" >"$dir/plain.csv"   # drop the warning line: .import reads the header itself
  measure "import csv (sqlite3 .import)" sqlite3 "$dir/plain.sqlite3" ".mode csv" ".import $dir/plain.csv items"
else
  echo "sqlite3 not installed: apt-get install -y sqlite3 for the side-by-side import figure"
fi
rm -rf "$dir"
