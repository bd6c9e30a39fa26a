#!/usr/bin/env bash
# Kinematic-tree / floating-base benchmarks (issue 11):   bash bench/trees.sh [--quick]
#
# For the humanoid g1 (29 dof) and the quadruped go1, both with a floating base, from
# example-robot-data, measures
#   1. `thunder gen` of all functions (--pytorch: C++, .casadi, torch): wall time and peak RSS
#      (/usr/bin/time -v); the compile of the generated C++ library at -O2 (time, peak RSS);
#   2. instruction counts of M, C, tau, Y (and G, J_com, A_G, a frame Jacobian): thunder's
#      manifest.json vs Pinocchio's algorithms on casadi::SX (bench/trees/pin_sx.cpp);
#   3. C++ per-call latency, thunder's generated C functions vs Pinocchio, one program, same
#      random states, outputs checked first (bench/trees/bench_trees.cpp);
# and writes bench/RESULTS_TREES.md. Work files go to bench/build/trees (ignored). The two
# Pinocchio programs (minutes of compiling each on 2 cores) are rebuilt only when their sources
# change, so later runs are much faster than the first.
# --quick: no compile of the generated C++ libraries (step 1 reports generation only) and 51
# timing repetitions instead of 201.
# Environment: VENV (default .venv), THUNDER (default: the venv's thunder), JOBS (default 2),
# COMPILE_LIMIT (seconds per library compile, default 150: the target is 120).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
QUICK=0
for a in "$@"; do
  case "$a" in
    --quick) QUICK=1 ;;
    *) echo "usage: bash bench/trees.sh [--quick]" >&2; exit 2 ;;
  esac
done
COMMAND="bash bench/trees.sh${*:+ $*}"
T0=$(date +%s)
log() { echo "[trees $(( $(date +%s) - T0 ))s] $*" >&2; }

VENV=${VENV:-$ROOT/.venv}
[ -x "$VENV/bin/python" ] || { log "no $VENV: running scripts/setup.sh --test"; bash scripts/setup.sh --test; }
PY=$VENV/bin/python
THUNDER=${THUNDER:-$VENV/bin/thunder}
JOBS=${JOBS:-2}
COMPILE_LIMIT=${COMPILE_LIMIT:-150}
export PATH="$VENV/bin:$PATH"
"$PY" -c "import pinocchio" 2>/dev/null || { echo "trees: Pinocchio missing (scripts/setup.sh --test)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "trees: /usr/bin/time (GNU time) needed for peak memory" >&2; exit 1; }
SITE=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
CMEEL=$SITE/cmeel.prefix
ERD=$CMEEL/share/example-robot-data/robots
WORK=$ROOT/bench/build/trees
RES=$WORK/results
mkdir -p "$WORK" "$RES"
rm -f "$RES"/*
note() { echo "$*" >> "$RES/notes.txt"; log "$*"; }

# name | URDF | benchmarked frame (manifest "frames": a foot)
ROBOTS=("g1|$ERD/g1_description/urdf/g1_29dof_rev_1_0.urdf|left_ankle_roll_link"
        "go1|$ERD/go1_description/urdf/go1.urdf|FL_foot")

# GNU time's report -> "seconds peak_MiB"
time_stats() {
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i] }
              /Maximum resident set size/ { m = $2 / 1024 } END { printf "%.2f %.0f\n", s, m }' "$1"
}

# ---- 1. generation (all functions) and the C++ library compile --------------------------------
for r in "${ROBOTS[@]}"; do
  IFS='|' read -r name urdf frame <<< "$r"
  out=$WORK/gen_all/$name
  rm -rf "$out"
  log "1. thunder gen $name --floating-base --pytorch (all functions)"
  /usr/bin/time -v -o "$WORK/gen_$name.time" "$THUNDER" gen "$urdf" --floating-base --pytorch \
    -n "$name" -o "$out" > "$WORK/gen_$name.log" 2>&1 || { tail -5 "$WORK/gen_$name.log" >&2; exit 1; }
  read -r s mib < <(time_stats "$WORK/gen_$name.time")
  nfn=$("$PY" -c "import json,sys; print(len(json.load(open(sys.argv[1]))['functions']))" "$out/manifest.json")
  echo "{\"gen_s\": $s, \"gen_peak_mib\": $mib, \"n_functions\": $nfn, \"c_mib\": $(du -sm "$out/cpp" | cut -f1)}" \
    > "$RES/gen_$name.json"
  if [ $QUICK = 0 ]; then
    log "1. compile the C++ library of $name (-O2, -j$JOBS)"
    lib=$WORK/lib_$name
    rm -rf "$lib"
    cmake -S "$out/cpp" -B "$lib" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$CMEEL" \
      -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" > "$lib.log" 2>&1
    # bounded (COMPILE_LIMIT s), so that the run stays short: past it the target is missed
    # anyway, and what was built by then (ninja's log) is reported instead
    rc=0
    timeout "$COMPILE_LIMIT" /usr/bin/time -v -o "$lib.time" cmake --build "$lib" -j"$JOBS" >> "$lib.log" 2>&1 || rc=$?
    if [ $rc = 0 ]; then
      read -r s mib < <(time_stats "$lib.time")
      echo "{\"compile_s\": $s, \"compile_peak_mib\": $mib, \"jobs\": $JOBS}" > "$RES/compile_$name.json"
    elif [ $rc = 124 ]; then
      total=$(ls "$out"/cpp/*.c "$out"/cpp/*.cpp | wc -l)
      done_=$(grep -c '\.o\s' "$lib/.ninja_log" || true)
      echo "{\"compile_s\": null, \"limit_s\": $COMPILE_LIMIT, \"files_done\": $done_, \"files_total\": $total, \"jobs\": $JOBS}" > "$RES/compile_$name.json"
      note "C++ library of $name: not finished after the ${COMPILE_LIMIT} s limit (-j$JOBS), $done_ of $total files compiled (not compiled: $(cd "$out/cpp" && for f in *.c *.cpp; do grep -q "/${f}.o\s" "$lib/.ninja_log" || printf '%s ' "${f%.*}"; done))"
    else
      note "C++ library of $name failed to compile (bench/build/trees/lib_$name.log): $(tail -3 "$lib.log" | tr '\n' ' ')"
    fi
  fi
done
[ $QUICK = 1 ] && note "--quick: no compile of the generated C++ libraries; 51 timing repetitions"

# ---- Pinocchio models for the C++ programs ------------------------------------------------------
for r in "${ROBOTS[@]}"; do
  IFS='|' read -r name urdf frame <<< "$r"
  "$PY" bench/trees/pin_tree_model.py "$urdf" "$frame" "$WORK/$name.pin.txt"
done

# ---- 2. Pinocchio on casadi::SX: built in the background while step 3 builds (both are
# minutes of compiling Pinocchio's headers), run once both builds are done ----------------------
log "2./3. building bench/trees/pin_sx.cpp and bench/trees/bench_trees.cpp (cached builds)"
SX=$WORK/pin_sx_build
( cmake -S bench/trees -B "$SX" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBENCH_ROBOTS= \
    -DCMAKE_PREFIX_PATH="$CMEEL;$SITE/casadi/cmake" > "$SX.log" 2>&1 &&
  nice cmake --build "$SX" >> "$SX.log" 2>&1 ) &
SX_PID=$!

# ---- 3. C++ per call vs Pinocchio -----------------------------------------------------------------
SPEC=""
for r in "${ROBOTS[@]}"; do
  IFS='|' read -r name urdf frame <<< "$r"
  sel=$WORK/gen_sel/$name
  rm -rf "$sel"
  "$THUNDER" gen "$urdf" --floating-base -n "$name" -o "$sel" --targets cpp --frames "$frame" \
    --functions "M,tau,G,Cdq,J_com,A_G,Y,T_w_$frame,J_$frame" > "$WORK/gen_sel_$name.log" 2>&1 \
    || { tail -5 "$WORK/gen_sel_$name.log" >&2; exit 1; }
  # a stable copy: a file is replaced only when its content changed, so that ninja does not
  # recompile the benchmark on every run
  src=$WORK/src_$name
  mkdir -p "$src"
  for f in "$sel"/cpp/*.c "$sel"/cpp/*.h; do cmp -s "$f" "$src/${f##*/}" || cp "$f" "$src/"; done
  SPEC+="${SPEC:+;}$name|$src|$frame"
