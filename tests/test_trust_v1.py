"""thunder 1.0 files: urdf_loader masks that cannot mean what they say are refused (a mask of the
wrong length always; a mask for a link the model does not have under --strict, with a
suggestion), and the --floating-base of a YAML robot is an error."""
import pathlib
import shutil

import pytest

from conftest import ROBOTS, run_thunder

V1 = pathlib.Path(__file__).resolve().parents[2] / "shared" / "thunder_configs_v1"
if not V1.is_dir():
    V1 = pathlib.Path("/work/shared/thunder_configs_v1")


def franka_with_mask(tmp_path, mask):
    if not (V1 / "franka_urdf.yaml").exists():
        pytest.skip("thunder_configs_v1 not found")
    shutil.copy(V1 / "franka.urdf", tmp_path / "franka.urdf")
    text = (V1 / "franka_urdf.yaml").read_text()
    assert "  symbolic_dynamics: true" in text
    path = tmp_path / "franka_urdf.yaml"
    path.write_text(text.replace("  symbolic_dynamics: true", "  symbolic_dynamics: " + mask))
    return path


@pytest.mark.parametrize("mask", ["[1,1,1,1,1,1,1,1,1]", "{default: [1,1,1,1,1,1,1,1,1]}",
                                  "{panda_link1: [1,1,1,1,1,1,1,1,1]}", "{panda_link1: {inertia: [1,1,1,1,1]}}"])
def test_mask_of_the_wrong_length(tmp_path, mask):
    proc = run_thunder("check", franka_with_mask(tmp_path, mask), check=False)
    assert proc.returncode == 1 and "flags, got" in proc.stderr


def test_mask_for_a_link_that_does_not_exist(tmp_path):
    path = franka_with_mask(tmp_path, "{panda_linkX: true}")
    proc = run_thunder("check", path)
    assert "no moving body" in proc.stderr and "did you mean 'panda_link1'" in proc.stderr
    proc = run_thunder("check", path, "--strict", check=False)
    assert proc.returncode == 1 and "panda_linkX" in proc.stderr


def test_floating_base_on_a_yaml_robot_is_an_error():
    proc = run_thunder("check", ROBOTS / "franka.yaml", "--floating-base", check=False)
    assert proc.returncode == 2 and "--floating-base applies to URDF descriptions only" in proc.stderr


def test_xml_mismatch_is_reported_at_the_faulty_line(tmp_path):
    """tinyxml2 names the line of the tag left open; the line to edit is the closing tag."""
    urdf = tmp_path / "bad.urdf"
    urdf.write_text('<robot name="r">\n  <link name="a">\n  <inertial>\n  </link>\n</robot>\n')
    proc = run_thunder("check", urdf, check=False)
    assert proc.returncode == 1
    assert f"{urdf}:4: " in proc.stderr and "<inertial> opened on line 3" in proc.stderr


def test_a_fifo_or_a_folder_is_refused_not_read(tmp_path):
    """`thunder check` on a FIFO blocked forever."""
    import os
    fifo = tmp_path / "robot.yaml"
    os.mkfifo(fifo)
    proc = run_thunder("check", fifo, check=False)
    assert proc.returncode == 1 and "not a regular file" in proc.stderr
    folder = tmp_path / "robot.urdf"
    folder.mkdir()
    proc = run_thunder("check", folder, check=False)
    assert proc.returncode == 1 and "is a directory" in proc.stderr
