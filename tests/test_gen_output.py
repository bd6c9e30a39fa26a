"""`thunder gen`'s output folder: no user file is ever deleted or overwritten (issue 10, section 1).

Every check reads the folder back with its own means (os, hashlib), not with Thunder's code.
"""
import hashlib
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import HANG_GUARD, ROBOTS, run_thunder, thunder_bin


def one_error_line(proc):
    err = [line for line in proc.stderr.splitlines() if not line.startswith("warning: ")]
    assert len(err) == 1 and err[0].startswith("thunder: error: "), proc.stderr
    return err[0]


def sha256(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def tree(out):
    """{relative path: sha256} of every file under `out`."""
    return {p.relative_to(out).as_posix(): sha256(p) for p in sorted(out.rglob("*")) if p.is_file()}


def gen(robot, out, *args, check=True, cwd=None):
    return run_thunder("gen", robot, "-o", out, "--targets", "casadi,cpp", "-q", *args, check=check, cwd=cwd)


def test_manifest_lists_every_generated_file_with_size_and_sha256(tmp_path):
    out = tmp_path / "out"
    gen(ROBOTS / "RRR.yaml", out, "--pytorch")
    arts = json.loads((out / "manifest.json").read_text())["artifacts"]
    files = tree(out)
    del files["manifest.json"]
    assert {a["path"]: a["sha256"] for a in arts} == files
    for a in arts:
        assert a["size"] == (out / a["path"]).stat().st_size
    assert "torch/thunder_torch.bin" in files and "cpp/thunder_RRR.cpp" in files


def test_regeneration_keeps_files_the_user_added(tmp_path):
    out = tmp_path / "out"
    gen(ROBOTS / "RRR.yaml", out)
    (out / "cpp" / "my_main.cpp").write_text("int main() { return 0; }\n")
    (out / "cpp" / "build").mkdir()
    (out / "cpp" / "build" / "CMakeCache.txt").write_text("# the user's build\n")
    (out / "notes.txt").write_text("mine\n")
    gen(ROBOTS / "RRR.yaml", out)
    assert (out / "cpp" / "my_main.cpp").read_text() == "int main() { return 0; }\n"
    assert (out / "cpp" / "build" / "CMakeCache.txt").read_text() == "# the user's build\n"
    assert (out / "notes.txt").read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]   # no staging or backup left


def test_unchanged_files_keep_their_timestamps(tmp_path):
    # A build in cpp/build/ recompiles only what changed: unchanged files are not rewritten.
    out = tmp_path / "out"
    gen(ROBOTS / "RRR.yaml", out)
    old = 1_000_000_000
    for p in out.rglob("*"):
        if p.is_file():
            os.utime(p, (old, old))
    proc = run_thunder("gen", ROBOTS / "RRR.yaml", "-o", out, "--targets", "casadi,cpp")
    assert "0 files written" in proc.stdout and " 0 removed" in proc.stdout
    for p in out.rglob("*"):
        if p.is_file():
            assert p.stat().st_mtime == old, p


def test_a_changed_robot_rewrites_only_what_changed(tmp_path):
    robot = tmp_path / "RRR.yaml"
    text = (ROBOTS / "RRR.yaml").read_text()
    robot.write_text(text)
    out = tmp_path / "out"
    gen(robot, out)
    before = tree(out)
    old = 1_000_000_000
    for p in out.rglob("*"):
        if p.is_file():
            os.utime(p, (old, old))
    # gravity changes G and everything that contains it, not the kinematics
    robot.write_text(text.replace("value: [0, 0, -9.81]", "value: [0, 0, -1.62]"))
    gen(robot, out)
    after = tree(out)
    changed = {p for p in after if before.get(p) != after[p]}
    assert "cpp/thunder_RRR_G.c" in changed and "RRR_par.yaml" in changed
    assert "cpp/thunder_RRR_T_0_ee.c" not in changed and "casadi/J_ee.casadi" not in changed
    for p in out.rglob("*"):
        if p.is_file():
            rel = p.relative_to(out).as_posix()
            assert (p.stat().st_mtime != old) == (rel in changed), rel


