"""One op table: every CasADi operation, walked from casadi's own OP_* list, is accepted by the
torch exporter, the CUDA emitter and the SIMD emitter alike, reaches thunder_torch with a name and
an arity that `_engine.OPS` knows, and evaluates in thunder_torch, in the CUDA kernels (built as
host C++) and in the SIMD CPU kernels as CasADi evaluates it, edge values (nan, inf) included.

The exporters are probed, not parsed: `thunder-torch-toy --ops OUT` (tests/cpp_tools) builds a
one-operation function per CasADi op code, tries the torch exporter, the CUDA emitter and the SIMD
emitter on it, writes OUT/op_table.json, exports every accepted one as op_<code> and writes their
CUDA kernels to OUT/cuda_ops.cu and their SIMD tile kernels to OUT/simd_ops.cpp. So the test holds whether
the three tables stay apart or become one.
"""
import itertools
import json
import subprocess

import numpy as np
import pytest
import torch

casadi = pytest.importorskip("casadi")

import thunder_torch as tt  # noqa: E402
from thunder_torch import _engine  # noqa: E402
from test_torch_runtime import _toy_driver  # noqa: E402


@pytest.fixture(scope="module")
def ops(tmp_path_factory):
    exe = _toy_driver()
    if not exe:
        pytest.skip("thunder-torch-toy not built")
    out = tmp_path_factory.mktemp("ops")
    subprocess.run([exe, "--ops", str(out)], check=True, capture_output=True, text=True)
    table = {e["op"]: e for e in json.loads((out / "op_table.json").read_text())}
    return out, table


def casadi_op_codes():
    return {name: getattr(casadi, name) for name in dir(casadi)
            if name.startswith("OP_") and isinstance(getattr(casadi, name), int)}


def value_ops(table):
    """Op codes of operations on values that survive as an SX instruction."""
    return sorted(op for op, e in table.items() if e["math"] and e["present"])


def test_every_casadi_op_is_probed(ops):
    _, table = ops
    codes = casadi_op_codes()
    assert len(codes) > 60
    missing = {name: code for name, code in codes.items() if code not in table}
    assert not missing, missing
    # the arithmetic the robots use is among the value operations (sanity of the probe itself)
    for name in ("OP_ADD", "OP_MUL", "OP_SIN", "OP_SQRT", "OP_ERFINV", "OP_REMAINDER", "OP_SIGN"):
        assert table[codes[name]]["math"] and table[codes[name]]["present"], name


def test_torch_exporter_and_native_emitters_accept_the_same_ops(ops):
    _, table = ops
    disagree = {e["name"]: (e["torch_error"], e["cuda_error"], e["simd_error"]) for e in table.values()
                if e["math"] and e["present"] and not e["torch"] == e["cuda"] == e["simd"]}
    assert not disagree, disagree
    # and every value operation is accepted: generation must never stop at an op CasADi made
    rejected = {table[op]["name"]: table[op]["torch_error"] for op in value_ops(table) if not table[op]["torch"]}
    assert not rejected, rejected


def test_runtime_table_knows_every_exported_op(ops):
    """Every step of every op_<code> schedule (forward and reverse) names an op of _engine.OPS
    (the loader refuses any other), and each step has the operands OPS declares."""
    out, table = ops
    index, schedules = _engine.read_artifact(out / "torch")
    names = {f["name"] for f in index["functions"]}
    assert names == {f"op_{op}" for op in value_ops(table)}
    used = set()
    for name, (_, fwd, rev) in schedules.items():
        for part, sched in (("forward", fwd), ("reverse", rev)):
            for op, _, n, operands in sched.steps:
                assert op in _engine.OPS, (name, part, op)
                assert len(operands) == _engine.OPS[op][0], (name, part, op)
                used.add(op)
    assert "fma" in used and "erfinv" in used and "remainder" in used


# nan and +-inf: where the IEEE functions differ from their look-alikes (fmin(nan, 1) = 1 but
# torch.minimum(nan, 1) = nan; comparisons with nan are false; sign(nan) = nan; inf - inf = nan).
EDGE = [0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.5, -2.5, 0.25, 3.0, 1.5, -1.5, 7.0, 0.7, -0.7, 0.95, -0.95,
        float("nan"), float("inf"), float("-inf")]

# Where the two sides may differ, and why:
# - erfinv: CasADi's own erfinv (casadi/core/calculus.hpp, used by its evaluator and its C code)
#   is a rational approximation, off the exact value by up to 3.3e-6 relative near |x| = 0.7
#   (measured on 20,000 points of (-1, 1)); torch.erfinv is exact to rounding.
# - fmin, fmax: IEEE 754 leaves the sign of fmin(0, -0) to the implementation.
RTOL = {"erfinv": 5e-6}
ZERO_SIGN_FREE = {"fmin", "fmax"}


def edge_pairs():
    return np.ascontiguousarray(np.array(list(itertools.product(EDGE, EDGE))))   # (pairs, 2)


