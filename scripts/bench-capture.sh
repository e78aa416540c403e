#!/usr/bin/env bash
# Capture from a report and the interchange import at practice scale (default 100,000 rows), each beside
# the sqlite3 tool's own `.import` of the same file into a plain table, in one run (issue 18's targets:
# within 3x). Also the time to read the report for the preview.
#
# The log: the demo practice with N items. The report: an EMIS-like prescriptions report of N rows made
# from that log (synthetic patients, 999 NHS numbers): one row in ten is a prescription the log already
# has (same patient, day and drug), the rest are issues the hand log missed.
# Needs: /usr/bin/time (package "time"), sqlite3 (package "sqlite3"), python3.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
. scripts/bench-common.sh
me="Chris Manager"
ratio() { python3 -c "import sys; print(f'   = {float(sys.argv[1])/max(float(sys.argv[2]), 0.01):.1f}x sqlite3 .import')" "$1" "$2"; }

$bin --db "$dir/log.sqlite3" demo --items "$rows" >/dev/null
$bin --db "$dir/log.sqlite3" --as "$me" export --format csv --out "$dir/log.csv" >/dev/null
python3 - "$dir/log.csv" "$dir/report.csv" "$rows" <<'PY'
import csv, sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(src, newline="", encoding="utf-8") as f:
    next(f)  # the export's warning line
    items = [r for r in csv.DictReader(f) if not r["voided_at"]]
rx = [r for r in items if r["kind"] == "prescription"] or items
months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
def day(iso):  # 2026-11-25... -> 25-Nov-2026, as EMIS prints dates
    y, m, d = iso[:10].split("-")
    return f"{d}-{months[int(m) - 1]}-{y}"
drugs = ["Amlodipine", "Atorvastatin", "Ramipril", "Metformin", "Sertraline", "Omeprazole", "Bisoprolol"]
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["Surname", "Forename", "NHS Number", "Date of Birth", "Drug", "Dosage", "Quantity",
                "Issue Date", "Prescriber", "Issue Type"])
    for i in range(n):
        r = rx[i % len(rx)]
        first, _, last = r["patient_name"].partition(" ")
        in_log = i % 10 == 0 and r["kind"] == "prescription" and r.get("medication")
        drug = r["medication"] if in_log else f"{drugs[i % len(drugs)]} {i % 997 + 1} mg tablets"
        w.writerow([last.upper(), first, r["nhs_number"], day(r["date_of_birth"]) if r["date_of_birth"] else "",
                    drug, r.get("dose") or "One daily", r.get("quantity") or "28", day(r["occurred_at"]),
                    r["clinician"], "Repeat" if i % 3 else "Acute"])
PY
# The mapping as a practice would confirm it: the suggested one, with what this report does not say.
$bin --db "$dir/log.sqlite3" --as "$me" capture "$dir/report.csv" --kind prescription --dry-run \
  --write-mapping "$dir/mapping.json" >/dev/null 2>&1 || true
python3 - "$dir/mapping.json" <<'PY2'
import json, sys
m = json.load(open(sys.argv[1]))
m["fields"]["issued_via"] = {"from": "constant", "value": "eps"}
m["fields"]["request_channel"] = {"from": "constant", "value": "other"}
json.dump(m, open(sys.argv[1], "w"), indent=2)
PY2
$bin --db "$dir/empty.sqlite3" demo --items 1 >/dev/null
sqlite3 "$dir/log.sqlite3" ".backup $dir/capture.sqlite3"
tail -n +2 "$dir/log.csv" >"$dir/plain.csv" # drop the warning line: .import reads the header itself

echo "rows: $rows (log: $rows items)"
measure "preview: read and check the report (capture --dry-run)" \
  $bin --db "$dir/capture.sqlite3" --as "$me" capture "$dir/report.csv" --mapping "$dir/mapping.json" --dry-run
measure "capture the report into the $rows-item log" \
  $bin --db "$dir/capture.sqlite3" --as "$me" capture "$dir/report.csv" --mapping "$dir/mapping.json"
capture=$(cat "$dir/last")
grep -E "added|already|confirm" "$dir/out" | head -3 | sed 's/^/   /'
measure "sqlite3 .import of the same report" sqlite3 "$dir/plain-report.sqlite3" ".mode csv" ".import $dir/report.csv report"
ratio "$capture" "$(cat "$dir/last")"
measure "import the interchange CSV ($rows items, all columns)" \
  $bin --db "$dir/empty.sqlite3" --as "$me" import "$dir/log.csv"
import=$(cat "$dir/last")
measure "sqlite3 .import of the same CSV" sqlite3 "$dir/plain.sqlite3" ".mode csv" ".import $dir/plain.csv items"
ratio "$import" "$(cat "$dir/last")"
$bin --db "$dir/capture.sqlite3" --as "$me" verify >/dev/null && echo "   the captured log verifies"
$bin --db "$dir/empty.sqlite3" --as "$me" verify >/dev/null && echo "   the imported log verifies"
