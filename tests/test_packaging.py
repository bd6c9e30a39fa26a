"""Packaging: torch is an extra (the generator and the C++ library need none), importing
thunder_torch without torch says what to install, the package ships py.typed, and the README's
setup path (scripts/setup.sh) still installs torch."""
import subprocess
import sys

import pytest

from conftest import HANG_GUARD, ROOT

tomllib = pytest.importorskip("tomllib")


def test_torch_is_an_extra_that_setup_installs():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not any(d.startswith("torch") for d in project["dependencies"])
    assert project["optional-dependencies"]["torch"] == ["torch==2.13.0"]
    # the tests need torch: the test extra brings the same pin
    assert "torch==2.13.0" in project["optional-dependencies"]["test"]
    setup = (ROOT / "scripts" / "setup.sh").read_text()
    assert 'extras="[torch]"' in setup and 'extras="[torch,test]"' in setup


def test_import_without_torch_says_what_to_install():
    # None in sys.modules makes `import torch` fail as it does where torch is not installed
    code = ("import sys; sys.modules['torch'] = None\n"
            "try:\n    import thunder_torch\nexcept ModuleNotFoundError as e:\n"
            "    print(e.name); print(e)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=HANG_GUARD)
    assert proc.returncode == 0, proc.stderr
    name, message = proc.stdout.split("\n", 1)
    assert name == "torch"
    assert "[torch]" in message and "pip install" in message


def test_package_ships_py_typed():
    assert (ROOT / "python" / "thunder_torch" / "py.typed").is_file()


def test_manifest_names_the_source_by_file_name_and_hash(tmp_path):
    """The same robot file generated from two folders gives byte-identical manifests: the
    description is recorded by file name and sha256, not by its path on this machine."""
    import hashlib
    import shutil
    from conftest import ROBOTS, run_thunder
    outs = []
    for where in ("a", "b/c"):
        src = tmp_path / where / "RRR.yaml"
        src.parent.mkdir(parents=True)
        shutil.copy(ROBOTS / "RRR.yaml", src)
        out = tmp_path / f"out_{where.replace('/', '_')}"
        run_thunder("gen", src, "-o", out, "--targets", "casadi", "--functions", "G", "-q")
        outs.append(out)
    first = (outs[0] / "manifest.json").read_bytes()
    assert first == (outs[1] / "manifest.json").read_bytes()
    import json
    manifest = json.loads(first)
    assert manifest["source"] == "RRR.yaml"
    assert manifest["source_sha256"] == hashlib.sha256((ROBOTS / "RRR.yaml").read_bytes()).hexdigest()
    assert str(tmp_path) not in (outs[0] / "RRR_par.yaml").read_text()
