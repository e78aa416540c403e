#!/usr/bin/env bash
# A fast typist at a slow practice PC: the real window under Xvfb, drawn in software
# (Mesa's llvmpipe), 1366x768, driven by xdotool with DELAY ms between keys (default 10:
# far faster than anyone types, so several keys land in each frame). Two prescriptions
# and two other items are typed as one stream each — text, Tab, Space or an arrow on a row
# of choices (one Tab stop each), Tab, ... Enter — then the log is exported with the command line and every stored field is
# compared with what was typed. Exits non-zero on any difference.
#
# Synthetic data only: NHS numbers from the 999 range, made-up names.
# Needs: apt-get install -y xvfb xauth xdotool (installed here if missing).
# Usage: scripts/typing-at-speed.sh [DELAY_MS]
set -euo pipefail
cd "$(dirname "$0")/.."
delay="${1:-10}"

. scripts/need-tools.sh
need_tools xvfb-run:xvfb xauth:xauth xdotool:xdotool

# The app: $CUTOVER_LOG_BIN (any build), or else this checkout's, built here (release).
if [ -z "${CUTOVER_LOG_BIN:-}" ]; then
  cargo build --release --quiet --bin cutover-log
fi
app="${CUTOVER_LOG_BIN:-$PWD/target/release/cutover-log}"
work="$(mktemp -d /tmp/cutover-typing.XXXXXX)"
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
db="$work/typing.sqlite3"; [ -n "${KEEP:-}" ] && echo "work: $work"
export CUTOVER_LOG_PASSWORD="typing-test-password"
export CUTOVER_LOG_NEW_PASSWORD="typing-test-password"
"$app" --db "$db" init --practice "Typing Test Practice" --ods A81001 --old-system "EMIS Web" \
  --new-system "TPP SystmOne" --cutover-start "$(date -d '-2 days' +%d/%m/%Y) 18:00" \
  --go-live "$(date -d '+7 days' +%d/%m/%Y) 08:00" --manager "Pat Manager" >/dev/null
"$app" --db "$db" --as "Pat Manager" staff add --name "Dr Asha Example" --role gp >/dev/null
"$app" --db "$db" --as "Pat Manager" staff add --name "Sam Frontdesk" --role reception >/dev/null
"$app" --db "$db" --as "Pat Manager" staff set-password --name "Sam Frontdesk" >/dev/null

cat >"$work/drive.sh" <<'DRIVE'
set -euo pipefail
app="$1"; db="$2"; delay="$3"
LIBGL_ALWAYS_SOFTWARE=1 "$app" --db "$db" >"$(dirname "$db")/app.log" 2>&1 & pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
win=$(xdotool search --sync --name "Cutover Log" | head -1)
xdotool windowsize --sync "$win" 1366 768 || true
sleep 3
# No window manager under Xvfb: keys go to the window under the pointer.
xdotool mousemove --window "$win" 1300 740
xdotool windowfocus --sync "$win" || true
# Sign in by keyboard: the name list has focus; type the start of the name, Enter, then
# the password.
xdotool type --delay 80 "Sam"; sleep 0.5; xdotool key Return; sleep 0.5
xdotool type --delay 40 "typing-test-password"; xdotool key Return; sleep 2
shot() { if [ -n "${SHOTS:-}" ]; then import -window root "$SHOTS/$1.png"; fi; }
shot signed-in
t() { xdotool type --delay "$delay" "$1"; }
# Prescriptions: NHS, name, date of birth, (date, time), Space on the prescriber (the
# row's first), medication, dose, quantity, Type (Right: from Acute to Repeat), Issued via
# (Space: EPS), Requested by (Space: Phone), details. A row of choices is one Tab stop.
rx() {
  xdotool key alt+p; sleep 0.3
  t "$1"$'\t'"$2"$'\t'"$3"$'\t\t\t \t'"$4"$'\t'"$5"$'\t'"$6"$'\t'
  xdotool key --delay "$delay" Right
  t $'\t \t \t'"$7"
  xdotool key Return
  sleep 1; shot "rx-$1"
}
# Other items: NHS, name, date of birth, (date, time), the clinician row ("None" chosen;
# Right: the GP), details.
other() {
  xdotool key alt+o; sleep 0.3
  t "$1"$'\t'"$2"$'\t'"$3"$'\t\t\t'
  xdotool key --delay "$delay" Right
  t $'\t'"$4"
  xdotool key Return
  sleep 1; shot "other-$1"
}
rx 9995181908 "Quick, Rita" 01/02/1960 "Salbutamol 100micrograms/dose inhaler" \
  "2 puffs when required" "1 inhaler" "Requested at the counter"
