#!/usr/bin/env bash
# Instruction counts of the analytic recursions (issue 21) against the constructions they replace,
# one command:   bash bench/recursion_counts.sh [ROBOT ...]
#
# `thunder gen` with THUNDER_FD_DERIVATIVES_ALTERNATIVES=1 builds, beside each function, the
# construction it had before (CasADi AD of the unrolled recursion: *_ad; C as the Jacobian of the
# Slotine-Li recursion: C_slotine_li; M_inv by ABA on unit torques: M_inv_aba; FD, the smaller of ABA
# and the factorization, against FD_aba), and prints n_instructions of each (-v). Prints a markdown table (stdout):
# robot, function, built now, before, ratio. Robots (default all): panda (example-robot-data URDF,
# --ee panda_hand), franka (robots/franka.yaml, DH), solo12, go1, humanoid (simple_humanoid), g1
# (floating bases). Work files in bench/build/recursion_counts.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=${VENV:-$ROOT/.venv}
PY=$VENV/bin/python
THUNDER=${THUNDER:-$VENV/bin/thunder}
ERD=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/cmeel.prefix/share/example-robot-data/robots
WORK=$ROOT/bench/build/recursion_counts
mkdir -p "$WORK"
declare -A SRC=(
  [panda]="$ERD/panda_description/urdf/panda.urdf|--ee panda_hand"
  [franka]="$ROOT/robots/franka.yaml|"
  [solo12]="$ERD/solo_description/robots/solo12.urdf|--floating-base"
  [go1]="$ERD/go1_description/urdf/go1.urdf|--floating-base"
  [humanoid]="$ERD/simple_humanoid_description/urdf/simple_humanoid.urdf|--floating-base"
  [g1]="$ERD/g1_description/urdf/g1_29dof_rev_1_0.urdf|--floating-base"
)
ROBOTS=("$@")
[ ${#ROBOTS[@]} -gt 0 ] || ROBOTS=(panda franka solo12 go1 humanoid g1)
# function now | the construction before
PAIRS="tau_derivatives|tau_derivatives_ad FD_derivatives|FD_derivatives_ad dtau_dq|dtau_dq_ad dtau_ddq|dtau_ddq_ad
dFD_dq|dFD_dq_ad dFD_ddq|dFD_ddq_ad M_inv|M_inv_aba FD|FD_aba C|C_slotine_li Y|Y_ad Yr|Yr_ad"
FNS=$(echo $PAIRS | tr ' |' ',,')
echo "| robot | nv | function | now | before | now / before |"
echo "|---|---|---|---|---|---|"
for r in "${ROBOTS[@]}"; do
  IFS='|' read -r src args <<< "${SRC[$r]}"
  # shellcheck disable=SC2086
  THUNDER_FD_DERIVATIVES_ALTERNATIVES=1 "$THUNDER" gen "$src" $args -n "$r" -o "$WORK/$r" --targets casadi \
    --functions "$FNS" -v 2> "$WORK/$r.log" > /dev/null
  PAIRS="$PAIRS" "$PY" - "$WORK/$r.log" "$r" "$WORK/$r/manifest.json" <<'EOF'
import json, os, re, sys
log, robot, manifest = sys.argv[1:4]
n = {m.group(1): int(m.group(2)) for m in re.finditer(r"built (\w+): (\d+) instructions", open(log).read())}
nv = json.load(open(manifest))["nv"]
for pair in os.environ["PAIRS"].split():
    now, before = pair.split("|")
    if now in n and before in n:
        label = "FD (factorization / ABA)" if now == "FD_ltdl" else now
        print(f"| {robot} | {nv} | {label} | {n[now]:,} | {n[before]:,} | {n[now] / n[before]:.2f} |")
EOF
done
