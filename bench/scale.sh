#!/usr/bin/env bash
# Compile-time scaling of the generated C++ library (issue 23): for each robot, `thunder gen`
# (cpp target, default functions) and `cmake --build -j JOBS` of its library, timed; prints the
# total instruction count (manifest.json), the wall and CPU seconds of generation and build, and
# the build's CPU microseconds per instruction (roughly constant when emission scales).
#
#   bash bench/scale.sh [ROBOT ...]          ROBOT: panda, anymal_c, g1, talos, or a file path
#   THUNDER=/path/to/thunder JOBS=2 bash bench/scale.sh panda
#
# Everything runs under `nice -n 10`. A g1 build takes minutes: run it alone.
set -euo pipefail
cd "$(dirname "$0")/.."
THUNDER=${THUNDER:-$(command -v thunder)}
JOBS=${JOBS:-2}
PY=${PY:-.venv/bin/python}
PREFIX=$(ls -d .venv/lib/python3.*/site-packages/cmeel.prefix | head -1)
ERD=$PREFIX/share/example-robot-data/robots
WORK=${WORK:-$(mktemp -d /tmp/thunder_scale.XXXXXX)}
mkdir -p "$WORK"
robots=("$@")
[ ${#robots[@]} -eq 0 ] && robots=(panda)

path_of() {
  case "$1" in
    panda) echo "$ERD/panda_description/urdf/panda.urdf --ee panda_hand" ;;
    anymal_c) echo "$ERD/anymal_c_simple_description/urdf/anymal.urdf --floating-base" ;;
    g1) echo "$ERD/g1_description/urdf/g1_29dof_rev_1_0.urdf --floating-base" ;;
    talos) echo "$ERD/talos_data/robots/talos_reduced.urdf --floating-base" ;;
    *) echo "$1" ;;
  esac
}

# seconds (wall, user+sys of the children) of a command
timed() {
  local t0 c0 t1 c1 me=$BASHPID   # this subshell: its children's CPU (cutime + cstime)
  t0=$(date +%s.%N)
  c0=$(awk '{print $16+$17}' /proc/$me/stat)
  "$@" > "$WORK/last.log" 2>&1 || { tail -20 "$WORK/last.log"; return 1; }
  t1=$(date +%s.%N)
  c1=$(awk '{print $16+$17}' /proc/$me/stat)
  echo "$(echo "$t1 - $t0" | bc) $(echo "($c1 - $c0) / $(getconf CLK_TCK)" | bc -l)"
}

echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), thunder $THUNDER, -j$JOBS"
echo "| robot | functions | instructions | chunk files | gen wall s | gen CPU s | build wall s | build CPU s | build CPU µs / instruction |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for r in "${robots[@]}"; do
  out="$WORK/$(basename "$r" .urdf)"
  rm -rf "$out"
  # shellcheck disable=SC2046
  read -r gw gc < <(timed nice -n 10 "$THUNDER" gen $(path_of "$r") -o "$out" --targets cpp -q)
  read -r cw cc < <(timed nice -n 10 cmake -S "$out/cpp" -B "$out/cpp/build" -DCMAKE_PREFIX_PATH="$PWD/$PREFIX" \
                      -DTHUNDER_BUILD_EXAMPLE=OFF)
  read -r bw bc < <(timed nice -n 10 cmake --build "$out/cpp/build" -j "$JOBS")
  read -r nf ni < <("$PY" -c "import json,sys; m=json.load(open(sys.argv[1])); f=m['functions']; print(len(f), sum(x.get('n_instructions', 0) for x in f))" "$out/manifest.json")
  nc=$(ls "$out/cpp" | grep -c '_c[0-9]*\.c$' || true)
  printf "| %s | %s | %s | %s | %.1f | %.1f | %.1f | %.1f | %.1f |\n" "$r" "$nf" "$ni" "$nc" "$gw" "$gc" "$bw" "$bc" \
    "$(echo "$bc * 1000000 / ($ni + 1)" | bc -l)"
done
