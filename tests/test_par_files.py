"""Parameter files are one format for the C++ class and thunder_torch: what one writes, the other
reads back bit for bit (values are written with 17 significant digits)."""
import subprocess

import numpy as np
import pytest
import torch

from conftest import ROBOTS

thunder_torch = pytest.importorskip("thunder_torch")


@pytest.fixture(scope="module")
def rrr(generate):
    gen = generate(ROBOTS / "RRR.yaml", targets="cpp,casadi,torch")
    import os, sys
    prefix = next(os.path.join(p, "cmeel.prefix") for p in sys.path if os.path.isdir(os.path.join(p, "cmeel.prefix")))
    build = gen.out / "cpp" / "build"
    if not build.exists():
        subprocess.run(["cmake", "-S", gen.out / "cpp", "-B", build, f"-DCMAKE_PREFIX_PATH={prefix}"],
                       check=True, capture_output=True)
        subprocess.run(["cmake", "--build", build, "-j2"], check=True, capture_output=True)
    exe = next(build.glob("thunder_*_example"))
    return gen, exe


def cpp_params(exe, *args, stdin=""):
    out = subprocess.run([str(exe), "--no-eval", *map(str, args)], input=stdin, capture_output=True, text=True,
                         check=True).stdout
    return {l.split()[1]: np.array([float(v) for v in l.split()[3:]]) for l in out.splitlines()
            if l.startswith("param ")}


def test_cpp_written_file_loads_in_torch(rrr, tmp_path):
    gen, exe = rrr
    listing = subprocess.run([str(exe), "--help"], capture_output=True, text=True).stdout.split("\n")
    stdin, values = [], {}
    rng = np.random.default_rng(0)
    for line in listing:
        parts = line.split()
        if parts[:1] == ["variable"]:
            stdin += ["0"] * int(parts[2])
        elif parts[:1] == ["param"] and parts[1] == "par_DYN":
            values["par_DYN"] = rng.uniform(0.1, 2.0, int(parts[2])) * np.pi  # digits everywhere
            stdin += [repr(float(v)) for v in values["par_DYN"]]
            break
    saved = tmp_path / "from_cpp.yaml"
    cpp = cpp_params(exe, "--save-par", saved, stdin=" ".join(stdin))
    np.testing.assert_array_equal(cpp["par_DYN"], values["par_DYN"])
    robot = thunder_torch.load(gen.out, dtype=torch.float64)
    robot.load_par(saved)
    np.testing.assert_array_equal(robot.par_DYN.detach().numpy(), values["par_DYN"])
    # par_REG is derived in both: the same map, the same doubles up to rounding of the map itself
    np.testing.assert_allclose(robot.par_REG.detach().numpy(), cpp["par_REG"], rtol=1e-15, atol=1e-15)


def test_torch_written_file_loads_in_cpp(rrr, tmp_path):
    gen, exe = rrr
    robot = thunder_torch.load(gen.out, dtype=torch.float64)
    with torch.no_grad():
        robot.par_DYN.copy_(torch.linspace(0.3, 3.1, robot.par_DYN.numel(), dtype=torch.float64) / 7)
    saved = tmp_path / "from_torch.yaml"
    robot.save_par(saved)
    cpp = cpp_params(exe, "--par", saved)
    np.testing.assert_array_equal(cpp["par_DYN"], robot.par_DYN.detach().numpy())
