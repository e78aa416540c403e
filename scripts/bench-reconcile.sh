#!/usr/bin/env bash
# Reconciliation at practice scale (issue 19: 100,000 report rows against a 100,000-item log in under 5 s),
# beside the sqlite3 tool's own `.import` of the same file into a plain table, in one run.
#
# The log: the demo practice with N items. The report: a SystmOne-like "medication issued since go-live"
# report of N rows made from that log (synthetic patients, 999 NHS numbers): every prescription the log
# has, issued yesterday (after the demo's go-live) with its drug name written another way (upper case,
# "5 MG TABS"), then rows for drugs nobody logged until there are N.
# Needs: /usr/bin/time (package "time"), sqlite3 (package "sqlite3"), python3.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
. scripts/bench-common.sh
gp="Dr Amira Testwell"

$bin --db "$dir/log.sqlite3" demo --items "$rows" >/dev/null
$bin --db "$dir/log.sqlite3" --as "$gp" export --format csv --out "$dir/log.csv" >/dev/null
python3 - "$dir/log.csv" "$dir/report.csv" "$rows" <<'PY'
import csv, datetime, re, sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(src, newline="", encoding="utf-8") as f:
    next(f)  # the export's warning line
    items = [r for r in csv.DictReader(f) if not r["voided_at"]]
rx = [r for r in items if r["kind"] == "prescription" and r.get("medication")]
yesterday = (datetime.date.today() - datetime.timedelta(days=1)).strftime("%d/%m/%Y")
def another_way(drug):  # "Amlodipine 5mg tablets" -> "AMLODIPINE 5 MG TABS"
    d = re.sub(r"(\d)(mg|mcg|ml|g)\b", r"\1 \2", drug, flags=re.I)
    return re.sub(r"\btablets\b", "tabs", d, flags=re.I).upper()
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["NHS Number", "Surname", "First Name", "Date of Birth", "Drug", "Dosage", "Quantity",
                "Issue Date", "Prescriber"])
    for i in range(n):
        if i < len(rx):
            r, drug = rx[i], another_way(rx[i]["medication"])
        else:
            r, drug = items[i % len(items)], f"Unlogged drug {i % 997 + 1} mg tablets"
        first, _, last = r["patient_name"].partition(" ")
        w.writerow([r["nhs_number"], last.upper(), first, r["date_of_birth"], drug, "One daily", "28",
                    yesterday, r["clinician"]])
print(f"report: {n} rows, {min(len(rx), n)} of them the log's prescriptions", file=sys.stderr)
PY
$bin --db "$dir/log.sqlite3" --as "$gp" reconcile "$dir/report.csv" --kind prescription --skip-invalid \
  --write-mapping "$dir/mapping.json" >/dev/null 2>&1 || true

echo "rows: $rows (log: $rows items)"
measure "reconcile: read, check and pair (no --accept-confident)" \
  $bin --db "$dir/log.sqlite3" --as "$gp" reconcile "$dir/report.csv" --mapping "$dir/mapping.json" --skip-invalid
grep -E "confident proposals" "$dir/out" | sed 's/^/   /'
measure "reconcile --accept-confident (pair, then record in one transaction)" \
  $bin --db "$dir/log.sqlite3" --as "$gp" reconcile "$dir/report.csv" --mapping "$dir/mapping.json" --skip-invalid --accept-confident
grep -E "^Recorded" "$dir/out" | sed 's/^/   /'
measure "sqlite3 .import of the same report" sqlite3 "$dir/plain.sqlite3" ".mode csv" ".import $dir/report.csv report"
$bin --db "$dir/log.sqlite3" --as "$gp" verify >/dev/null && echo "   the reconciled log verifies"
