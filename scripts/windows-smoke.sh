#!/usr/bin/env bash
# Runs the cross-built Windows programs under wine (the command line only: wine here has no
# display, and a window proves little about a real PC's graphics) and checks that they work on
# Windows paths: cutover-log-cli.exe's --help and --version, init / demo / stats / staff list /
# export csv / encrypt with --db, and the same with no --db, where the database must be created
# in the LOCAL app data folder (%LOCALAPPDATA%\Cutover Log\data\cutover-log.sqlite3), never
# the roaming profile; that the CLI with no command points to the app; and that the app
# (cutover-log.exe, a GUI program) still answers --version when its output is redirected.
#
#   scripts/windows-smoke.sh [FOLDER]
#
# FOLDER holds cutover-log.exe and cutover-log-cli.exe; default
# target/x86_64-pc-windows-gnu/windows-ci (as .ci/run builds them).
# Needs wine: apt-get install -y --no-install-recommends wine64 (installed here if missing).
# Uses a throwaway wine prefix, removed on exit; synthetic data only (999 NHS numbers).
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${1:-${CARGO_TARGET_DIR:-target}/x86_64-pc-windows-gnu/windows-ci}"
exe="$dir/cutover-log-cli.exe"
app="$dir/cutover-log.exe"
for f in "$exe" "$app"; do
  [ -f "$f" ] || { echo "no Windows executable at $f (build it first)" >&2; exit 1; }
done
exe="$(realpath "$exe")"
app="$(realpath "$app")"

WINE=""
for w in wine64 /usr/lib/wine/wine64 wine; do
  if command -v "$w" >/dev/null 2>&1; then WINE="$(command -v "$w")"; break; fi
done
if [ -z "$WINE" ]; then
  echo "== installing wine64"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wine64 >/dev/null
  for w in wine64 /usr/lib/wine/wine64 wine; do
    if command -v "$w" >/dev/null 2>&1; then WINE="$(command -v "$w")"; break; fi
  done
  [ -n "$WINE" ] || { echo "wine was not found after installing it" >&2; exit 1; }
fi

work="$(mktemp -d /tmp/cutover-wine.XXXXXX)"
export WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" DISPLAY=
cleanup() { "$(dirname "$WINE")/wineserver" -k >/dev/null 2>&1 || wineserver -k >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

failures=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1" >&2; failures=$((failures + 1)); }
# Runs the exe; wine's own chatter on stderr is kept apart from the program's output.
# A failure is reported by the check that follows, with the program's stderr.
run() { { timeout 120 "$WINE" "$exe" "$@" 2>"$work/stderr" || true; } | tr -d '\r'; }

wine_version="$("$WINE" --version 2>/dev/null || echo unknown)"
echo "== $wine_version; $exe ($(du -h "$exe" | cut -f1)), $app ($(du -h "$app" | cut -f1))"
start=$(date +%s)
"$WINE" wineboot --init >/dev/null 2>&1 || true
echo "   prefix made in $(( $(date +%s) - start )) s"
# Rust's standard library takes its random numbers from ProcessPrng in bcryptprimitives.dll
# (Windows 10 and later, so every practice PC); wine before 9.0 (Debian 12 has 8.0) lacks that
# DLL and the program cannot load. A stand-in for this throwaway prefix only, built with mingw:
# ProcessPrng over RtlGenRandom (advapi32's SystemFunction036). Nothing of it is shipped.
wine_major="$(sed -n 's/^wine-\([0-9]*\).*/\1/p' <<<"$wine_version")"
if [ -n "$wine_major" ] && [ "$wine_major" -lt 9 ]; then
  cat >"$work/bcryptprimitives.c" <<'C'
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len) {
    ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
    if (!SystemFunction036(data, n)) return FALSE;
    data += n; len -= n;
  }
  return TRUE;
}
C
  x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
    "$work/bcryptprimitives.c" -ladvapi32
  echo "   $wine_version has no bcryptprimitives.dll: a ProcessPrng stand-in was put in the prefix"
fi

out="$(run --help)"; grep -q "Usage: cutover-log-cli" <<<"$out" && pass "--help" || fail "--help: $out $(cat "$work/stderr")"
out="$(run --version)"; grep -q "cutover-log-cli " <<<"$out" && pass "--version: $out" || fail "--version: $out"
run >/dev/null || true
grep -q "the app itself is cutover-log.exe" "$work/stderr" && pass "no command: points to the app" \
  || fail "no command: $(cat "$work/stderr")"
