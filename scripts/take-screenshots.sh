#!/usr/bin/env bash
# Takes the README's screenshots from the real window under Xvfb (no display or GPU needed),
# at 1366x768 (a common practice-PC screen) and 100 % text:
#
#  1. the first hour, as a new practice manager would go through it, on an empty database:
#     setup screen -> pick your name and sign in -> log a first item -> see it in today's log
#     and on the worklist -> F1 (shortcut sheet) -> Shift+F1 (About);
#  2. the worklist, progress and today's plan of the demo practice (after go-live), as its manager;
#  3. the log screen of the demo practice during cutover (go-live moved 3 days ahead), as
#     reception: two calls logged, then a prescription being typed.
#
# Synthetic data only: NHS numbers from the 999 range (never issued), made-up names; the demo
# practice's staff all have the password demo-password.
#
# The window is driven from the keyboard, as staff use it, so the steps survive layout changes:
# Tab / Shift+Tab between fields, typing, Enter, Space on a choice, F2-F7 for the screens,
# Alt+letter for an item's kind. The Tab counts below follow the forms' field order (given at
# each step); if a form gains or loses a field, change the count. No step clicks a position.
# Each person's display settings (text size, the worklist's divider) are kept in a throwaway
# data folder, so nothing from an earlier run or from your own use changes the pictures.
#
# Needs: apt-get install -y xvfb xauth imagemagick xdotool (installed here if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

. scripts/need-tools.sh
need_tools xvfb-run:xvfb xauth:xauth import:imagemagick xdotool:xdotool

cargo build --release --quiet --bin cutover-log
app="$PWD/target/release/cutover-log"
out="$PWD/docs/screenshots"
mkdir -p "$out"
work="$(mktemp -d /tmp/cutover-shots.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config"
width=1366 height=768

# The steps, run inside Xvfb. $1: the database; $2: which tour; $3: where the PNGs go; $4: the app.
cat >"$work/tour.sh" <<'TOUR'
set -euo pipefail
db="$1"; tour="$2"; out="$3"; app="$4"; width="$5"; height="$6"
"$app" --db "$db" >"$db.log" 2>&1 & pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
win=$(xdotool search --sync --name "Cutover Log" | head -1)
xdotool windowsize --sync "$win" "$width" "$height" || true
xdotool windowmove --sync "$win" 0 0 || true
sleep 3
# No window manager under Xvfb: the window must be given the keyboard focus, and keys go to
# the window under the pointer. The pointer rests low on the right, over nothing that reacts
# to hovering (no tooltip, no plot cross-hair) on any screen shot here.
xdotool mousemove --sync $((width - 266)) $((height - 33))
xdotool windowfocus --sync "$win" || true
sleep 0.5
# A key or chord (several: one after another); typed text. The app takes every key where
# it was pressed however fast it comes, but a pause lets each screen settle for the pictures.
key() { xdotool key --delay 150 "$@"; sleep 0.5; }
tab() { local i; for ((i = 0; i < $1; i++)); do xdotool key Tab; sleep 0.15; done; sleep 0.4; }
text() { xdotool type --delay 50 "$1"; sleep 0.5; }
shot() { sleep 1.5; import -window root "$out/$1.png"; echo "   $1.png"; }
# Sign in: the Name list has focus when the sign-in screen opens; the first letters of a
# name open the list on it; Enter chooses it and moves to Password. $1: the letters; $2: a
# shot of the open list (or ""); $3: the password.
sign_in() {
  text "$1"
  if [ -n "$2" ]; then shot "$2"; fi
  key Return
  text "$3"; key Return; sleep 2
}

