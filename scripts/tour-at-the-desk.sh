#!/usr/bin/env bash
# A tour of the reception desk during cutover, in the real window under Xvfb, driven from the
# keyboard as a receptionist does, with a screenshot at each step (open each and look):
#
#  1. rows of choices are one Tab stop each, arrows move the choice, and text typed on a button
#     or tick box goes nowhere (said on the form): an appointment (Alt+A), Booked chosen, then
#     "20/12/2026 10:00" typed on the Action row, one Tab short of "Appointment date and time"
#     (Action must stay Booked); a registration (Alt+G), the NHS number, Tab onto "No NHS number
#     yet", "Sian Evans" typed (the box must stay clear); Tab into the time box holding "22:10"
#     selects it, "10:15" replaces it; the prescriber and Type rows moved with Right;
#  6. with five items logged: Today's log beside the longest forms (Alt+P, Alt+A), then the
#     prescription's correction opened with "Correct" on its row, Esc once (the "Press Esc
#     again" line), Esc again;
#  3. the locked desk: the receptionist half-types an appointment, Ctrl+L, "Sign in as someone
#     else" (Tab Tab Space), a second receptionist signs in (must not see it), signs out, the first
#     signs in again (the item is back and the status line says so); where the keyboard is then;
#     then a plain Ctrl+L and unlock for comparison;
#  8. setup on an empty database: typing at once, Tab to ODS code, the old/new system rows, the
#     role row, a Create with a 6-character password, the password put right (8 characters, then
#     the repeat), Create.
# Also: where the keyboard is after the first sign-in ("99" typed at once).
# Each tour runs twice: at 1366x768 with 100 % text, and at 1280x720 with the text at 125 %
# (Ctrl+Plus twice: 100 -> 110 -> 125; the 110 % step is shot too). Shots are named
# <size>-<item>-<step>-*.png; "1366" or "1280-125".
#
# Dates are fixed (cutover 04/12/2026 18:00, go-live 14/12/2026 08:00): run it between those
# days, e.g. on Monday 07/12/2026, so the desk is in cutover. Synthetic data only: NHS numbers
# from the 999 test range (valid check digits), made-up names; every password is tour-password.
# The steps are keys, as at the desk; three are clicks ("Correct" on a row of today's log, "Sign
# out" at the top right, both with no key of their own), at positions given for each size.
# The pointer rests low in the kind list, over nothing that shows a tooltip.
#
# Usage: scripts/tour-at-the-desk.sh [WORK_DIR]   (default /tmp/tour29; shots in WORK_DIR/shots)
# The app: $CUTOVER_LOG_BIN, or else this checkout's cutover-log, built here (debug). Needs xvfb xauth imagemagick xdotool sqlite3.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/need-tools.sh
need_tools xvfb-run:xvfb xauth:xauth import:imagemagick xdotool:xdotool sqlite3:sqlite3

if [ -z "${CUTOVER_LOG_BIN:-}" ]; then
  cargo build --quiet --bin cutover-log
