"""The sin and cos the C++ library's generated C evaluates inline (export/cpp/inline_trig.h)
instead of calling the C library: their values against the exact sin and cos (mpmath, 40
digits), over joint angles, near every multiple of pi/2 the reduction subtracts, far out where
only backward stability is asked, and at the special values; and the generated functions call
neither sin nor cos (so nothing around them is spilled) yet agree with CasADi's evaluation."""
import ctypes
import math
import random
import shutil
import subprocess

import numpy as np
import pytest

import casadi_c
from conftest import ROBOTS

mpmath = pytest.importorskip("mpmath")   # a dependency of torch's sympy: always there with torch
mpmath.mp.dps = 40

pytestmark = pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")

DRIVER = r"""
#include <stdio.h>
#include <stdlib.h>
int main(void) {
  char line[64];
  while (fgets(line, sizeof line, stdin)) {
    double x = strtod(line, NULL);
    printf("%a %a\n", th_sin(x), th_cos(x));
  }
  return 0;
}
"""


BUILDS = ["trig", pytest.param("trig_v3", marks=pytest.mark.skipif(not casadi_c.cpu_has_x86_64_v3(),
                                                                   reason="no x86-64-v3 CPU"))]


@pytest.fixture(scope="module")
def trig(generate, tmp_path_factory):
    """The prelude of a generated file, compiled into a program x -> (th_sin x, th_cos x)."""
    g = generate(ROBOTS / "RRR.yaml", "--functions", "M", "-q", targets="casadi,cpp")
    text = (g.out / "cpp" / "thunder_RRR_M.c").read_text()
    begin, end = "/* thunder: inline sin/cos */", "/* thunder: end inline sin/cos */"
    assert begin in text and end in text
    prelude = text[text.index(begin):text.index(end) + len(end)]
    d = tmp_path_factory.mktemp("trig")
    (d / "trig.c").write_text(prelude + DRIVER)
    subprocess.run(["cc", "-O2", "-o", str(d / "trig"), str(d / "trig.c"), "-lm"], check=True)
    subprocess.run(["cc", "-O2", "-ffast-math", "-o", str(d / "trig_fast"), str(d / "trig.c"), "-lm"], check=True)
    if casadi_c.cpu_has_x86_64_v3():   # as the library's x86-64-v3 builds compile them: FMA contracted (docs/EXPORT_CPP.md)
        subprocess.run(["cc", "-O2", "-march=x86-64-v3", "-o", str(d / "trig_v3"), str(d / "trig.c"), "-lm"],
                       check=True)

    def run(xs, exe="trig"):
        out = subprocess.run([str(d / exe)], input="".join(f"{x.hex()}\n" for x in xs), capture_output=True,
                             text=True, check=True).stdout.split("\n")
        return [tuple(float.fromhex(v) for v in line.split()) for line in out if line]
    return g, run


def exact(x):
    return float(mpmath.sin(mpmath.mpf(x))), float(mpmath.cos(mpmath.mpf(x)))


@pytest.mark.parametrize("exe", BUILDS)
def test_within_one_ulp_on_joint_angles_and_two_to_1_6e6(trig, exe):
    _, run = trig
    rng = random.Random(11)
    xs = [rng.uniform(-20, 20) for _ in range(4000)] + [rng.uniform(-1e-3, 1e-3) for _ in range(500)]
    # next to multiples of pi/2 the reduced argument is tiny: the three-part pi/2 keeps it exact
    xs += [k * math.pi / 2 + d for k in range(-40, 41) for d in (0.0, 1e-12, -3e-9)]
    far = [rng.uniform(-1.6e6, 1.6e6) for _ in range(3000)]
    far += [k * math.pi / 2 for k in rng.sample(range(-1_000_000, 1_000_000), 500)]
    got = run(xs + far, exe)
    worst = 0.0
    for i, (x, (s, c)) in enumerate(zip(xs + far, got)):
        es, ec = exact(x)
        err = max(abs(s - es) / math.ulp(es), abs(c - ec) / math.ulp(ec))
        worst = max(worst, err if i < len(xs) else 0.0)
        assert err <= (1.0 if i < len(xs) else 2.0), (x, s, es, c, ec)
    assert worst > 0  # the comparison can see a difference (not the C library by accident)


@pytest.mark.parametrize("exe", BUILDS)
def test_far_arguments_are_the_sin_of_a_neighbour_of_x_and_nan_beyond_2_to_50(trig, exe):
    _, run = trig
    rng = random.Random(5)
    xs = [math.copysign(10 ** rng.uniform(6.2, 15.0), rng.choice((-1, 1))) for _ in range(2000)]
    for x, (s, c) in zip(xs, run(xs, exe)):
        # |d sin/dx|, |d cos/dx| <= 1: an error within half an ulp of x is a backward error of <= 0.5 ulp(x)
        es, ec = exact(x)
        assert max(abs(s - es), abs(c - ec)) <= 0.5 * math.ulp(x) + 4 * math.ulp(1.0), x
        assert abs(s) <= 1 and abs(c) <= 1
    for x in (2.0 ** 50, -2.0 ** 50, 1e20, -1e300, math.inf, -math.inf, math.nan):
        s, c = run([x], exe)[0]
        assert math.isnan(s) and math.isnan(c), x


def test_signed_zero_and_tiny_arguments(trig):
    _, run = trig
    (s0, c0), (s1, c1), (s2, c2) = run([0.0, -0.0, 5e-324])
    assert (s0, c0) == (0.0, 1.0) and math.copysign(1, s0) == 1
    assert s1 == 0.0 and math.copysign(1, s1) == -1 and c1 == 1.0   # sin(-0) = -0
    assert (s2, c2) == (5e-324, 1.0)


def test_fast_math_builds_use_the_c_library(trig):
    # -ffast-math would fold the rounding of the reduction away: th_sin/th_cos are sin/cos there
    _, run = trig
    xs = [0.3, -2.5, 1e7, 123.456]
    for x, (s, c) in zip(xs, run(xs, "trig_fast")):
        assert (s, c) == (math.sin(x), math.cos(x))


@pytest.mark.skipif(shutil.which("objdump") is None, reason="no binutils")
def test_generated_functions_call_no_sin_or_cos_and_match_casadi(generate, tmp_path):
    import casadi
    g = generate(ROBOTS / "franka.yaml", "--functions", "M,tau", "-q", targets="casadi,cpp")
    for name in ("M", "tau"):
        source = g.out / "cpp" / f"thunder_franka_{name}.c"
        lib_path = tmp_path / f"lib{name}.so"
        subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", str(lib_path), str(source), "-lm"], check=True)
        calls = subprocess.run(["objdump", "-d", str(lib_path)], capture_output=True, text=True, check=True).stdout
        assert not any(f"<{f}@plt>" in calls for f in ("sin", "cos", "sincos")), name
        lib = ctypes.CDLL(str(lib_path))
        ref = casadi.Function.load(str(g.out / "casadi" / f"{name}.casadi"))
        rng = np.random.default_rng(4)
        for _ in range(5):
            args = [rng.uniform(-3, 3, ref.nnz_in(j)) for j in range(ref.n_in())]
            outs = casadi_c.call(lib, f"thunder_franka_{name}", args, [ref.nnz_out(j) for j in range(ref.n_out())])
            want = np.asarray(ref.call([casadi.DM(a) for a in args])[0]).ravel(order="F")
            np.testing.assert_allclose(outs[0], want, rtol=1e-13, atol=1e-13 * np.abs(want).max())
