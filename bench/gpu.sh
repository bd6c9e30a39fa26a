#!/usr/bin/env bash
# GPU benchmark in one command, on a machine with one NVIDIA GPU (whole run < 5 min):
#   bash bench/gpu.sh                 installs what it needs, generates Panda with the CUDA kernels,
#                                     checks correctness, measures, writes bench/RESULTS_GPU.md + plot
#   bash bench/gpu.sh --dry-run       every path that needs no GPU (install, generation, argument
#                                     handling, correctness check, report writing) with the CPU in
#                                     place of the GPU; writes bench/build/gpu/RESULTS_GPU.dry-run.md
# Options: --robot FILE (default: example-robot-data's Panda URDF), --functions LIST, --batches
# LIST, --dtypes LIST, --min-time S (per measurement). Implementations: thunder native (CUDA
# kernels), thunder torch (eager and CUDA-graph captured), CusADi-style torch, see gpu_bench.py.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DRY=0; ROBOT=""; FUNCTIONS="M,C,G,Yr,J_ee"; BATCHES=""; DTYPES="float32,float64"; MIN_TIME=0.2
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY=1 ;;
    --robot) ROBOT=$2; shift ;;
    --functions) FUNCTIONS=$2; shift ;;
    --batches) BATCHES=$2; shift ;;
    --dtypes) DTYPES=$2; shift ;;
    --min-time) MIN_TIME=$2; shift ;;
    -h|--help) sed -n 2,10p "$0"; exit 0 ;;
    *) echo "gpu.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
log() { echo "gpu.sh: $*" >&2; }
WORK=$ROOT/bench/build/gpu
mkdir -p "$WORK"

# ---- install -----------------------------------------------------------------------------------
if [ ! -x .venv/bin/thunder ]; then
  log "installing (scripts/setup.sh --test)"
  bash scripts/setup.sh --test
fi
PY=$ROOT/.venv/bin/python
export PATH="$ROOT/.venv/bin:$PATH"
if [ $DRY = 0 ]; then
  "$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' \
    || { log "torch.cuda.is_available() is False: no GPU (or a CPU-only torch); use --dry-run"; exit 1; }
  command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ] || [ -n "${NVCC:-}" ] \
    || { log "nvcc not found (set \$NVCC)"; exit 1; }
fi
if [ -z "$ROBOT" ]; then
  CMEEL=$("$PY" -c 'import sys, os; print(next(os.path.join(p, "cmeel.prefix") for p in sys.path if os.path.isdir(os.path.join(p, "cmeel.prefix"))))')
  ROBOT=$CMEEL/share/example-robot-data/robots/panda_description/urdf/panda.urdf
fi
[ -f "$ROBOT" ] || { log "$ROBOT not found"; exit 1; }

# ---- generation --------------------------------------------------------------------------------
GEN=$WORK/gen
if [ $DRY = 1 ]; then
  # CUDA sources written, not compiled (NVCC=none); the CPU library stands in for the GPU one
  log "dry run: thunder gen $ROBOT --native (CUDA sources only)"
  rm -rf "$GEN"
  NVCC=none thunder gen "$ROBOT" -o "$GEN" -n robot --targets casadi,native --native-opt 1 --functions "$FUNCTIONS" \
    > "$WORK/gen.log" 2>&1 \
    || { tail -20 "$WORK/gen.log" >&2; exit 1; }
  ls "$GEN"/native/cuda/*.cu > /dev/null
  DEVICE=cpu; OUT=$WORK/RESULTS_GPU.dry-run.md; BATCHES=${BATCHES:-1,64}
else
  log "thunder gen $ROBOT --native (CPU + CUDA kernels)"
  rm -rf "$GEN"
  thunder gen "$ROBOT" -o "$GEN" -n robot --targets casadi,native --functions "$FUNCTIONS" > "$WORK/gen.log" 2>&1 \
    || { tail -20 "$WORK/gen.log" >&2; exit 1; }
  DEVICE=cuda; OUT=$ROOT/bench/RESULTS_GPU.md; BATCHES=${BATCHES:-1,64,4096,65536,1048576}
fi

# ---- correctness, measurements, report ---------------------------------------------------------
CMD="bash bench/gpu.sh$([ $DRY = 1 ] && echo ' --dry-run')"
"$PY" bench/gpu_bench.py "$GEN" "$OUT" --device $DEVICE --functions "$FUNCTIONS" --batches "$BATCHES" \
  --dtypes "$DTYPES" --min-time "$MIN_TIME" --command "$CMD"
log "done: $OUT"
