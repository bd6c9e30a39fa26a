"""The generated C++ library as a CMake package: built and installed into a prefix, then used by a
project outside the repository through find_package(thunder_<robot> CONFIG) and the target
thunder::<robot>, as OUT/cpp/README.md tells a user. The program's M(q) is checked against
CasADi's evaluation of the same function (OUT/casadi/M.casadi)."""
import os
import pathlib
import shutil
import subprocess

import numpy as np
import pytest

from conftest import HANG_GUARD, ROBOTS

CONSUMER_CMAKE = """cmake_minimum_required(VERSION 3.16)
project(consumer CXX)
find_package(thunder_RRR CONFIG REQUIRED)
add_executable(consumer main.cpp)
target_link_libraries(consumer PRIVATE thunder::RRR)
target_compile_definitions(consumer PRIVATE PAR_FILE="${thunder_RRR_PAR_FILE}")
"""

CONSUMER_MAIN = r"""#include <cstdio>
#include <cstdlib>
#include "thunder_RRR.h"
int main(int argc, char** argv) {
  thunder_RRR robot;
  robot.load_conf(PAR_FILE);
  Eigen::VectorXd q(3);
  for (int i = 0; i < 3; ++i) q[i] = std::strtod(argv[1 + i], nullptr);
  robot.set_q(q);
  Eigen::MatrixXd M = robot.get_M();
  for (int i = 0; i < M.rows(); ++i)
    for (int j = 0; j < M.cols(); ++j) std::printf("%.17g\n", M(i, j));
  return 0;
}
"""


def _cmake():
    exe = shutil.which("cmake")
    if not exe:
        pytest.skip("cmake not found")
    return exe


def _dependency_prefixes():
    """The venv's cmeel prefix (Eigen, yaml-cpp) when the system has none; empty with system
    packages (the CI image installs libeigen3-dev and libyaml-cpp-dev, see README.md there)."""
    import sys
    for p in sys.path:
        d = pathlib.Path(p) / "cmeel.prefix"
        if d.is_dir():
            return [str(d)]
    return []


def _run(cmd, cwd=None):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=HANG_GUARD, cwd=cwd)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))}:\n{proc.stdout[-4000:]}\n{proc.stderr}"
    return proc


@pytest.mark.parametrize("example", ["OFF", "ON"])
def test_find_package_from_another_project(generate, tmp_path, example):
    cmake = _cmake()
    gen = generate(ROBOTS / "RRR.yaml", "--functions", "M,G", targets="cpp,casadi")
    src = tmp_path / "cpp"   # a copy: the session's output folder stays clean
    shutil.copytree(gen.out / "cpp", src)
    shutil.copy(gen.out / "RRR_par.yaml", tmp_path / "RRR_par.yaml")
    readme = (src / "README.md").read_text()
    assert "find_package(thunder_RRR CONFIG REQUIRED)" in readme and "thunder::RRR" in readme
    prefix = tmp_path / "prefix"
    deps = _dependency_prefixes()
    _run([cmake, "-S", src, "-B", tmp_path / "build", f"-DCMAKE_INSTALL_PREFIX={prefix}",
          f"-DTHUNDER_BUILD_EXAMPLE={example}"] + ([f"-DCMAKE_PREFIX_PATH={';'.join(deps)}"] if deps else []))
    _run([cmake, "--build", tmp_path / "build", "-j", "2"])
    _run([cmake, "--install", tmp_path / "build"])
    assert (prefix / "include" / "thunder_RRR.h").is_file()
    assert (prefix / "share" / "thunder_RRR" / "RRR_par.yaml").is_file()
    assert (prefix / "bin" / "thunder_RRR_example").is_file() == (example == "ON")
    assert (tmp_path / "build" / "thunder_RRR_example").is_file() == (example == "ON")

    consumer = tmp_path / "consumer"   # outside the repository and outside OUT
    consumer.mkdir()
    (consumer / "CMakeLists.txt").write_text(CONSUMER_CMAKE)
    (consumer / "main.cpp").write_text(CONSUMER_MAIN)
    shutil.rmtree(src)   # the installed package alone must suffice
    _run([cmake, "-S", consumer, "-B", consumer / "build",
          f"-DCMAKE_PREFIX_PATH={';'.join([str(prefix)] + deps)}"])
    _run([cmake, "--build", consumer / "build"])
    q = [0.3, -0.7, 1.1]
    out = _run([consumer / "build" / "consumer", *map(str, q)]).stdout.split()
    got = np.array([float(v) for v in out]).reshape(3, 3)
    want = gen.call("M", q=np.array(q))
    # the same CasADi expression compiled as C vs evaluated by CasADi's VM: rounding only
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
