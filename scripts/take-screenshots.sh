#!/usr/bin/env bash
# Takes the README's screenshots from the real window under Xvfb (no display or GPU needed):
#
#  1. the first hour, as a new practice manager would go through it, on an empty database:
#     setup screen -> pick your name and sign in -> log a first item -> see it in today's log
#     and on the worklist -> F1 (shortcut sheet) -> Shift+F1 (About);
#  2. the log, worklist and progress screens of the demo practice.
#
# Synthetic data only: NHS numbers from the 999 range (never issued), made-up names.
# The window is driven with xdotool by screen position: the window is placed at 0,0 and sized
# 1720x900 (the worklist shows every column), and the positions below are for that size at
# 100 % text. If the layout changes, look at the PNGs (they are what the README shows) and
# move the positions.
#
# Needs: apt-get install -y xvfb xauth imagemagick xdotool (installed here if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for tool in xvfb-run:xvfb xauth:xauth import:imagemagick xdotool:xdotool; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

cargo build --release --quiet --bin cutover-log
app="$PWD/target/release/cutover-log"
out="$PWD/docs/screenshots"
mkdir -p "$out"
work="$(mktemp -d /tmp/cutover-shots.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# The steps, run inside Xvfb. $1: the database; $2: which tour.
cat >"$work/tour.sh" <<'TOUR'
set -euo pipefail
db="$1"; tour="$2"; out="$3"; app="$4"
"$app" --db "$db" >"$(dirname "$db")/app.log" 2>&1 & pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
win=$(xdotool search --sync --name "Cutover Log" | head -1)
xdotool windowsize --sync "$win" 1720 900 || true
sleep 3
# No window manager under Xvfb: keys go to the window under the pointer.
xdotool mousemove --window "$win" 860 780
xdotool windowfocus --sync "$win" || true
# The app needs a frame or two to take each click (more on a busy machine).
click() { xdotool mousemove --sync "$1" "$2"; sleep 0.3; xdotool click 1; sleep 1; }
field() { click "$1" "$2"; xdotool type --delay 40 "$3"; sleep 0.5; }
shot() { sleep 1.5; import -window root "$out/$1.png"; echo "   $1.png"; }
sign_in() { # $1: the name's position in the open list; $2: a shot of the list (or ""); $3: password
  click 846 214          # Name: the list of staff opens (below the two-row top bar)
  if [ -n "$2" ]; then shot "$2"; fi
  click 830 "$1"         # the name; the password box takes the focus
  xdotool type --delay 40 "$3"; sleep 0.5
}

case "$tour" in
first-hour)
  # 1. Setup: the practice, the window, the staff, the manager's password.
  field 350 104 "Riverside Test Practice"
  field 350 135 "A81001"
  field 236 228 "$(date -d yesterday +%d/%m/%Y)"
  field 236 259 "$(date -d '+7 days' +%d/%m/%Y)"
  field 317 464 "first-hour-password"
  field 317 495 "first-hour-password"
  field 248 348 "Pat Manager"; click 60 406            # practice manager (chosen already)
  click 153 398; field 248 369 "Dr Asha Example"; click 60 427   # a GP
  field 248 390 "Sam Frontdesk"; click 60 448          # reception (chosen after each add)
  shot first-hour-1-setup
  click 80 599                                         # Create the cutover log
  # 2. Sign in: pick your name, type your password.
  sign_in 273 first-hour-2-pick-name "first-hour-password"   # Pat Manager, second of three
  xdotool key Return; sleep 2
  # 3. Log a first item: Alt+T, a telephone call.
  xdotool key alt+t; sleep 1.5
  xdotool type --delay 60 "999 123 4519"; sleep 0.5; xdotool key Tab; sleep 0.5
  xdotool type --delay 40 "Testperson, Alex"; sleep 0.3; xdotool key Tab; sleep 0.5
  xdotool type --delay 40 "14/03/1958"; sleep 0.5
  field 526 339 "Asked for a repeat of salbutamol inhaler; told to collect Friday"
  shot first-hour-3-log-an-item
  xdotool key Return; sleep 2
  shot first-hour-4-todays-log
  # 4. The same item on the worklist (F3), then help: F1 and Shift+F1.
  xdotool key F3; sleep 1.5
  shot first-hour-5-worklist
  xdotool key F1
  shot help-shortcuts
  xdotool key Escape; sleep 1; xdotool key shift+F1
  shot help-about
  ;;
demo)
  sign_in 273 "" "demo-password"     # Chris Manager, second in the list
  xdotool key Return; sleep 2
  xdotool key F3
  shot worklist
  xdotool key F4
  shot progress
  xdotool key F2; sleep 1
  xdotool key alt+p; sleep 1
  xdotool type --delay 60 "999 123 4527"; sleep 0.5; xdotool key Tab; sleep 0.3
  xdotool type --delay 30 "Example-Smith, Zoe O'Brien"; sleep 0.3; xdotool key Tab; sleep 0.3
  xdotool type --delay 30 "01/02/1960"
  shot log-form
  ;;
esac
TOUR

echo "== the first hour (empty database)"
xvfb-run -a -s "-screen 0 1720x900x24" bash "$work/tour.sh" "$work/first-hour.sqlite3" first-hour "$out" "$app"
echo "== the demo practice"
"$app" --db "$work/demo.sqlite3" demo --items 2000 --seed 1 >/dev/null
xvfb-run -a -s "-screen 0 1720x900x24" bash "$work/tour.sh" "$work/demo.sqlite3" demo "$out" "$app"
echo "screenshots in $out: look at each before committing"
