#!/usr/bin/env bash
# One large function of the C++ library: compile CPU of CasADi's single file vs the chunks
# (issue 23; bench/RESULTS_SCALE.md).
#   bash bench/chunk_compile.sh [ROBOT_ARGS...]   default: anymal_c --floating-base, FUNCTION=C_ddot
#   FUNCTION=C_ddot TIMEOUT=900 bash bench/chunk_compile.sh path/to/robot.urdf --floating-base
set -euo pipefail
cd "$(dirname "$0")/.."
THUNDER=${THUNDER:-$(command -v thunder)}
FUNCTION=${FUNCTION:-C_ddot}
TIMEOUT=${TIMEOUT:-900}
PREFIX=$(ls -d .venv/lib/python3.*/site-packages/cmeel.prefix | head -1)
args=("$@")
[ ${#args[@]} -eq 0 ] && args=("$PREFIX/share/example-robot-data/robots/anymal_c_simple_description/urdf/anymal.urdf" --floating-base)
W=$(mktemp -d /tmp/thunder_chunks.XXXXXX)
nice -n 10 "$THUNDER" gen "${args[@]}" -o "$W/chunk" --functions "$FUNCTION" --targets cpp -q
THUNDER_CHUNK_ABOVE=1000000000 nice -n 10 "$THUNDER" gen "${args[@]}" -o "$W/one" --functions "$FUNCTION" --targets cpp -q
echo "$(grep -o '"n_instructions": [0-9]*' "$W/chunk/manifest.json"), $(ls "$W"/chunk/cpp/*_c[0-9]*.c | wc -l) chunk files"
cd "$W/chunk/cpp" && /usr/bin/time -f "chunks, serial: %e s wall %U s user" bash -c \
  'for f in *.c; do nice -n 10 cc -O2 -c "$f" -o "$f.o"; done'
cd "$W/one/cpp" && timeout "$TIMEOUT" /usr/bin/time -f "one file: %e s wall %U s user" \
  nice -n 10 cc -O2 -c ./*_"$FUNCTION".c -o one.o || echo "one file: not done in $TIMEOUT s"
