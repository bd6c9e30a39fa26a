"""The robot module as PyTorch users handle modules: called (inverse dynamics), a stage of
nn.Sequential, the function layers, torch.func.functional_call, and torch.save / torch.load in
another process. References: the generated functions themselves through another path
(M ddq + C dq + G + dl, FD inverting tau) and the values computed before pickling."""
import pickle
import subprocess
import sys

import pytest
import torch

from conftest import HANG_GUARD, ROBOTS

import thunder_torch


@pytest.fixture(scope="module")
def rrr(generate):
    gen = generate(ROBOTS / "RRR.yaml", "--symb", "DYN,Dl", "--functions", "M,C,G,tau,FD,dl",
                   "--no-cuda", targets="casadi,torch,native")
    return gen.out


def _state(batch, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.rand(*batch, 3, generator=g, dtype=torch.float64) * 2 - 1 for _ in range(3)]


@pytest.mark.parametrize("backend", ["torch", "native"])
def test_forward_is_inverse_dynamics(rrr, backend):
    robot = thunder_torch.load(rrr, dtype=torch.float64, backend=backend)
    q, dq, ddq = _state((5,))
    want = ((robot.M(q) @ ddq[..., None]).squeeze(-1) + (robot.C(q, dq) @ dq[..., None]).squeeze(-1)
            + robot.G(q) + robot.dl(dq))
    torch.testing.assert_close(robot(q, dq, ddq), want, rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(thunder_torch.InverseDynamics(robot)(q, dq, ddq), want,
                               rtol=1e-10, atol=1e-10)
    # FD inverts it (FD includes the friction terms)
    torch.testing.assert_close(thunder_torch.ForwardDynamics(robot)(q, dq, want), ddq,
                               rtol=1e-9, atol=1e-9)
    # one concatenated input, as nn.Sequential passes it
    seq = torch.nn.Sequential(robot, torch.nn.Tanh())
    torch.testing.assert_close(seq(torch.cat([q, dq, ddq], -1)), torch.tanh(want),
                               rtol=1e-10, atol=1e-10)
    with pytest.raises(ValueError, match=r"\(\.\.\., 9\)"):
        robot(q)
    with pytest.raises(TypeError, match="q, dq, ddq"):
        robot(q, dq)


def test_layers_need_their_function(generate):
    gen = generate(ROBOTS / "RRR.yaml", "--functions", "M", targets="casadi,torch")
    robot = thunder_torch.load(gen.out, dtype=torch.float64, backend="torch")
    with pytest.raises(ValueError, match="tau"):
        thunder_torch.InverseDynamics(robot)
    with pytest.raises(ValueError, match="FD"):
        thunder_torch.ForwardDynamics(robot)
    with pytest.raises(ValueError, match="tau"):
        robot(*_state(()))


def test_functional_call_gradient_matches_finite_differences(rrr):
    """torch.func.functional_call with swapped parameters, differentiated by torch.func.grad."""
    layer = thunder_torch.InverseDynamics(thunder_torch.load(rrr, dtype=torch.float64))
    q, dq, ddq = _state((4,))
    params = {k: v.detach() for k, v in layer.named_parameters()}

    def loss(p):
        return (torch.func.functional_call(layer, p, (q, dq, ddq)) ** 2).sum()
    g = torch.func.grad(loss)(params)
    assert set(g) == set(params) and {"robot.par_DYN", "robot.par_Dl"} <= set(g)
    eps = 1e-6
    for name in ("robot.par_DYN", "robot.par_Dl"):   # every element symbolic (--symb DYN,Dl)
        for i in (0, 5, g[name].numel() - 1):
            up = {k: v.clone() for k, v in params.items()}
            dn = {k: v.clone() for k, v in params.items()}
            up[name][i] += eps
            dn[name][i] -= eps
            fd = (loss(up) - loss(dn)) / (2 * eps)
            torch.testing.assert_close(g[name][i], fd, rtol=1e-6, atol=1e-8)


PICKLE_CHILD = """
import sys, torch
robot = torch.load(sys.argv[1], weights_only=False)
layer = torch.load(sys.argv[2], weights_only=False)
q, dq, ddq, M, tau = torch.load(sys.argv[3])
assert type(robot).__name__ == "Thunder_RRR", type(robot)
assert robot.dtype == torch.float64 and robot.grad_mode == "tape"
assert not robot.par_Dl.requires_grad and robot.par_DYN.requires_grad
assert torch.equal(robot.M(q), M), (robot.M(q) - M).abs().max()
assert torch.equal(layer(q, dq, ddq), tau)
assert (robot._native_backend is not None) == (sys.argv[4] == "native")
print("ok")
"""


@pytest.mark.parametrize("backend", ["torch", "native"])
def test_torch_save_load_in_another_process(rrr, tmp_path, backend):
    robot = thunder_torch.load(rrr, dtype=torch.float64, backend=backend)
    with torch.no_grad():
        robot.par_DYN.mul_(1.25)   # changed parameters travel with the module
    robot.par_Dl.requires_grad_(False)
    robot.grad_mode = "tape"
    layer = thunder_torch.InverseDynamics(robot)
    q, dq, ddq = _state((3,))
    torch.save(robot, tmp_path / "robot.pt")
    torch.save(layer, tmp_path / "layer.pt")
    torch.save((q, dq, ddq, robot.M(q).detach(), layer(q, dq, ddq).detach()), tmp_path / "ref.pt")
    proc = subprocess.run([sys.executable, "-c", PICKLE_CHILD, str(tmp_path / "robot.pt"),
                           str(tmp_path / "layer.pt"), str(tmp_path / "ref.pt"), backend],
                          capture_output=True, text=True, timeout=HANG_GUARD)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr
    # the unpickled module is a fresh one, not the parameters' storage
    copy = pickle.loads(pickle.dumps(robot))
    assert copy.par_DYN.data_ptr() != robot.par_DYN.data_ptr()
    assert torch.equal(copy.par_DYN, robot.par_DYN)


def test_unpickling_a_regenerated_folder_is_refused(generate, tmp_path):
    import shutil
    from conftest import run_thunder
    out = tmp_path / "rrr"
    run_thunder("gen", ROBOTS / "RRR.yaml", "-o", out, "--targets", "torch", "--functions", "M")
    data = pickle.dumps(thunder_torch.load(out, dtype=torch.float64, backend="torch"))
    run_thunder("gen", ROBOTS / "RRR.yaml", "-o", out, "--targets", "torch", "--functions", "M,G")
    with pytest.raises(ValueError, match="regenerated"):
        pickle.loads(data)
    shutil.rmtree(out)
    with pytest.raises(FileNotFoundError):
        pickle.loads(data)


def test_a_module_not_made_by_load_says_why_it_cannot_be_pickled(rrr):
    robot = thunder_torch.load(rrr, dtype=torch.float64, backend="torch")
    del robot.__dict__["_source"]
    with pytest.raises(TypeError, match="thunder_torch.load"):
        pickle.dumps(robot)