out="$({ timeout 120 "$WINE" "$app" --version 2>/dev/null || true; } | tr -d '\r')"
grep -q "cutover-log " <<<"$out" && pass "the app (GUI subsystem) --version, output redirected: $out" \
  || fail "the app's --version: '$out'"

# With --db: a Windows path with a space and a drive letter.
mkdir -p "$work/prefix/drive_c/Practice Data"
db='C:\Practice Data\log.sqlite3'
export CUTOVER_LOG_PASSWORD=smoke-password CUTOVER_LOG_NEW_PASSWORD=smoke-password
out="$(run --db "$db" init --practice "Smoke Test Practice" --ods A81001 --old-system "EMIS Web" \
  --new-system "TPP SystmOne" --cutover-start "16/11/2026 18:00" --go-live "23/11/2026 08:00" \
  --manager "Pat Manager" || true)"
[ -f "$work/prefix/drive_c/Practice Data/log.sqlite3" ] && pass "init --db '$db'" \
  || fail "init --db: $out $(cat "$work/stderr")"
out="$(run --db "$db" staff list || true)"
grep -q "Pat Manager" <<<"$out" && pass "staff list --db" || fail "staff list: $out $(cat "$work/stderr")"
out="$(run --db "$db" stats || true)"
grep -q '^total' <<<"$out" && pass "stats --db" || fail "stats: $(cat "$work/stderr")"

demo='C:\Practice Data\demo.sqlite3'
out="$(run --db "$demo" demo --items 200 --seed 1 || true)"
out="$(run --db "$demo" stats --json || true)"
grep -q '"items": 200' <<<"$out" && pass "demo --items 200, stats --json" || fail "demo/stats: $out $(cat "$work/stderr")"
staff="$(run --db "$demo" staff list | awk -F'\t' '$3 == "Practice manager" { print $2; exit }' || true)"
csv='C:\Practice Data\export.csv'
out="$(CUTOVER_LOG_PASSWORD=demo-password run --db "$demo" --as "$staff" export --format csv --out "$csv" || true)"
if [ -f "$work/prefix/drive_c/Practice Data/export.csv" ] \
   && head -c 3 "$work/prefix/drive_c/Practice Data/export.csv" | od -An -tx1 | grep -q 'ef bb bf' \
   && grep -q $'\r$' "$work/prefix/drive_c/Practice Data/export.csv"; then
  pass "export csv --as '$staff' (BOM, CRLF line ends) to '$csv'"
else
  fail "export csv as '$staff': $out $(cat "$work/stderr")"
fi

# SQLCipher with its vendored OpenSSL (the part with known Windows build trouble): encrypt the
# log, then it opens only with the passphrase.
out="$(CUTOVER_LOG_NEW_DB_PASSPHRASE=smoke-passphrase run --db "$db" --as "Pat Manager" encrypt || true)"
locked="$(run --db "$db" staff list </dev/null || true)"
opened="$(CUTOVER_LOG_DB_PASSPHRASE=smoke-passphrase run --db "$db" staff list || true)"
if ! grep -q "Pat Manager" <<<"$locked" && grep -q "Pat Manager" <<<"$opened"; then
  pass "encrypt (SQLCipher): opens with the passphrase only"
else
  fail "encrypt: $out / without: $locked / with: $opened $(cat "$work/stderr")"
fi

# With no --db: the default database, which must be in the local (not roaming) app data.
users="$work/prefix/drive_c/users"
out="$(run init --practice "Default Place Practice" --ods A81002 --old-system "EMIS Web" \
  --new-system "TPP SystmOne" --cutover-start "16/11/2026 18:00" --go-live "23/11/2026 08:00" \
  --manager "Pat Manager" || true)"
found="$(find "$users" -name 'cutover-log.sqlite3' 2>/dev/null | sed "s|^$users/||")"
case "$found" in
  */AppData/Local/"Cutover Log"/data/cutover-log.sqlite3)
    pass "init with no --db: C:\\users\\${found//\//\\}" ;;
  *) fail "init with no --db made '${found:-nothing}' (want AppData/Local/Cutover Log/data/): $out $(cat "$work/stderr")" ;;
esac
if find "$users" -path '*AppData/Roaming*' -iname '*cutover*' 2>/dev/null | grep -q .; then
  fail "something of Cutover Log is in the roaming profile"
else
  pass "nothing in AppData\\Roaming"
fi
out="$(run staff list || true)"
grep -q "Pat Manager" <<<"$out" && pass "staff list with no --db reads the same default database" || fail "staff list (default): $(cat "$work/stderr")"

echo "== windows smoke: $failures failure(s) in $(( $(date +%s) - start )) s"
[ "$failures" -eq 0 ]
