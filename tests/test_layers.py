"""Generated functions composed as trainable layers."""
import numpy as np
import pytest
import torch

from conftest import ROBOTS

import thunder_torch


@pytest.fixture(scope="module")
def rrr(generate):
    # RRR flags every inertial parameter and has link friction Dl1 dq + Dl2 |dq| dq.
    gen = generate(ROBOTS / "RRR.yaml", "--symb", "DYN,Dl", targets="casadi,torch")
    return gen.out


# Physical link parameters (the file's all-ones inertias are placeholders), per link
# [m, CoM_x, CoM_y, CoM_z, Ixx, Ixy, Ixz, Iyy, Iyz, Izz].
TRUE_DYN = [[2.0, 0.1, 0.05, -0.1, 0.3, 0.01, 0.02, 0.25, 0.03, 0.2],
            [1.5, 0.4, -0.02, 0.03, 0.05, -0.01, 0.0, 0.2, 0.01, 0.22],
            [0.8, 0.3, 0.02, -0.01, 0.02, 0.0, 0.005, 0.09, -0.002, 0.1]]


def rtb_rrr():
    """The Robotics Toolbox's DH robot from RRR.yaml's DH table and TRUE_DYN."""
    rtb = pytest.importorskip("roboticstoolbox")
    import numpy as np
    import yaml
    cfg = yaml.safe_load((ROBOTS / "RRR.yaml").read_text())
    assert cfg["Base_to_L0"]["tr"] == [0, 0, 0] and cfg["Base_to_L0"]["ypr"] == [0, 0, 0]
    dh = np.array(cfg["kinematics"]["DH"], dtype=float).reshape(3, 4)
    links = []
    for (a, alpha, d, theta), (m, cx, cy, cz, ixx, ixy, ixz, iyy, iyz, izz) in zip(dh, TRUE_DYN):
        I = [[ixx, ixy, ixz], [ixy, iyy, iyz], [ixz, iyz, izz]]
        links.append(rtb.RevoluteMDH(a=a, alpha=alpha, d=d, offset=theta, m=m, r=[cx, cy, cz], I=I,
                                     Jm=0.0, B=0.0, Tc=[0.0, 0.0], G=1.0))
    return rtb.DHRobot(links, gravity=cfg["gravity"]["value"])


def test_inverse_dynamics_is_rigid_body_dynamics_plus_friction(rrr):
    """The layer against the Robotics Toolbox's Newton-Euler (rne) on the same DH robot, plus the
    module's link friction dl (checked against the file's coefficients in test_model_parameters).
    Both sides are exact closed forms in float64: 1e-9 relative covers operation order."""
    robot = thunder_torch.load(rrr, dtype=torch.float64)
    with torch.no_grad():
        robot.par_DYN.copy_(torch.tensor(TRUE_DYN, dtype=torch.float64).reshape(-1))
    layer = thunder_torch.InverseDynamics(robot)
    ref = rtb_rrr()
    g = torch.Generator().manual_seed(0)
    q, dq, ddq = (torch.rand(5, 3, generator=g, dtype=torch.float64) * 4 - 2 for _ in range(3))
    rigid = torch.tensor(np.array([ref.rne(a.numpy(), b.numpy(), c.numpy()) for a, b, c in zip(q, dq, ddq)]))
    expected = rigid + robot.dl(dq).detach()
    scale = float(expected.abs().max().clamp_min(1.0))
    torch.testing.assert_close(layer(q, dq, ddq).detach(), expected, rtol=0, atol=1e-9 * scale)


def test_inverse_dynamics_trains_its_parameters(rrr):
    """Fit perturbed inertial and friction parameters to torques of the true ones: the torque
    error must fall by orders of magnitude (the model is linear in par_REG and friction)."""
    truth = thunder_torch.load(rrr, dtype=torch.float64)
    with torch.no_grad():
        truth.par_DYN.copy_(torch.tensor(TRUE_DYN, dtype=torch.float64).reshape(-1))
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
