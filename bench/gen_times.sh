#!/usr/bin/env bash
# Issue 23's generation-time targets, one command after the other, each timed with
# /usr/bin/time (wall; user and sys CPU including the compilers it runs) and the load average
# before and after: Panda `gen --native --no-cuda` (default functions), g1 `gen --functions
# FD,M,integrate --native --no-cuda`, anymal_c `gen` (cpp) + cmake + `cmake --build -j2`.
#
#   bash bench/gen_times.sh            (WORK=/tmp/dir to keep the outputs; THUNDER=/path/to/thunder;
#                                       LEWIS=/path/to/lewis.yaml adds thunder_dynamics' lewis)
#
# Results: bench/RESULTS_SCALE.md ("Generation with native kernels").
set -uo pipefail
cd "$(dirname "$0")/.."
T=${THUNDER:-.venv/bin/thunder}
WORK=${WORK:-$(mktemp -d /tmp/thunder_gen_times.XXXXXX)}
P=$(ls -d "$PWD"/.venv/lib/python3.*/site-packages/cmeel.prefix | head -1)
ERD=$P/share/example-robot-data/robots
run() {
  echo "## $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg): $*"
  /usr/bin/time -f "wall %e s, user %U s, sys %S s" nice -n 10 "$@" > "$WORK/last.log" 2>&1
  local rc=$?
  tail -1 "$WORK/last.log"
  echo "rc=$rc load after $(cut -d' ' -f1-3 /proc/loadavg)"
}
rm -rf "$WORK/panda" "$WORK/g1" "$WORK/anymal" "$WORK/lewis"
run "$T" gen "$ERD/panda_description/urdf/panda.urdf" --ee panda_hand -o "$WORK/panda" --native --no-cuda -q
[ -n "${LEWIS:-}" ] && run "$T" gen "$LEWIS" -o "$WORK/lewis" --native --no-cuda -q
run "$T" gen "$ERD/g1_description/urdf/g1_29dof_rev_1_0.urdf" --floating-base -o "$WORK/g1" \
    --functions FD,M,integrate --native --no-cuda -q
run "$T" gen "$ERD/anymal_c_simple_description/urdf/anymal.urdf" --floating-base -o "$WORK/anymal" --targets cpp -q
run cmake -S "$WORK/anymal/cpp" -B "$WORK/anymal/cpp/build" -DCMAKE_PREFIX_PATH="$P" -DTHUNDER_BUILD_EXAMPLE=OFF
run cmake --build "$WORK/anymal/cpp/build" -j2
