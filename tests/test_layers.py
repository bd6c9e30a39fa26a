"""Generated functions composed as trainable layers."""
import pytest
import torch

from conftest import ROBOTS

import thunder_torch


@pytest.fixture(scope="module")
def rrr(generate):
    # RRR flags every inertial parameter and has link friction Dl1 dq + Dl2 |dq| dq.
    gen = generate(ROBOTS / "RRR.yaml", "--symb", "DYN,Dl", targets="casadi,torch")
    return gen.out


def test_inverse_dynamics_is_the_sum_of_its_terms(rrr):
    robot = thunder_torch.load(rrr, dtype=torch.float64)
    layer = thunder_torch.InverseDynamics(robot)
    g = torch.Generator().manual_seed(0)
    q, dq, ddq = (torch.rand(5, 3, generator=g, dtype=torch.float64) * 2 - 1 for _ in range(3))
    expected = (robot.M(q) @ ddq[..., None] + robot.C(q, dq) @ dq[..., None]).squeeze(-1) + robot.G(q) + robot.dl(dq)
    torch.testing.assert_close(layer(q, dq, ddq), expected, rtol=1e-12, atol=1e-12)


def test_inverse_dynamics_trains_its_parameters(rrr):
    """Fit perturbed inertial and friction parameters to torques of the true ones: the torque
    error must fall by orders of magnitude (the model is linear in par_REG and friction)."""
    truth = thunder_torch.load(rrr, dtype=torch.float64)
    # Physical ground truth (the file's all-ones inertias are placeholders).
    with torch.no_grad():
        truth.par_DYN.copy_(torch.tensor([2.0, 0.1, 0.05, -0.1, 0.3, 0.01, 0.02, 0.25, 0.03, 0.2] * 3,
                                         dtype=torch.float64))
    model = thunder_torch.load(rrr, dtype=torch.float64)
    with torch.no_grad():
        model.par_DYN.copy_(truth.par_DYN * 1.2)
        model.par_Dl.copy_(truth.par_Dl * 0.7)
    layer = thunder_torch.InverseDynamics(model)
    g = torch.Generator().manual_seed(1)
    q, dq, ddq = (torch.rand(512, 3, generator=g, dtype=torch.float64) * 4 - 2 for _ in range(3))
    with torch.no_grad():
        target = thunder_torch.InverseDynamics(truth)(q, dq, ddq)
    assert {n for n, _ in layer.named_parameters()} >= {"robot.par_DYN", "robot.par_Dl"}
    opt = torch.optim.LBFGS(layer.parameters(), max_iter=50, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = ((layer(q, dq, ddq) - target) ** 2).mean()
        loss.backward()
        return loss

    first = closure().item()
    for _ in range(5):
        last = opt.step(closure).item()
    assert last < 1e-6 * first, (first, last)
