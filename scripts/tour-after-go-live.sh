#!/usr/bin/env bash
# A tour of the screens used after go-live, in the real window under Xvfb, as a new user goes
# through them, with a screenshot at each step and a look in the log file after each tour:
#
#  1. worklist (F3), as a GP: filter "Assigned to" one person, click a row, Shift+Down twice,
#     assign the 3 to someone else (they leave the list), then Space ticks only the highlighted
#     row; Shift+PageDown from the first row, Space asks "Mark N selected items re-entered?",
#     Esc cancels, Space + Enter confirms;
#  2. reconcile (F9), as a GP: two prescriptions of one drug for one patient, a new-system report
#     with two rows for them: four pairings to judge; accept row 2 as item 1, then the last one;
#  3. sign-off (F6), as the practice manager, on a log with nothing outstanding: sign off, replace
#     the sign-off (first with no reason), export the PDF by typing a path; its Sign-off section;
#  4. a Saturday go-live (05/12/2026): today's plan (Ctrl+T) and the Practice screen (F5), at
#     1366x768 and 100 %, then again at 1280x720 with the text at 125 % (Ctrl+Plus twice).
#
# Dates are fixed (cutover 24/11/2026, go-live 01/12/2026 and Saturday 05/12/2026): run it on or
# soon after Monday 07/12/2026, or today's plan shows other things. Synthetic data only: NHS
# numbers from the 999 test range, made-up names; every password is tour-password.
# Unlike take-screenshots.sh this tour clicks (rows, drop-down lists, buttons), as a newcomer
# does: the positions are those of the 1366x768 window at 100 % text, given at each click.
#
# Usage: scripts/tour-after-go-live.sh [WORK_DIR]   (default /tmp/tour28; shots in WORK_DIR/shots)
# The app: $CUTOVER_LOG_BIN, or else this checkout's cutover-log, built here (debug). Needs xvfb xauth imagemagick xdotool sqlite3 poppler-utils.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/need-tools.sh
need_tools xvfb-run:xvfb xauth:xauth import:imagemagick xdotool:xdotool sqlite3:sqlite3 pdftotext:poppler-utils

if [ -z "${CUTOVER_LOG_BIN:-}" ]; then
  cargo build --quiet --bin cutover-log
fi
app="${CUTOVER_LOG_BIN:-$PWD/target/debug/cutover-log}"
work="${1:-/tmp/tour28}"
out="$work/shots"
mkdir -p "$out"
rm -rf "$work/data" "$work/config"
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config"
export CUTOVER_LOG_PASSWORD=tour-password CUTOVER_LOG_NEW_PASSWORD=tour-password

# ---- the logs, made from the command line ----
H='kind,occurred_at,nhs_number,patient_name,date_of_birth,clinician,details,appointment_action,appointment_at,slot_type,medication,dose,quantity,prescription_type,issued_via,request_channel,assignee,status'
mklog() { # $1: the file; $2: cutover start; $3: go-live. Staff: Pat Manager, two GPs, reception.
  rm -f "$1"
  "$app" --db "$1" init --practice "Tour Test Practice" --ods A81001 --old-system "EMIS Web" \
    --new-system "TPP SystmOne" --cutover-start "$2" --go-live "$3" --manager "Pat Manager" >/dev/null
  local s
  for s in "Dr Asha Example:gp" "Dr Ben Sample:gp" "Sam Frontdesk:reception"; do
    "$app" --db "$1" --as "Pat Manager" staff add --name "${s%%:*}" --role "${s#*:}" >/dev/null
    "$app" --db "$1" --as "Pat Manager" staff set-password --name "${s%%:*}" >/dev/null
  done
}
nhs=(9990000018 9990000026 9990000034 9990000042 9990000050 9990000069)
names=("Testperson, Alex" "Sampleton, Robin" "Fakename, Jamie" "Placeholder, Sian" "Exampleton, Kit" "Mockley, Drew")
# 1. 30 telephone calls (25/11 to 30/11), all assigned to Dr Asha Example: more than a page.
mklog "$work/worklist.sqlite3" "24/11/2026 18:00" "01/12/2026 08:00"
{ echo "$H"; for i in $(seq 0 29); do j=$((i % 6))
    printf 'telephone_call,2026-11-%02dT%02d:%02d,%s,"%s",1960-01-%02d,,Call %02d: asked about results,,,,,,,,,,Dr Asha Example,outstanding\n' \
      $((25 + j)) $((9 + i / 6)) $((i * 2)) "${nhs[$j]}" "${names[$j]}" $((j + 1)) $((i + 1))
  done; } >"$work/worklist.csv"
