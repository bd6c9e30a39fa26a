"""Thousands of Pandas tracking random joint trajectories under computed-torque control.

    thunder gen robots/franka.yaml -o gen/franka_sim --pytorch --native --symb DYN --functions FD,tau,integrate
    python examples/simulate_panda.py gen/franka_sim [--batch 4096] [--seconds 2] [--plot tracking.png]

Every robot follows its own smooth reference q*(t) = q0 + A sin(w t + phi) under the computed-
torque law tau = tau(q, dq, ddq* + Kp (q* - q) + Kd (dq* - dq)) (the generated inverse dynamics:
M ddq + C dq + G), with a 10 % error in the controller's link masses so that the tracking error is
not zero; `robot.step` integrates the true dynamics (FD, semi-implicit Euler, 1 ms). The native
kernels run the batch on the CPU (on the GPU when the output was generated with CUDA and one is
present). Prints steps/s and the final tracking error, saves the error over time as PNG.
Thunder has no contacts: this is free-space motion (see docs/SIMULATION.md to pair it with MuJoCo).
"""
import argparse
import time

import torch

import thunder_torch


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("robot", nargs="?", default="gen/franka_sim", help="output folder of thunder gen --pytorch")
    parser.add_argument("--batch", type=int, default=4096, help="number of robots simulated at once")
    parser.add_argument("--seconds", type=float, default=2.0, help="simulated time")
    parser.add_argument("--dt", type=float, default=1e-3, help="time step (s)")
    parser.add_argument("--backend", default="auto", help="thunder_torch backend: auto, native or torch")
    parser.add_argument("--plot", default="simulate_panda_tracking.png", help="tracking-error plot (PNG)")
    args = parser.parse_args()

    device = "cuda" if torch.cuda.is_available() else "cpu"
    robot = thunder_torch.load(args.robot, dtype=torch.float64, device=device, backend=args.backend)
    controller_model = thunder_torch.load(args.robot, dtype=torch.float64, device=device, backend=args.backend)
    with torch.no_grad():   # the controller believes the links are 10 % heavier than they are
        controller_model.par_DYN.mul_(1.1)
    B, n = args.batch, robot.nv
    g = torch.Generator().manual_seed(0)
    rand = lambda *s: torch.rand(*s, generator=g, dtype=torch.float64).to(device)  # noqa: E731
    q0, amp, w, phi = rand(B, n) - 0.5, 0.3 * rand(B, n), 1 + 2 * rand(B, n), 6.3 * rand(B, n)

    def reference(t):
        s, c = torch.sin(w * t + phi), torch.cos(w * t + phi)
        return q0 + amp * s, amp * w * c, -amp * w * w * s

    kp, kd = 100.0, 20.0   # critically damped at 10 rad/s
    q, dq = reference(0.0)[:2]
    steps = int(round(args.seconds / args.dt))
    err = torch.zeros(steps)
    t0 = time.perf_counter()
    with torch.no_grad():
        for k in range(steps):
            qr, dqr, ddqr = reference(k * args.dt)
            tau = controller_model.tau(q, dq, ddqr + kp * (qr - q) + kd * (dqr - dq))
            q, dq = robot.step(q, dq, tau, args.dt)
            err[k] = (q - reference((k + 1) * args.dt)[0]).abs().max(dim=1).values.mean()
    elapsed = time.perf_counter() - t0
    nb = robot._native_backend
    backend = "native" if nb is not None and nb.available(torch.device(device).type, torch.float64) else "torch"
    print(f"{B} Pandas x {steps} steps on {device} ({backend} backend): {B * steps / elapsed:.3g} "
          f"robot-steps/s ({elapsed:.2f} s)")
    print(f"final tracking error (mean over robots of the max joint error): {float(err[-1]):.2e} rad")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.semilogy(torch.arange(1, steps + 1) * args.dt, err)
        ax.set_xlabel("time (s)")
        ax.set_ylabel("mean max |q - q*| (rad)")
        ax.set_title(f"computed-torque tracking, {B} Pandas, 10 % mass error")
        fig.tight_layout()
        fig.savefig(args.plot, dpi=100)
        print(f"saved {args.plot}")
    except ImportError:
        print("matplotlib not installed: no plot")


if __name__ == "__main__":
    main()