def test_files_no_longer_generated_are_removed_but_user_files_stay(tmp_path):
    out = tmp_path / "out"
    gen(ROBOTS / "RRR.yaml", out)
    (out / "cpp" / "my_main.cpp").write_text("mine\n")
    run_thunder("gen", ROBOTS / "RRR.yaml", "-o", out, "--targets", "casadi", "-q")
    assert sorted(p.name for p in (out / "cpp").iterdir()) == ["my_main.cpp"]
    arts = json.loads((out / "manifest.json").read_text())["artifacts"]
    assert not [a for a in arts if a["path"].startswith("cpp/")]
    # without a user file the emptied folder goes too
    gen(ROBOTS / "RRR.yaml", out)
    (out / "cpp" / "my_main.cpp").unlink()
    run_thunder("gen", ROBOTS / "RRR.yaml", "-o", out, "--targets", "casadi", "-q")
    assert not (out / "cpp").exists()


def test_a_generated_file_the_user_changed_is_not_overwritten(tmp_path):
    out = tmp_path / "out"
    gen(ROBOTS / "RRR.yaml", out)
    example = out / "cpp" / "example.cpp"
    example.write_text(example.read_text() + "// my change\n")
    robot = tmp_path / "RRR.yaml"   # a change that rewrites example.cpp's neighbours, not it
    robot.write_text((ROBOTS / "RRR.yaml").read_text().replace("value: [0, 0, -9.81]", "value: [0, 0, -1]"))
    before = tree(out)
    proc = gen(robot, out, check=False)
    assert proc.returncode == 1
    line = one_error_line(proc)
    assert str(example) in line and "changed since" in line and "--force" in line
    assert tree(out) == before                # refused before anything was touched
    gen(robot, out, "--force")
    assert "// my change" not in example.read_text()


def test_a_changed_file_that_is_no_longer_generated_is_kept_byte_for_byte(tmp_path):
    """A file the previous run wrote, then the user edited, and this run no longer generates
    (the cpp target dropped): it is the user's now, kept as it is, and the run says so; its
    unedited neighbours go."""
    out = tmp_path / "out"
    gen(ROBOTS / "RRR.yaml", out)
    example = out / "cpp" / "example.cpp"
    edited = example.read_bytes() + b"// my change\n"
    example.write_bytes(edited)
    proc = run_thunder("gen", ROBOTS / "RRR.yaml", "-o", out, "--targets", "casadi")
    assert example.read_bytes() == edited
    assert f"kept {example}" in proc.stderr and "changed since" in proc.stderr
    assert sorted(p.name for p in (out / "cpp").iterdir()) == ["example.cpp"]
    arts = json.loads((out / "manifest.json").read_text())["artifacts"]
    assert not [a for a in arts if a["path"].startswith("cpp/")]   # no longer thunder's
    # the next run that generates it again finds a file thunder did not write: refused
    proc = gen(ROBOTS / "RRR.yaml", out, check=False)
    assert proc.returncode == 1 and "--force" in one_error_line(proc)
    assert example.read_bytes() == edited


def test_an_edited_file_is_refused_even_when_the_content_to_write_is_unchanged_elsewhere(tmp_path):
    """Regenerating the same robot with the same options, after the user edited one generated
    file: refused (the file's sha256 is not the one thunder wrote), nothing touched."""
    out = tmp_path / "out"
    gen(ROBOTS / "RRR.yaml", out)
    par = out / "RRR_par.yaml"
    edited = par.read_bytes().replace(b"9.81", b"9.80665")
    assert edited != par.read_bytes()
    par.write_bytes(edited)
    before = tree(out)
    proc = gen(ROBOTS / "RRR.yaml", out, check=False)
    assert proc.returncode == 1 and str(par) in one_error_line(proc)
    assert tree(out) == before