case "$tour" in
first-hour)
  # 1. Setup. The practice's name has the keyboard when it opens. Tab order: Practice name,
  #    ODS code, the old system (one row of choices: one Tab stop), the new system (the
  #    same), cutover start date, time, go-live date, time, Staff name, the seven roles, Add
  #    to staff list, the password, the password again, Create, Connect to practice server.
  #    The systems keep their defaults (EMIS Web to TPP SystmOne), the times theirs (18:00,
  #    08:00).
  text "Riverside Test Practice"
  tab 1; text "A81001"
  tab 3; text "$(date -d yesterday +%d/%m/%Y)"
  tab 2; text "$(date -d '+7 days' +%d/%m/%Y)"
  tab 2
  # Enter adds the name typed with the role chosen (Practice manager at first, then
  # Reception / admin); Enter on a role picks it and adds the name.
  text "Pat Manager"; key Return
  text "Dr Asha Example"; tab 2; key Return          # Reception / admin, GP: Enter
  text "Sam Frontdesk"; key Return
  tab 9; text "first-hour-password"                  # past the roles and Add to staff list
  key Return; text "first-hour-password"             # Enter goes on to "Repeat the password"
  shot first-hour-1-setup
  key Return; sleep 2                                # Enter there creates the log
  # 2. Sign in: pick your name ("pa": Pat Manager), type your password.
  sign_in "pa" first-hour-2-pick-name "first-hour-password"
  # 3. Log a first item: Alt+T, a telephone call. Tab order: NHS number, Patient name, Date
  #    of birth, When (date, time), Clinician (one row: None, Dr Asha Example), Details.
  key alt+t; sleep 1
  text "999 123 4519"; tab 1
  text "Testperson, Alex"; tab 1
  text "14/03/1958"; tab 4
  text "Asked for a repeat of salbutamol inhaler; told to collect Friday"
  shot first-hour-3-log-an-item
  key Return; sleep 1.5                              # saved; focus back on the NHS number
  shot first-hour-4-todays-log
  # 4. The same item on the worklist (F3), highlighted (Down) so its details show; then
  #    help: F1 and Shift+F1.
  key F3; sleep 1.5; key Down
  shot first-hour-5-worklist
  key F1
  shot help-shortcuts
  key Escape; sleep 1; key shift+F1
  shot help-about
  ;;
manager)
  # After go-live the practice manager starts on the worklist.
  sign_in "ch" "" "demo-password"                    # Chris Manager
  key F3; sleep 1.5
  key Down Down                                      # the second item: a prescription
  shot worklist
  key F4
  shot progress
  # Today's plan (Ctrl+T): the open items overdue or due today, soonest first, with each
  # person's share above the list; the first is highlighted, its details beside it.
  key ctrl+t; sleep 1.5
  shot todays-plan
  ;;
desk)
  # During cutover reception starts on the log, the focus in the NHS number. Tab order of a
  # telephone call: NHS number, Patient name, Date of birth, When (date, time), Clinician
  # (one row of choices: None and the demo practice's four clinicians), Details.
  sign_in "sam" "" "demo-password"                   # Sam Reception
  key alt+t; sleep 1
  text "999 246 8130"; tab 1; text "Sampleperson, Jamie"; tab 1; text "22/07/1984"; tab 4
  text "Asked for a call back about blood test results; GP to ring tomorrow"; key Return; sleep 1.5
  text "999 310 5724"; tab 1; text "Fakename, Robin"; tab 1; text "05/11/1991"; tab 4
  text "Cancelled Thursday's appointment by phone; will rebook next week"; key Return; sleep 1.5
  # A prescription: NHS number, Patient name, Date of birth, When (date, time), Prescriber
  # (one row of four clinicians: Space picks the first), Medication, Dose, Quantity, Type
  # (one row: Right moves from Acute to Repeat), Issued via, Requested by, Details.
  key alt+p; sleep 1
  text "999 123 4527"; tab 1
  text "Example-Smith, Zoe O'Brien"; tab 1
  text "01/02/1960"; tab 3; key space
  tab 1; text "Salbutamol 100micrograms/dose inhaler"
  tab 1; text "2 puffs when required"
  tab 1; text "1 inhaler"
  tab 1; key Right
  shot log-form
  ;;
capture)
  # Capture (F8): the path box has the focus; Enter reads the report, which maps in one step
  # with the mapping saved when yesterday's report was captured; the preview is shown.
  sign_in "sam" "" "demo-password"                   # Sam Reception
  key F8; sleep 1
  text "$(dirname "$db")/appointments-today.csv"; key Return; sleep 2
  shot capture-preview
  ;;
reconcile)
  # Reconcile (F9), after go-live, as a GP: the path box has the focus; Enter reads the new
  # system's report and leaves the cursor there; Tab: Choose…, Read, Every row is (Space opens
  # it; Down: as the mapping says, Appointment, Prescription; Enter picks); the results.
  sign_in "dr a" "" "demo-password"                  # Dr Amira Testwell
  key F9; sleep 1
  text "$(dirname "$db")/systmone-issues.csv"; key Return; sleep 2
  tab 3; key space; key Down Down Down; key Return; key Escape; sleep 2
  shot reconcile-results
  ;;
esac
TOUR

