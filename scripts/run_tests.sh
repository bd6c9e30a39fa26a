#!/usr/bin/env bash
# Sets up .venv with the test dependencies and runs the whole test suite (C++ unit tests are run
# from pytest, tests/test_cli.py). Exits non-zero when any test fails.
#
#   bash scripts/run_tests.sh            the default run: everything but the slow group, on two
#                                        pytest-xdist workers (a file stays on one worker)
#   bash scripts/run_tests.sh --slow     also the slow group (full native function sets, the
#                                        mutation check; docs/TESTING.md)
#   bash scripts/run_tests.sh -n 0 tests/test_cli.py     any pytest arguments (-n 0: one process)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export PATH="$PWD/.venv/bin:$PATH"
exec .venv/bin/python -m pytest -q -n 2 --dist loadfile "$@"