def mismatches(out, table, backend, evaluate):
    """[description] of every op_<code> whose values evaluate(name, x) differ from CasADi's own
    evaluation of the same function on every pair of edge values. Exact: one libm call or one IEEE
    operation on each side; a zero must carry the same sign (copysign, atan2 and 1/x see it), a
    nan must be a nan."""
    x = edge_pairs()
    failures = []
    for op in value_ops(table):
        name = f"op_{op}"
        f = casadi.Function.load(str(out / "casadi" / f"{name}.casadi"))
        want = np.array(f.map(len(x))(x.T)).ravel()
        got = evaluate(name, x)
        opname = table[op]["name"]
        same = (got == want) | (np.isnan(got) & np.isnan(want))
        if opname not in ZERO_SIGN_FREE:
            same &= ~((want == 0) & (np.signbit(got) != np.signbit(want)))
        # libm differences in the last bit for the transcendental functions
        near = np.isclose(got, want, rtol=RTOL.get(opname, 4e-16), atol=0) & (np.signbit(got) == np.signbit(want))
        bad = ~(same | near)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            failures.append(f"{opname}{tuple(x[k])}: {backend} {got[k]!r}, casadi {want[k]!r} "
                            f"({int(bad.sum())} pairs)")
    return failures


def test_runtime_values_match_casadi_at_edge_values(ops):
    """Each op_<code> in thunder_torch (float64) against CasADi on every pair of edge values
    (zeros of both signs, ties such as 2.5 for remainder and rounding, equal operands for the
    comparisons, nan and +-inf, values outside a domain giving nan)."""
    out, table = ops
    module = tt.load(out, dtype=torch.float64)
    failures = mismatches(out, table, "torch",
                          lambda name, x: getattr(module, name)(torch.tensor(x)).reshape(-1).numpy())
    assert not failures, failures


# CUDA's device library has erfinv; the host C++ library does not. For the host build only: the
# exact inverse by Newton steps on erf from CasADi-independent start values.
HOST_ERFINV = r"""
#include <math.h>
static inline double erfinv(double y) {
  if (!(y > -1 && y < 1)) return y == 1 ? INFINITY : y == -1 ? -INFINITY : NAN;
  if (y == 0) return y;  /* keeps -0 */
  double x = 0;
  for (int k = 0; k < 100; ++k) {
    const double step = (erf(x) - y) / (1.1283791670955126 * exp(-x * x));
    x -= step;
    if (fabs(step) <= 1e-17 * fabs(x)) break;
  }
  return x;
}
"""


def batch_caller(so):
    """evaluate(name, x) through the native ABI 2 entry point <name>_batch of a loaded library."""
    import ctypes

    def evaluate(name, x):
        got = np.zeros(len(x))
        ins = (ctypes.c_void_p * 1)(x.ctypes.data)
        in_strides = (ctypes.c_longlong * 2)(2, 1)   # (batch stride, element stride), in elements
        outs = (ctypes.c_void_p * 1)(got.ctypes.data)
        out_strides = (ctypes.c_longlong * 2)(1, 1)
        assert getattr(so, f"{name}_batch")(ins, in_strides, outs, out_strides, ctypes.c_longlong(len(x)), None) == 0
        return got
    return evaluate


def _cxx():
    import os
    import shutil
    return os.environ.get("CXX") or shutil.which("c++") or shutil.which("g++")


def test_cuda_kernels_match_casadi_at_edge_values(ops, tmp_path):
    """Every op_<code> kernel of the CUDA emitter, compiled as host C++ (the prologue's emulation:
    one loop iteration per instance), against CasADi on the same edge-value pairs."""
    import ctypes
    out, table = ops
    cxx = _cxx()
    if not cxx:
        pytest.skip("no C++ compiler for the host build of the CUDA kernels")
    (tmp_path / "erfinv.h").write_text(HOST_ERFINV)
    lib = tmp_path / "cuda_ops.so"
    subprocess.run([cxx, "-O1", "-fPIC", "-shared", "-w", "-include", str(tmp_path / "erfinv.h"), "-x", "c++",
                    str(out / "cuda_ops.cu"), "-o", str(lib)], check=True)
    for op in value_ops(table):
        assert table[op]["cuda"], table[op]["name"]
    failures = mismatches(out, table, "cuda", batch_caller(ctypes.CDLL(str(lib))))
    assert not failures, failures


def test_simd_kernels_match_casadi_at_edge_values(ops, tmp_path):
    """Every op_<code> SIMD tile kernel (the native CPU kernels' emitter and thunder_simd.h),
    compiled as the native exporter compiles them (-march=native, -fno-math-errno, libmvec),
    against CasADi on the same edge-value pairs: the robots' functions use a dozen operations, so
    this is where the rest of the table (fmin, fmax, erfinv, remainder, ...) meets the CPU kernels.
    The pairs are more than one tile of lanes, so full tiles and the padded last tile both run."""
    import ctypes
    out, table = ops
    cxx = _cxx()
    if not cxx:
        pytest.skip("no C++ compiler for the SIMD kernels")
    for op in value_ops(table):
        assert table[op]["simd"], (table[op]["name"], table[op]["simd_error"])
    lib = tmp_path / "simd_ops.so"
    subprocess.run([cxx, "-O1", "-march=native", "-std=gnu++17", "-fno-math-errno", "-fPIC", "-shared", "-w",
                    "-x", "c++", str(out / "simd_ops.cpp"), "-o", str(lib), "-Wl,--as-needed", "-lmvec", "-lm",
                    "-lpthread"], check=True)
    failures = mismatches(out, table, "simd", batch_caller(ctypes.CDLL(str(lib))))
    assert not failures, failures
