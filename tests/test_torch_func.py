"""thunder_torch under torch.func (vmap, jacrev, jacfwd, hessian) and higher-order autograd, on
both backends, against independent references: central finite differences of the function
itself, torch.autograd.gradcheck / gradgradcheck, and per-instance loops for vmap.

Robot: RRR (3 revolute joints, link friction) with the inertial and friction parameters
symbolic, so that parameter inputs are exercised; generated with native CPU kernels.
"""
import inspect

import pytest
import torch

from conftest import ROBOTS

import thunder_torch

BACKENDS = ["torch", "native"]


@pytest.fixture(scope="module")
def rrr(generate):
    gen = generate(ROBOTS / "RRR.yaml", "--symb", "DYN,Dl", "--functions", "M,G,tau,FD,dl",
                   "--no-cuda", targets="casadi,torch,native")
    return gen.out


@pytest.fixture(scope="module", params=BACKENDS)
def robot(request, rrr):
    return thunder_torch.load(rrr, dtype=torch.float64, backend=request.param)


def _state(batch, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.rand(*batch, 3, generator=g, dtype=torch.float64) * 2 - 1 for _ in range(3)]


def _fd_jacobian(f, x, eps=1e-6):
    """Central differences of f at x: (*f(x).shape, *x.shape). Error O(eps^2 |f'''|) ~ 1e-12
    plus rounding ~ 1e-16 / eps = 1e-10 for these O(1) trigonometric functions."""
    cols = []
    for i in range(x.numel()):
        e = torch.zeros_like(x).reshape(-1)
        e[i] = eps
        e = e.reshape(x.shape)
        cols.append((f(x + e) - f(x - e)) / (2 * eps))
    return torch.stack(cols, -1).reshape(*f(x).shape, *x.shape)


