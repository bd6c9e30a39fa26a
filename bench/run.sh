#!/usr/bin/env bash
# Thunder benchmarks, one command:   bash bench/run.sh [--quick]
#
# Installs what the benchmarks need into the repository's .venv (creating it with
# scripts/setup.sh when missing), builds `thunder`, generates the robots, runs
#   1. generation (time, sizes, instruction counts; C++ library compile time for Panda),
#   2. C++ per-call latency vs Pinocchio (-O2, and -O3 -march=native in full mode),
#   3./4. PyTorch CPU throughput of thunder_torch (torch backend and "thunder native", the
#      kernels of `thunder gen --native --no-cuda`) vs CusADi-style / adam / pytorch_kinematics,
#      a serial Pinocchio loop (from 2.), torch.compile, autograd cost,
# and writes bench/RESULTS.md and bench/plots/*.png. Work files go to bench/build/ (ignored);
# the thunder build, the native Panda kernels (keyed on the thunder binary, URDF and manifest)
# and the C++ benchmark program (its generated sources are only replaced when they change) are
# reused from there by later runs.
# --quick (under 2 minutes on a 2-core machine once those builds are cached): only the franka
# and panda robots generated (no 15/30-joint chains), no compile of the generated C++ library
# (C++ benchmark without the wrapper, 51 reps), no -O3 run, PyTorch: batches 1 and 4096,
# functions M, C, G, Yr, FD only, implementations thunder / thunder native / cusadi (no adam,
# no pytorch_kinematics), fewer repetitions, no torch.compile, autograd for M and tau in float32.
# Environment: VENV (default .venv), THUNDER (a prebuilt thunder executable).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
QUICK=0
for a in "$@"; do
  case "$a" in
    --quick) QUICK=1 ;;
    *) echo "usage: bash bench/run.sh [--quick]" >&2; exit 2 ;;
  esac
done
COMMAND="bash bench/run.sh $*"
T0=$(date +%s)
log() { echo "[bench $(( $(date +%s) - T0 ))s] $*" >&2; }

VENV=${VENV:-$ROOT/.venv}
if [ ! -x "$VENV/bin/python" ]; then
  log "no $VENV: running scripts/setup.sh"
  bash scripts/setup.sh
fi
PY="$VENV/bin/python"
WORK=$ROOT/bench/build
RES=$WORK/results
mkdir -p "$WORK" "$RES" "$ROOT/bench/plots"
: > "$RES/notes.txt"
note() { echo "$*" >> "$RES/notes.txt"; log "$*"; }

# ---- packages (torch pinned: nothing may replace it) -------------------------------------------
TORCH_PIN="torch==$("$PY" -c 'import torch; print(torch.__version__.split("+")[0])' 2>/dev/null || echo 2.13.0)"
PIP=("$PY" -m pip --disable-pip-version-check)
for pkg in pin example-robot-data adam-robotics pytorch-kinematics matplotlib; do
  mod=$(case $pkg in pin) echo pinocchio;; example-robot-data) echo "";; adam-robotics) echo adam;;
        pytorch-kinematics) echo pytorch_kinematics;; *) echo $pkg;; esac)
  if "${PIP[@]}" show -q "$pkg" >/dev/null 2>&1 && { [ -z "$mod" ] || "$PY" -c "import $mod" 2>/dev/null; }; then
    continue
  fi
  plan=$("${PIP[@]}" install --dry-run --report - -q "$pkg" "$TORCH_PIN" 2>/dev/null \
         | "$PY" -c 'import json,sys; r=json.load(sys.stdin); print(" ".join(i["metadata"]["name"]+"=="+i["metadata"]["version"] for i in r.get("install",[])))' 2>/dev/null) || {
    note "$pkg: not installable here (pip dry run failed); its rows are skipped"; continue; }
  if echo "$plan" | tr ' ' '\n' | grep -qi '^torch=='; then
    note "$pkg: would replace the pinned $TORCH_PIN ($plan); not installed, its rows are skipped"; continue
  fi
  log "installing $pkg ($plan)"
  "${PIP[@]}" install -q "$pkg" "$TORCH_PIN" || note "$pkg: install failed; its rows are skipped"
done

SITE=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
CMEEL=$("$PY" -c 'import sys, os; print(next(os.path.join(p, "cmeel.prefix") for p in sys.path if os.path.isdir(os.path.join(p, "cmeel.prefix"))))')
URDF=$CMEEL/share/example-robot-data/robots/panda_description/urdf/panda.urdf
[ -f "$URDF" ] || { echo "bench: $URDF not found (example-robot-data)" >&2; exit 1; }
export PATH="$VENV/bin:$PATH"
export PYTHONPATH="$ROOT/python${PYTHONPATH:+:$PYTHONPATH}"

# ---- thunder --------------------------------------------------------------------------------------
THUNDER=${THUNDER:-}
if [ -z "$THUNDER" ]; then
  log "building thunder (build/bench)"
  cmake -S . -B build/bench -G Ninja -DPython_EXECUTABLE="$PY" >"$WORK/thunder_cmake.log" 2>&1
  cmake --build build/bench --target thunder >>"$WORK/thunder_cmake.log" 2>&1 \
    || { tail -30 "$WORK/thunder_cmake.log" >&2; exit 1; }
  THUNDER=$ROOT/build/bench/thunder
