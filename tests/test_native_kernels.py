"""The SIMD tile kernels (thunder gen --native, the default) against the scalar kernels (CasADi's
own C code per instance, --native-kernels scalar) and against CasADi itself (the .casadi files of
the same run, evaluated by CasADi's Python bindings), on every function of seaRRR and Panda,
forward and reverse; and the CUDA kernels of the same functions, built for the host (the host
emulation), against the CPU library.

Inputs include the cases where the tile code differs most from per-instance code: partial tiles
(batch not a multiple of the SIMD width W), broadcast inputs (batch stride 0), slot-major
(transposed) inputs and outputs, rows of exact zeros and signed zeros, all-zero seeds.
"""
import json
import os
import shutil
import subprocess

import pytest
import torch

from conftest import NATIVE_ROBOTS, native_output

from thunder_torch import _native as native
from thunder_torch._artifacts import generation_bytes

# conftest.NATIVE_ROBOTS keys; the whole default Panda set (every function, minutes of compiling)
# in the slow group, a subset that reaches every kind of function in the default run.
ROBOT_KEYS = ["searrr", "panda", pytest.param("panda_all", marks=pytest.mark.slow)]


def _gen(tmp_path_factory, key, kernels):
    return native_output(tmp_path_factory, key, kernels)


def _name(key):
    return NATIVE_ROBOTS[key][1]


@pytest.fixture(scope="module", params=ROBOT_KEYS)
def robot(request, tmp_path_factory):
    return request.param, _gen(tmp_path_factory, request.param, "simd"), \
        _gen(tmp_path_factory, request.param, "scalar")


def _lib(out, name, dtype):
    return native._LIBRARIES[native.open_library(out, name, "cpu", dtype)]


def _inputs(sizes, batch, dtype, gen):
    """Random inputs with an all-zero instance, signed zeros, one broadcast input and, for the
    inputs after the first, a slot-major (transposed) layout."""
    xs = []
    for j, n in enumerate(sizes):
        x = torch.rand(batch, n, generator=gen, dtype=torch.float64) * 2 - 1
        x[0] = 0.0
        if batch > 2:
            x[2, ::2] = -0.0
        x = x.to(dtype)
        if j == len(sizes) - 1 and batch > 1 and len(sizes) > 1:
            x = x[1:2].expand(batch, n)            # batch stride 0
        elif j % 2 == 1:
            x = x.t().contiguous().t()             # strides (1, batch)
        xs.append(x)
    return xs


SOLVES_WITH_M = {"FD", "M_inv", "dFD_dq", "dFD_ddq", "FD_derivatives", "FD_sea"}