fi
app="${CUTOVER_LOG_BIN:-$PWD/target/debug/cutover-log}"
work="${1:-/tmp/tour29}"
out="$work/shots"
mkdir -p "$out"
rm -f "$out"/*.png
rm -rf "$work/data" "$work/config"
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config"
export CUTOVER_LOG_PASSWORD=tour-password CUTOVER_LOG_NEW_PASSWORD=tour-password

# ---- the desks' logs, made from the command line (one per screen size) ----
mklog() { # $1: the file. Staff: Pat Manager, two GPs, two receptionists (all with passwords).
  rm -f "$1" "$1".*
  "$app" --db "$1" init --practice "Tour Test Practice" --ods A81001 --old-system "EMIS Web" \
    --new-system "TPP SystmOne" --cutover-start "04/12/2026 18:00" --go-live "14/12/2026 08:00" \
    --manager "Pat Manager" >/dev/null
  local s
  for s in "Dr Asha Example:gp" "Dr Ben Sample:gp" "Sam Frontdesk:reception" "Lee Counter:reception"; do
    "$app" --db "$1" --as "Pat Manager" staff add --name "${s%%:*}" --role "${s#*:}" >/dev/null
    "$app" --db "$1" --as "Pat Manager" staff set-password --name "${s%%:*}" >/dev/null
  done
}
mklog "$work/desk-1366.sqlite3"
mklog "$work/desk-1280.sqlite3"
rm -f "$work"/setup-*.sqlite3*   # setup starts on an empty database

# ---- the tours, each run inside Xvfb. $1: database; $2: tour; $3: shots; $4: app; $5, $6: size;
#      $7: text size (100, or 125: Ctrl+Plus twice after signing in / on the setup screen) ----
cat >"$work/tour.sh" <<'TOUR'
set -euo pipefail
db="$1"; tour="$2"; out="$3"; app="$4"; width="$5"; height="$6"; zoom="$7"
tag="$width"; [ "$zoom" = 125 ] && tag="$width-125"
"$app" --db "$db" >"$db.log" 2>&1 & pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
win=$(xdotool search --sync --name "Cutover Log" | head -1)
xdotool windowsize --sync "$win" "$width" "$height" || true
xdotool windowmove --sync "$win" 0 0 || true
sleep 3
# No window manager: give the window the keyboard focus; the pointer rests low in the kind list.
rest() { xdotool mousemove --sync 110 $((height - 60)); }
rest; xdotool windowfocus --sync "$win" || true; sleep 0.5
key() { xdotool key --delay 150 "$@"; sleep 0.7; }
tab() { local i; for ((i = 0; i < $1; i++)); do xdotool key Tab; sleep 0.15; done; sleep 0.4; }
text() { xdotool type --delay 50 "$1"; sleep 0.7; }
click() { xdotool mousemove --sync "$1" "$2" click 1; sleep 1; rest; sleep 0.5; }  # x y
shot() { sleep 2; import -window root "$out/$tag-$1.png"; echo "   $tag-$1.png"; }
wiggle() { xdotool mousemove_relative --sync 3 0; sleep 0.3; rest; sleep 0.5; }  # a repaint
sign_in() { text "$1"; key Return; text "$2"; key Return; sleep 2; }  # name letters, password
bigger() { key ctrl+plus; shot "$1-text-110"; key ctrl+plus; sleep 1; }  # 100 -> 110 -> 125 %
# Positions of the clicks: "Correct" on the third row of today's log (the prescription) with a
# telephone call's form (Alt+T) above it; "Sign out" for Lee Counter (whose text stays at 100 %).
if [ "$zoom" = 125 ]; then correct=(1044 625); else correct=(1177 499); fi
if [ "$width" = 1280 ]; then signout=(1239 17); else signout=(1325 17); fi

case "$tour" in
desk)
  sign_in "sam" tour-password                      # Sam Frontdesk, reception: the log (F2)
  [ "$zoom" = 125 ] && bigger 0-00
  shot 0-01-signed-in                               # where is the keyboard?
  text "99"                                         # typed straight away: into the NHS number?
  shot 0-02-typed-straight-after-sign-in
  # -- 1. An appointment. Tab order: NHS number, Patient name, Date of birth, When (date,
  #    time), Clinician (one row), Action (one row), Appointment date and time, Slot type, Details.
  key alt+a; key ctrl+a                             # (whatever the "99" did, it is replaced)
  text "9990000018"; tab 1; text "Testperson, Alex"; tab 1; text "01/01/1960"
  tab 3                                             # the Clinician row: None has the keyboard
  tab 1                                             # the Action row: Booked (the first)
  shot 1-01-action-row-has-keyboard
  key space                                         # Booked chosen
  text "20/12/2026 10:00"                           # one Tab short of the date box
  shot 1-02-typed-on-action-row                     # Action still Booked; "went nowhere"
  wiggle
  shot 1-03-typed-on-action-row-after-repaint
  key Right
  shot 1-04-right-moves-to-cancelled
  key Left
  shot 1-05-left-back-to-booked
  tab 1; text "20/12/2026 10:00"; tab 1; text "Routine GP"; tab 1; text "Booked by phone for review"
  shot 1-06-appointment-filled
  key Return; sleep 1
  # A registration. Tab order: NHS number, "No NHS number yet", Patient name, Date of birth,
  # When (date, time), Clinician, Previous practice, Details.
  key alt+g
  text "9990000026"; tab 1                          # onto "No NHS number yet"
  shot 1-07-on-no-nhs-number-box
  text "Sian Evans"                                 # the box must stay clear
  shot 1-08-typed-on-tick-box
  wiggle
  shot 1-09-typed-on-tick-box-after-repaint
  tab 1; text "Evans, Sian"; tab 1; text "02/02/1990"
  tab 1; text "$(date -d yesterday +%d/%m/%Y)"      # yesterday (any time of day is past)
  tab 1; text "22:10"                               # the time box holds 22:10
  key shift+Tab; tab 1                              # out and back in: its text is selected
  shot 1-10-time-selected-on-tab
  text "10:15"
  shot 1-11-time-replaced
  key Return; sleep 1
  # A prescription. Tab order: NHS number, Patient name, Date of birth, When (date, time),
  # Prescriber (one row), Medication, Dose, Quantity, Type, Issued via, Requested by, Details.
  key alt+p
  text "9990000034"; tab 1; text "Fakename, Jamie"; tab 1; text "03/03/1975"
  tab 3; key Right                                  # Prescriber: Dr Ben Sample
  shot 1-12-prescriber-right
  tab 1; text "Amlodipine 5mg tablets"; tab 1; text "One daily"; tab 1; text "28 tablets"
  tab 1; key Right                                  # Type: Acute -> Repeat
  tab 1; key space; tab 1; key space                # EPS; Phone
  tab 1; text "Patient rang for their usual supply"
  shot 1-13-prescription-filled
  key Return; sleep 1
  # Two telephone calls (NHS number, name, date of birth, date, time, Clinician, Details).
  key alt+t
  text "9990000042"; tab 1; text "Placeholder, Robin"; tab 1; text "04/04/1980"; tab 4
  text "Asked for a call back about blood results"; key Return; sleep 1
  text "9990000018"; tab 1; text "Testperson, Alex"; tab 1; text "01/01/1960"; tab 4
  text "Wants fit note extended"; key Return; sleep 1
  shot 6-01-five-items-logged
  # -- 6. Today's log beside the longest forms, then a correction.
  key alt+p
  shot 6-02-prescription-form-and-todays-log
  key alt+a
  shot 6-03-appointment-form-and-todays-log
  key alt+t; sleep 1
  click "${correct[@]}"                             # "Correct" on the prescription's row
  shot 6-04-correcting
  key Escape
  shot 6-05-correcting-first-esc
  key Escape
  shot 6-06-correcting-second-esc
  # -- 3. Half-typed, locked, someone else signs in and out, the receptionist comes back.
  key alt+a
  text "9990000042"; tab 1; text "Placeholder, Robin"
  shot 3-01-half-typed
  key ctrl+l; sleep 1
  shot 3-02-locked
  tab 2                                             # Unlock, "Sign in as someone else"
  shot 3-03-on-sign-in-as-someone-else
  key space; sleep 1
  shot 3-04-sign-in-screen
  sign_in "lee" tour-password                       # Lee Counter, reception
  shot 3-05-other-person-signed-in
  key alt+a
  shot 3-06-other-person-appointment-form
  click "${signout[@]}"                             # Sign out
  shot 3-07-signed-out
  sign_in "sam" tour-password
  shot 3-08-receptionist-back
  text "Q"                                          # where does typing go now?
  shot 3-09-typed-Q
  key Tab
  shot 3-10-after-tab
  key Tab End                                       # in the name box, as before the lock
  key ctrl+l; sleep 1; text tour-password; key Return; sleep 1.5
  shot 3-11-plain-unlock
  ;;
setup)
  # -- 8. Setup on an empty database. Tab order: Practice name, ODS code, Old system (one row),
  #    New system (one row), cutover date, time, go-live date, time, Staff name, the roles
  #    (one row), Add to staff list, the password, the password again, Create, Connect to server.
  [ "$zoom" = 125 ] && bigger 8-00
  shot 8-01-setup-opens
  text "Riverside Test Practice"                    # straight away
  tab 1
  shot 8-02-tab-goes-to-ods
  text "A81001"; tab 1
  shot 8-03-old-system-row
  key Right
  shot 8-04-old-system-right
  key Left; tab 1
  shot 8-05-new-system-row
  tab 1; text "04/12/2026"; tab 2; text "14/12/2026"; tab 2
  text "Pat Manager"; key Return                    # Practice manager, chosen at first
  text "Sam Frontdesk"; tab 1
  shot 8-06-role-row
  key Return                                        # Reception / admin: Enter adds
  tab 3; text "short1"; key Return; text "short1"   # 6 characters, twice
  shot 8-07-short-password-typed
  tab 1
  shot 8-08-keyboard-on-create
  key Return; sleep 1
  shot 8-09-create-refused
  text "ab"                                         # 8 characters now; the repeat differs
  shot 8-10-eight-characters
  tab 1; text "short1ab"                            # the repeat put right
  shot 8-11-put-right
  key Return; sleep 2
  shot 8-12-created
  ;;
esac
TOUR

run() { # $1: database; $2: tour; $3, $4: the screen's size; $5: text size
  echo "== $2 (${3}x$4, $5 %)"
  xvfb-run -a -s "-screen 0 ${3}x${4}x24" bash "$work/tour.sh" "$work/$1" "$2" "$out" "$app" "$3" "$4" "$5"
}
q() { sqlite3 -header -column "$work/$1" "$2"; }

for size in "1366 768 100" "1280 720 125"; do
  set -- $size
  run "desk-$1.sqlite3" desk "$1" "$2" "$3"
  q "desk-$1.sqlite3" "select id, kind, nhs_number, patient_name, substr(occurred_at, 12) as at,
      json_extract(fields_json, '\$.appointment_action') as action,
      json_extract(fields_json, '\$.prescription_type') as type, logged_by from items"
  run "setup-$1.sqlite3" setup "$1" "$2" "$3"
  q "setup-$1.sqlite3" "select name, role from staff"
done
echo "screenshots in $out: open each and look"
