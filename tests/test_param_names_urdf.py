"""A URDF robot's parameter elements carry its own link and joint names (upper_arm.mass,
shoulder.x), with thunder's index names (link1.mass, joint1.x) kept as aliases that parameter
files may use, in thunder_torch's load_par and in the C++ class's load_conf alike."""
import shutil
import subprocess

import pytest
import torch

from conftest import HANG_GUARD, example_robot_data_dir

import thunder_torch

# Two revolute joints; the second body is called "link1", which is also the index name of the
# first body: that alias is dropped (an element's own name wins), the second body keeps "link2".
URDF = """<robot name="arm">
  <link name="base"/>
  <joint name="shoulder" type="revolute"><parent link="base"/><child link="upper_arm"/>
    <origin xyz="0 0 0.1" rpy="0 0 0"/><axis xyz="0 0 1"/><limit effort="1" velocity="1" lower="-3" upper="3"/></joint>
  <link name="upper_arm"><inertial><origin xyz="0.1 0 0"/><mass value="1.5"/>
    <inertia ixx="0.01" ixy="0" ixz="0" iyy="0.02" iyz="0" izz="0.03"/></inertial></link>
  <joint name="elbow" type="revolute"><parent link="upper_arm"/><child link="link1"/>
    <origin xyz="0.3 0 0" rpy="0 0 0"/><axis xyz="0 1 0"/><limit effort="1" velocity="1" lower="-3" upper="3"/></joint>
  <link name="link1"><inertial><origin xyz="0.15 0 0"/><mass value="0.7"/>
    <inertia ixx="0.005" ixy="0" ixz="0" iyy="0.01" iyz="0" izz="0.012"/></inertial></link>
</robot>
"""


@pytest.fixture(scope="module")
def arm(tmp_path_factory, generate):
    path = tmp_path_factory.mktemp("robots") / "arm.urdf"
    path.write_text(URDF)
    return generate(path, "--symb", "DYN", "--functions", "M,G", targets="cpp,casadi,torch")


def test_elements_use_the_urdf_names_with_index_aliases(arm):
    dyn = arm.param("par_DYN")
    assert dyn["elements"][0] == "upper_arm.mass" and dyn["elements"][10] == "link1.mass"
    assert dyn["aliases"][0] == "" and dyn["aliases"][10] == "link2.mass"   # link1 is taken
    assert dyn["aliases"][1] == ""   # link1.CoM_x is the second body's element
    origins = arm.param("par_origins")
    assert origins["elements"][:2] == ["shoulder.x", "shoulder.y"]
    assert origins["aliases"][:2] == ["joint1.x", "joint1.y"]
    assert arm.param("par_gravity").get("aliases") is None   # no set without a difference
    assert "upper_arm.mass:" in (arm.out / "arm_par.yaml").read_text()


def test_panda_elements_are_panda_link_names(generate):
    urdf = example_robot_data_dir() / "panda_description" / "urdf" / "panda.urdf"
    gen = generate(urdf, "--functions", "G", targets="casadi")
    dyn = gen.param("par_DYN")
    assert dyn["elements"][20] == "panda_link3.mass" and dyn["aliases"][20] == "link3.mass"


def test_load_par_accepts_names_and_aliases(arm, tmp_path):
    robot = thunder_torch.load(arm.out, dtype=torch.float64, backend="torch")
    assert robot.param_aliases["par_DYN"]["link2.mass"] == 10
    before = robot.par_DYN.detach().clone()
    f = tmp_path / "p.yaml"
    f.write_text("par_DYN:\n  upper_arm.mass: 2.5\n  link2.mass: 0.9\n  link1.CoM_x: 0.2\n")
    robot.load_par(f)
    # "link1.CoM_x" is the second body's own element name, not the first body's alias
    assert robot.par_DYN[0].item() == 2.5 and robot.par_DYN[10].item() == 0.9
    assert robot.par_DYN[11].item() == 0.2 and robot.par_DYN[1].item() == before[1].item()
    f.write_text("par_DYN:\n  link1.mass: 0.8\n  link2.mass: 0.9\n")
    with pytest.raises(ValueError, match="given twice"):
        robot.load_par(f)
    f.write_text("par_DYN:\n  forearm.mass: 1.0\n")
    with pytest.raises(ValueError, match=r"p.yaml:2: par_DYN.forearm.mass: unknown element"):
        robot.load_par(f)
    # save_par writes the URDF names, which load back to the same vector
    robot.save_par(tmp_path / "saved.yaml")
    assert "upper_arm.mass: 2.5" in (tmp_path / "saved.yaml").read_text()
    again = thunder_torch.load(arm.out, dtype=torch.float64, backend="torch")
    again.load_par(tmp_path / "saved.yaml")
    assert torch.equal(again.par_DYN, robot.par_DYN)


def test_cpp_load_conf_accepts_aliases(arm, tmp_path):
    cmake = shutil.which("cmake")
    if not cmake:
        pytest.skip("cmake not found")
    from test_export_cpp_package import _dependency_prefixes
    src = tmp_path / "cpp"
    shutil.copytree(arm.out / "cpp", src)
    deps = _dependency_prefixes()
    for cmd in ([cmake, "-S", src, "-B", src / "build"] + ([f"-DCMAKE_PREFIX_PATH={';'.join(deps)}"] if deps else []),
                [cmake, "--build", src / "build", "-j", "2"]):
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=HANG_GUARD)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    f = tmp_path / "p.yaml"
    f.write_text("par_DYN:\n  upper_arm.mass: 2.5\n  link2.mass: 0.9\n")
    proc = subprocess.run([src / "build" / "thunder_arm_example", "--par", f, "--no-eval"],
                          capture_output=True, text=True, timeout=HANG_GUARD, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    line = next(l for l in proc.stdout.splitlines() if l.startswith("param par_DYN "))
    values = [float(v) for v in line.split()[3:]]
    assert values[0] == 2.5 and values[10] == 0.9