def test_a_folder_that_is_not_a_thunder_output_is_refused(tmp_path):
    out = tmp_path / "project"
    out.mkdir()
    (out / "README.md").write_text("my project\n")
    proc = gen(ROBOTS / "RRR.yaml", out, check=False)
    assert proc.returncode == 1
    line = one_error_line(proc)
    assert str(out) in line and "not a thunder output" in line and "--force" in line
    assert [p.name for p in out.iterdir()] == ["README.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]
    # a manifest.json that is not thunder's does not make it one
    (out / "manifest.json").write_text('{"name": "my web app"}')
    assert "not a thunder manifest" in one_error_line(gen(ROBOTS / "RRR.yaml", out, check=False))
    # --force adds the generated files and keeps the user's
    gen(ROBOTS / "RRR.yaml", out, "--force")
    assert (out / "README.md").read_text() == "my project\n"
    assert (out / "cpp" / "thunder_RRR.cpp").is_file()
    assert "thunder_manifest" in json.loads((out / "manifest.json").read_text())


def test_out_at_a_regular_file_is_an_error(tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("keep me\n")
    proc = gen(ROBOTS / "RRR.yaml", f, check=False)
    assert proc.returncode == 1
    line = one_error_line(proc)
    assert "is a file, not a folder" in line and str(f) in line
    assert f.read_text() == "keep me\n"


def test_out_dot(tmp_path):
    here = tmp_path / "empty"
    here.mkdir()
    gen(ROBOTS / "RRR.yaml", ".", cwd=here)          # an empty current folder is fine
    assert (here / "manifest.json").is_file()
    gen(ROBOTS / "RRR.yaml", ".", cwd=here)          # and so is regenerating into it
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "data.csv").write_text("1,2\n")
    proc = gen(ROBOTS / "RRR.yaml", ".", check=False, cwd=busy)
    assert proc.returncode == 1
    line = one_error_line(proc)
    assert "-o . (" + str(busy) + ")" in line and "the current folder is not empty" in line
    assert [p.name for p in busy.iterdir()] == ["data.csv"]


@pytest.mark.parametrize("name,why", [
    ("../../x", "contains '.'"), ("/tmp/x", "contains '/'"), ("..", "contains '.'"), ("a b", "other than"),
    ("robö", "other than"), ("7dof", "does not start with a letter"), ("_arm", "does not start with a letter"),
    ("a__b", "two of '_' and '-' in a row"), ("arm-", "ends with"),
])
def test_names_that_are_not_identifiers_are_refused_before_anything_is_written(tmp_path, name, why):
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    proc = run_thunder("gen", ROBOTS / "RRR.yaml", "-o", work / "out", "-n", name, check=False)
    assert proc.returncode == 2
    line = one_error_line(proc)
    assert f"-n: '{name}' is not a valid robot name" in line and why in line
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert not pathlib.Path("/tmp/x_par.yaml").exists()


def test_file_stems_and_urdf_names_are_sanitised(tmp_path):
    robot = tmp_path / "robö-arm.yaml"
    robot.write_text((ROBOTS / "RRR.yaml").read_text())
    proc = gen(robot, tmp_path / "out1")
    assert "robot name 'robö-arm' is not a valid name" in proc.stderr and "using 'rob_arm'" in proc.stderr
    assert (tmp_path / "out1" / "rob_arm_par.yaml").is_file()
    assert (tmp_path / "out1" / "cpp" / "thunder_rob_arm.h").is_file()
    robot = tmp_path / "my-robot.yaml"                                   # valid: kept as it is
    robot.write_text((ROBOTS / "RRR.yaml").read_text())
    proc = gen(robot, tmp_path / "out3")
    assert "robot name" not in proc.stderr
    assert (tmp_path / "out3" / "my-robot_par.yaml").is_file()
    assert (tmp_path / "out3" / "cpp" / "thunder_my_robot.h").is_file()   # '-' is '_' in C
    urdf = tmp_path / "weird.urdf"
    urdf.write_text('<robot name="a&amp;b/c.d"><link name="l0"/><link name="l1">'
                    '<inertial><mass value="1"/><inertia ixx="1" iyy="1" izz="1" ixy="0" ixz="0" iyz="0"/></inertial>'
                    '</link><joint name="j1" type="revolute"><parent link="l0"/><child link="l1"/>'
                    '<axis xyz="0 0 1"/></joint></robot>')
    proc = gen(urdf, tmp_path / "out2")
    assert "using 'a_b_c_d'" in proc.stderr
    assert (tmp_path / "out2" / "a_b_c_d_par.yaml").is_file()
    assert [p.name for p in tmp_path.iterdir() if "par.yaml" in p.name] == []


def _dead_pid():
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_stale_staging_folders_of_dead_runs_are_removed(tmp_path):
    out = tmp_path / "out"
    dead = _dead_pid()
    stale = tmp_path / f"out.tmp-{dead}"
    (stale / "casadi").mkdir(parents=True)
    (stale / ".thunder-staging").write_text("")
    (stale / "casadi" / "M.casadi").write_text("half written")
    mine = tmp_path / f"out.tmp-{_dead_pid()}"       # same pattern, but not a staging folder
    mine.mkdir()
    (mine / "thesis.tex").write_text("mine\n")
    proc = run_thunder("gen", ROBOTS / "RRR.yaml", "-o", out, "--targets", "casadi")
    assert not stale.exists()
    assert f"removed {stale}, left by an interrupted thunder gen (pid {dead})" in proc.stderr
    assert (mine / "thesis.tex").read_text() == "mine\n"


def test_a_killed_gen_leaves_the_previous_output_intact(tmp_path):
    out = tmp_path / "out"
    gen(ROBOTS / "franka.yaml", out)
    before = tree(out)
    proc = subprocess.Popen([thunder_bin(), "gen", str(ROBOTS / "franka.yaml"), "-o", str(out), "--pytorch"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    staging = tmp_path / f"out.tmp-{proc.pid}"
    deadline = time.time() + HANG_GUARD   # a bound on the polling, not a speed check
    while not (staging / "casadi").exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert staging.exists(), "gen finished before it could be killed mid-way"
    assert tree(out) == before
    gen(ROBOTS / "franka.yaml", out)
    assert not staging.exists()
    assert tree(out) == before


def test_progress_names_the_output_folder_not_the_staging_folder(tmp_path):
    out = tmp_path / "out"
    proc = run_thunder("gen", ROBOTS / "RRR.yaml", "-o", out, "--targets", "casadi,cpp,torch", "-v")
    assert ".tmp-" not in proc.stdout + proc.stderr
    assert f"into {out} in " in proc.stdout


def test_quiet_and_verbose(tmp_path):
    quiet = run_thunder("gen", ROBOTS / "franka.yaml", "-o", tmp_path / "q", "-q")
    assert quiet.stdout == "" and quiet.stderr == ""
    normal = run_thunder("gen", ROBOTS / "franka.yaml", "-o", tmp_path / "n")
    verbose = run_thunder("gen", ROBOTS / "franka.yaml", "-o", tmp_path / "v", "-v")
    # the per-function statistics go behind -v
    assert "thunder: built M" not in normal.stderr and "thunder: built M" in verbose.stderr
    assert len(normal.stderr.splitlines()) <= 5 < len(verbose.stderr.splitlines())
    assert normal.stdout.startswith("generated ")


def test_a_gen_killed_while_moving_files_in_is_repaired_by_the_next(tmp_path):
    # The state such a kill leaves (its moment cannot be timed from outside): some files of the new
    # generation moved in, the old manifest.json, and the journal of the files being moved.
    import thunder_torch as tt
    robot_b = tmp_path / "b.yaml"
    robot_b.write_text((ROBOTS / "RRR.yaml").read_text().replace("value: [0, 0, -9.81]", "value: [0, 0, -1]"))
    out, new = tmp_path / "out", tmp_path / "new"
    gen(ROBOTS / "RRR.yaml", out, "--pytorch")
    gen(robot_b, new, "--pytorch")
    new_manifest = json.loads((new / "manifest.json").read_text())
    moved = [a["path"] for a in new_manifest["artifacts"] if (out / a["path"]).is_file()
             and sha256(out / a["path"]) != a["sha256"]]
    assert "torch/thunder_torch.bin" in moved
    for path in moved[: len(moved) // 2] + ["torch/thunder_torch.bin"]:
        shutil.copy(new / path, out / path)
    journal = {"thunder_gen_pending": 1, "artifacts": new_manifest["artifacts"]}
    (out / ".thunder-gen-pending.json").write_text(json.dumps(journal))
    with pytest.raises(tt.ArtifactError, match=r"thunder_torch\.bin(: sha256| has \d+ bytes)"):
        tt.load(out)                          # the mixed output is refused, not evaluated
    # The next gen, even of the other robot, recognises the moved files as thunder's (the journal)
    # instead of refusing them as changed since, and leaves a consistent output.
    gen(ROBOTS / "RRR.yaml", out, "--pytorch")
    fresh = tmp_path / "fresh"
    gen(ROBOTS / "RRR.yaml", fresh, "--pytorch")
    assert tree(out) == tree(fresh)
    assert tt.load(out).G(__import__("torch").zeros(3)).shape == (3,)
