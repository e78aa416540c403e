# Sourced by the bench-*.sh scripts that time whole commands: the release build (or CUTOVER_BIN, to
# measure another build on the same files), a throwaway folder, the demo password, and `measure`.
# Needs: /usr/bin/time (package "time").
if [ -z "${CUTOVER_BIN:-}" ]; then cargo build --release --quiet; fi
bin=${CUTOVER_BIN:-./target/release/cutover-log}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export CUTOVER_LOG_PASSWORD=demo-password
# measure LABEL COMMAND...: one line with the wall time and peak memory; the command's output is in
# $dir/out and the seconds in $dir/last.
measure() {
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$dir/t" "$@" >"$dir/out" 2>&1 || { cat "$dir/out"; exit 1; }
  read -r secs kb <"$dir/t"
  printf '%-62s %8.2f s %6.0f MB\n' "$label" "$secs" "$((kb / 1024))"
  echo "$secs" >"$dir/last"
}