"$app" --db "$work/worklist.sqlite3" --as "Sam Frontdesk" import "$work/worklist.csv"
# 2. Two outstanding prescriptions of Amlodipine for one patient (25/11, 26/11), and the new
#    system's report: the same drug issued to them on 02/12 and 03/12.
mklog "$work/reconcile.sqlite3" "24/11/2026 18:00" "01/12/2026 08:00"
{ echo "$H"
  echo 'prescription,2026-11-25T10:00,9990000018,"Testperson, Alex",1960-01-01,Dr Asha Example,,,,,Amlodipine 5mg tablets,One daily,28 tablets,acute,eps,phone,,'
  echo 'prescription,2026-11-26T11:00,9990000018,"Testperson, Alex",1960-01-01,Dr Asha Example,,,,,Amlodipine 5mg tablets,One daily,28 tablets,acute,eps,phone,,'
} >"$work/reconcile.csv"
"$app" --db "$work/reconcile.sqlite3" --as "Sam Frontdesk" import "$work/reconcile.csv"
{ echo 'NHS Number,Surname,First Name,Date of Birth,Drug,Dosage,Quantity,Issue Date,Prescriber'
  echo '9990000018,TESTPERSON,Alex,01/01/1960,AMLODIPINE 5MG TABLETS,One daily,28,02/12/2026,Dr Asha Example'
  echo '9990000018,TESTPERSON,Alex,01/01/1960,AMLODIPINE 5MG TABLETS,One daily,28,03/12/2026,Dr Asha Example'
} >"$work/newsystem-issues.csv"
# 3. Two telephone calls, both already re-entered: nothing outstanding.
mklog "$work/signoff.sqlite3" "24/11/2026 18:00" "01/12/2026 08:00"
{ echo "$H"
  echo 'telephone_call,2026-11-25T09:30,9990000026,"Sampleton, Robin",1960-01-02,,Asked for a call back,,,,,,,,,,,re_entered'
  echo 'telephone_call,2026-11-26T09:40,9990000034,"Fakename, Jamie",1960-01-03,,Changed address,,,,,,,,,,,re_entered'
} >"$work/signoff.csv"
"$app" --db "$work/signoff.sqlite3" --as "Sam Frontdesk" import "$work/signoff.csv"
# 4. Go-live Saturday 05/12/2026 08:00: an acute prescription asked for on 02/12, a repeat-
#    dispensing one, a telephone call, an appointment booked for Wednesday 09/12.
mklog "$work/saturday.sqlite3" "01/12/2026 18:00" "05/12/2026 08:00"
{ echo "$H"
  echo 'prescription,2026-12-02T10:00,9990000042,"Placeholder, Sian",1960-01-04,Dr Asha Example,,,,,Amoxicillin 500mg capsules,One three times a day,21 capsules,acute,eps,phone,,'
  echo 'prescription,2026-12-03T11:00,9990000050,"Exampleton, Kit",1960-01-05,Dr Ben Sample,,,,,Metformin 500mg tablets,One twice a day,56 tablets,repeat_dispensing,eps,counter,,'
  echo 'telephone_call,2026-12-03T14:00,9990000069,"Mockley, Drew",1960-01-06,,Asked for a fit note,,,,,,,,,,,'
  echo 'appointment,2026-12-04T09:15,9990000018,"Testperson, Alex",1960-01-01,Dr Asha Example,,booked,2026-12-09T10:30,Routine GP,,,,,,,,'
} >"$work/saturday.csv"
"$app" --db "$work/saturday.sqlite3" --as "Sam Frontdesk" import "$work/saturday.csv"

# ---- the tours, each run inside Xvfb. $1: the database; $2: which tour; $3: shots; $4: app ----
cat >"$work/tour.sh" <<'TOUR'
set -euo pipefail
db="$1"; tour="$2"; out="$3"; app="$4"; width="$5"; height="$6"
"$app" --db "$db" >"$db.log" 2>&1 & pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
win=$(xdotool search --sync --name "Cutover Log" | head -1)
xdotool windowsize --sync "$win" "$width" "$height" || true
xdotool windowmove --sync "$win" 0 0 || true
sleep 3
# No window manager: give the window the keyboard focus; the pointer rests low on the right.
rest() { xdotool mousemove --sync $((width - 266)) $((height - 33)); }
rest; xdotool windowfocus --sync "$win" || true; sleep 0.5
key() { xdotool key --delay 150 "$@"; sleep 0.7; }
tab() { local i; for ((i = 0; i < $1; i++)); do xdotool key Tab; sleep 0.15; done; sleep 0.4; }
text() { xdotool type --delay 50 "$1"; sleep 0.7; }
click() { xdotool mousemove --sync "$1" "$2" click 1; sleep 1; rest; sleep 0.5; }  # x y
shot() { sleep 2; import -window root "$out/$1.png"; echo "   $1.png"; }
sign_in() { text "$1"; key Return; text "$2"; key Return; sleep 2; }  # name letters, password

