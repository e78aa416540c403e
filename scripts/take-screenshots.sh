#!/usr/bin/env bash
# Takes the README's screenshots of the real window under Xvfb (no display or GPU needed).
# Needs: apt-get install -y xvfb xauth imagemagick xdotool
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
out=docs/screenshots
mkdir -p "$out"
db=$(mktemp -d)/demo.sqlite3
./target/release/cutover-log --db "$db" demo --items 2000 >/dev/null

xvfb-run -a -s "-screen 0 1280x820x24" bash -c '
  set -e
  ./target/release/cutover-log --db "'"$db"'" & app=$!
  sleep 5
  shot() { sleep 1.5; import -window root "'"$out"'/$1.png"; }
  win=$(xdotool search --sync --name "Cutover Log" | head -1)
  # No window manager under Xvfb: keys go to the window under the pointer.
  xdotool mousemove --window "$win" 700 60
  xdotool windowfocus --sync "$win" || true
  shot worklist
  xdotool key F4; shot progress
  xdotool key F2; sleep 1
  xdotool key alt+p; sleep 0.5
  xdotool type --delay 40 "943 476 5919"; xdotool key Tab; sleep 0.3
  xdotool type --delay 20 "Test Patient-Zoe O'"'"'Brien"; xdotool key Tab; sleep 0.3
  xdotool type --delay 20 "01/02/1960"; sleep 0.3
  shot log-form
  kill $app
'
echo "screenshots in $out"