rx 9990000018 "O'Brien, Zoe" 11/11/1941 "Amlodipine 5mg tablets" "One daily" "28 tablets" \
  "Repeat due"
other 9990000026 "Newcomer, Fran" 25/12/1990 "Letter from the hospital, file it"
other 9990000034 "Test, Alex" 14/03/1958 "Asked for results, rang back"
# The keys went faster than the window draws: wait until it has handled them all (the
# fourth item saved), at most a minute.
for _ in $(seq 60); do
  n=$("$app" --db "$db" --as "Pat Manager" stats --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["totals"]["items"])' 2>/dev/null || echo 0)
  [ "$n" -ge 4 ] && break
  sleep 1
done
shot done
sleep 1
DRIVE
start=$(date +%s)
SHOTS="${SHOTS:-}" xvfb-run -a -s "-screen 0 1366x768x24" bash "$work/drive.sh" "$app" "$db" "$delay"
echo "typed in $(( $(date +%s) - start )) s at ${delay} ms a key"

"$app" --db "$db" --as "Pat Manager" export --format csv --out "$work/out.csv" >/dev/null
python3 - "$work/out.csv" <<'PY'
import csv, sys
# The export's first line says it holds patient data; NHS numbers are shown spaced.
lines = [l for l in open(sys.argv[1], encoding="utf-8-sig") if not l.startswith("#")]
rows = list(csv.DictReader(lines))
for r in rows:
    r["nhs_number"] = r.get("nhs_number", "").replace(" ", "")
want = [
    dict(kind="prescription", nhs_number="9995181908", patient_name="Quick, Rita",
         date_of_birth="1960-02-01", medication="Salbutamol 100micrograms/dose inhaler",
         dose="2 puffs when required", quantity="1 inhaler", prescription_type="repeat",
         issued_via="eps", request_channel="phone", details="Requested at the counter"),
    dict(kind="prescription", nhs_number="9990000018", patient_name="O'Brien, Zoe",
         date_of_birth="1941-11-11", medication="Amlodipine 5mg tablets", dose="One daily",
         quantity="28 tablets", prescription_type="repeat", issued_via="eps",
         request_channel="phone", details="Repeat due"),
    dict(kind="other", nhs_number="9990000026", patient_name="Newcomer, Fran",
         date_of_birth="1990-12-25", details="Letter from the hospital, file it"),
    dict(kind="other", nhs_number="9990000034", patient_name="Test, Alex",
         date_of_birth="1958-03-14", details="Asked for results, rang back"),
]
bad = 0
if len(rows) != len(want):
    print(f"FAIL: {len(rows)} items stored, {len(want)} typed")
    bad += 1
for w in want:
    got = next((r for r in rows if r.get("nhs_number") == w["nhs_number"]), None)
    if got is None:
        print(f"FAIL: nothing stored for {w['nhs_number']}")
        bad += 1
        continue
    for k, v in w.items():
        if got.get(k) != v:
            print(f"FAIL: {w['nhs_number']} {k}: stored {got.get(k)!r}, typed {v!r}")
            bad += 1
    if got.get("clinician") != "Dr Asha Example":
        print(f"FAIL: {w['nhs_number']} clinician: stored {got.get('clinician')!r}")
        bad += 1
print("every field stored exactly as typed" if bad == 0 else f"{bad} differences")
sys.exit(1 if bad else 0)
PY
