"""Native kernels (thunder gen --native) behind thunder_torch: compiled OpenMP C on the CPU and CUDA
kernels on the GPU, checked against the pure-torch backend of the same output folder.

Output folders: conftest.native_output (built once per session and shared with
test_native_kernels, -O1, CUDA sources written but compiled only in the nvcc test): RRR, seaRRR
and a Panda subset with their dynamic (and elastic) parameter sets symbolic, so that parameter
inputs (broadcast with stride 0) are exercised.
"""
import math
import os
import pathlib
import shutil
import sys

import pytest
import torch

from conftest import NATIVE_ROBOTS, ROBOTS, native_output, recompute_artifacts, run_thunder, with_edge_rows


import thunder_torch as tt
from thunder_torch import _native as native
from thunder_torch._artifacts import generation_bytes   # what the libraries hash

NATIVE_KEYS = ("rrr", "searrr", "panda")   # conftest.NATIVE_ROBOTS: built once per session
# compiled by nvcc where it exists: a matrix, a vector, the Coriolis matrix with
# two inputs, ABA, a parameter map (division by a parameter) and a kinematic Jacobian
CUDA_FUNCTIONS = "M,G,C,FD,J_ee,par_REG_to_DYN"
_cuda_cache = {}


def _generate(tmp_path_factory, key, cuda=False):
    """The shared native build of conftest (CUDA sources written, not compiled); with cuda=True a
    build whose CUDA kernels nvcc compiles (only where nvcc exists)."""
    if not cuda:
        return native_output(tmp_path_factory, key)
    if key not in _cuda_cache:
        robot, _, args = NATIVE_ROBOTS[key]
        out = tmp_path_factory.mktemp(f"native_{key}_cuda") / "out"
        # nvcc takes minutes over a whole set: the functions the nvcc and host-emulation tests read
        run_thunder("gen", ROBOTS / robot, "-o", out, "--targets", "casadi,native", "--native-opt", "1", *args,
                    "--functions", CUDA_FUNCTIONS)
        _cuda_cache[key] = out
    return _cuda_cache[key]


@pytest.fixture(scope="session", params=NATIVE_KEYS)
def out_dir(request, tmp_path_factory):
    return _generate(tmp_path_factory, request.param)


@pytest.fixture(scope="session")
def rrr_dir(tmp_path_factory):
    return _generate(tmp_path_factory, "rrr")


def _pair(out_dir, dtype, device="cpu", seed=0):
    """(native module, torch module) with the same random parameters."""
    nat = tt.load(out_dir, device=device, dtype=dtype, backend="native")
    ref = tt.load(out_dir, device=device, dtype=dtype, backend="torch")
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name in ref.param_elements:
            if ref._is_derived(name):
                continue
            # symbolic elements only: changing a folded one is an error (issue 10)
            t = getattr(ref, name)
            scale = 1 + 0.2 * (torch.rand(t.shape, generator=gen, dtype=torch.float64) - 0.5)
            scale = torch.where(torch.tensor(ref.param_symbolic[name]), scale, 1.0)
            t.mul_(scale.to(t.dtype).to(device))
            getattr(nat, name).copy_(t)
    return nat, ref


def _inputs(spec, batch, dtype, gen, device="cpu", edge=False):
    """Uniform in (-1, 1); with edge=True the first rows hold exact zeros, -0.0, ties and
    thresholds (conftest.edge_values) in every input at once."""
    xs = []
    for _, rows, cols in spec.vars:
        shape = (*batch, rows) if cols == 1 else (*batch, rows, cols)
        x = (torch.rand(shape, generator=gen, dtype=torch.float64) * 2 - 1).to(dtype)
        xs.append((with_edge_rows(x, batch, dtype == torch.float32) if edge else x).to(device))
    return xs


def _as_list(y):
    return list(y) if isinstance(y, tuple) else [y]