done
LAT=$WORK/bench_trees_build
REPS=201; [ $QUICK = 1 ] && REPS=51
ARGS=()
for r in "${ROBOTS[@]}"; do IFS='|' read -r name urdf frame <<< "$r"; ARGS+=("$name=$WORK/$name.pin.txt"); done
if cmake -S bench/trees -B "$LAT" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$CMEEL" \
     -DBENCH_ROBOTS="$SPEC" -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
     -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" > "$LAT.log" 2>&1 &&
   nice cmake --build "$LAT" -j"$JOBS" >> "$LAT.log" 2>&1; then
  LAT_OK=1
else
  LAT_OK=0
  note "C++ latency program did not build (bench/build/trees/bench_trees_build.log): $(grep -m3 error "$LAT.log" | cut -c1-300 | tr '\n' ' ')"
fi
if wait $SX_PID; then
  log "2. Pinocchio on casadi::SX"
  for r in "${ROBOTS[@]}"; do
    IFS='|' read -r name urdf frame <<< "$r"
    "$SX/pin_sx" "$WORK/$name.pin.txt" "$RES/sx_$name.json" 2>> "$SX.log" \
      || note "pin_sx failed on $name (bench/build/trees/pin_sx_build.log)"
  done
else
  note "Pinocchio-on-SX program did not build (bench/build/trees/pin_sx_build.log): $(grep -m3 error "$SX.log" | cut -c1-300 | tr '\n' ' ')"
fi
if [ $LAT_OK = 1 ]; then
  log "3. C++ per call ($REPS repetitions)"
  "$LAT/bench_trees" "$RES/cpp.json" "${ARGS[@]}" --reps "$REPS" 2>> "$LAT.log" \
    || note "bench_trees: outputs disagree with Pinocchio or the run failed (bench/build/trees/bench_trees_build.log)"
fi

# ---- report ---------------------------------------------------------------------------------------
note "total run time: $(( $(date +%s) - T0 )) s"
"$PY" bench/trees/report.py "$RES" "$WORK/gen_all" "$ROOT/bench/RESULTS_TREES.md" "$COMMAND" "$THUNDER"
log "done: bench/RESULTS_TREES.md"