def _compare(got, want, dtype, what):
    # Same expression graph; the tiles contract a*b+c into FMAs and use libmvec's sin/cos
    # (<= 4 ulp): differences stay at rounding level of the largest entry, except through the
    # pseudo-inverse, which amplifies them by cond(J J') (up to ~1e6 at random Panda states: 50
    # cond eps64 ~ 1e-8).
    # The same holds for every function that solves with M (FD, M_inv, dFD_*, ...): with random
    # parameter values M(q) can be arbitrarily ill-conditioned (nonphysical inertias), and the
    # reverse partners of the FD derivatives square that amplification.
    solves = what.split()[0] in SOLVES_WITH_M
    tol64 = 1e-8 if what.startswith("J_ee_pinv") or solves else 1e-12
    # An all-zero instance gives nan where a function divides by a parameter or a norm (e.g.
    # par_REG_to_DYN at m = 0): both kernels must give nan there, and the scale ignores it.
    for k, (g, w) in enumerate(zip(got, want)):
        assert g.shape == w.shape, what
        finite = torch.nan_to_num(w.double(), nan=0.0, posinf=0.0, neginf=0.0)
        scale = float(finite.abs().max().clamp_min(1.0)) if w.numel() else 1.0
        if dtype == torch.float64:
            torch.testing.assert_close(g, w, rtol=tol64, atol=tol64 * scale, equal_nan=True,
                                       msg=f"{what} output {k}")
        else:
            assert torch.equal(torch.isnan(g), torch.isnan(w)), f"{what} output {k}: nan pattern"
            diff = torch.nan_to_num((g.double() - w.double()).abs(), nan=0.0)
            tol32 = (5e-3 if solves else 2e-4) * scale
            if solves and " reverse" in what:
                # the reverse partner differentiates the solve: the amplification squared (dFD_ddq's
                # reverse at a random, nonphysical state reaches 8e-3 of its largest entry between
                # two float32 evaluations, SIMD and scalar)
                tol32 = 2e-2 * scale
            if what.startswith("J_ee_pinv"):
                # the rounding of J (eps32 |J|) reaches J' (J J')^-1 amplified by |J+|^2 |J|:
                # with |J| <= ~2 for the Panda and scale ~ |J+|, 4 eps32 |J|^2 scale^3
                tol32 = max(tol32, 2e-6 * scale ** 3)
            assert float(diff.max()) <= tol32, f"{what} output {k}"
        exact = w == 0
        if dtype == torch.float64 and exact.any():   # exact zeros stay (numerically) zero
            assert float(g[exact].abs().max()) <= tol64 * scale, f"{what} output {k}: zero entries"


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_simd_matches_scalar_every_entry(robot, dtype):
    key, simd_dir, scalar_dir = robot
    name = _name(key)
    simd, scalar = _lib(simd_dir, name, dtype), _lib(scalar_dir, name, dtype)
    assert simd.kernels == "simd" and scalar.kernels == "scalar" and simd.lanes >= 1
    assert simd.names == scalar.names and simd.sizes_in == scalar.sizes_in
    gen = torch.Generator().manual_seed(7)
    W = simd.lanes
    for e in range(len(simd.entries)):
        for batch in (1, W + 1, 3 * W - 1):
            xs = _inputs(simd.sizes_in[e], batch, dtype, gen)
            if e % 2 and batch > 1:   # one all-zero seed instance of the reverse partner
                n_fwd = len(simd.sizes_in[e - 1]) + len(simd.sizes_out[e - 1])
                for x in xs[n_fwd:]:
                    if x.stride(0) != 0:
                        x[1] = 0.0
            what = f"{simd.names[e // 2]}{' reverse' if e % 2 else ''} batch {batch}"
            _compare(simd.call(e, batch, xs), scalar.call(e, batch, xs), dtype, what)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_simd_large_batch_padded_rows_streaming_stores(robot, dtype):
    """Batches whose slot-major output rows are padded (rows of 4 KiB or more: an odd number of
    64-byte lines) and whose outputs exceed 1 MiB (streaming stores), on one and two threads, with
    a partial last tile: the forward and reverse entries with the largest outputs against the
    scalar kernels."""
    key, simd_dir, scalar_dir = robot
    name = _name(key)
    simd, scalar = _lib(simd_dir, name, dtype), _lib(scalar_dir, name, dtype)
    gen = torch.Generator().manual_seed(11)
    size = dtype.itemsize
    for rev in (0, 1):
        e = max(range(rev, len(simd.entries), 2), key=lambda i: sum(simd.sizes_out[i]))
        n_out = sum(simd.sizes_out[e])
        batch = max(4096 // size + 3, (1 << 20) // (n_out * size) + simd.lanes + 3)
        ld = simd.row_stride(batch)
        assert ld >= batch and (ld * size) % 128 == 64, (batch, ld)   # odd number of lines
        assert n_out * batch * size >= 1 << 20   # the streaming path
        xs = _inputs(simd.sizes_in[e], batch, dtype, gen)
        want = scalar.call(e, batch, xs)
        threads = torch.get_num_threads()
        try:
            for t in (1, 2):
                torch.set_num_threads(t)
                got = simd.call(e, batch, xs)
                assert all(g.stride() == (1, ld) for g in got)
                _compare(got, want, dtype, f"{simd.names[e // 2]}{' reverse' if rev else ''} batch {batch}")
        finally:
            torch.set_num_threads(threads)


def test_simd_matches_casadi(robot):
    """Every function of the module (native backend) against CasADi evaluating the .casadi file,
    float64, at an all-zero state and two random ones."""
    import casadi
    import thunder_torch as tt
    key, simd_dir, _ = robot
    m = tt.load(simd_dir, dtype=torch.float64, backend="native")
    gen = torch.Generator().manual_seed(9)
    for fname, spec in m._specs.items():
        f = casadi.Function.load(str(simd_dir / "casadi" / f"{fname}.casadi"))
        xs = []
        for _, r, c in spec.vars:
            x = torch.rand((3, r) if c == 1 else (3, r, c), generator=gen, dtype=torch.float64) * 2 - 1
            x[0] = 0.0
            xs.append(x)
        with torch.no_grad():
            got = getattr(m, fname)(*xs)
        got = list(got) if isinstance(got, tuple) else [got]
        for b in range(3 if spec.vars else 1):   # no variables: no batch dimension
            args = []
            for kind, i in spec.order:
                if kind == "var":
                    _, r, c = spec.vars[i]
                    args.append(casadi.DM(xs[i][b].reshape(r, c).numpy()))
                else:
                    pname, _, idx = spec.pars[i]
                    p = m.param_vector(pname).detach()
                    args.append(casadi.DM((p if idx is None else p[idx]).numpy()))
            want = f.call(args)   # a list of DM, whatever the number of inputs and outputs
            for k, (g, w) in enumerate(zip(got, want)):
                gb = g[b] if spec.vars else g
                w = torch.tensor(casadi.DM(w).full(), dtype=torch.float64).reshape(gb.shape)
                scale = float(torch.nan_to_num(w, nan=0.0).abs().max().clamp_min(1.0))
                tol = 1e-8 if fname.startswith("J_ee_pinv") else 1e-12   # see _compare
                torch.testing.assert_close(gb, w, rtol=tol, atol=tol * scale, equal_nan=True,
                                           msg=f"{key} {fname} output {k} instance {b}")


@pytest.mark.parametrize("key", ROBOT_KEYS)
def test_cuda_kernels_emulated_on_host_every_function(key, tmp_path_factory, tmp_path):
    """Every CUDA kernel, forward and reverse, compiled as plain C++ (one loop iteration per
    instance) against the CPU library, float64 to 1e-12, with strided and broadcast inputs and
    slot-major outputs (the layout the CUDA runtime uses)."""
    cxx = os.environ.get("CXX") or shutil.which("c++") or shutil.which("g++")
    if not cxx:
        pytest.skip("no C++ compiler to build the host emulation")
    out = _gen(tmp_path_factory, key, "simd")   # CUDA sources written (NVCC=none), not compiled
    name = _name(key)
    d = out / "native" / "cuda"
    lib_path = tmp_path / "emu.so"
    # NVCC=none: the per-function .cu files are written, the unity files (an nvcc build detail) not
    units = sorted(str(p) for p in d.glob(f"thunder_{name}_*.cu") if "_unit" not in p.name)
    assert len(units) == len(json.loads((out / "manifest.json").read_text())["functions"])
    # -O0: the emulation checks the generated code, not its speed (Panda's C_ddot reverse is 40k
    # statements, which an optimizing compiler takes minutes over)
    subprocess.run([cxx, "-O0", "-fPIC", "-shared", "-w", "-x", "c++", *units, "-x", "c",
                    str(d / f"thunder_{name}_registry.c"), "-o", str(lib_path)], check=True)
    man = native.manifest_hash(generation_bytes((out / "manifest.json").read_bytes()))
    emu = native.NativeLibrary(lib_path, name, man, torch.float64, "cuda")
    emu.device_type = "cpu"   # host pointers: the emulation runs on the CPU
    cpu = _lib(out, name, torch.float64)
    assert emu.names == cpu.names and emu.sizes_in == cpu.sizes_in and emu.sizes_out == cpu.sizes_out
    assert emu.kernels == "cuda" and emu.slot_major
    gen = torch.Generator().manual_seed(29)
    for e in range(len(cpu.entries)):
        B = 5
        xs = _inputs(cpu.sizes_in[e], B, torch.float64, gen)
        _compare(emu.call(e, B, xs), cpu.call(e, B, xs), torch.float64,
                 f"{cpu.names[e // 2]}{' reverse' if e % 2 else ''} (CUDA host emulation)")


def test_op_table_is_implemented_by_every_backend():
    """src/thunder/export/op_table.cpp is the one op table: every operation in it is executed by
    the torch runtime (_engine.OPS, same name and operand count) and, unless it is a C infix
    operator, has a th_<name> helper in both native runtime headers."""
    import re
    from conftest import ROOT
    from thunder_torch import OPS
    src = (ROOT / "src" / "thunder" / "export" / "op_table.cpp").read_text()
    rows = re.findall(r'\{"(\w+)", (\d), (nullptr|"[^"]*")\}', src)
    assert len(rows) > 40
    rt = ROOT / "src" / "thunder" / "export" / "native" / "runtime"
    simd, cuda = (rt / "thunder_simd.h").read_text(), (rt / "thunder_cuda.h").read_text()
    for name, nargs, infix in rows:
        assert name in OPS and OPS[name][0] == int(nargs), name
        if infix == "nullptr":
            assert re.search(rf"(th_{name}\b|TH_(MV|LANES)[12]\({name},)", simd), f"thunder_simd.h lacks th_{name}"
            assert re.search(rf"T_ th_{name}\(", cuda), f"thunder_cuda.h lacks th_{name}"
