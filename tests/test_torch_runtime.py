"""thunder_torch runtime vs CasADi's own evaluation of the same functions.

Output folders under test:
- "toy": written by the exporter's test driver `thunder-torch-toy` (tests/cpp_tools), a toy
  FunctionSet covering the common operations, a non-symmetric matrix output, a multi-output
  function, a sparse output and a parameter set with only some symbolic elements;
- "rrr", "searrr", "panda": `thunder gen robots/<robot>.yaml -o OUT --pytorch`, with the dynamic
  (and elastic) parameter sets made symbolic so that random parameter values are exercised.
CasADi is a test dependency only: the reference is casadi.Function.load(OUT/casadi/<f>.casadi).
"""
import glob
import math
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import torch

from conftest import ROOT, ROBOTS, run_thunder, with_edge_rows

casadi = pytest.importorskip("casadi")


import thunder_torch as tt


def _toy_driver():
    exe = os.environ.get("THUNDER_TORCH_TOY")
    if exe:
        return exe
    found = sorted(glob.glob(str(ROOT / "build" / "*" / "thunder-torch-toy")))
    return found[0] if found else None


GENERATED = {
    "rrr": ("RRR.yaml", ()),
    "searrr": ("seaRRR.yaml", ("--symb", "DYN,K,Dm,Mm")),
    "panda": ("franka.yaml", ("--symb", "DYN")),
}


@pytest.fixture(scope="session", params=["toy", *GENERATED])
def out_dir(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param)
    if request.param == "toy":
        exe = _toy_driver()
        if not exe:
            pytest.skip("thunder-torch-toy not built (cmake --build build/dev) and "
                        "$THUNDER_TORCH_TOY not set")
        subprocess.run([exe, str(out)], check=True, capture_output=True, text=True)
    else:
        robot, args = GENERATED[request.param]
        run_thunder("gen", ROBOTS / robot, "-o", out, "--targets", "casadi", "--pytorch", *args)
    return out


def _randomize_params(module, gen):
    with torch.no_grad():
        for name in module.param_elements:
            if module._is_derived(name):
                continue
            # only the symbolic elements: changing a folded one is an error (issue 10)
            t = getattr(module, name)
            symbolic = torch.tensor(module.param_symbolic[name])
            scale = 1 + 0.2 * (torch.rand(t.shape, generator=gen, dtype=torch.float64) - 0.5)
            t.mul_(torch.where(symbolic, scale, 1.0).to(t.dtype))


def _random_inputs(spec, batch, dtype, gen, edge=False):
    """Uniform in (-1, 1); with edge=True the first rows hold exact zeros, -0.0, ties and
    thresholds (conftest.edge_values) in every input at once."""
    xs = []
    for _, rows, cols in spec.vars:
        shape = (*batch, rows) if cols == 1 else (*batch, rows, cols)
        x = (torch.rand(shape, generator=gen, dtype=torch.float64) * 2 - 1).to(dtype)
        xs.append(with_edge_rows(x, batch, dtype == torch.float32) if edge else x)
    return xs