def _close(name, got, want, dtype):
    assert got.shape == want.shape, name
    g, w = got.detach().double().cpu(), want.detach().double().cpu()
    if dtype == torch.float64 and name.startswith("J_ee_pinv"):
        # The SIMD kernels contract a*b+c into FMAs and use libmvec's sin/cos: rounding-level
        # differences in J, which the pseudo-inverse amplifies by cond(J J') (near-singular random
        # states reach 1e6): per instance |error| <= 1e-12 + 50 cond eps64 |P|.
        r, c = w.shape[-2:]
        w3, g3 = w.reshape(-1, r, c), g.reshape(-1, r, c)
        sv = torch.linalg.svdvals(w3)
        cond = (sv[:, 0] / sv[:, -1]) ** 2
        bound = 1e-12 + 50 * cond * torch.finfo(torch.float64).eps * w3.abs().amax(dim=(1, 2))
        err = (g3 - w3).abs().amax(dim=(1, 2))
        assert bool((err <= bound).all()), (name, (err / bound).max().item())
    elif dtype == torch.float64:
        # Same CasADi expression graph on both sides; only libm and FMA contraction differ.
        torch.testing.assert_close(g, w, rtol=1e-12, atol=1e-12, msg=name)
    elif name.startswith("J_ee_pinv"):
        # A linear solve loses cond(J J') digits in float32 on either side: per instance,
        # |error| <= 1e-4 + 50 cond eps32 |P|, cond = (s_max / s_min)^2 from the singular values
        # of the float32 pseudo-inverse. test_torch_runtime bounds ONE float32 side against a
        # float64 reference with 10; here two float32 solves differ (errors add) and cond is
        # itself estimated in float32 (Panda at random q reaches 2.3x the one-sided bound).
        r, c = w.shape[-2:]
        w3, g3 = w.reshape(-1, r, c), g.reshape(-1, r, c)
        sv = torch.linalg.svdvals(w3)
        cond = (sv[:, 0] / sv[:, -1]) ** 2
        bound = 1e-4 + 50 * cond * torch.finfo(torch.float32).eps * w3.abs().amax(dim=(1, 2))
        err = (g3 - w3).abs().amax(dim=(1, 2))
        assert bool((err <= bound).all()), (name, (err / bound).max().item())
    else:
        # float32 both sides, rounded differently (libm in double vs float, operation order).
        scale = w.abs().amax().clamp_min(1.0)
        assert ((g - w).abs().amax() / scale).item() < 1e-4, name


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("batch", [(), (1,), (64,), (4, 16)])
def test_native_matches_torch(out_dir, dtype, batch):
    nat, ref = _pair(out_dir, dtype)
    gen = torch.Generator().manual_seed(3 + len(batch))
    for name, spec in ref._specs.items():
        b = batch if spec.vars else ()
        xs = _inputs(spec, b, dtype, gen, edge=True)
        with torch.no_grad():
            got, want = _as_list(getattr(nat, name)(*xs)), _as_list(getattr(ref, name)(*xs))
        assert len(got) == len(want)
        for k, (g, w) in enumerate(zip(got, want)):
            _close(f"{name}[{k}]", g, w, dtype)


