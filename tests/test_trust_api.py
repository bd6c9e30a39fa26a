"""The Python API (thunder.load_robot / generate) from threads and with bad arguments, and the
CLI's refusals that protect user files (convert, did-you-mean for options): each case fails
cleanly, with a message that says what is wrong, and never loses a file."""
import os
import shutil

import pytest

from conftest import ROBOTS, example_robot_data_dir, run_in_threads, run_thunder

thunder = pytest.importorskip("thunder")

FRANKA = ROBOTS / "franka.yaml"


def panda_urdf():
    return example_robot_data_dir() / "panda_description" / "urdf" / "panda.urdf"


def test_load_robot_from_threads_is_serialised_and_prints_nothing(capfd):
    """Four threads at once (a SIGSEGV before: the captured std::cout/cerr were swapped
    concurrently); the results are those of a single call and nothing reaches the process's
    stderr (warnings are in Robot.warnings)."""
    alone = thunder.load_robot(panda_urdf(), ee="panda_hand")
    results = [None] * 4

    def work(k):
        results[k] = thunder.load_robot(panda_urdf(), ee="panda_hand")
    errors = run_in_threads(work, 4)
    assert not errors
    assert all(r.spec == alone.spec and r.warnings == alone.warnings for r in results)
    assert any("panda_finger_joint1" in w for w in alone.warnings)  # locked below the ee
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_flags_must_be_booleans():
    # floating_base='false' is a truthy string: it built a floating base
    with pytest.raises(TypeError, match="floating_base must be True or False"):
        thunder.load_robot(panda_urdf(), floating_base="false")
    with pytest.raises(TypeError, match="strict must be True or False"):
        thunder.load_robot(FRANKA, strict=1)


def test_lock_accepts_one_name_as_a_string():
    """lock='panda_joint1' was iterated letter by letter ("no joint named 'p'")."""
    r = thunder.load_robot(panda_urdf(), ee="panda_hand", lock="panda_joint1")
    assert len(r.joints) == 6 and "panda_joint1" not in [j["name"] for j in r.joints]
    with pytest.raises(TypeError, match="lock must be a list of joint names"):
        thunder.load_robot(panda_urdf(), lock=[1, 2])


def test_options_of_urdf_on_a_yaml_robot():
    r = thunder.load_robot(FRANKA, ee="nope")
    assert any("--base/--ee apply to URDF descriptions only" in w for w in r.warnings)
    # a fixed-base model would be silently wrong: an error, not a warning
    with pytest.raises(thunder.UsageError, match="--floating-base applies to URDF descriptions only"):
        thunder.load_robot(FRANKA, floating_base=True)


def test_unknown_option_suggests_the_right_one():
    with pytest.raises(TypeError, match="did you mean 'floating_base'"):
        thunder.load_robot(FRANKA, floatingbase=True)


def test_bad_paths(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="NUL"):
        thunder.load_robot(str(FRANKA) + "\0x")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="out is empty"):  # it wrote ./gen
        thunder.generate(thunder.load_robot(FRANKA), "")
    assert list(tmp_path.iterdir()) == []
    fifo = tmp_path / "robot.yaml"
    os.mkfifo(fifo)
    with pytest.raises(thunder.InputError, match="not a regular file"):  # it blocked before
        thunder.load_robot(fifo)


def test_repr_is_short():
    r = thunder.load_robot(FRANKA)
    assert len(repr(r)) < 200 and "franka" in repr(r) and "joints=7" in repr(r)


def test_generate_refuses_a_changed_file(tmp_path):
    f = tmp_path / "rrr.yaml"
    shutil.copy(ROBOTS / "RRR.yaml", f)
    r = thunder.load_robot(f)
    f.write_text(f.read_text() + "\n# edited\n")
    with pytest.raises(thunder.ThunderError, match="changed since load_robot"):
        thunder.generate(r, tmp_path / "out", functions=["M"])
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------ the CLI


def test_option_typos_get_a_suggestion():
    proc = run_thunder("gen", FRANKA, "--torch", check=False)
    assert proc.returncode == 2 and "did you mean '--pytorch'" in proc.stderr
    proc = run_thunder("check", FRANKA, "--jsn", check=False)
    assert proc.returncode == 2 and "did you mean '--json'" in proc.stderr
    proc = run_thunder("gen", FRANKA, "--symb", "DYM", check=False)
    assert proc.returncode == 2 and "did you mean 'DYN'" in proc.stderr


def test_unknown_function_suggests_one(tmp_path):
    proc = run_thunder("gen", ROBOTS / "RRR.yaml", "-o", tmp_path / "o", "--functions", "Yrr", check=False)
    assert proc.returncode == 1 and "did you mean 'Yr'" in proc.stderr
    assert not (tmp_path / "o").exists()


V0 = ROBOTS / "RRR.yaml"


def test_convert_never_overwrites_without_force(tmp_path):
    out = tmp_path / "new.yaml"
    out.write_text("mine\n")
    proc = run_thunder("convert", V0, "-o", out, check=False)
    assert proc.returncode == 2 and "--force" in proc.stderr and out.read_text() == "mine\n"
    run_thunder("convert", V0, "-o", out, "--force")
    assert "dh_loader" in out.read_text()


def test_convert_never_writes_over_its_input(tmp_path):
    src = tmp_path / "d" / "old.yaml"
    src.parent.mkdir()
    shutil.copy(V0, src)
    before = src.read_text()
    link = tmp_path / "link.yaml"
    link.symlink_to(src)
    for target in (src, tmp_path / "d" / ".." / "d" / "old.yaml", link):
        proc = run_thunder("convert", src, "-o", target, "--force", check=False)
        assert proc.returncode == 2 and "input file" in proc.stderr, target
    assert src.read_text() == before


def test_convert_refuses_a_symlink_target_without_force(tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text("keep\n")
    link = tmp_path / "out.yaml"
    link.symlink_to(other)
    proc = run_thunder("convert", V0, "-o", link, check=False)
    assert proc.returncode == 2 and "symlink" in proc.stderr and other.read_text() == "keep\n"


def test_identify_help_says_its_description_once(capsys):
    pytest.importorskip("torch")
    from thunder_torch import identify_cli
    with pytest.raises(SystemExit) as done:
        identify_cli.main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.count("`thunder identify`: identification from a log") == 1 and "--force" in out


def test_check_lists_what_gen_writes_and_draws_a_tree():
    """`thunder check --floating-base` listed par_world2L0/par_Ln2EE that gen does not produce and
    drew a quadruped's four legs as one chain."""
    go1 = example_robot_data_dir() / "go1_description" / "urdf" / "go1.urdf"
    out = run_thunder("check", go1, "--floating-base").stdout
    sets = out.split("parameter sets:")[1]
    assert "par_world2L0" not in sets and "par_Ln2EE" not in sets and "par_DYN" in sets
    for leg in ("FL", "FR", "RL", "RR"):
        assert f"base -> {leg}_hip -> {leg}_thigh -> {leg}_calf\n" in out
