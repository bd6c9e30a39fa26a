#!/usr/bin/env bash
# The main job: set up, generate the bundled Franka Panda (C++ library, .casadi files, PyTorch
# module), build and run the generated C++ example, and use the PyTorch module.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
thunder gen robots/franka.yaml -o gen/franka --pytorch
prefix=$(.venv/bin/python -c "import sys, os; print(next(os.path.join(p, 'cmeel.prefix') for p in sys.path if os.path.isdir(os.path.join(p, 'cmeel.prefix'))))")
cmake -S gen/franka/cpp -B gen/franka/cpp/build -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build gen/franka/cpp/build
.venv/bin/python examples/use_panda.py gen/franka
