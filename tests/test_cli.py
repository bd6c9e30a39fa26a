"""The `thunder` command line: help, version, usage errors, check's summary, gen's options."""
import json
import pathlib
import subprocess

import pytest

from conftest import HANG_GUARD, ROBOTS, run_thunder, thunder_bin


def one_error_line(proc):
    err = proc.stderr.strip()
    assert "\n" not in err, err
    assert err.startswith("thunder: error: "), err
    return err


def test_help():
    for args in (["--help"], ["-h"]):
        proc = run_thunder(*args)
        assert proc.stdout.startswith("usage: thunder")
        for word in ["check ROBOT", "gen ROBOT", "thunder gen --help"]:
            assert word in proc.stdout


def test_per_command_help(tmp_path):
    # Each command documents its own options, and only those.
    check = run_thunder("check", "--help").stdout
    assert check.startswith("usage: thunder check ROBOT")
    for word in ["--par FILE", "--strict", "--json", "--base LINK", "--ee LINK", "-n, --name"]:
        assert word in check
    for word in ["--symb", "--targets", "-o, --out", "--force"]:
        assert word not in check
    gen = run_thunder("gen", "-h").stdout
    assert gen.startswith("usage: thunder gen ROBOT")
    for word in ["-o, --out DIR", "--force", "--par FILE", "--symb SETS", "--targets LIST", "--pytorch",
                 "--native", "--ignore-cost", "-q, --quiet", "-v, --verbose", "(default: cpp,casadi)",
                 "default: gen/NAME"]:
        assert word in gen, word
    assert "--json" not in gen
    # every set that --symb accepts is listed (origins was missing)
    sets_line = next(line for line in gen.splitlines() if "DYN, REG" in line)
    for s in ["DYN", "REG", "Dl", "K", "D", "Dm", "Mm", "DHtable", "origins", "world2L0", "Ln2EE", "gravity"]:
        assert s in sets_line.replace(",", " ").split(), s
        proc = run_thunder("gen", ROBOTS / "RRR.yaml", "--symb", s, "--targets", "casadi", "-o", tmp_path / s,
                           "-q", check=False)
        assert "unknown value" not in proc.stderr, s   # accepted (RRR may lack the set: another error)
    # --par is explained by its keys, not by a file name alone
    assert "linkK.mass" in gen and "linkK.inertia" in gen


def test_version():
    proc = run_thunder("--version")
    assert proc.stdout.strip() == "thunder 0.1.0"


@pytest.mark.parametrize("args,words", [
    ([], "missing command"),
    (["frobnicate"], "unknown command 'frobnicate'"),
    (["check"], "missing ROBOT"),
    (["check", str(ROBOTS / "RRR.yaml"), "--bogus"], "unknown option '--bogus'"),
    (["check", str(ROBOTS / "RRR.yaml"), "--par"], "option --par needs an argument"),
    (["check", str(ROBOTS / "RRR.yaml"), str(ROBOTS / "franka.yaml")], "unexpected argument"),
    (["check", str(ROBOTS / "RRR.yaml"), "--pytorch"], "unknown option '--pytorch' for check"),
    (["gen", str(ROBOTS / "RRR.yaml"), "--json"], "unknown option '--json' for gen"),
    (["gen", str(ROBOTS / "RRR.yaml"), "--symb", "DYN,bogus"], "--symb: unknown value 'bogus'"),
    (["gen", str(ROBOTS / "RRR.yaml"), "--targets", "cpp,fortran"], "--targets: unknown value 'fortran'"),
    (["gen", str(ROBOTS / "RRR.yaml"), "-o"], "option -o needs an argument"),
    (["check", str(ROBOTS / "RRR.yaml"), "--strict=yes"], "takes no argument"),
])
def test_usage_errors_exit_2(args, words):
    proc = run_thunder(*args, check=False)
    assert proc.returncode == 2
    assert words in one_error_line(proc)


def test_load_error_exit_1_one_line(tmp_path):
    proc = run_thunder("check", tmp_path / "missing.yaml", check=False)
    assert proc.returncode == 1
    assert str(tmp_path / "missing.yaml") in one_error_line(proc)
    proc = run_thunder("gen", tmp_path / "missing.yaml", "-o", tmp_path / "out", check=False)
    assert proc.returncode == 1
    one_error_line(proc)


def test_check_summary_franka():
    proc = run_thunder("check", ROBOTS / "franka.yaml")
    out = proc.stdout
    assert "robot:    franka" in out
    assert f"source:   {ROBOTS / 'franka.yaml'} (thunder-yaml)" in out
    assert "joints:   7" in out
    assert "joint4    R     no       DH a=0.0825 alpha=1.5708 d=0 theta=0" in out
    assert "link1 -> link2 -> link3 -> link4 -> link5 -> link6 -> link7" in out
    assert "gravity:  [0, 0, -9.81]" in out
    sizes = {}
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0].startswith("par_"):
            sizes[parts[0]] = (int(parts[1]), int(parts[2].strip("(")))
    # the sets gen writes (empty ones are not written)
    assert sizes == {"par_DYN": (70, 0), "par_REG": (70, 0), "par_DHtable": (28, 0), "par_world2L0": (6, 0),
                     "par_Ln2EE": (6, 0), "par_gravity": (3, 0)}
    assert proc.stderr == ""