def test_vmap_equals_a_loop_over_instances(robot):
    q, dq, ddq = _state((6,))
    got = torch.func.vmap(robot.tau)(q, dq, ddq)
    want = torch.stack([robot.tau(q[i], dq[i], ddq[i]) for i in range(6)])
    torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)
    # an unbatched argument (in_dims None) and a vmapped dimension that is not the first
    got = torch.func.vmap(robot.tau, in_dims=(1, None, 0))(q.t(), dq[0], ddq)
    want = torch.stack([robot.tau(q[i], dq[0], ddq[i]) for i in range(6)])
    torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)
    # nested vmap over a batch that the function itself also broadcasts
    q2 = q.reshape(2, 3, 3)
    torch.testing.assert_close(torch.func.vmap(torch.func.vmap(robot.M))(q2), robot.M(q2),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("jac", ["jacrev", "jacfwd"])
def test_jacobians_match_finite_differences(robot, jac):
    q, dq, ddq = _state((4,))
    J = getattr(torch.func, jac)
    got = torch.func.vmap(J(robot.M))(q)                         # (4, 3, 3, 3)
    for i in range(4):
        torch.testing.assert_close(got[i], _fd_jacobian(robot.M, q[i]), rtol=1e-7, atol=1e-8)
    # every argument of a 3-input function at once
    gq, gdq, gddq = J(robot.tau, argnums=(0, 1, 2))(q[0], dq[0], ddq[0])
    torch.testing.assert_close(gq, _fd_jacobian(lambda x: robot.tau(x, dq[0], ddq[0]), q[0]),
                               rtol=1e-7, atol=1e-8)
    torch.testing.assert_close(gdq, _fd_jacobian(lambda x: robot.tau(q[0], x, ddq[0]), dq[0]),
                               rtol=1e-7, atol=1e-8)
    # tau is linear in ddq with matrix M: an exact reference
    torch.testing.assert_close(gddq, robot.M(q[0]), rtol=1e-12, atol=1e-12)


def test_jacobian_with_respect_to_parameters(robot):
    """jacrev and jacfwd through a parameter override (par_DYN: masses, CoMs, inertias about the
    CoM, in which tau is not linear) against central differences."""
    q, dq, ddq = _state(())
    p0 = robot.par_DYN.detach().clone()
    f = lambda p: robot.tau(q, dq, ddq, par_DYN=p)
    want = _fd_jacobian(f, p0)
    torch.testing.assert_close(torch.func.jacrev(f)(p0), want, rtol=1e-7, atol=1e-8)
    torch.testing.assert_close(torch.func.jacfwd(f)(p0), want, rtol=1e-7, atol=1e-8)


def test_hessian_forward_over_reverse(robot):
    """torch.func.hessian (jacfwd of jacrev) works on both backends; reference: central
    differences of the gradient (error ~ 1e-9 at eps 1e-6)."""
    q = _state(())[0]
    f = lambda x: (robot.M(x) ** 2).sum() + robot.G(x).sum()
    H = torch.func.hessian(f)(q)
    torch.testing.assert_close(H, H.t(), rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(H, _fd_jacobian(torch.func.grad(f), q), rtol=1e-6, atol=1e-7)


def test_forward_mode_dual_tensors(robot):
    import torch.autograd.forward_ad as fwAD
    q, dq, ddq = _state((5,))
    v = _state((5,), seed=1)[0]
    with fwAD.dual_level():
        out = robot.tau(fwAD.make_dual(q, v), dq, ddq)
        tangent = fwAD.unpack_dual(out).tangent
    _, want = torch.func.jvp(lambda x: robot.tau(x, dq, ddq), (q,), (v,))
    torch.testing.assert_close(tangent, want, rtol=1e-12, atol=1e-12)
    eps = 1e-6
    fd = (robot.tau(q + eps * v, dq, ddq) - robot.tau(q - eps * v, dq, ddq)) / (2 * eps)
    torch.testing.assert_close(tangent, fd, rtol=1e-7, atol=1e-8)


def test_second_order_torch_backend(rrr):
    robot = thunder_torch.load(rrr, dtype=torch.float64, backend="torch")
    q, dq, _ = _state((2,))
    tau = lambda q, dq, ddq: robot.tau(q, dq, ddq)
    inputs = tuple(x.clone().requires_grad_() for x in _state((2,)))
    assert torch.autograd.gradcheck(tau, inputs)
    assert torch.autograd.gradgradcheck(tau, inputs)
    # reverse over reverse through torch.func
    H = torch.func.jacrev(torch.func.jacrev(lambda x: robot.G(x).sum()))(q[0])
    torch.testing.assert_close(H, _fd_jacobian(torch.func.grad(lambda x: robot.G(x).sum()), q[0]),
                               rtol=1e-6, atol=1e-7)


def test_second_order_native_backend_says_what_to_use(rrr):
    robot = thunder_torch.load(rrr, dtype=torch.float64, backend="native")
    q = _state(())[0].requires_grad_()
    g, = torch.autograd.grad(robot.M(q).sum(), q, create_graph=True)
    ref = thunder_torch.load(rrr, dtype=torch.float64, backend="torch")
    g_ref, = torch.autograd.grad(ref.M(q).sum(), q)
    torch.testing.assert_close(g, g_ref, rtol=1e-12, atol=1e-12)   # first order still right
    with pytest.raises(RuntimeError, match="backend='torch'"):
        torch.autograd.grad(g.sum(), q)


def test_signatures_name_the_manifest_arguments(rrr):
    robot = thunder_torch.load(rrr, dtype=torch.float64, backend="torch")
    sig = inspect.signature(robot.tau)
    assert list(sig.parameters) == ["q", "dq", "ddq", "par_DYN"]
    assert sig.parameters["par_DYN"].kind is inspect.Parameter.KEYWORD_ONLY
    assert sig.parameters["q"].annotation is torch.Tensor
    assert sig.return_annotation is torch.Tensor
    assert list(inspect.signature(robot.FD).parameters) == ["q", "dq", "torque", "par_DYN", "par_Dl"]
    assert list(inspect.signature(robot.get_M).parameters) == ["par_DYN"]
    assert "(..., 3, 3)" in robot.M.__doc__ and "Shape:" in robot.M.__doc__
    q, dq, ddq = _state((2,))
    want = robot.tau(q, dq, ddq)
    assert torch.equal(robot.tau(q=q, dq=dq, ddq=ddq), want)
    assert torch.equal(robot.tau(q, ddq=ddq, dq=dq), want)
    assert torch.equal(robot.tau(q, dq, ddq, par_DYN=None), want)
    with pytest.raises(TypeError, match="multiple values for argument 'q'"):
        robot.M(q, q=q)
    with pytest.raises(TypeError, match="missing argument 'dq'"):
        robot.tau(q, ddq=ddq)
    with pytest.raises(TypeError, match="unexpected keyword argument 'x'"):
        robot.M(x=q)