def _casadi_eval(out_dir, module, spec, xs, batch):
    """CasADi reference at every batch element, float64, as numpy (…, rows, cols)."""
    f = casadi.Function.load(str(out_dir / "casadi" / f"{spec.name}.casadi"))
    B = math.prod(batch)
    flat = [x.to(torch.float64).reshape(B, *x.shape[len(batch):]).numpy() for x in xs]
    pars = []
    for name, size, idx in spec.pars:
        full = module.param_vector(name).detach().to(torch.float64).numpy()
        pars.append(full if idx is None else full[idx])
    res = [np.zeros((B, r, c)) for _, r, c in spec.outputs]
    for b in range(B):
        args, vi, pi = [], 0, 0
        for kind, i in spec.order:
            if kind == "var":
                _, r, c = spec.vars[i]
                args.append(casadi.DM(flat[i][b].reshape(r, c)))
            else:
                args.append(casadi.DM(pars[i]))
        out = f.call(args)  # list of DM, one per output
        for j, o in enumerate(out):
            res[j][b] = np.array(casadi.DM(o).full())
    return [r.reshape(*batch, *r.shape[1:]) for r in res]


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("batch", [(), (1,), (64,), (4, 16)])
def test_matches_casadi(out_dir, dtype, batch):
    batch_in = batch
    module = tt.load(out_dir, dtype=dtype)
    gen = torch.Generator().manual_seed(1 + len(batch) * 7 + (batch[0] if batch else 0))
    _randomize_params(module, gen)
    for name, spec in module._specs.items():
        batch = batch_in if spec.vars else ()  # parameters alone are not batched
        xs = _random_inputs(spec, batch, dtype, gen, edge=True)
        got = getattr(module, name)(*xs)
        got = [got] if not isinstance(got, tuple) else list(got)
        ref = _casadi_eval(out_dir, module, spec, xs, batch)
        for (oname, r, c), g, e in zip(spec.outputs, got, ref):
            want_shape = (*batch, r) if c == 1 else (*batch, r, c)
            assert tuple(g.shape) == want_shape, (name, oname)
            g = g.detach().to(torch.float64).reshape(*batch, r, c).numpy()
            if dtype == torch.float64:
                # Same operations in the same order up to reassociation-free scheduling: only
                # libm differences remain.
                np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-12, err_msg=f"{name}.{oname}")
            elif name == "J_ee_pinv":
                # A linear solve loses cond(J J') digits whatever the precision: float32's bound
                # is ~cond * eps32 * |P| per instance, cond = (s_max / s_min)^2 of the reference.
                ref = e.reshape(-1, r, c)
                sv = np.linalg.svd(ref, compute_uv=False)
                cond = (sv[:, 0] / sv[:, -1]) ** 2
                bound = 1e-4 + 10 * cond * np.finfo(np.float32).eps * np.abs(ref).max(axis=(1, 2))
                err = np.abs(g.reshape(-1, r, c) - ref).max(axis=(1, 2))
                assert np.all(err <= bound), (name, err.max(), bound[err.argmax()])
            elif name.startswith(("FD", "dFD", "M_inv", "impulse")):
                # Solves with M (LTDL, ABA): the rounding of the large entries of M^-1 and of the
                # right-hand side reaches every entry of the solution, so the error scales with
                # the instance's largest entry (|M^-1| |rhs|), not with each entry: 1e-4 of it
                # (~1e-7 per operation over a few dozen levels, times a cond(M) of ~10-100 at
                # the randomized parameters).
                ref = e.reshape(-1, r * c)
                scale = np.maximum(1.0, np.abs(ref).max(axis=1))
                err = np.abs(g.reshape(-1, r * c) - ref).max(axis=1)
                assert np.all(err <= 1e-4 * scale), (name, oname, (err / scale).max())
            else:
                # float32 evaluation of a float64 reference: ~1e-7 per operation, a few dozen levels
                np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-4, err_msg=f"{name}.{oname}")


