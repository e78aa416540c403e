#!/usr/bin/env bash
# Makes the Windows release package: an optimised cross-build of the app (cutover-log.exe, a
# Windows GUI program) and its command line (cutover-log-cli.exe, a console program), and
#   dist/cutover-log-VERSION-windows-x64.zip         the two programs, START-HERE.txt for the
#                                                    practice, the licence and the third-party
#                                                    notices (generated from Cargo.lock)
#   dist/cutover-log-VERSION-windows-x64.zip.sha256  its SHA-256 (sha256sum's format)
#
#   scripts/package-windows.sh [OUT_DIR]       (default: dist)
#
# Needs the Rust target and mingw-w64 (installed here if missing, as .ci/run does), python3
# and sha256sum. Both programs are checked (64-bit Windows, icon and version resources, the
# subsystem) before anything is packed. Not part of .ci/run: the optimised build of SQLCipher's
# OpenSSL for Windows alone takes several minutes (see the README for the figures).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
out="${1:-dist}"

. scripts/need-tools.sh
need_tools python3:python3 sha256sum:coreutils
. scripts/need-windows-toolchain.sh
need_windows_toolchain

version="$(cargo metadata --no-deps --format-version 1 --locked |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["packages"][0]["version"])')"
name="cutover-log-$version-windows-x64"

echo "== optimised build of $name"
cargo build --locked --release --target x86_64-pc-windows-gnu --bin cutover-log --bin cutover-log-cli
built="${CARGO_TARGET_DIR:-target}/x86_64-pc-windows-gnu/release"
check_windows_exe "$built/cutover-log.exe" gui
check_windows_exe "$built/cutover-log-cli.exe" console
build_seconds=$((SECONDS - started))

work="$(mktemp -d /tmp/cutover-package.XXXXXX)"
trap 'rm -rf "$work"' EXIT
stage="$work/$name"
mkdir -p "$stage"
cp "$built/cutover-log.exe" "$built/cutover-log-cli.exe" "$stage/"
sed "s/@VERSION@/$version/g" docs/windows/START-HERE.txt >"$stage/START-HERE.txt"
cp LICENSE-MIT "$stage/LICENSE-MIT.txt"
cp LICENSE-APACHE "$stage/LICENSE-APACHE.txt"
python3 scripts/third-party-notices.py --target x86_64-pc-windows-gnu >"$stage/THIRD-PARTY-NOTICES.txt"
# Windows line endings for the text files (Notepad on an older PC shows one long line otherwise).
for f in "$stage"/*.txt; do sed -i 's/\r*$/\r/' "$f"; done

mkdir -p "$out"
zip="$out/$name.zip"
rm -f "$zip" "$zip.sha256"
python3 - "$work" "$name" "$zip" <<'PY'
import os, sys, zipfile
work, name, zip_path = sys.argv[1:]
with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for entry in sorted(os.listdir(os.path.join(work, name))):
        z.write(os.path.join(work, name, entry), f"{name}/{entry}")
PY
(cd "$out" && sha256sum "$name.zip" >"$name.zip.sha256")
(cd "$out" && sha256sum -c "$name.zip.sha256" >/dev/null)
echo "== $zip: $(du -h "$zip" | cut -f1) (the programs unpacked: $(du -ch "$stage"/*.exe | tail -1 | cut -f1))"
echo "   built in $build_seconds s, packed in $((SECONDS - started - build_seconds)) s"
cat "$zip.sha256"
