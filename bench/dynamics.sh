#!/usr/bin/env bash
# Forward dynamics and derivatives, one command:   bash bench/dynamics.sh [--quick]
#
#  1. instruction counts of the constructions built (the analytic recursions of issue 21) against
#     those they replaced, CasADi AD of the unrolled recursions (THUNDER_FD_DERIVATIVES_ALTERNATIVES=1
#     generates those as *_ad; bench/recursion_counts.sh tabulates every function and robot);
#  2. C++ per call, one thread, -O2: FD, M_inv, tau_derivatives, FD_derivatives against
#     Pinocchio's aba, computeMinverse, computeRNEADerivatives, computeABADerivatives
#     (bench/dynamics/bench_dynamics.cpp; Pinocchio header-only, same compiler and flags);
#  3. thunder_torch: batched FD and step throughput (native and torch backends) against
#     solve(M, tau - Cdq - G) from our own pieces, and backward / forward of a 100-step rollout
#     (bench/dynamics/torch_dynamics.py).
# Robots: the Panda of example-robot-data (fingers locked, --ee panda_hand) and its simple
# humanoid with a free-flyer. Writes bench/RESULTS_DYNAMICS.md. Work files in bench/build/dynamics.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
QUICK=0
for a in "$@"; do
  case "$a" in
    --quick) QUICK=1 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "usage: bash bench/dynamics.sh [--quick]" >&2; exit 2 ;;
  esac
done
COMMAND="bash bench/dynamics.sh $*"
T0=$(date +%s)
log() { echo "[dynamics $(( $(date +%s) - T0 ))s] $*" >&2; }
VENV=${VENV:-$ROOT/.venv}
[ -x "$VENV/bin/python" ] || bash scripts/setup.sh --test
PY=$VENV/bin/python
THUNDER=${THUNDER:-$VENV/bin/thunder}
SITE=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
CMEEL=$SITE/cmeel.prefix
ERD=$CMEEL/share/example-robot-data/robots
WORK=$ROOT/bench/build/dynamics
RES=$WORK/results
mkdir -p "$WORK" "$RES"
FNS=FD,M_inv,tau_derivatives,FD_derivatives
# name|URDF|frame|gen arguments
ROBOTS=("panda|$ERD/panda_description/urdf/panda.urdf|panda_hand|--ee panda_hand"
        "humanoid|$ERD/simple_humanoid_description/urdf/simple_humanoid.urdf|r_wrist|--floating-base")

for r in "${ROBOTS[@]}"; do
  IFS='|' read -r name urdf frame args <<< "$r"
  log "1. $name: instruction counts (built vs AD)"
  # shellcheck disable=SC2086
  THUNDER_FD_DERIVATIVES_ALTERNATIVES=1 "$THUNDER" gen "$urdf" $args -n "$name" -o "$WORK/count_$name" --targets casadi \
    --functions "FD,M_inv,tau,dtau_dq,dtau_ddq,dFD_dq,dFD_ddq,dtau_dq_ad,dtau_ddq_ad,dFD_dq_ad,dFD_ddq_ad,tau_derivatives,tau_derivatives_ad,FD_derivatives,FD_derivatives_ad" -v \
    2> "$WORK/count_$name.log" >/dev/null
  grep -o 'built [A-Za-z_]*: [0-9]* instructions' "$WORK/count_$name.log" \
    | "$PY" -c 'import json,sys; print(json.dumps({l.split()[1][:-1]: int(l.split()[2]) for l in sys.stdin}))' \
    > "$RES/count_$name.json"
  log "2. $name: C++ per call vs Pinocchio"
  # shellcheck disable=SC2086
  "$THUNDER" gen "$urdf" $args -n "$name" -o "$WORK/gen_$name" --targets cpp --functions "$FNS" > "$WORK/gen_$name.log" 2>&1
  src=$WORK/src_$name
  mkdir -p "$src"
  for f in "$WORK/gen_$name"/cpp/*.c "$WORK/gen_$name"/cpp/*.h; do cmp -s "$f" "$src/${f##*/}" || cp "$f" "$src/"; done
  # files an earlier generation wrote and this one did not (the CMakeLists globs them)
  for f in "$src"/*; do [ -e "$WORK/gen_$name/cpp/${f##*/}" ] || rm -f "$f"; done
  fixed=""; [[ $args == *--ee* ]] && fixed=--fixed-base
  "$PY" bench/trees/pin_tree_model.py "$urdf" "$frame" "$WORK/$name.pin.txt" $fixed
  build=$WORK/build_$name
  cmake -S bench/dynamics -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$CMEEL" \
    -DTHUNDER_GEN_DIR="$src" -DTHUNDER_ROBOT="$name" -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
    -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" > "$build.log" 2>&1
  nice cmake --build "$build" >> "$build.log" 2>&1 || { tail -20 "$build.log" >&2; exit 1; }
  REPS=101; [ $QUICK = 1 ] && REPS=31
  "$build/bench_dynamics" "$WORK/$name.pin.txt" "$RES/cpp_$name.json" --reps $REPS
done

log "3. thunder_torch batched FD / step / rollout gradients"
"$PY" bench/dynamics/torch_dynamics.py "$WORK" "$RES/torch.json" $([ $QUICK = 1 ] && echo --quick)
"$PY" bench/dynamics/report.py "$RES" "$ROOT/bench/RESULTS_DYNAMICS.md" "$COMMAND"
log "wrote bench/RESULTS_DYNAMICS.md"
