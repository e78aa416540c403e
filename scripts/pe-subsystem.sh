#!/usr/bin/env bash
# Prints the Windows subsystem recorded in a PE executable's header: "gui" (IMAGE_SUBSYSTEM_
# WINDOWS_GUI, 2: Windows opens no console for it) or "console" (WINDOWS_CUI, 3: started from
# Explorer, Windows opens a console window beside it); anything else as "other (N)".
#
#   scripts/pe-subsystem.sh FILE.exe
#
# The header, read with od (coreutils): the DOS header's e_lfanew (offset 0x3C) points at the
# "PE\0\0" signature; the optional header follows the 20-byte COFF header, and its Subsystem
# field is at offset 68 in both PE32 and PE32+.
set -euo pipefail
exe="${1:?usage: scripts/pe-subsystem.sh FILE.exe}"
bytes() { od -An -c -j "$1" -N "$2" "$exe" | tr -d ' \n'; }
number() { od -An -t "u$2" -j "$1" -N "$2" "$exe" | tr -d ' \n'; }
[ "$(bytes 0 2)" = "MZ" ] || { echo "$exe: not a Windows executable (no MZ header)" >&2; exit 1; }
pe="$(number 60 4)"
[ "$(bytes "$pe" 2)" = "PE" ] || { echo "$exe: no PE signature at $pe" >&2; exit 1; }
subsystem="$(number $((pe + 4 + 20 + 68)) 2)"
case "$subsystem" in
  2) echo gui ;;
  3) echo console ;;
  *) echo "other ($subsystem)" ;;
esac
