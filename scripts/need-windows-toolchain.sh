# Sourced by .ci/run and scripts/package-windows.sh: the Rust target and the mingw-w64 cross
# toolchain (gcc, windres) a Windows build needs, and `file`, installed if missing.
need_windows_toolchain() {
  if ! rustup target list --installed 2>/dev/null | grep -qx x86_64-pc-windows-gnu; then
    rustup target add x86_64-pc-windows-gnu
  fi
  local pkgs=()
  command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || pkgs+=(gcc-mingw-w64-x86-64)
  command -v x86_64-w64-mingw32-windres >/dev/null 2>&1 || pkgs+=(binutils-mingw-w64-x86-64)
  command -v file >/dev/null 2>&1 || pkgs+=(file)
  if [ "${#pkgs[@]}" -gt 0 ]; then
    echo "== installing ${pkgs[*]} (the Windows cross toolchain)"
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${pkgs[@]}"
  fi
}

# Checks that EXE is a 64-bit Windows program with resources (icon, version) and the
# subsystem WANT ("gui": no console window; "console"), or stops with why.
check_windows_exe() {
  local exe="$1" want="$2" kind sections subsystem
  # (Whole outputs captured first: grep -q would end a pipe early, which pipefail counts as failure.)
  kind="$(file "$exe")"
  grep -q 'PE32+ executable.*x86-64.*MS Windows' <<<"$kind" \
    || { echo "not a Windows executable: $kind" >&2; exit 1; }
  sections="$(x86_64-w64-mingw32-objdump -h "$exe")"
  grep -q '\.rsrc' <<<"$sections" \
    || { echo "$exe has no resources (icon, version): see build.rs" >&2; exit 1; }
  subsystem="$(scripts/pe-subsystem.sh "$exe")"
  [ "$subsystem" = "$want" ] \
    || { echo "$exe: its PE header says subsystem '$subsystem', not '$want' (the app must open no console window: src/main.rs; the command line must be a console program: src/bin/cutover-log-cli.rs)" >&2; exit 1; }
  echo "   $exe: $(du -h "$exe" | cut -f1), subsystem $subsystem"
}
