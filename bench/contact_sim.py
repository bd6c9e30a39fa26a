"""Batched simulation with ground contacts: env-steps per second of Go1s standing on a plane.

    python bench/contact_sim.py [--work gen/bench_contact] [--envs 4096] [--steps 200] [--backend native]

Generates Go1 (example-robot-data, stripped as examples/sim_robots.py does) with its four feet as
--contacts and the functions thunder_torch.Ground needs (native kernels for the CPU
with --backend native), drops the batch 1 cm onto the floor under a joint PD controller and
times (1) `rollout(..., contact=Ground)` without gradients, (2) a 100-step rollout followed by
the backward pass of a loss on the final states (gradients to the initial velocities and the
controller's gains). Prints env-steps/s (envs × steps / seconds) and the machine load.
"""
import argparse
import os
import pathlib
import sys
import time

# Measured on 2 shared cores: with OpenMP's default (spinning) wait policy, torch's thread pool and
# the native kernels' threads wait on each other for milliseconds per operation when the machine is
# loaded (10x slower); passive waiting avoids it. Set before torch loads the OpenMP runtime.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples"))
import thunder_torch  # noqa: E402
from sim_robots import example_robot_data, strip_urdf, thunder_gen  # noqa: E402

FEET = ["FL_foot", "FR_foot", "RL_foot", "RR_foot"]
STAND = {"hip": 0.0, "thigh": 0.8, "calf": -1.5}
FOOT_RADIUS = 0.02
FUNCTIONS = ["FD", "impulse_contact", "step_contact", "J_contact", "integrate", "M_inv", "p_contact"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", default="gen/bench_contact")
    parser.add_argument("--envs", type=int, default=4096)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--backend", default="native", choices=["native", "torch"])
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    work = pathlib.Path(args.work)
    out = work / ("go1_native" if args.backend == "native" else "go1")
    if not (out / "manifest.json").is_file():
        urdf = strip_urdf(example_robot_data() / "go1_description/urdf/go1.urdf", work / "go1.urdf",
                          free_joints=True, drop_inertial=["base"])
        extra = ["--targets", "casadi,torch,native", "--no-cuda"] if args.backend == "native" else []
        thunder_gen(urdf, out, "--floating-base", "--contacts", ",".join(FEET),
                    "--functions", ",".join(FUNCTIONS), *extra)
    robot = thunder_torch.load(out, dtype=torch.float64, backend=args.backend)
    ground = thunder_torch.Ground(robot, height=FOOT_RADIUS)
    B = args.envs
    q0 = torch.zeros(robot.nq, dtype=torch.float64)
    q0[6] = 1.0
    for i, name in enumerate(robot.joints[1:]):
        q0[7 + i] = STAND[name.split("_")[1]]
    q0[2] = FOOT_RADIUS - robot.p_contact(q0)[2] + 0.01
    q_nom = q0[7:].clone()
    q0 = q0.expand(B, -1).clone()
    dq0 = torch.zeros(B, robot.nv, dtype=torch.float64)
    gains = torch.tensor([60.0, 3.0], dtype=torch.float64)

    def control(q, dq):
        t = gains[0] * (q_nom - q[..., 7:]) - gains[1] * dq[..., 6:]
        return torch.cat([torch.zeros(*q.shape[:-1], 6, dtype=q.dtype), t], -1)

    with torch.no_grad():
        robot.rollout(q0, dq0, control, 5, 1e-3, contact=ground)       # warm-up (plans, caches)
        t0 = time.perf_counter()
        q, dq, _ = robot.rollout(q0, dq0, control, args.steps, 1e-3, contact=ground)
        fwd = time.perf_counter() - t0
    print(f"load average before timing: {os.getloadavg()[0]:.1f}")
    print(f"{args.backend}: {B} Go1s x {args.steps} steps with ground contacts: {fwd:.2f} s, "
          f"{B * args.steps / fwd:.3g} env-steps/s (no gradient); base height {float(q[-1, :, 2].mean()):.4f} m")
    dq0g = dq0.clone().requires_grad_(True)
    gains.requires_grad_(True)
    t0 = time.perf_counter()
    q, dq, _ = robot.rollout(q0, dq0g, control, 100, 1e-3, contact=ground)
    t1 = time.perf_counter()
    loss = (q[-1, :, 2] - 0.3).square().sum() + dq[-1].square().sum()
    loss.backward()
    t2 = time.perf_counter()
    print(f"{args.backend}: 100 steps with gradient: forward {t1 - t0:.2f} s, backward {t2 - t1:.2f} s, "
          f"{B * 100 / (t2 - t0):.3g} env-steps/s (forward + backward); |d loss / d gains| = "
          f"{float(gains.grad.norm()):.3g}, finite: {bool(torch.isfinite(dq0g.grad).all())}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