screen="-screen 0 ${width}x${height}x24"
echo "== the first hour (empty database)"
xvfb-run -a -s "$screen" bash "$work/tour.sh" "$work/first-hour.sqlite3" first-hour "$out" "$app" "$width" "$height"
echo "== the demo practice after go-live (worklist, progress)"
"$app" --db "$work/demo.sqlite3" demo --items 2000 --seed 1 >/dev/null
cp "$work/demo.sqlite3" "$work/cutover.sqlite3"
xvfb-run -a -s "$screen" bash "$work/tour.sh" "$work/demo.sqlite3" manager "$out" "$app" "$width" "$height"
echo "== the demo practice during cutover (the log screen)"
CUTOVER_LOG_PASSWORD=demo-password "$app" --db "$work/cutover.sqlite3" --as "Chris Manager" \
  set-go-live "$(date -d '+3 days' +%d/%m/%Y) 08:00" >/dev/null
xvfb-run -a -s "$screen" bash "$work/tour.sh" "$work/cutover.sqlite3" desk "$out" "$app" "$width" "$height"
echo "== capture from a report (yesterday's captured from the command line, today's previewed)"
report() { # $1: file; $2, $3: the days of the first two and last two slots; 999 test-range NHS numbers
  {
    printf 'Appointments report\nRun by: Chris Manager\n\n'
    printf 'Appointment Date,Start Time,Slot Type,Session Holder,Status,NHS Number,Surname,Forename,DOB\n'
    printf '%s,09:00,Routine GP,Dr A TESTWELL,Booked,9990000018,TESTER,Sian,11-Nov-41\n' "$2"
    printf '%s,09:10,Routine GP,Dr A TESTWELL,DNA,9990000026,PATIENT,Test,02/03/1980\n' "$2"
    printf '%s,09:20,Nurse,Dr T FICTIONAL,Booked,9990000034,OTHER,Robin,2001-05-06\n' "$3"
    printf '%s,09:30,Phone,Dr T FICTIONAL,Booked,9990000042,SAMPLE,Jamie,22/07/1984\n' "$3"
    printf 'Total: 4\n'
  } >"$1"
}
yesterday="$(date -d yesterday +%d-%b-%Y)"
report "$work/appointments-yesterday.csv" "$yesterday" "$yesterday"
report "$work/appointments-today.csv" "$yesterday" "$(date +%d-%b-%Y)"   # two already captured
CUTOVER_LOG_PASSWORD=demo-password "$app" --db "$work/cutover.sqlite3" --as "Sam Reception" \
  capture "$work/appointments-yesterday.csv" --kind appointment >/dev/null
xvfb-run -a -s "$screen" bash "$work/tour.sh" "$work/cutover.sqlite3" capture "$out" "$app" "$width" "$height"
echo "== reconcile with the new system (the demo practice after go-live)"
CUTOVER_LOG_PASSWORD=demo-password "$app" --db "$work/demo.sqlite3" --as "Chris Manager" \
  export --format csv --out "$work/demo.csv" >/dev/null
python3 - "$work/demo.csv" "$work" <<'PY'
import csv, datetime, sys
src, work = sys.argv[1], sys.argv[2]
with open(src, newline="", encoding="utf-8") as f:
    next(f)  # the export's warning line
    items = [r for r in csv.DictReader(f) if not r["voided_at"]]
rx = [r for r in items if r["kind"] == "prescription" and r.get("medication")
      and r["clinician"] == "Dr Amira Testwell"][:6]
day = (datetime.date.today() - datetime.timedelta(days=1)).strftime("%d/%m/%Y")
head = ["NHS Number", "Surname", "First Name", "Date of Birth", "Drug", "Dosage", "Quantity", "Issue Date",
        "Prescriber"]
def row(r, drug):
    first, _, last = r["patient_name"].partition(" ")
    return [r["nhs_number"], last.upper(), first, r["date_of_birth"], drug, "As directed", "28", day,
            r["clinician"]]
def write(name, rows):
    with open(f"{work}/{name}", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f); w.writerow(head); w.writerows(rows)
# Four issued as logged (the name written another way), one spelt wrong, one for a drug nobody
# logged.
rows = [row(r, r["medication"].upper()) for r in rx[:4]]
rows.append(row(rx[4], rx[4]["medication"][:-2]))
rows.append(row(rx[5], "Omeprazole 20mg capsules"))
write("systmone-issues.csv", rows)
PY
xvfb-run -a -s "$screen" bash "$work/tour.sh" "$work/demo.sqlite3" reconcile "$out" "$app" "$width" "$height"
echo "screenshots in $out ($((SECONDS - started)) s): look at each before committing"