def test_large_batch_blocks(out_dir):
    """A batch larger than the CPU block size runs in blocks; same values as one by one."""
    module = tt.load(out_dir, dtype=torch.float64)
    gen = torch.Generator().manual_seed(5)
    for name, spec in module._specs.items():
        if not spec.vars:
            continue
        n = 2 * spec.fwd.block_size(torch.device("cpu")) + 3
        xs = _random_inputs(spec, (n,), torch.float64, gen)
        big = getattr(module, name)(*xs)
        big = big if isinstance(big, tuple) else (big,)
        for k in (0, n // 2, n - 1):
            one = getattr(module, name)(*[x[k] for x in xs])
            one = one if isinstance(one, tuple) else (one,)
            for a, b in zip(big, one):
                # SIMD and scalar libm paths may differ in the last bit
                torch.testing.assert_close(a[k], b, rtol=1e-14, atol=1e-15)


ROBOT_GRAD_FUNCTIONS = ["M", "C", "G", "Yr", "J_ee", "T_0_ee"]


def _grad_functions(module):
    if "Yr" in module._specs:  # a robot: the functions the gradients are promised for
        return ROBOT_GRAD_FUNCTIONS
    # Non-smooth functions (floor, sign, if_else, remainder) are left out: finite differences
    # across a discontinuity are meaningless.
    return [n for n, s in module._specs.items() if (s.vars or s.pars) and n not in ("nonsmooth", "special")]


@pytest.mark.parametrize("mode", ["reverse", "tape"])
def test_gradcheck(out_dir, mode):
    module = tt.load(out_dir, dtype=torch.float64)
    module.grad_mode = mode
    gen = torch.Generator().manual_seed(3)
    for name in _grad_functions(module)[:6]:
        spec = module._specs[name]
        xs = [x.requires_grad_(True) for x in _random_inputs(spec, (3,), torch.float64, gen)]
        # perturb the symbolic elements only: a folded one cannot change (an error, issue 10)
        sym = {p: torch.tensor(module.param_symbolic[p]).nonzero()[:, 0] for p, _, _ in spec.pars}
        pars = {p: module.param_vector(p).detach()[sym[p]].clone().requires_grad_(True)
                for p, _, _ in spec.pars}
        keys = list(pars)

        def f(*a):
            full = {k: module.param_vector(k).detach().index_put((sym[k],), v)
                    for k, v in zip(keys, a[len(xs):])}
            out = getattr(module, name)(*a[:len(xs)], **full)
            return out
        # The Panda's Yr has 1,470 outputs at batch 3: the full check (one backward pass per
        # output) costs minutes; fast mode compares u' J v for random u, v instead, which any wrong
        # entry of J changes. The small robots keep the full, entry by entry check.
        fast = module.nv >= 7
        assert torch.autograd.gradcheck(f, (*xs, *pars.values()), eps=1e-6, atol=1e-7, fast_mode=fast), name


def test_reverse_equals_tape(out_dir):
    module = tt.load(out_dir, dtype=torch.float64)
    gen = torch.Generator().manual_seed(11)
    for name, spec in module._specs.items():
        # nonsmooth: CasADi differentiates copysign(x, y) as copysign(1, y) (wrong for x < 0);
        # the reverse schedule reproduces CasADi, the tape uses torch's derivative.
        if not spec.vars or name == "nonsmooth":
            continue
        xs = _random_inputs(spec, (5,), torch.float64, gen)
        grads = []
        for mode in ("reverse", "tape"):
            module.grad_mode = mode
            a = [x.clone().requires_grad_(True) for x in xs]
            out = getattr(module, name)(*a)
            out = out if isinstance(out, tuple) else (out,)
            seed = torch.Generator().manual_seed(2)
            loss = sum((o * torch.rand(o.shape, generator=seed, dtype=o.dtype)).sum() for o in out)
            module.zero_grad()
            loss.backward()
            grads.append([x.grad for x in a] + [p.grad.clone() if p.grad is not None else None
                                                for p in module.parameters()])
        for g1, g2 in zip(*grads):
            if g1 is None or g2 is None:
                assert g1 is None or torch.count_nonzero(g1) == 0 or g2 is not None
                continue
            torch.testing.assert_close(g1, g2, rtol=1e-10, atol=1e-12)


def test_parameter_gradients(out_dir):
    """Symbolic parameter sets are nn.Parameters (full vector); gradients reach them."""
    module = tt.load(out_dir, dtype=torch.float64)
    for name, sym in module.param_symbolic.items():
        if module._is_derived(name):
            continue
        t = getattr(module, name)
        assert isinstance(t, torch.nn.Parameter) == any(sym), name
    fn = next((n for n, s in module._specs.items() if s.pars and s.vars), None)
    if fn is None:
        pytest.skip("no function with a parameter input")
    spec = module._specs[fn]
    out = getattr(module, fn)(*_random_inputs(spec, (4,), torch.float64, torch.Generator()))
    out = out if isinstance(out, tuple) else (out,)
    sum(o.sum() for o in out).backward()
    pname = spec.pars[0][0]
    g = getattr(module, pname).grad
    assert g is not None
    sym = torch.tensor(module.param_symbolic[pname])
    assert torch.all(g[~sym] == 0)


def test_no_casadi_at_runtime(out_dir):
    code = f"""
import sys
sys.modules['casadi'] = None   # importing casadi now raises ImportError
import torch
import thunder_torch as tt
m = tt.load({str(out_dir)!r}, dtype=torch.float64)
for name, s in m._specs.items():
    xs = [torch.rand(2, r) if c == 1 else torch.rand(2, r, c) for _, r, c in s.vars]
    getattr(m, name)(*[x.double() for x in xs])
try:
    import casadi
    raise SystemExit('casadi import did not fail')
except ImportError:
    pass
print('ok')
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stderr


def _first_fn_with_vars(module):
    for n, s in module._specs.items():
        if s.vars:
            return n, s
    pytest.skip("no function with variable inputs")


def test_bad_inputs(out_dir):
    module = tt.load(out_dir, dtype=torch.float64)
    name, spec = _first_fn_with_vars(module)
    f = getattr(module, name)
    good = _random_inputs(spec, (2,), torch.float64, torch.Generator())
    vname = spec.vars[0][0]

    def call_with(x0):
        return f(x0, *good[1:])
    with pytest.raises(TypeError, match=f"{name}.*'{vname}'.*torch.Tensor"):
        call_with(good[0].tolist())
    with pytest.raises(TypeError, match=f"{name}.*'{vname}'.*dtype"):
        call_with(good[0].float())
    with pytest.raises(ValueError, match=f"{name}.*'{vname}'.*shape"):
        call_with(torch.zeros(2, spec.vars[0][1] + 1, dtype=torch.float64))
    with pytest.raises(ValueError, match=f"{name}.*'{vname}'.*device"):
        call_with(good[0].to("meta"))
    with pytest.raises(TypeError, match=f"{name}.*expected {len(spec.vars)}"):
        f(*good, good[0])
    with pytest.raises(TypeError, match=f"{name}.*unexpected keyword"):
        f(*good, bogus=1)
    if len(spec.vars) > 1:
        bad = [good[0]] + [torch.cat([g, g, g]) for g in good[1:]]
        with pytest.raises(ValueError, match=f"{name}.*broadcast"):
            f(*bad)


def test_broadcast_and_param_override(out_dir):
    module = tt.load(out_dir, dtype=torch.float64)
    fn = next((n for n, s in module._specs.items() if s.pars and s.vars), None)
    if fn is None:
        pytest.skip("no function with a parameter input")
    spec = module._specs[fn]
    gen = torch.Generator().manual_seed(4)
    xs = _random_inputs(spec, (3,), torch.float64, gen)
    pname = spec.pars[0][0]
    base = module.param_vector(pname).detach()
    # scale the symbolic elements only (a folded one cannot change: an error, issue 10)
    scaled = torch.where(torch.tensor(module.param_symbolic[pname]), base * 1.1, base)
    pb = torch.stack([base, scaled])[:, None, :]  # (2, 1, n) with xs (3, ·) -> (2, 3)
    out = getattr(module, fn)(*xs, **{pname: pb})
    out = out if isinstance(out, tuple) else (out,)
    assert out[0].shape[:2] == (2, 3)
    with torch.no_grad():
        getattr(module, pname).copy_(scaled)
    again = getattr(module, fn)(*xs)
    again = again if isinstance(again, tuple) else (again,)
    torch.testing.assert_close(out[0][1], again[0], rtol=0, atol=0)


def test_par_file_round_trip(out_dir, tmp_path):
    module = tt.load(out_dir, dtype=torch.float64)
    _randomize_params(module, torch.Generator().manual_seed(9))
    f = tmp_path / "p.yaml"
    module.save_par(f)
    other = tt.load(out_dir, dtype=torch.float64)
    other.load_par(f)
    for name in module.param_elements:
        assert torch.equal(module.param_vector(name).detach(), other.param_vector(name).detach()), name
    bad = tmp_path / "bad.yaml"
    bad.write_text("par_nope:\n  a: 1\n")
    with pytest.raises(ValueError, match=r"bad\.yaml.*par_nope"):
        other.load_par(bad)
    first = next(iter(module.param_elements))
    bad.write_text(f"{first}:\n  not_an_element: 1.0\n")
    with pytest.raises(ValueError, match=rf"bad\.yaml.*{first}.*not_an_element"):
        other.load_par(bad)
    # partial file: one element changes, the rest keep their values
    name = next(n for n in module.param_elements if not module._is_derived(n))
    el = module.param_elements[name][0]
    part = tmp_path / "part.yaml"
    part.write_text(f"{name}:\n  {el}: 0.5\n")
    other.load_par(part)
    assert other.param_vector(name)[0].item() == 0.5
    torch.testing.assert_close(other.param_vector(name)[1:], module.param_vector(name)[1:])


def test_state_dict_and_state_layer(out_dir):
    module = tt.load(out_dir, dtype=torch.float64)
    _randomize_params(module, torch.Generator().manual_seed(12))
    other = tt.load(out_dir, dtype=torch.float64)
    other.load_state_dict(module.state_dict())
    for name in module.param_elements:
        assert torch.equal(module.param_vector(name).detach(), other.param_vector(name).detach())
    name, spec = _first_fn_with_vars(module)
    xs = _random_inputs(spec, (4,), torch.float64, torch.Generator())
    for (v, _, _), x in zip(spec.vars, xs):
        getattr(module, f"set_{v}")(x)
    a, b = getattr(module, f"get_{name}")(), getattr(module, name)(*xs)
    for u, w in zip(a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,)):
        torch.testing.assert_close(u, w, rtol=0, atol=0)
    fresh = tt.load(out_dir, dtype=torch.float64)
    with pytest.raises(ValueError, match=f"get_{name}.*{spec.vars[0][0]}"):
        getattr(fresh, f"get_{name}")()


def test_docstrings(out_dir):
    module = tt.load(out_dir)
    for name, spec in module._specs.items():
        doc = getattr(type(module), name).__doc__
        assert "Shape:" in doc and all(v in doc for v, _, _ in spec.vars), name


def test_torch_compile_fullgraph(out_dir):
    module = tt.load(out_dir, dtype=torch.float64)
    name, spec = _first_fn_with_vars(module)
    xs = _random_inputs(spec, (8,), torch.float64, torch.Generator())
    f = torch.compile(getattr(module, name), fullgraph=True, backend="eager")
    got, want = f(*xs), getattr(module, name)(*xs)
    for u, w in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
        torch.testing.assert_close(u, w)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_fma_rewrites_bitwise(dtype):
    """The exporter writes add, sub, mul, neg, twice and sq as fma(c, a, b) = c + a*b, which the
    runtime evaluates with torch.addcmul (docs/TORCH_ARTIFACT.md): every form it writes gives
    the original operation's bits, signed zeros, infinities, NaNs and subnormals included."""
    tiny = torch.finfo(dtype).tiny
    big = torch.finfo(dtype).max
    vals = torch.tensor([0.0, -0.0, 1.0, -1.0, 2.5, -3.75, 1e-3, tiny, -tiny / 4, big, -big,
                         float("inf"), -float("inf"), float("nan"), 0.1, 7.0], dtype=dtype)
    x = vals.repeat_interleave(len(vals))
    y = vals.repeat(len(vals))
    one = torch.ones_like(x)

    def fma(c, a, b):
        return torch.addcmul(c, a, b)

    def same(a, b):
        return bool(((a == b) & (torch.signbit(a) == torch.signbit(b)) | (a.isnan() & b.isnan())).all())

    nz = torch.full_like(x, -0.0)
    assert same(fma(x, y, one), x + y)                          # x + y
    assert same(fma(y, x, one), x + y)                          # x + k (constant y in c)
    assert same(fma(x, y, -one), x - y)                         # x - y
    assert same(fma(-y, x, one), x - y)                         # x - k = (-k) + x
    assert same(fma(nz, x, y), x * y)                           # x * y, k * x = x * k
    assert same(fma(nz, y, x), x * y)
    assert same(fma(nz, x, -one), -x)                           # -x
    assert same(fma(nz, x, 2 * one), x + x)                     # twice
    assert same(fma(nz, x, x), x * x)                           # sq
