"""thunder_torch trusts no generated file blindly (issue 10, section 2): manifest.json is checked,
and every artifact it lists is verified (size, sha256) before it is used."""
import json
import os
import shutil
import struct
import subprocess
import sys

import pytest
import torch

import thunder_torch as tt
from conftest import HANG_GUARD, ROBOTS, run_thunder


@pytest.fixture(scope="module")
def rrr(tmp_path_factory):
    out = tmp_path_factory.mktemp("artifacts") / "out"
    run_thunder("gen", ROBOTS / "RRR.yaml", "-o", out, "--targets", "casadi,native", "--native-opt", "0",
                "--no-cuda", "-q")
    return out


def copy(rrr, tmp_path):
    out = tmp_path / "copy"
    shutil.copytree(rrr, out)
    return out


def test_an_intact_output_loads(rrr):
    m = tt.load(rrr, dtype=torch.float64)
    assert m.M(torch.zeros(3, dtype=torch.float64)).shape == (3, 3)
    n = tt.load(rrr, dtype=torch.float64, backend="native")
    q = torch.rand(3, dtype=torch.float64)
    assert torch.allclose(n.M(q), m.M(q), rtol=1e-12, atol=0)


def test_a_corrupted_torch_blob_is_refused_not_evaluated(rrr, tmp_path):
    out = copy(rrr, tmp_path)
    index = json.loads((out / "torch" / "thunder_torch.json").read_text())
    # one constant of M's forward schedule scaled by 3 (the float64 constant block)
    M = next(e for e in index["functions"] if e["name"] == "M")
    ref = next(r for r in M["forward"].values() if isinstance(r, dict) and r.get("dtype") == "<f8" and r["count"] > 1)
    blob = bytearray((out / "torch" / "thunder_torch.bin").read_bytes())
    at = ref["offset"] + 8
    (v,) = struct.unpack_from("<d", blob, at)
    struct.pack_into("<d", blob, at, 3 * v if v != 0 else 1.0)
    (out / "torch" / "thunder_torch.bin").write_bytes(blob)
    with pytest.raises(tt.ArtifactError, match=r"thunder_torch\.bin: sha256 .* differs from manifest\.json"):
        tt.load(out, dtype=torch.float64)


def test_a_truncated_torch_index_is_refused(rrr, tmp_path):
    out = copy(rrr, tmp_path)
    f = out / "torch" / "thunder_torch.json"
    f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])
    with pytest.raises(tt.ArtifactError, match=r"thunder_torch\.json has \d+ bytes, manifest\.json says \d+"):
        tt.load(out)


def test_a_truncated_native_library_is_an_error_not_a_sigbus(rrr, tmp_path):
    out = copy(rrr, tmp_path)
    lib = out / "native" / "libthunder_RRR_f64.so"
    size = lib.stat().st_size
    with open(lib, "r+b") as f:
        f.truncate(int(size * 0.3))
    # in a child process: a SIGBUS must show up as a signal, not take the test runner down
    code = (f"import torch, thunder_torch as tt\n"
            f"m = tt.load({str(out)!r}, dtype=torch.float64, backend='native')\n"
            f"m.M(torch.zeros(3, dtype=torch.float64))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=HANG_GUARD)
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
    assert f"ArtifactError: thunder_torch: {lib} has {int(size * 0.3)} bytes, manifest.json says {size}" in proc.stderr


def test_a_changed_native_library_is_refused(rrr, tmp_path):
    out = copy(rrr, tmp_path)
    lib = out / "native" / "libthunder_RRR_f32.so"
    data = bytearray(lib.read_bytes())
    data[-1] ^= 0xFF
    lib.write_bytes(data)
    with pytest.raises(tt.ArtifactError, match=r"libthunder_RRR_f32\.so: sha256"):
        tt.load(out, dtype=torch.float32, backend="native")
    with pytest.raises(tt.ArtifactError):       # auto does not fall back over a corrupted file
        tt.load(out, dtype=torch.float32, backend="auto").M(torch.zeros(3))


@pytest.mark.parametrize("text,words", [
    ("{}", "not a thunder manifest (no 'thunder_manifest' key)"),
    ("[]", "expected a JSON object (a thunder manifest), got list"),
    ('{"thunder_manifest": 1, "functions": [], "params": []', "not valid JSON"),
    ('{"thunder_manifest": 1, "functions": {}, "params": []}', "'functions' is missing or not a list"),
])
def test_a_broken_manifest_is_a_clear_error_naming_it(rrr, tmp_path, text, words):
    out = copy(rrr, tmp_path)
    (out / "manifest.json").write_text(text)
    with pytest.raises(ValueError) as e:
        tt.load(out)
    assert str(out / "manifest.json") in str(e.value) and words in str(e.value)


def _edit_manifest(out, edit):
    """Edits manifest.json's content in place, keeping the artifacts list (sizes and hashes of the
    other files) as generated."""
    man = out / "manifest.json"
    m = json.loads(man.read_text())
    edit(m)
    man.write_text(json.dumps(m, indent=2) + "\n")


def _first_folded_value(m):
    p = next(p for p in m["params"] if p["name"] == "par_DYN")
    p["values"][0] *= 2   # link 1's mass, folded into the generated code


@pytest.mark.parametrize("edit", [
    _first_folded_value,
    lambda m: m.update(nq=4, nv=4, n_joints=4),
    lambda m: m.update(floating_base=True),
    lambda m: m["joints"].reverse(),
], ids=["folded par_DYN", "nq/nv", "floating_base", "joint order"])
def test_a_manifest_edited_after_generation_is_refused(rrr, tmp_path, edit):
    # the module is built from these fields: an edit would compute wrong numbers silently
    out = copy(rrr, tmp_path)
    _edit_manifest(out, edit)
    for backend in ("torch", "native"):
        with pytest.raises(tt.ArtifactError, match=r"manifest\.json was changed after generation"):
            tt.load(out, dtype=torch.float64, backend=backend)


def test_a_manifest_without_its_artifacts_list_is_refused(rrr, tmp_path):
    from thunder_torch._artifacts import generation_bytes
    out = copy(rrr, tmp_path)
    man = out / "manifest.json"
    man.write_bytes(generation_bytes(man.read_bytes()).replace(b'"nq": 3', b'"nq": 3 '))
    assert "artifacts" not in json.loads(man.read_text())
    with pytest.raises(tt.ArtifactError, match="has no 'artifacts' list"):
        tt.load(out, dtype=torch.float64)


def test_a_manifest_of_a_newer_format_is_refused(rrr, tmp_path):
    out = copy(rrr, tmp_path)
    _edit_manifest(out, lambda m: m.update(thunder_manifest=2))
    with pytest.raises(ValueError, match="manifest format 2 was written by a newer Thunder"):
        tt.load(out)


def test_load_par_refuses_duplicate_keys_with_both_lines(rrr, tmp_path):
    m = tt.load(rrr, dtype=torch.float64)
    text = "par_DYN:\n  link1.mass: 2.0\n  link2.mass: 3.0\n  link1.mass: 5.0\n"
    f = tmp_path / "par.yaml"
    f.write_text(text)
    with pytest.raises(ValueError, match=rf"{f}:4: par_DYN\.link1\.mass: duplicate element \(first at line 2\)"):
        m.load_par(f)
    f.write_text("par_DYN:\n  link1.mass: 2.0\npar_DYN:\n  link2.mass: 3.0\n")
    with pytest.raises(ValueError, match=r":3: .*duplicate .*line 1"):
        m.load_par(f)
