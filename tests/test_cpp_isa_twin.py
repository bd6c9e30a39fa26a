"""The dynamics derivatives of the C++ library in a second build for x86-64-v3 (AVX2, FMA;
export/cpp/isa_twin.h): `<symbol>_v3.c` and its chunks are the same C renamed, compiled under
`#pragma GCC target`, and the baseline's eval calls it where the CPU has that level. Checked by
compiling the files with and without the dispatch and calling them through CasADi's C API
against CasADi's evaluation of the same functions (.casadi)."""
import os
import shutil
import subprocess

import numpy as np
import pytest

import casadi_c
from conftest import ROBOTS, thunder_bin

TWINNED = ("tau_derivatives", "dtau_dq")
FUNCTIONS = TWINNED + ("M",)   # M: no second build (not a derivative)


@pytest.fixture(scope="module", params=["whole", "chunked", "above-the-limit"])
def generated(request, tmp_path_factory):
    out = tmp_path_factory.mktemp("twin") / "out"
    env = {"whole": {}, "chunked": {"THUNDER_CHUNK_ABOVE": "0", "THUNDER_CHUNK_SIZE": "300"},
           "above-the-limit": {"THUNDER_V3_TWIN_UPTO": "100"}}[request.param]
    subprocess.run([thunder_bin(), "gen", str(ROBOTS / "franka.yaml"), "-o", str(out), "--functions",
                    ",".join(FUNCTIONS), "--targets", "casadi,cpp", "-q"], check=True, capture_output=True,
                   env=dict(os.environ, **env))
    return out, request.param


def test_twins_are_translation_units_of_the_library(generated):
    out, case = generated
    cpp = out / "cpp"
    cmake = (cpp / "CMakeLists.txt").read_text()
    twin = case != "above-the-limit"
    for name in FUNCTIONS:
        v3 = cpp / f"thunder_franka_{name}_v3.c"
        has = twin and name in TWINNED
        assert v3.exists() == has and (v3.name in cmake) == has, name
        text = (cpp / f"thunder_franka_{name}.c").read_text()
        assert (f"return thunder_franka_{name}_v3(arg, res, iw, w, mem);" in text) == has, name
        chunks = sorted(cpp.glob(f"thunder_franka_{name}_c[0-9]*.c"))
        assert bool(chunks) == (case == "chunked"), name
        twins = sorted(cpp.glob(f"thunder_franka_{name}_v3_c[0-9]*.c"))
        assert len(twins) == (len(chunks) if has else 0), name
        assert all(t.name in cmake for t in twins)


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
@pytest.mark.parametrize("flags", [[], ["-DTHUNDER_NO_DISPATCH"]], ids=["dispatch", "baseline"])
def test_both_builds_match_casadi(generated, flags, tmp_path):
    import casadi
    out, case = generated
    lib = casadi_c.compile_library((out / "cpp").glob("thunder_franka_*.c"), tmp_path / "libtwin.so", flags)
    rng = np.random.default_rng(5)
    for name in FUNCTIONS:
        ref = casadi.Function.load(str(out / "casadi" / f"{name}.casadi"))
        symbols = [f"thunder_franka_{name}"]
        built_v3 = hasattr(lib, symbols[0] + "_v3")
        # the twin is compiled only with the dispatch (an empty unit with -DTHUNDER_NO_DISPATCH)
        assert built_v3 == (not flags and case != "above-the-limit" and name in TWINNED), name
        if built_v3 and casadi_c.cpu_has_x86_64_v3():
            symbols.append(symbols[0] + "_v3")   # the second build called directly, too
        for _ in range(3):
            args = [rng.uniform(-1.5, 1.5, ref.nnz_in(j)) for j in range(ref.n_in())]
            want = [np.asarray(ref.call([casadi.DM(a) for a in args])[j]).ravel(order="F") for j in range(ref.n_out())]
            for symbol in symbols:
                got = casadi_c.call(lib, symbol, args, [ref.nnz_out(j) for j in range(ref.n_out())],
                                    work_fill=float("nan"))
                for j, (o, r) in enumerate(zip(got, want)):
                    # FMA rounds once where the baseline rounds twice
                    np.testing.assert_allclose(o, r, rtol=0, atol=1e-12 * max(1.0, np.abs(r).max()),
                                               err_msg=f"{symbol}.{ref.name_out(j)}")