def test_check_summary_symbolic_RRR():
    proc = run_thunder("check", ROBOTS / "RRR.yaml")
    out = proc.stdout
    assert "symbolic: 33 parameters" in out
    assert "  Ln_to_EE.tr[0]\n" in out and "  dynamics.link3.inertial.Izz\n" in out
    assert "par_DYN         30  (30 symbolic)" in out
    assert "par_Ln2EE        6  (3 symbolic)" in out
    assert "par_Dl           6  (0 symbolic)" in out


def test_check_summary_sea():
    out = run_thunder("check", ROBOTS / "seaRRR.yaml").stdout
    assert "joint1    R     yes" in out
    assert "elastic:  on (K_order 1, D_order 0, Dm_order 1)" in out
    assert "par_K            1" in out and "par_Mm           1" in out


def test_check_json_schema():
    spec = json.loads(run_thunder("check", ROBOTS / "seaRRR.yaml", "--json").stdout)
    assert set(spec) == {"name", "source_file", "format", "n", "nq", "nv", "floating_base", "base_link", "ee_link",
                         "has_ee", "ee_body", "joints", "links", "base", "ee", "gravity", "Dl_order", "coulomb_friction",
                         "coulomb_smoothing", "elastic_model", "K_order", "D_order", "Dm_order", "elastic", "warnings"}
    assert set(spec["joints"][0]) == {"name", "type", "parent", "elastic", "origin", "dh", "axis"}
    assert set(spec["links"][0]) == {"name", "mass", "com", "inertia", "friction", "coulomb"}
    assert set(spec["links"][0]["mass"]) == {"value", "symbolic", "field"}
    assert set(spec["elastic"][0]) == {"joint", "K", "D", "Dm", "Mm"}
    assert set(spec["base"]) == {"tr", "ypr"}


def test_base_ee_ignored_for_yaml():
    proc = run_thunder("check", ROBOTS / "franka.yaml", "--base", "panda_link0")
    assert "warning: --base/--ee apply to URDF descriptions only" in proc.stderr


def test_gen_writes_the_requested_targets(tmp_path):
    out = tmp_path / "out"
    proc = run_thunder("gen", ROBOTS / "franka.yaml", "-o", out, "-n", "panda", "--symb", "par_DYN",
                       "--targets", "casadi", "--pytorch", check=False)
    assert proc.returncode == 0, proc.stderr
    assert (out / "manifest.json").is_file() and (out / "panda_par.yaml").is_file()
    assert (out / "casadi" / "M.casadi").is_file() and (out / "torch").is_dir()
    assert not (out / "cpp").exists()
    # no staging or backup folders are left beside the output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_gen_rejects_a_parameter_set_the_robot_does_not_have(tmp_path):
    # franka.yaml has no link friction (Dl_order 0): --symb Dl names nothing.
    proc = run_thunder("gen", ROBOTS / "franka.yaml", "-o", tmp_path / "out", "--symb", "Dl", check=False)
    assert proc.returncode != 0
    assert "par_Dl" in one_error_line(proc)
    assert not (tmp_path / "out").exists()


def test_cpp_unit_tests():
    # $THUNDER_UNIT_TESTS, else beside thunder (a plain CMake build), else the newest in the
    # build tree (the wheel installs only the CLI)
    import glob
    import os
    found = [os.environ.get("THUNDER_UNIT_TESTS", ""),
             str(pathlib.Path(thunder_bin()).resolve().parent / "thunder-unit-tests")]
    found += sorted(glob.glob(str(pathlib.Path(__file__).resolve().parents[1] / "build" / "*" /
                                  "thunder-unit-tests")), key=os.path.getmtime, reverse=True)
    exe = next((pathlib.Path(f) for f in found if f and pathlib.Path(f).is_file()), None)
    if exe is None:
        pytest.skip("thunder-unit-tests not built (set $THUNDER_UNIT_TESTS)")
    proc = subprocess.run([str(exe)], capture_output=True, text=True, timeout=HANG_GUARD)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Every THUNDER_TEST in the sources ran and passed: a test that is not registered (or a
    # stale executable) changes the count.
    import re
    sources = (pathlib.Path(__file__).parent / "cpp").glob("*.cpp")
    defined = sum(len(re.findall(r"^THUNDER_TEST\(\w+\)", p.read_text(), re.M)) for p in sources)
    assert defined > 0
    assert re.search(rf"^{defined} passed, 0 failed$", proc.stdout, re.M), (defined, proc.stdout)
