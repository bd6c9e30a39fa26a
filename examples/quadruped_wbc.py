"""A Go1 quadruped standing in MuJoCo, held by a whole-body controller built on Thunder's model.

    python examples/quadruped_wbc.py [--work gen/wbc] [--envs 8] [--seconds 3] [--plot wbc.png]
    python examples/quadruped_wbc.py --short        # what the test suite runs (a few seconds)

The stock Go1 URDF of example-robot-data goes to MuJoCo with a free joint added by mujoco.MjSpec
and a floor (contacts: the four foot spheres); Thunder generates the same robot with
`--floating-base`. Each environment has its own target: base height and roll/pitch offsets.
Every step, batched over the environments and written in MuJoCo's coordinates through
`thunder_torch.bridge.mujoco` (u = qvel: base linear velocity in the world frame, angular in the
body frame; the bridge adds the Ṗ v terms that this change of velocity coordinates brings):

  1. base task: a_base = PD on the base position (world) and orientation;
  2. accelerations a with the feet held, J_c a + J̇_c u = 0, and the base task (18 equations);
  3. contact forces λ from the six base rows of M a + b = Sᵀ τ + J_cᵀ λ (least norm),
     joint torques τ from the other rows; τ goes to qfrc_applied, MuJoCo resolves the contacts.

M, the bias b, the foot Jacobians J_c and J̇_c u come from Thunder (M, Cdq, G, J_<foot>,
J_<foot>_dot; the contact functions of `thunder gen --contacts`, once generated, give J_c and
J̇_c v stacked). Prints the final base errors, saves them over time as a PNG.
"""
import argparse
import pathlib
import time

import mujoco
import numpy as np
import torch

import thunder_torch
from thunder_torch import bridge
from thunder_torch.bridge import quat_to_rot
from sim_robots import example_robot_data, save_plot, strip_urdf, thunder_gen

FEET = ["FL_foot", "FR_foot", "RL_foot", "RR_foot"]
STAND = {"hip": 0.0, "thigh": 0.8, "calf": -1.5}   # Go1's nominal standing joint angles (rad)
FOOT_RADIUS = 0.02                                   # the URDF's foot collision spheres


def mujoco_go1(urdf):
    """Go1 with a free joint, a floor, and contacts only between the feet and the floor."""
    spec = mujoco.MjSpec.from_file(str(urdf))
    spec.body("base").add_freejoint()
    for g in spec.geoms:
        if g.type != mujoco.mjtGeom.mjGEOM_SPHERE:
            g.contype = g.conaffinity = 0
    spec.worldbody.add_geom(type=mujoco.mjtGeom.mjGEOM_PLANE, size=[0, 0, 1])
    model = spec.compile()
    model.opt.timestep = 1e-3
    return model


def vee_error(R_ref, R):
    """World-frame orientation error: the axis-angle vector of R_ref Rᵀ to first order."""
    E = R_ref @ R.transpose(-1, -2)
    return 0.5 * torch.stack([E[..., 2, 1] - E[..., 1, 2], E[..., 0, 2] - E[..., 2, 0],
                              E[..., 1, 0] - E[..., 0, 1]], -1)


def rpy_to_rot(roll, pitch):
    cr, sr, cp, sp = torch.cos(roll), torch.sin(roll), torch.cos(pitch), torch.sin(pitch)
    o, z = torch.ones_like(cr), torch.zeros_like(cr)
    Ry = torch.stack([cp, z, sp, z, o, z, -sp, z, cp], -1).reshape(*cr.shape, 3, 3)
    Rx = torch.stack([o, z, z, z, cr, -sr, z, sr, cr], -1).reshape(*cr.shape, 3, 3)
    return Ry @ Rx


