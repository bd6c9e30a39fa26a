"""Small things a new user hit (issue 10, section 5): check's summary of a URDF, the licence, and
documentation links that lead somewhere."""
import pathlib
import re

from conftest import ROOT, example_robot_data_dir, run_thunder


def test_check_of_a_urdf_lists_par_origins_and_aligns_long_joint_names():
    urdf = example_robot_data_dir() / "ur_description" / "urdf" / "ur5_robot.urdf"
    out = run_thunder("check", urdf).stdout
    sizes = {l.split()[0]: int(l.split()[1]) for l in out.splitlines() if l.strip().startswith("par_")}
    assert "par_DHtable" not in sizes
    assert sizes["par_origins"] == 6 * 6          # x, y, z, roll, pitch, yaw per joint, 6 joints
    header = next(l for l in out.splitlines() if l.strip().startswith("#"))
    row = next(l for l in out.splitlines() if "shoulder_pan_joint" in l)
    # the type column starts at the same place in the header and in the row, after the name
    assert row.index(" R ") + 1 == header.index("type")
    assert "shoulder_pan_jointR" not in out


def test_license_is_mit_as_pyproject_says():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License")
    assert 'license = { text = "MIT" }' in (ROOT / "pyproject.toml").read_text()


def test_documentation_links_lead_to_files_that_exist():
    # every docs/NAME.md or NAME.md named in the sources and docs exists in the repository
    named = set()
    for folder in ["python", "src", "docs", "bench", "scripts", "examples"]:
        for p in (ROOT / folder).rglob("*"):
            if p.suffix in {".py", ".cpp", ".h", ".md", ".sh"} and p.is_file():
                for m in re.finditer(r"(?<![\w/.-])((?:docs|bench)/)?([A-Z][A-Z_]+)\.md", p.read_text(errors="replace")):
                    named.add((m.group(1) or "", m.group(2), p.relative_to(ROOT).as_posix()))
    assert named, "the scan found no links at all"
    missing = [(f"{d}{n}.md", src) for d, n, src in named
               if not (ROOT / f"{d}{n}.md").exists() and not (ROOT / "docs" / f"{n}.md").exists()
               and not (ROOT / "bench" / f"{n}.md").exists()]
    assert missing == []
