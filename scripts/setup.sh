#!/usr/bin/env bash
# Creates .venv (once) and installs Thunder into it: the C++ core (`thunder`), thunder_torch with
# torch (the `torch` extra), and
# with `--test` the test and reference packages (pytest, Pinocchio, Robotics Toolbox, ...).
# Re-running it rebuilds incrementally.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv" >&2
  "$PYTHON" -m venv .venv
fi
PIP=(.venv/bin/python -m pip install --disable-pip-version-check -q)

# Build requirements first: the project is built without isolation so that the `thunder`
# executable links the very casadi/cmeel libraries that the venv keeps at run time.
"${PIP[@]}" "scikit-build-core>=0.10" "pybind11>=2.12" "cmake>=3.20" ninja "casadi==3.7.2" cmeel-yaml-cpp cmeel-tinyxml2 \
  cmeel-eigen
# torch is an extra of the package (the C++ side does not need it); this script installs it.
extras="[torch]"
if [ "${1:-}" = "--test" ]; then extras="[torch,test]"; fi
echo "setup: building and installing thunder${extras}" >&2
"${PIP[@]}" --no-build-isolation -e ".${extras}"
