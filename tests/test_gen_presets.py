"""`thunder gen --functions` presets, --help listing every function, and default frames without
sensor links (issue 23)."""
import re

import pytest

from conftest import ROBOTS, example_robot_data_dir, run_thunder

THUNDER_NAMES = {  # docs/DESIGN.md: thunder_dynamics' names (v0.x; 1.0 adds T_w_/J_<node>, Cdq, Y, ...)
    "T_0", "T_0_0", "T_i", "T_0_i", "T_0_ee", "J_i", "J_ee", "J_ee_dot", "J_ee_ddot", "J_ee_pinv", "J_cm_i",
    "M", "C", "C_std", "G", "M_dot", "M_ddot", "C_dot", "C_ddot", "G_dot", "G_ddot", "dl", "k", "d", "dm", "Mm",
    "Yr", "reg_M", "reg_C", "reg_G", "reg_Jdq", "reg_JTw", "reg_dl", "reg_k", "reg_d", "reg_dm", "reg_Mm",
    "Cdq", "Y", "dyn2reg", "reg2dyn"}


def _thunder_name(n):
    return n in THUNDER_NAMES or re.fullmatch(r"(Dl|K|D|Dm)\d+", n) or n.startswith("T_w_") or \
        (n.startswith("J_") and not n.startswith("J_com"))


@pytest.fixture(scope="module")
def full(generate):
    return generate(ROBOTS / "seaRRR.yaml")   # elastic joints and friction: every family


def test_presets_select_their_families(full, generate):
    names = set(full.names())
    kin = set(generate(ROBOTS / "seaRRR.yaml", "--functions", "kinematics").names())
    assert kin and kin <= names
    assert {"T_0", "J_ee", "T_0_ee"} <= kin and not kin & {"M", "J_ee_dot", "Yr", "reg_Jdq"}
    td = set(generate(ROBOTS / "seaRRR.yaml", "--functions", "time-derivatives").names())
    assert td == {n for n in names if n.endswith("_dot") or n.endswith("_ddot")}
    mixed = set(generate(ROBOTS / "seaRRR.yaml", "--functions", "regressors,M").names())
    assert "M" in mixed and "Yr" in mixed and "reg_M" in mixed and "C" not in mixed
    # thunder: every thunder_dynamics name the robot has, nothing of our own additions
    th = set(generate(ROBOTS / "seaRRR.yaml", "--functions", "thunder").names())
    assert th == {n for n in names if _thunder_name(n)}, th ^ {n for n in names if _thunder_name(n)}
    assert not th & {"FD", "tau", "dtau_dq", "integrate"}


def test_every_function_name_and_preset_is_in_the_help(full):
    text = run_thunder("gen", "--help").stdout
    for preset in ("kinematics", "dynamics", "derivatives", "regressors", "time-derivatives", "thunder", "all"):
        assert re.search(rf"^\s+{preset}\s", text, re.M), preset
    words = set(text.split())
    frames = [f["id"] for f in full.manifest["frames"]]
    for n in full.names():
        shown = re.sub(r"^(Dl|K|D|Dm)\d+$", r"\1<o>", n)
        for f in frames:   # T_w_ee -> T_w_<frame>, J_ee_dot stays (a name of its own) or J_<frame>_dot
            if shown not in words:
                shown = re.sub(rf"^(T_w|J|reg_Jdq|reg_JTw)_{f}(_dot|_ddot|_pinv)?$", r"\1_<frame>\2", shown)
        assert shown in words, n


def test_default_frames_leave_out_sensor_links(tmp_path):
    urdf = example_robot_data_dir() / "g1_description" / "urdf" / "g1_29dof_rev_1_0.urdf"
    out = tmp_path / "g1"
    import json
    gen = lambda *a: run_thunder("gen", urdf, "--floating-base", "-o", out, "--targets", "casadi", "-q", *a)
    gen("--functions", "kinematics")
    names = {f["name"] for f in json.loads((out / "manifest.json").read_text())["functions"]}
    # feet, hands and head stay; the camera, IMU, lidar and logo links of g1's URDF do not
    assert {"T_w_left_ankle_roll_link", "J_right_rubber_hand"} <= names
    assert not {n for n in names if re.search(r"d435|imu|logo|mid360", n)}, names
    gen("--functions", "T_w_d435_link", "--frames", "d435_link")   # still available on request
    names = {f["name"] for f in json.loads((out / "manifest.json").read_text())["functions"]}
    assert names == {"T_w_d435_link"}


def test_large_model_default_leaves_out_regressors_and_time_derivatives(tmp_path, full):
    """A URDF whose M couples more velocity pairs than THUNDER_LARGE_MODEL_PAIRS (900; a small
    limit here) gets every function but the regressors and time derivatives by default; the note
    names the pair count, checked against Pinocchio's supports; a thunder file keeps every name."""
    import json
    import os

    import pinocchio as pin

    from random_tree import random_tree_urdf

    urdf = tmp_path / "tree.urdf"
    random_tree_urdf(urdf, seed=7, n=5)
    model = pin.buildModelFromUrdf(str(urdf), pin.JointModelFreeFlyer())
    pairs = 0
    for j in range(1, model.njoints):  # velocities of j's supports (j included), M's lower triangle
        own = model.joints[j].nv
        pairs += own * sum(model.joints[s].nv for s in model.supports[j] if s > 0) - own * (own - 1) // 2
    env = dict(os.environ, THUNDER_LARGE_MODEL_PAIRS=str(pairs - 1))

    def names(robot, out, *args):
        proc = run_thunder("gen", robot, "-o", out, "--targets", "casadi", *args, env=env)
        return proc.stderr, {f["name"] for f in json.loads((out / "manifest.json").read_text())["functions"]}

    note, default = names(urdf, tmp_path / "default", "--floating-base")
    assert f"couples {pairs} pairs of velocities (more than {pairs - 1})" in note, note
    _, every = names(urdf, tmp_path / "all", "--floating-base", "--functions", "all")
    left_out = every - default
    assert default < every and {"FD", "M", "C", "FD_derivatives", "J_i"} <= default
    assert {"Y", "Yr", "reg_M", "M_dot", "C_ddot"} <= left_out
    assert all(n.endswith(("_dot", "_ddot")) or n in ("Y", "Yr", "par_DYN_to_REG", "par_REG_to_DYN")
               or n.startswith("reg_") for n in left_out), left_out
    # at the limit itself, and for a thunder file above it, the default is every function
    env["THUNDER_LARGE_MODEL_PAIRS"] = str(pairs)
    note, at_limit = names(urdf, tmp_path / "limit", "--floating-base")
    assert at_limit == every and "couples" not in note
    env["THUNDER_LARGE_MODEL_PAIRS"] = "1"
    note, thunder_file = names(ROBOTS / "seaRRR.yaml", tmp_path / "sea")
    assert thunder_file == set(full.names()) and "couples" not in note