case "$tour" in
worklist)
  sign_in "dr a" tour-password                     # Dr Asha Example, GP: starts on the worklist
  key F3; sleep 1
  click 148 177; click 148 294                     # Assigned to: Dr Asha Example (4th in the list)
  shot 1-01-filtered
  click 400 275                                    # the second row
  key shift+Down shift+Down
  shot 1-02-three-selected                         # "Apply to 3 selected items"
  click 133 688; click 126 600                     # Assign to: Dr Ben Sample (opens upwards)
  click 222 688                                    # Assign
  shot 1-03-after-assign                           # expected: "Apply to the highlighted item"
  key space
  shot 1-04-space-after-assign
  click 400 245                                    # the first row
  key shift+Next
  shot 1-05-shift-pagedown
  key space
  shot 1-06-asks-to-confirm                        # "Mark N selected items re-entered?"
  key Escape
  shot 1-07-esc-cancels
  key space; sleep 1; key Return
  shot 1-08-enter-confirms
  ;;
reconcile)
  sign_in "dr a" tour-password
  key F9; sleep 1                                  # the cursor is in the Report file box
  text "$(dirname "$db")/newsystem-issues.csv"; key Return; sleep 2
  shot 2-01-read-without-kind
  # Tab: Choose..., Read, Every row is (Space opens it; Down x3: Prescription; Enter picks).
  tab 3; key space; key Down Down Down; key Return; key Escape; sleep 2
  shot 2-02-four-to-judge
  click 80 414                                     # the first: "Accept row 2 as item 1"
  shot 2-03-after-first-accept
  sqlite3 "$db" "select 'after the first accept: ' || count(*) || ' verification row(s)' from verifications"
  click 80 414                                     # the one left: "Accept row 3 as item 2"
  shot 2-04-after-second-accept
  ;;
signoff)
  sign_in "pa" tour-password                       # Pat Manager, practice manager
  key F6; sleep 1
  shot 3-01-sign-off-screen                        # "You sign as yourself: ..."
  click 74 308                                     # Sign off the re-entry
  shot 3-02-signed-off
  click 78 243                                     # Replace the sign-off...
  shot 3-03-replace-form
  key Return                                       # Enter at once: the focus is not in the box
  shot 3-04-enter-at-once
  click 410 264; key Return                        # in the reason box, empty: Enter
  shot 3-05-enter-without-reason
  text "Typed straight after the refusal"          # where do these keys go?
  shot 3-06-typed-after-refusal
  click 410 264; key ctrl+a; text "Two items corrected after the first sign-off"; key Return
  shot 3-07-replaced
  click 319 326                                    # Type a file path instead
  key ctrl+a; text "$(dirname "$db")/signoff-report.pdf"; key Return; sleep 3
  shot 3-08-pdf-exported
  ;;
saturday)
  sign_in "pa" tour-password
  key F3; sleep 1; key ctrl+t; sleep 1.5
  shot "4-01-todays-plan-${width}"
  click 779 140                                    # Show everything: the call is due later
  shot "4-02-everything-${width}"
  key F5; sleep 1
  shot "4-03-practice-${width}"
  ;;
saturday-125)
  sign_in "pa" tour-password
  key ctrl+plus; shot 4-04-text-110-1280; key ctrl+plus   # 100 -> 110 -> 125 %
  key F3; sleep 1; key ctrl+t; sleep 1.5
  shot 4-05-todays-plan-125-1280
  key F5; sleep 1
  shot 4-06-practice-125-1280
  ;;
esac
TOUR

run() { # $1: database; $2: tour; $3, $4: the screen's size
  echo "== $2 (${3}x$4)"
  xvfb-run -a -s "-screen 0 ${3}x${4}x24" bash "$work/tour.sh" "$work/$1" "$2" "$out" "$app" "$3" "$4"
}
q() { sqlite3 -header -column "$work/$1" "$2"; }

run worklist.sqlite3 worklist 1366 768
q worklist.sqlite3 "select i.status, s.name as assignee, count(*) as items, group_concat(i.id) as ids
  from items i left join staff s on s.id = i.assignee_id group by 1, 2"
run reconcile.sqlite3 reconcile 1366 768
q reconcile.sqlite3 "select v.item_id, v.outcome, v.file_name, v.line, i.status from verifications v join items i on i.id = v.item_id"
run signoff.sqlite3 signoff 1366 768
q signoff.sqlite3 "select id, name, role, at, comment, replaces_reason from sign_offs"
pdftotext -layout "$work/signoff-report.pdf" - | sed -n '/^Sign-off$/,/^Appendix/p'
pdftoppm -png -r 60 "$work/signoff-report.pdf" "$out/3-09-pdf-page"
run saturday.sqlite3 saturday 1366 768
run saturday.sqlite3 saturday-125 1280 720
"$app" --db "$work/saturday.sqlite3" deadlines | tail -2
echo "screenshots in $out: open each and look"
