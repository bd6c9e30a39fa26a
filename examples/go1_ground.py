"""Go1 on the ground for the contact examples (imported by quadruped_stand.py and contact_trajopt.py).

`go1_with_ground(work, native)` generates the stripped Go1 of example-robot-data with its four
feet as contacts (--contacts: thunder_torch.Ground reads the feet's heights from p_contact)
and the functions the ground needs, loads it, and returns it with a Ground 2 cm up
(the feet are spheres of radius 2 cm centred at the foot frames: the frame origins touch a floor
at z = 0 when they are 2 cm above it).
"""
from __future__ import annotations

import pathlib

import torch

import thunder_torch
from sim_robots import example_robot_data, strip_urdf, thunder_gen

FEET = ["FL_foot", "FR_foot", "RL_foot", "RR_foot"]
STAND = {"hip": 0.0, "thigh": 0.8, "calf": -1.5}     # Go1's nominal standing joint angles (rad)
FOOT_RADIUS = 0.02
FUNCTIONS = ["FD", "impulse_contact", "step_contact", "J_contact", "integrate", "M_inv", "p_contact"]


def go1_with_ground(work, native=False, friction=1.0):
    """(robot, ground, urdf): Go1 generated under `work` (reused when already there)."""
    work = pathlib.Path(work)
    urdf = strip_urdf(example_robot_data() / "go1_description/urdf/go1.urdf", work / "go1.urdf",
                      free_joints=True, drop_inertial=["base"])
    out = work / ("go1_native" if native else "go1")
    if not (out / "manifest.json").is_file():
        extra = ["--targets", "casadi,torch,native", "--no-cuda"] if native else []
        thunder_gen(urdf, out, "--floating-base", "--contacts", ",".join(FEET),
                    "--functions", ",".join(FUNCTIONS), *extra)
    robot = thunder_torch.load(out, dtype=torch.float64, backend="native" if native else "torch")
    return robot, thunder_torch.Ground(robot, height=FOOT_RADIUS, friction=friction), urdf


def standing_pose(robot, drop=0.0):
    """q at the nominal joint angles with the foot spheres on the floor (+ drop metres up)."""
    q = torch.zeros(robot.nq, dtype=torch.float64)
    q[6] = 1.0
    for i, name in enumerate(robot.joints[1:]):
        q[7 + i] = STAND[name.split("_")[1]]
    q[2] = FOOT_RADIUS - robot.p_contact(q)[2] + drop
    return q


def total_mass(robot):
    return float(robot.param_vector("par_DYN").detach()[0::10].sum())