fi
PYTHONPATH="$ROOT/bench:$PYTHONPATH" "$PY" -c \
  'import json; from timing import machine_info; print(json.dumps(machine_info()))' > "$RES/machine.json"

# ---- 1. generation ------------------------------------------------------------------------------
ROBOTS=(--robot "franka=robots/franka.yaml" --robot "panda=$URDF")
COMPILE=()
if [ $QUICK = 0 ]; then
  "$PY" bench/gen_chain.py 15 "$WORK/chain15.yaml"
  "$PY" bench/gen_chain.py 30 "$WORK/chain30.yaml"
  ROBOTS+=(--robot "chain15=$WORK/chain15.yaml" --robot "chain30=$WORK/chain30.yaml")
  COMPILE=(--compile panda)
else
  note "--quick: no 15/30-joint chains, no compile of the generated C++ library, no -O3 run; PyTorch: batches 1 and 4096, functions M, C, G, Yr, FD, no adam / pytorch_kinematics, no torch.compile, autograd for M and tau in float32 only"
fi
log "1. generation"
"$PY" bench/bench_gen.py "$THUNDER" "$WORK/gen" "$RES/gen.json" "${ROBOTS[@]}" "${COMPILE[@]}" \
  --cmake-prefix "$CMEEL"
GEN=$WORK/gen/panda

# native kernels of the same Panda generation (about a minute of C compilation: cached)
NATIVE=$WORK/native/panda
NKEY="$(cat "$THUNDER" "$URDF" "$GEN/manifest.json" | sha256sum | cut -c1-64) --native --no-cuda -O2"
if [ -f "$NATIVE.key" ] && [ "$(cat "$NATIVE.key")" = "$NKEY" ] \
   && [ -f "$NATIVE/native/libthunder_panda_f64.so" ] && [ -f "$NATIVE/native/libthunder_panda_f32.so" ]; then
  note "native Panda kernels reused from bench/build/native (same thunder binary, URDF and manifest)"
else
  log "thunder gen panda --native --no-cuda"
  rm -rf "$NATIVE" "$NATIVE.key"; mkdir -p "$WORK/native"
  TN=$(date +%s)
  if "$THUNDER" gen "$URDF" -o "$NATIVE" -n panda --native --no-cuda >"$WORK/native.log" 2>&1; then
    echo "$NKEY" > "$NATIVE.key"
    note "native Panda kernels: \`thunder gen --native --no-cuda\` took $(( $(date +%s) - TN )) s (27 functions + reverse partners, float64 and float32, -O2)"
  else
    note "thunder gen --native failed (bench/build/native.log): $(tail -3 "$WORK/native.log" | tr '\n' ' '); no native rows"
    rm -rf "$NATIVE"
  fi
fi
# ---- 2. C++ ---------------------------------------------------------------------------------------
log "2. C++ vs Pinocchio"
"$PY" bench/pin_model.py "$URDF" panda_hand "$WORK/panda_pin.txt"
# a stable copy of the generated sources: a file is replaced only when its content changed, so
# that ninja does not rebuild the (slow, Pinocchio) benchmark program on every run
CPPSRC=$WORK/panda_cpp
mkdir -p "$CPPSRC"
for f in "$GEN"/cpp/*; do
  [ -f "$f" ] && { cmp -s "$f" "$CPPSRC/${f##*/}" || cp "$f" "$CPPSRC/"; }
done
cpp_run() {  # name flags wrapper reps
  local b=$WORK/cpp_$1
  cmake -S bench/cpp -B "$b" -G Ninja -DTHUNDER_GEN_DIR="$CPPSRC" -DTHUNDER_ROBOT=panda \
    -DCMAKE_PREFIX_PATH="$CMEEL" -DBENCH_WRAPPER="$3" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_FLAGS_RELEASE="$2 -DNDEBUG" -DCMAKE_CXX_FLAGS_RELEASE="$2 -DNDEBUG" >"$b.log" 2>&1 &&
  cmake --build "$b" -j2 --target bench_cpp >>"$b.log" 2>&1 &&
  "$b/bench_cpp" "$WORK/panda_pin.txt" "$RES/cpp_$1.json" --reps "$4" 2>>"$b.log" || {
    note "C++ benchmark $1 failed (log: bench/build/cpp_$1.log): $(tail -3 "$b.log" | tr '\n' ' ')"; }
}
rm -f "$RES"/cpp_*.json
if [ $QUICK = 1 ]; then
  cpp_run O2 "-O2" OFF 51
  note "--quick: the C++ benchmark times the direct C calls only (the wrapper needs the whole library compiled)"
else
  cpp_run O2 "-O2" ON 201
  cpp_run O3 "-O3 -march=native" OFF 201
fi

# ---- 3./4. PyTorch --------------------------------------------------------------------------------
log "3./4. PyTorch"
TQ=(); [ $QUICK = 1 ] && TQ=(--quick)
[ -d "$NATIVE" ] && TQ+=(--native-dir "$NATIVE")
"$PY" bench/bench_torch.py "$GEN" "$URDF" "$RES/torch.json" "${TQ[@]}" 2> >(grep --line-buffered -v "Unknown attribute" >&2) \
  || note "PyTorch benchmark failed (see the log)"

# ---- report ---------------------------------------------------------------------------------------
note "total run time: $(( $(date +%s) - T0 )) s"
"$PY" bench/report.py "$RES" "$ROOT/bench" "$COMMAND"
log "done: bench/RESULTS.md, bench/plots/"
