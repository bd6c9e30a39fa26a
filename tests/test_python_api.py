"""The generator from Python (thunder.load_robot, thunder.generate): the same C++ core as the CLI,
its errors as exceptions with the CLI's messages, and outputs identical to the CLI's."""
import json
import subprocess

import pytest

from conftest import ROBOTS, run_thunder

thunder = pytest.importorskip("thunder")


def test_load_robot_reports_what_check_reports():
    robot = thunder.load_robot(ROBOTS / "RRR.yaml")
    cli = json.loads(run_thunder("check", ROBOTS / "RRR.yaml", "--json").stdout)
    assert robot.spec == cli
    assert robot.name == "RRR" and [j["name"] for j in robot.joints] == ["joint1", "joint2", "joint3"]
    assert len(robot.links) == 3
    assert robot.warnings == cli["warnings"] and any("positive definite" in w for w in robot.warnings)
    dyn = next(s for s in robot.parameter_sets if s["name"] == "par_DYN")
    assert dyn["elements"][0] == "link1.mass" and len(dyn["values"]) == 30
    assert dyn["values"][0] == cli["links"][0]["mass"]["value"]


def test_generate_writes_what_the_cli_writes(tmp_path):
    robot = thunder.load_robot(ROBOTS / "RRR.yaml")
    out = thunder.generate(robot, tmp_path / "py", targets=["casadi", "torch"], symb=["DYN"],
                           functions=["M", "G"])
    run_thunder("gen", ROBOTS / "RRR.yaml", "-o", tmp_path / "cli", "--targets", "casadi,torch",
                "--symb", "DYN", "--functions", "M,G", "-q")
    for rel in ("manifest.json", "RRR_par.yaml", "torch/thunder_torch.json"):
        assert (out / rel).read_bytes() == (tmp_path / "cli" / rel).read_bytes(), rel
    # and the output loads
    torch = pytest.importorskip("torch")
    import thunder_torch
    module = thunder_torch.load(out, dtype=torch.float64)
    assert list(module.param_elements["par_DYN"])[:1] == ["link1.mass"]


def test_errors_are_exceptions_with_the_cli_message(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((ROBOTS / "RRR.yaml").read_text().replace("num_joints: 3", "num_joints: 4"))
    cli = run_thunder("check", bad, check=False)
    assert cli.returncode != 0
    with pytest.raises(thunder.InputError) as e:
        thunder.load_robot(bad)
    assert str(e.value) in cli.stderr and str(bad) in str(e.value)
    with pytest.raises(thunder.UsageError, match="--symb: unknown value 'NOPE'"):
        thunder.generate(ROBOTS / "RRR.yaml", tmp_path / "o", symb=["NOPE"])
    with pytest.raises(thunder.UsageError, match="--targets: unknown value 'java'"):
        thunder.generate(ROBOTS / "RRR.yaml", tmp_path / "o", targets=["java"])
    with pytest.raises(TypeError, match="list of names"):
        thunder.generate(ROBOTS / "RRR.yaml", tmp_path / "o", symb="DYN")
    with pytest.raises(thunder.InputError):
        thunder.load_robot(tmp_path / "missing.urdf")
    # the interpreter survives every one of them, and the CLI still works
    assert thunder.load_robot(ROBOTS / "RRR.yaml").name == "RRR"
