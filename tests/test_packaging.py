"""Packaging: torch is an extra (the generator and the C++ library need none), importing
thunder_torch without torch says what to install, the package ships py.typed, and the README's
setup path (scripts/setup.sh) still installs torch."""
import subprocess
import sys

import pytest

from conftest import ROOT

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
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    name, message = proc.stdout.split("\n", 1)
    assert name == "torch"
    assert "[torch]" in message and "pip install" in message


def test_package_ships_py_typed():
    assert (ROOT / "python" / "thunder_torch" / "py.typed").is_file()
