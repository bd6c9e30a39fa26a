#!/usr/bin/env bash
# Sets up .venv with the test dependencies and runs the whole test suite (C++ unit tests are run
# from pytest, tests/test_cli.py). Exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export PATH="$PWD/.venv/bin:$PATH"
exec .venv/bin/python -m pytest -q "$@"
