#!/usr/bin/env bash
# What the app costs while nobody touches it: the real window under Xvfb, drawn in
# software (Mesa's llvmpipe, as a practice PC over remote desktop draws), signed in on
# the log screen with the cursor in the NHS number, then left alone. Prints the CPU the
# process used over the quiet minute as a share of one core.
#
# Synthetic data only (`--demo`: NHS numbers from the 999 range, made-up names).
# Needs: apt-get install -y xvfb xauth xdotool (installed here if missing).
# Usage: scripts/measure-idle.sh [seconds]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"

. scripts/need-tools.sh
need_tools xvfb-run:xvfb xauth:xauth xdotool:xdotool

cargo build --release --quiet --bin cutover-log
app="$PWD/target/release/cutover-log"
work="$(mktemp -d /tmp/cutover-idle.XXXXXX)"
trap 'rm -rf "$work"' EXIT

cat >"$work/run.sh" <<'RUN'
set -euo pipefail
app="$1"; db="$2"; seconds="$3"
LIBGL_ALWAYS_SOFTWARE=1 "$app" --demo --db "$db" >"$(dirname "$db")/app.log" 2>&1 & pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
win=$(xdotool search --sync --name "Cutover Log" | head -1)
xdotool windowsize --sync "$win" 1366 768 || true
sleep 3
xdotool mousemove --window "$win" 683 700
xdotool windowfocus --sync "$win" || true
# Sign in by keyboard as the demo's receptionist: the name list has focus; type the start
# of the name, Enter, the password, Enter.
xdotool type --delay 80 "Sam"; sleep 0.5; xdotool key Return; sleep 0.5
xdotool type --delay 40 "demo-password"; xdotool key Return; sleep 3
# The log screen, an item started: the cursor waits in the NHS number.
xdotool key F2; sleep 1; xdotool key alt+o; sleep 1
if [ -n "${SHOT:-}" ]; then import -window root "$SHOT"; fi
# Move the pointer off the window's controls, then leave it alone.
xdotool mousemove 1360 760; sleep 5
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
before=$(ticks); start=$(date +%s.%N)
sleep "$seconds"
after=$(ticks); end=$(date +%s.%N)
python3 - "$before" "$after" "$start" "$end" "$hz" <<'PY'
import sys
b, a, s, e, hz = map(float, sys.argv[1:])
cpu = (a - b) / hz
wall = e - s
print(f"idle on the log screen: {cpu:.2f} s of CPU in {wall:.0f} s = {100 * cpu / wall:.2f} % of one core")
PY
RUN
SHOT="${SHOT:-}" xvfb-run -a -s "-screen 0 1366x768x24" bash "$work/run.sh" "$app" "$work/idle.sqlite3" "$seconds"