def test_native_parameter_override_broadcasts(rrr_dir):
    """A per-instance parameter batch (no stride-0 broadcast) and the module's shared vector."""
    nat, ref = _pair(rrr_dir, torch.float64)
    gen = torch.Generator().manual_seed(5)
    q = torch.rand(8, 3, generator=gen, dtype=torch.float64)
    p = ref.par_DYN.detach() * (1 + 0.1 * torch.rand(8, ref.par_DYN.numel(), generator=gen, dtype=torch.float64))
    torch.testing.assert_close(nat.M(q, par_DYN=p), ref.M(q, par_DYN=p), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(nat.M(q[:1], par_DYN=p), ref.M(q[:1], par_DYN=p), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("fname", ["M", "C", "G", "Yr"])
def test_native_gradcheck(out_dir, fname):
    nat, _ = _pair(out_dir, torch.float64)
    spec = nat._specs[fname]
    gen = torch.Generator().manual_seed(11)
    xs = [x.requires_grad_(True) for x in _inputs(spec, (2,), torch.float64, gen)]
    has_dyn = any(n == "par_DYN" for n, _, _ in spec.pars)
    args = list(xs)
    if has_dyn:
        args.append(nat.par_DYN.detach().clone().requires_grad_(True))

    def f(*a):
        kw = {"par_DYN": a[-1]} if has_dyn else {}
        return getattr(nat, fname)(*a[:len(xs)], **kw)

    assert torch.autograd.gradcheck(f, tuple(args), eps=1e-6, atol=1e-6, rtol=1e-5)


def test_native_gradients_match_torch(out_dir):
    """VJPs through the compiled reverse partners equal the torch backend's, for every function."""
    nat, ref = _pair(out_dir, torch.float64)
    gen = torch.Generator().manual_seed(13)
    for name, spec in ref._specs.items():
        b = (3,) if spec.vars else ()
        xs = _inputs(spec, b, torch.float64, gen)
        grads = []
        for m in (nat, ref):
            m.zero_grad()
            ins = [x.clone().requires_grad_(True) for x in xs]
            ys = _as_list(getattr(m, name)(*ins))
            g2 = torch.Generator().manual_seed(17)
            loss = sum((y * torch.rand(y.shape, generator=g2, dtype=torch.float64)).sum() for y in ys)
            if not loss.requires_grad:   # constant output (no variable, no symbolic parameter)
                grads.append([])
                continue
            params = [p for p in m.parameters()]
            got = torch.autograd.grad(loss, ins + params, allow_unused=True)
            grads.append([torch.zeros(()) if g is None else g for g in got])
        assert len(grads[0]) == len(grads[1]), name
        for k, (a, c) in enumerate(zip(*grads)):
            # Same reverse expression graph, different evaluation order (level schedule vs
            # CasADi's sequential C): rounding scales with the largest entry, which grows large
            # for J_ee_pinv near singular configurations.
            scale = float(c.abs().max().clamp_min(1.0)) if c.numel() else 1.0
            torch.testing.assert_close(a, c, rtol=1e-9, atol=1e-10 * scale, msg=f"{name} grad {k}")


def test_auto_uses_native_where_it_exists(rrr_dir, monkeypatch):
    m = tt.load(rrr_dir, dtype=torch.float32, backend="auto")
    calls = []
    orig = native.NativeLibrary.call
    monkeypatch.setattr(native.NativeLibrary, "call", lambda self, *a: calls.append(a[0]) or orig(self, *a))
    m.M(torch.zeros(2, 3))
    assert calls, "auto did not use the native library on the CPU"
    assert not m._native_backend.available("cuda", torch.float32)   # CUDA not compiled: torch on CUDA
    t = tt.load(rrr_dir, dtype=torch.float32, backend="torch")
    assert t._native_backend is None


def test_missing_library_is_a_clear_error(rrr_dir, tmp_path):
    out = tmp_path / "copy"
    shutil.copytree(rrr_dir, out, ignore=shutil.ignore_patterns("native"))
    with pytest.raises(native.NativeLibraryError, match=r"not found.*--native"):
        tt.load(out, dtype=torch.float64, backend="native")
    # auto falls back to the torch schedules
    m = tt.load(out, dtype=torch.float64, backend="auto")
    assert m.M(torch.zeros(3, dtype=torch.float64)).shape == (3, 3)
    with pytest.raises(ValueError, match="unknown backend"):
        tt.load(out, backend="cython")


def test_swapped_library_fails_its_checksum(rrr_dir, tmp_path):
    out = tmp_path / "copy"
    shutil.copytree(rrr_dir, out)
    shutil.copy(out / "native" / "libthunder_RRR_f32.so", out / "native" / "libthunder_RRR_f64.so")
    with pytest.raises(tt.ArtifactError, match=r"libthunder_RRR_f64\.so has \d+ bytes, manifest.json says"):
        tt.load(out, dtype=torch.float64, backend="native")


def test_mismatched_library_is_a_clear_error(rrr_dir, tmp_path, tmp_path_factory):
    out = tmp_path / "copy"
    shutil.copytree(rrr_dir, out)
    # the checksums recomputed after each change: the library's own checks (dtype, robot,
    # generation hash) are what stands between it and a call
    lib64 = out / "native" / "libthunder_RRR_f64.so"
    lib32 = out / "native" / "libthunder_RRR_f32.so"
    # another dtype under the float64 name
    shutil.copy(lib32, out / "native" / "tmp.so")
    os.replace(lib64, out / "native" / "orig64.so")
    os.replace(out / "native" / "tmp.so", lib64)
    recompute_artifacts(out, ["native/libthunder_RRR_f64.so"])
    with pytest.raises(native.NativeLibraryError, match="float32, requested float64"):
        tt.load(out, dtype=torch.float64, backend="native")
    os.replace(out / "native" / "orig64.so", lib64)
    recompute_artifacts(out, ["native/libthunder_RRR_f64.so"])
    # another generation: the manifest beside the library changed (its torch stamp recomputed too)
    man = out / "manifest.json"
    man.write_text(man.read_text().replace('"n_joints": 3', '"n_joints":  3'))
    recompute_artifacts(out, [], manifest_stamp=True)
    with pytest.raises(native.NativeLibraryError, match="another generation"):
        tt.load(out, dtype=torch.float32, backend="native")
    m = tt.load(out, dtype=torch.float32, backend="auto")   # falls back, does not crash
    assert m.G(torch.zeros(3)).shape == (3,)
    # another robot's library under this robot's name
    sea = _generate(tmp_path_factory, "searrr")
    out2 = tmp_path / "copy2"
    shutil.copytree(rrr_dir, out2)
    shutil.copy(sea / "native" / "libthunder_seaRRR_f64.so", out2 / "native" / "libthunder_RRR_f64.so")
    recompute_artifacts(out2, ["native/libthunder_RRR_f64.so"])
    with pytest.raises(native.NativeLibraryError, match="built for robot 'seaRRR'"):
        tt.load(out2, dtype=torch.float64, backend="native")
    # not a library at all
    (out2 / "native" / "libthunder_RRR_f32.so").write_text("garbage")
    recompute_artifacts(out2, ["native/libthunder_RRR_f32.so"])
    with pytest.raises(native.NativeLibraryError, match="not an ELF file|cannot load"):
        tt.load(out2, dtype=torch.float32, backend="native")


def test_native_input_validation_is_the_torch_paths(rrr_dir):
    nat = tt.load(rrr_dir, dtype=torch.float64, backend="native")
    with pytest.raises(TypeError, match="dtype"):
        nat.M(torch.zeros(3, dtype=torch.float32))
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 3\)"):
        nat.M(torch.zeros(4, dtype=torch.float64))
    with pytest.raises(TypeError, match="expected 1 variable"):
        nat.M()


def test_native_second_order_is_a_clear_error(rrr_dir):
    nat = tt.load(rrr_dir, dtype=torch.float64, backend="native")
    q = torch.rand(2, 3, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(nat.G(q).sum(), q, create_graph=True)
    with pytest.raises(RuntimeError, match="second-order"):
        g.sum().backward()


def test_native_torch_compile(rrr_dir):
    nat, ref = _pair(rrr_dir, torch.float64)
    q = torch.rand(16, 3, dtype=torch.float64)
    try:
        f = torch.compile(lambda x: nat.M(x) * 2.0, fullgraph=False)
        got = f(q)
    except Exception as e:  # noqa: BLE001 - an environment without a working inductor toolchain
        pytest.skip(f"torch.compile unavailable here: {type(e).__name__}: {str(e).splitlines()[0][:200]}")
    torch.testing.assert_close(got, ref.M(q) * 2.0, rtol=1e-12, atol=1e-12)
    from torch._subclasses.fake_tensor import FakeTensorMode
    lib_id, index = nat._native_backend.library("cpu", torch.float64)
    par = nat.par_DYN.detach().clone()
    with FakeTensorMode() as mode:   # the fake implementation gives the right shapes
        x = mode.from_tensor(q)
        p = mode.from_tensor(par).expand(16, -1)
        (y,) = torch.ops.thunder.native_call(lib_id, 2 * index["M"], 16, [x, p])
        assert tuple(y.shape) == (16, 9)


def test_cli_native_flags(tmp_path):
    proc = run_thunder("gen", ROBOTS / "RRR.yaml", "-o", tmp_path / "o", "--native-opt", "7", check=False)
    assert proc.returncode == 2 and "--native-opt" in proc.stderr
    proc = run_thunder("gen", ROBOTS / "RRR.yaml", "-o", tmp_path / "o", "--targets", "casadi", "--native",
                       "--native-opt", "0", "--no-cuda")
    assert (tmp_path / "o" / "native" / "libthunder_RRR_f64.so").is_file()
    assert (tmp_path / "o" / "torch" / "thunder_torch.json").is_file()   # --native implies torch
    assert "native: compiling" in proc.stderr


def _nvcc():
    return os.environ.get("NVCC") or shutil.which("nvcc") or (
        "/usr/local/cuda/bin/nvcc" if os.path.exists("/usr/local/cuda/bin/nvcc") else None)


@pytest.fixture(scope="session")
def rrr_cuda_dir(tmp_path_factory):
    if not _nvcc():
        pytest.skip("nvcc not found: the CUDA kernels are only written, not compiled")
    return _generate(tmp_path_factory, "rrr", cuda=True)


def test_nvcc_compiles_rrr_kernels(rrr_cuda_dir):
    d = rrr_cuda_dir / "native" / "cuda"
    assert (d / "thunder_RRR_M.cu").is_file()
    for tag, dtype in (("f64", torch.float64), ("f32", torch.float32)):
        path = d / f"libthunder_RRR_cuda_{tag}.so"
        assert path.is_file()
        man = (rrr_cuda_dir / "manifest.json").read_bytes()
        try:
            lib = native.NativeLibrary(path, "RRR", native.manifest_hash(generation_bytes(man)), dtype, "cuda")
        except native.NativeLibraryError as e:
            if "cannot load" in str(e):
                pytest.skip(f"the CUDA library does not load without a CUDA runtime here: {e}")
            raise
        assert "M" in lib.names and lib.sizes_out[2 * lib.index["M"]] == [9]


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_cuda_kernels_emulated_on_host(rrr_cuda_dir, tmp_path, dtype):
    """The generated .cu files compile as plain C++ too (one loop iteration per instance, see the
    prologue): every CUDA kernel, forward and reverse, against the CPU library, on any machine."""
    import subprocess
    cxx = os.environ.get("CXX") or shutil.which("c++") or shutil.which("g++")
    if not cxx:
        pytest.skip("no C++ compiler to build the host emulation")
    d = rrr_cuda_dir / "native" / "cuda"
    tag = "f64" if dtype == torch.float64 else "f32"
    define = [] if dtype == torch.float64 else ["-Dcasadi_real=float"]
    lib_path = tmp_path / f"emu_{tag}.so"
    units = sorted(str(p) for p in d.glob("thunder_RRR_unit*.cu"))
    subprocess.run([cxx, "-O1", "-fPIC", "-shared", "-w", *define, "-x", "c++", *units, "-x", "c",
                    str(d / "thunder_RRR_registry.c"), "-o", str(lib_path)], check=True)
    man = native.manifest_hash(generation_bytes((rrr_cuda_dir / "manifest.json").read_bytes()))
    emu = native.NativeLibrary(lib_path, "RRR", man, dtype, "cuda")
    emu.device_type = "cpu"   # host pointers: the emulation runs on the CPU
    cpu = native._LIBRARIES[native.open_library(rrr_cuda_dir, "RRR", "cpu", dtype)]
    assert emu.names == cpu.names and emu.sizes_in == cpu.sizes_in and emu.sizes_out == cpu.sizes_out
    gen = torch.Generator().manual_seed(23)
    for e in range(len(cpu.entries)):
        B = 9
        ins = [with_edge_rows((torch.rand(B, n, generator=gen, dtype=torch.float64) * 2 - 1).to(dtype), (B,),
                              dtype == torch.float32) for n in cpu.sizes_in[e]]
        if ins:
            ins[-1] = ins[-1][:1].expand(B, -1)   # one broadcast (stride 0) input
        got, want = emu.call(e, B, ins), cpu.call(e, B, ins)
        for k, (g, w) in enumerate(zip(got, want)):
            tol = 1e-12 if dtype == torch.float64 else 1e-4
            # The edge rows give nan on both sides where a formula divides 0 by 0 (par_REG_to_DYN
            # at a zero mass: CoM = h / m): nan must match nan; the scale is over finite values.
            finite = w[torch.isfinite(w)]
            scale = float(finite.abs().max().clamp_min(1.0)) if finite.numel() else 1.0
            torch.testing.assert_close(g, w, rtol=tol, atol=tol * scale, equal_nan=True,
                                       msg=f"{cpu.names[e // 2]}{' reverse' if e % 2 else ''} output {k}")


cuda_only = pytest.mark.skipif(not torch.cuda.is_available(),
                               reason="torch.cuda.is_available() is False: no GPU (or a CPU-only torch)")


@cuda_only
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_cuda_native_matches_torch(rrr_cuda_dir, dtype):
    nat, ref = _pair(rrr_cuda_dir, dtype, device="cuda")
    gen = torch.Generator().manual_seed(21)
    for name, spec in ref._specs.items():
        b = (257,) if spec.vars else ()
        xs = _inputs(spec, b, dtype, gen, device="cuda", edge=True)
        with torch.no_grad():
            got, want = _as_list(getattr(nat, name)(*xs)), _as_list(getattr(ref, name)(*xs))
        for k, (g, w) in enumerate(zip(got, want)):
            _close(f"{name}[{k}]", g, w, dtype)
    q = torch.rand(5, 3, dtype=torch.float64 if dtype == torch.float64 else torch.float32, device="cuda",
                   requires_grad=True)
    (gn,) = torch.autograd.grad(nat.C(q, q.detach()).sum(), q)
    (gt,) = torch.autograd.grad(ref.C(q, q.detach()).sum(), q)
    torch.testing.assert_close(gn, gt, rtol=1e-4, atol=1e-4)


@cuda_only
def test_cuda_graph_capture(rrr_cuda_dir):
    nat, ref = _pair(rrr_cuda_dir, torch.float32, device="cuda")
    q = torch.rand(1024, 3, device="cuda")
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s), torch.no_grad():
        nat.M(q)   # warm-up (loads the library) outside the capture
    torch.cuda.current_stream().wait_stream(s)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g), torch.no_grad():
        out = nat.M(q)
    q.copy_(torch.rand(1024, 3, device="cuda"))
    g.replay()
    torch.cuda.synchronize()
    torch.testing.assert_close(out, ref.M(q), rtol=1e-4, atol=1e-4)
