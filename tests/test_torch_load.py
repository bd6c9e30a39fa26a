"""thunder_torch.load maps what the generator stored (issue 23) and refuses an index that does not
describe its blob (issue 22): every entry is checked at load, so an edited index whose checksum was
recomputed is a ValueError naming the field, never an IndexError at a call or a read outside
torch/."""
import json
import shutil

import numpy as np
import pytest
import torch

import thunder_torch as tt
from conftest import ROBOTS, recompute_artifacts


@pytest.fixture(scope="module")
def rrr(generate):
    # M (a matrix output), G (a vector), T_0_ee: enough shapes for the dense input/output maps
    return generate(ROBOTS / "RRR.yaml", "--functions", "M,G,T_0_ee", "-q", targets="casadi,torch")


def test_load_maps_the_stored_schedules_and_agrees_with_casadi(rrr):
    """The generator placed the dense inputs and outputs (no remapping at load): results equal
    CasADi's own evaluation of the same functions (the .casadi files) to rounding."""
    m = tt.load(rrr.out, dtype=torch.float64, backend="torch")
    rng = np.random.default_rng(1)
    q = rng.uniform(-2, 2, (5, 3))
    for name in ("M", "G", "T_0_ee"):
        got = getattr(m, name)(torch.tensor(q)).detach().numpy()
        for b in range(5):
            ref = rrr.call(name, q=q[b])
            # same operations in the same order except fma's single rounding: 1e-12 relative
            np.testing.assert_allclose(got[b].reshape(ref.shape), ref, rtol=1e-12, atol=1e-12)
    # no Python-side remap is left: the schedule's result is the dense row-major output
    s = m._specs["M"].fwd
    assert s.n_out == 9 and s.n_in == sum(r * c for _, r, c in m._specs["M"].vars) + \
        sum(n for _, n, _ in m._specs["M"].pars)


def _copy_with_index(rrr, tmp_path, edit):
    """A copy of the output whose torch index was changed by `edit(index)` and whose manifest
    checksum of it was recomputed (so only the runtime's validation can catch it)."""
    out = tmp_path / "copy"
    shutil.copytree(rrr.out, out)
    f = out / "torch" / "thunder_torch.json"
    index = json.loads(f.read_text())
    edit(index)
    data = (json.dumps(index, separators=(",", ":")) + "\n").encode()
    f.write_bytes(data)
    recompute_artifacts(out, ["torch/thunder_torch.json"])
    return out


def _fn(index, name):
    return next(e for e in index["functions"] if e["name"] == name)


EDITS = {
    # a blob outside torch/ (the issue's ../x.yaml)
    "blob path": (lambda ix: ix.__setitem__("blob", "../RRR_par.yaml"), r"blob: '\.\./RRR_par\.yaml' is not a file name inside"),
    "absolute blob path": (lambda ix: ix.__setitem__("blob", "/etc/passwd"), r"blob: '/etc/passwd' is not a file name"),
    # an output gather longer than the blob
    "array past the blob": (lambda ix: _fn(ix, "M")["forward"]["out_index"].__setitem__("count", 10 ** 9),
                            r"functions\[\d+\] \(M\)\.forward\.out_index: 1000000000 elements"),
    # misaligned array
    "misaligned array": (lambda ix: _fn(ix, "M")["forward"]["consts"].__setitem__("offset", 3),
                         r"\(M\)\.forward\.consts: .*not aligned"),
    # a shape that no longer matches the schedule
    "shape": (lambda ix: _fn(ix, "G")["outputs"][0].__setitem__("rows", 4),
              r"\(G\)\.forward\.n_out: 3, the function's outputs have 4 elements"),
    # a schedule claiming fewer slots than its steps write (the IndexError at a call)
    "slots": (lambda ix: _fn(ix, "M")["forward"].__setitem__(
        "n_slots", _fn(ix, "M")["forward"]["n_const"] + _fn(ix, "M")["forward"]["n_in"] + 1),
              r"\(M\)\.forward\.(steps\[0\]|gather|out_index)"),
    "unknown op": (lambda ix: _fn(ix, "M")["forward"]["ops"].__setitem__(0, "rm -rf"),
                   r"\(M\)\.forward\.ops: unknown operations \['rm -rf'\]"),
    "not an int": (lambda ix: _fn(ix, "M")["forward"].__setitem__("n_steps", "3"),
                   r"\(M\)\.forward\.n_steps: expected an integer"),
    "version 1": (lambda ix: ix.__setitem__("version", 1), r"not a thunder-torch version 2 index"),
}


@pytest.mark.parametrize("what", list(EDITS))
def test_an_edited_index_is_refused_at_load(rrr, tmp_path, what):
    edit, message = EDITS[what]
    out = _copy_with_index(rrr, tmp_path, edit)
    with pytest.raises(ValueError, match=message):
        tt.load(out, dtype=torch.float64, backend="torch")


def test_steps_edited_in_the_blob_are_refused_at_load(rrr, tmp_path):
    """Step rows live in the blob: an out-of-range write target or operand there (checksums
    recomputed) is a ValueError naming the step, not an IndexError at the first call."""
    out = tmp_path / "copy"
    shutil.copytree(rrr.out, out)
    index = json.loads((out / "torch" / "thunder_torch.json").read_text())
    ref = _fn(index, "M")["forward"]["steps"]
    S = _fn(index, "M")["forward"]["n_slots"]
    blob = bytearray((out / "torch" / "thunder_torch.bin").read_bytes())
    steps = np.frombuffer(blob, dtype="<i4", count=ref["count"], offset=ref["offset"]).copy()
    message = r"\(M\)\.forward\.steps\[0\]: operation \d+ writing slots .* with operands"
    for col, value in ((1, S + 5), (3, S + 5), (3, -10 ** 6)):
        edited = steps.copy()
        edited[col] = value
        b = bytearray(blob)
        b[ref["offset"]:ref["offset"] + 4 * len(edited)] = edited.tobytes()
        (out / "torch" / "thunder_torch.bin").write_bytes(b)
        recompute_artifacts(out, ["torch/thunder_torch.bin"])
        with pytest.raises(ValueError, match=message):
            tt.load(out, dtype=torch.float64, backend="torch")
