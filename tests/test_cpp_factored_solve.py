"""FD_derivatives, dFD_dq and dFD_ddq in the C++ library: the outputs that are -M⁻¹ B come from a
parts function (everything but the solve, CasADi's C) and the exporter's own loops, which solve
for every column at once with the tree factor M = L'DL, in pull form, one build per ISA chosen at
run time (x86-64 with GCC: AVX-512, AVX2, SSE2; plain loops for other compilers). Checked by compiling the C files and calling them
through CasADi's C API against CasADi's evaluation of the same functions (.casadi), with every
ISA path a machine has, on a chain, a floating-base tree and parts split into chunks."""
import os
import shutil
import subprocess

import numpy as np
import pytest

import casadi_c
from conftest import ROBOTS, example_robot_data_dir, thunder_bin

FUNCTIONS = ("FD_derivatives", "dFD_dq", "dFD_ddq")


def _gen(out, robot, *args, env=None):
    # THUNDER_VECTOR_SOLVE_ABOVE=0: the vector solve even where the scalar code is as fast (franka)
    subprocess.run([thunder_bin(), "gen", str(robot), "-o", str(out), "--functions", ",".join(FUNCTIONS),
                    "--targets", "casadi,cpp", "-q", *args], check=True, capture_output=True,
                   env=dict(os.environ, THUNDER_VECTOR_SOLVE_ABOVE="0", **(env or {})))
    return out


@pytest.fixture(scope="module", params=["franka", "solo12", "franka-chunked-parts"])
def generated(request, tmp_path_factory):
    out = tmp_path_factory.mktemp("fsolve") / "out"
    if request.param == "franka":
        # parts above THUNDER_V3_TWIN_UPTO: only the baseline build of them
        return _gen(out, ROBOTS / "franka.yaml", env={"THUNDER_V3_TWIN_UPTO": "0"}), "franka", False
    if request.param == "franka-chunked-parts":
        # the parts function split into chunks, as a large robot's is
        return _gen(out, ROBOTS / "franka.yaml", env={"THUNDER_CHUNK_ABOVE": "0", "THUNDER_CHUNK_SIZE": "300"}), \
            "franka", True
    urdf = example_robot_data_dir() / "solo_description" / "robots" / "solo12.urdf"
    return _gen(out, urdf, "--floating-base", "-n", "solo12"), "solo12", False


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
# -DTHUNDER_NO_DISPATCH: the baseline build alone (GNU C vectors of 2 doubles); -DTHUNDER_PLAIN_C:
# the plain loops other compilers get
@pytest.mark.parametrize("flags", [[], ["-DTHUNDER_NO_DISPATCH"], ["-DTHUNDER_PLAIN_C"]],
                         ids=["dispatch", "baseline", "plain-c"])
def test_solved_outputs_match_casadi(generated, flags, tmp_path):
    import casadi
    out, robot, chunked = generated
    cpp = out / "cpp"
    cmake = (cpp / "CMakeLists.txt").read_text()
    twin = robot != "franka" or chunked   # the unchunked franka: THUNDER_V3_TWIN_UPTO=0 (the fixture)
    for name in FUNCTIONS:
        parts = cpp / f"thunder_{robot}_{name}_parts.c"
        assert parts.exists() and parts.name in cmake, name   # a translation unit of the library
        # the parts again for x86-64-v3 (FMA), which they call where the CPU has it: the dispatch
        # build on this machine takes it, the baseline build the parts above
        v3 = cpp / f"thunder_{robot}_{name}_parts_v3.c"
        assert v3.exists() == twin and (v3.name in cmake) == twin, name
        assert (f"return thunder_{robot}_{name}_parts_v3(arg, res, iw, w, mem);" in parts.read_text()) == twin
        text = (cpp / f"thunder_{robot}_{name}.c").read_text()
        assert f"thunder_{robot}_{name}_parts(arg, r, iw, w, 0)" in text and "thunder_solve(L, inv_D, X);" in text
    if chunked:
        chunks = list(cpp.glob(f"thunder_{robot}_FD_derivatives_parts_c*.c"))
        assert chunks and len(list(cpp.glob(f"thunder_{robot}_FD_derivatives_parts_v3_c*.c"))) == len(chunks)
    lib = casadi_c.compile_library(cpp.glob(f"thunder_{robot}_*.c"), tmp_path / "libfsolve.so", flags)
    rng = np.random.default_rng(3)
    for name in FUNCTIONS:
        ref = casadi.Function.load(str(out / "casadi" / f"{name}.casadi"))
        symbol = f"thunder_{robot}_{name}"
        for _ in range(3):
            assert all(not n.startswith("par_") for n in ref.name_in())   # the robot's masses: M is SPD
            args = [rng.uniform(-1.2, 1.2, ref.nnz_in(j)) for j in range(ref.n_in())]
            want = [np.asarray(ref.call([casadi.DM(a) for a in args])[j]).ravel(order="F") for j in range(ref.n_out())]
            # NaN in the work vector: a row of B the parts did not write would show
            got = casadi_c.call(lib, symbol, args, [ref.nnz_out(j) for j in range(ref.n_out())],
                                work_fill=float("nan"))
            for j, (o, r) in enumerate(zip(got, want)):
                # the solve's sums in another order (and with FMA on AVX2/AVX-512)
                scale = max(1.0, np.abs(r).max())
                np.testing.assert_allclose(o, r, rtol=0, atol=1e-11 * scale, err_msg=f"{name}.{ref.name_out(j)}")



def test_small_robots_keep_casadis_code(generate):
    # franka's FD_derivatives leaves ~1,700 instructions to the solve: below the threshold, CasADi's
    # scalar code, as fast per call and with fewer operations (bench/RESULTS_DYNAMICS.md)
    g = generate(ROBOTS / "franka.yaml", "--functions", "FD_derivatives", "-q", targets="cpp")
    cpp = g.out / "cpp"
    assert not list(cpp.glob("*_parts.c"))
    assert "thunder_solve" not in (cpp / "thunder_franka_FD_derivatives.c").read_text()