def mv(A, x):
    return (A @ x.unsqueeze(-1)).squeeze(-1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", default="gen/quadruped_wbc", help="folder for the URDF and generated code")
    parser.add_argument("--envs", type=int, default=8, help="MuJoCo instances controlled in one batch")
    parser.add_argument("--seconds", type=float, default=3.0, help="simulated time")
    parser.add_argument("--short", action="store_true", help="2 environments, 0.4 s (the test suite's run)")
    parser.add_argument("--plot", default="quadruped_wbc.png", help="base-error plot (PNG)")
    args = parser.parse_args()
    if args.short:
        args.envs, args.seconds = 2, 0.4
    torch.set_num_threads(1)   # 18x18 solves for a few environments: the thread pool costs more

    work = pathlib.Path(args.work)
    urdf = strip_urdf(example_robot_data() / "go1_description/urdf/go1.urdf", work / "go1.urdf",
                      free_joints=True, drop_inertial=["base"])
    if not (work / "go1" / "manifest.json").is_file():
        fns = ["M", "Cdq", "G"] + [f"{k}_{f}" for f in FEET for k in ("J", "T_w")] + [f"J_{f}_dot" for f in FEET]
        thunder_gen(urdf, work / "go1", "--floating-base", "--frames", ",".join(FEET), "--frame-derivatives",
                    "--functions", ",".join(fns))
    robot = thunder_torch.load(work / "go1", dtype=torch.float64, backend="torch")
    model = mujoco_go1(urdf)
    br = bridge.mujoco(robot, model)
    B, nv = args.envs, robot.nv

    # standing: nominal joints, base high enough for the foot spheres to touch the floor
    q0 = torch.zeros(robot.nq, dtype=torch.float64)
    q0[6] = 1.0
    for i, name in enumerate(robot.joints[1:]):
        q0[7 + i] = STAND[name.split("_")[1]]
    q0[2] = FOOT_RADIUS - robot.T_w_FL_foot(q0)[2, 3]
    q0 = q0.expand(B, -1).clone()
    datas = [mujoco.MjData(model) for _ in range(B)]
    for d, qpos in zip(datas, br.from_thunder(q0, torch.zeros(B, nv, dtype=torch.float64))[0]):
        d.qpos[:] = qpos.numpy()
        mujoco.mj_forward(model, d)

    g = torch.Generator().manual_seed(0)
    rnd = lambda *s: 2 * torch.rand(*s, generator=g, dtype=torch.float64) - 1  # noqa: E731
    p_ref = q0[:, 0:3] + torch.stack([0.02 * rnd(B), 0.02 * rnd(B), 0.03 * rnd(B)], -1)
    R_ref = rpy_to_rot(0.1 * rnd(B), 0.1 * rnd(B))
    kp, kd = 400.0, 40.0   # critically damped, 20 rad/s

    steps = int(round(args.seconds / model.opt.timestep))
    pos_err, rot_err = np.zeros(steps), np.zeros(steps)
    sel = torch.cat([torch.eye(6), torch.zeros(6, nv - 6)], 1).to(torch.float64).expand(B, -1, -1)
    t0 = time.perf_counter()
    with torch.no_grad():
        for k in range(steps):
            qpos = torch.tensor(np.stack([d.qpos for d in datas]))
            u = torch.tensor(np.stack([d.qvel for d in datas]))
            q, v = br.to_thunder(qpos, u)
            M = robot.M(q)
            M_sim = br.M_to_sim(M, q)
            b_sim = br.bias_to_sim(robot.Cdq(q, v) + robot.G(q), q, v, M)
            Js = [getattr(robot, f"J_{f}")(q) for f in FEET]
            Jc = torch.cat([br.J_to_sim(J, q)[:, :3] for J in Js], 1)                     # (B, 12, nv)
            Jdu = torch.cat([mv(br.J_dot_to_sim(getattr(robot, f"J_{f}_dot")(q, v), q, v, J)[:, :3], u)
                             for f, J in zip(FEET, Js)], 1)                               # (B, 12)
            # 1. base task, in MuJoCo's base coordinates (linear: world, angular: body frame)
            R = quat_to_rot(q[:, 3:7])
            e_rot = vee_error(R_ref, R)
            a_lin = kp * (p_ref - q[:, 0:3]) - kd * u[:, 0:3]
            a_ang = mv(R.transpose(-1, -2), kp * e_rot) - kd * u[:, 3:6]
            # 2. accelerations: feet held and base task (18 x 18)
            A = torch.cat([Jc, sel], 1)
            a = torch.linalg.solve(A, torch.cat([-Jdu, a_lin, a_ang], 1))
            # 3. contact forces from the base rows, torques from the joint rows
            f = mv(M_sim, a) + b_sim
            lam = mv(torch.linalg.pinv(Jc[:, :, :6].transpose(-1, -2)), f[:, :6])
            tau = f - mv(Jc.transpose(-1, -2), lam)
            pos_err[k] = float((p_ref - q[:, 0:3]).norm(dim=-1).mean())
            rot_err[k] = float(e_rot.norm(dim=-1).mean())
            for d, t in zip(datas, tau.numpy()):
                d.qfrc_applied[6:] = t[6:]      # joints only: the base is moved by the contacts
                mujoco.mj_step(model, d)
    elapsed = time.perf_counter() - t0
    print(f"{B} Go1s in MuJoCo x {steps} steps, whole-body control from Thunder: {B * steps / elapsed:.3g} env-steps/s")
    print(f"final base position error (mean over environments): {1e3 * pos_err[-1]:.3f} mm")
    print(f"final base orientation error (mean over environments): {rot_err[-1]:.2e} rad")
    print(f"base height: {float(q[:, 2].min()):.3f} .. {float(q[:, 2].max()):.3f} m")

    def draw(plt):
        t = np.arange(steps) * model.opt.timestep
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.semilogy(t, 1e3 * np.maximum(pos_err, 1e-9), label="position (mm)")
        ax.semilogy(t, 1e3 * np.maximum(rot_err, 1e-12), label="orientation (mrad)")
        ax.set_xlabel("time (s)")
        ax.set_ylabel("mean base error")
        ax.legend()
        ax.set_title(f"whole-body control, {B} MuJoCo Go1s standing")
    save_plot(args.plot, draw)


if __name__ == "__main__":
    main()
