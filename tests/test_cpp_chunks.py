"""Large functions of the C++ library in bounded chunks (issue 23): CasADi's calling convention is
kept (the same symbol, _work and sparsities), the body runs as chunk functions, each its own
translation unit, whose values live in locals and pass to later chunks through CasADi's work vector. Checked by compiling only the C files of two small
functions (chunking forced by THUNDER_CHUNK_ABOVE=0 and a small THUNDER_CHUNK_SIZE) and calling
them through CasADi's C API, against CasADi's own evaluation of the same functions."""
import ctypes
import os
import re
import shutil
import subprocess

import numpy as np
import pytest

import casadi_c
from conftest import ROBOTS, thunder_bin


# (robot, functions): franka's M (625 instructions) and G; RRR's M squares (CasADi prints sq(x),
# which the chunk prelude defines); seaRRR's friction dl takes fabs.
CASES = {"franka": ("franka.yaml", "M,G"), "RRR": ("RRR.yaml", "M"), "seaRRR": ("seaRRR.yaml", "dl")}


# Chunks of 1 instruction pass every value through the work vector; of 20, some values stay in
# their chunk and others (constants among them) are read chunks later.
@pytest.fixture(scope="module", params=[(r, size) for r in CASES for size in ("1", "20")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def chunked(request, tmp_path_factory):
    robot, size = request.param
    yaml, functions = CASES[robot]
    out = tmp_path_factory.mktemp("chunks") / "out"
    env = dict(os.environ, THUNDER_CHUNK_ABOVE="0", THUNDER_CHUNK_SIZE=size)
    subprocess.run([thunder_bin(), "gen", str(ROBOTS / yaml), "-o", str(out), "--functions", functions,
                    "--targets", "casadi,cpp", "-q"], check=True, env=env, capture_output=True)
    return out, robot, functions.split(",")


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
def test_chunked_functions_keep_casadis_calling_convention_and_values(chunked, tmp_path):
    import casadi
    out, robot, names = chunked
    cpp = out / "cpp"
    cmake = (cpp / "CMakeLists.txt").read_text()
    for name in names:
        chunks = sorted(cpp.glob(f"thunder_{robot}_{name}_c*.c"))
        assert len(chunks) >= 2, name
        assert all(c.name in cmake for c in chunks)   # every chunk is a translation unit of the library
    # chunks at THUNDER_CHUNK_OPT, -O1 unless the user says otherwise (bench/RESULTS_SCALE.md), per file
    assert 'set(THUNDER_CHUNK_OPT "-O1" CACHE STRING' in cmake
    assert 'PROPERTIES COMPILE_OPTIONS "${THUNDER_CHUNK_OPT}"' in cmake
    lib_path = tmp_path / "libchunks.so"
    sources = [str(p) for p in cpp.glob(f"thunder_{robot}_*.c")]
    # -Werror=implicit-function-declaration: every function a chunk calls is declared (math.h or
    # the chunk prelude), not guessed by the compiler
    subprocess.run(["cc", "-O1", "-shared", "-fPIC", "-Werror=implicit-function-declaration", "-o", str(lib_path),
                    *sources, "-lm"], check=True)
    lib = ctypes.CDLL(str(lib_path))
    rng = np.random.default_rng(7)
    for name in names:
        ref = casadi.Function.load(str(out / "casadi" / f"{name}.casadi"))
        symbol = f"thunder_{robot}_{name}"
        assert casadi_c.work_sizes(lib, symbol)[3] > 0   # values pass between chunks in CasADi's work vector
        for _ in range(3):
            args = [rng.uniform(-1.5, 1.5, ref.nnz_in(j)) for j in range(ref.n_in())]
            want = [np.asarray(ref.call([casadi.DM(a) for a in args])[j]).ravel(order="F")
                    for j in range(ref.n_out())]
            # NaN: a chunk that read a slot no earlier chunk stored would show it in the outputs
            outs = casadi_c.call(lib, symbol, args, [ref.nnz_out(j) for j in range(ref.n_out())],
                                 work_fill=float("nan"))
            for o, r in zip(outs, want):
                # the same instructions in the same order in double (no -ffast-math): equal up
                # to libm's last bit in sin/cos: 1e-13 relative
                np.testing.assert_allclose(o, r, rtol=1e-13, atol=1e-13)


def test_small_functions_keep_casadis_single_file(generate):
    g = generate(ROBOTS / "RRR.yaml", "--functions", "M", "-q", targets="cpp")
    assert not list((g.out / "cpp").glob("*_c0.c"))
    text = (g.out / "cpp" / "thunder_RRR_M.c").read_text()
    assert re.search(r"casadi_real a\d+", text)   # CasADi's locals, untouched


@pytest.mark.skipif(not all(shutil.which(t) for t in ("cc", "nm", "objdump")), reason="no C compiler or binutils")
def test_casadi_helpers_are_static_so_a_shared_library_inlines_them(generate, tmp_path):
    # CasADi defines casadi_sq & co. with external linkage; built with -fPIC into a shared library
    # (BUILD_SHARED_LIBS, bench_cg), every call then went through the PLT and spilled the live
    # floating-point registers (humanoid FD: 57 calls). Static, they are inlined and not exported.
    import casadi
    g = generate(ROBOTS / "RRR.yaml", "--functions", "M", "-q", targets="casadi,cpp")
    source = g.out / "cpp" / "thunder_RRR_M.c"
    assert "casadi_sq(" in source.read_text()   # the case this test is about: M squares
    lib_path = tmp_path / "libm_rrr.so"
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", str(lib_path), str(source), "-lm"], check=True)
    exported = subprocess.run(["nm", "-D", "--defined-only", str(lib_path)], check=True, capture_output=True,
                              text=True).stdout
    assert "thunder_RRR_M" in exported
    assert not re.search(r"\bthunder_RRR_M_(sq|sign|fmin|fmax)\b", exported), exported
    calls = subprocess.run(["objdump", "-d", str(lib_path)], capture_output=True, text=True).stdout
    assert "_sq@plt" not in calls
    # and the values are CasADi's
    ref = casadi.Function.load(str(g.out / "casadi" / "M.casadi"))
    lib = ctypes.CDLL(str(lib_path))
    rng = np.random.default_rng(3)
    args = [rng.uniform(-1.5, 1.5, ref.nnz_in(j)) for j in range(ref.n_in())]
    outs = casadi_c.call(lib, "thunder_RRR_M", args, [ref.nnz_out(j) for j in range(ref.n_out())])
    want = np.asarray(ref.call([casadi.DM(a) for a in args])[0]).ravel(order="F")
    np.testing.assert_allclose(outs[0], want, rtol=1e-13, atol=1e-13)
