"""Every Python block a user would copy from README.md and docs/*.md runs as written.

The blocks of one document run in order in one namespace (later blocks use earlier ones'
variables, as a reader does), in a scratch folder that has the README's generations: gen/franka
(`thunder gen robots/franka.yaml -o gen/franka --pytorch`, once per session), gen/go1 (the Go1 of
example-robot-data, only the functions the README calls), a smooth joint log log.npz of the
Panda for the identification block, and the README's example files panda.urdf (example-robot-
data's) and old_v0.yaml (robots/RRR.yaml). The `thunder` command lines of the shell blocks run
there too; one that names a file the folder does not have is a placeholder, skipped by name. To stay cheap the test shrinks batch sizes (4096 -> 8) and
step counts (1000 -> 5); nothing else of a block is changed.

A block that is deliberately partial (it needs a GPU, a native build, a user's own files) says so
in the document with `<!-- snippet-skip: REASON -->` right before its fence; it is reported as
skipped under its name, FILE:LINE.
"""
import os
import pathlib
import re
import shutil

import numpy as np
import pytest

from conftest import ROOT, example_robot_data_dir, run_thunder

torch = pytest.importorskip("torch")

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)\s*$")
SKIP = re.compile(r"<!--\s*snippet-skip:\s*(.*?)\s*-->")


def python_blocks(path):
    """(line, code, skip reason or None) of each ```python block of a Markdown file."""
    lines = path.read_text().splitlines()
    out, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start, lang = i, m.group(1)
        j = i + 1
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        if lang == "python":
            before = lines[start - 1] if start > 0 else ""
            skip = SKIP.search(before)
            out.append((start + 1, "\n".join(lines[start + 1:j]), skip.group(1) if skip else None))
        i = j + 1
    return out


BLOCKS = [(doc, line, code, skip) for doc in DOCS for line, code, skip in python_blocks(doc)]


def shrink(code):
    """Batch sizes and step counts made small (the only change made to a block)."""
    return code.replace("4096", "8").replace("steps=1000", "steps=5").replace("range(1000)", "range(5)")


@pytest.fixture(scope="session")
def docs_dir(tmp_path_factory):
    """A folder laid out as the docs assume (robots/, gen/franka, gen/go1, log.npz)."""
    d = tmp_path_factory.mktemp("docs")
    os.symlink(ROOT / "robots", d / "robots")
    # the README's example file names: the Panda URDF of example-robot-data, a v0.x file
    os.symlink(example_robot_data_dir() / "panda_description" / "urdf" / "panda.urdf", d / "panda.urdf")
    os.symlink(ROOT / "robots" / "RRR.yaml", d / "old_v0.yaml")
    run_thunder("gen", d / "robots" / "franka.yaml", "-o", d / "gen" / "franka", "--pytorch", "-q")
    go1 = example_robot_data_dir() / "go1_description" / "urdf" / "go1.urdf"
    feet = "FL_foot,FR_foot,RL_foot,RR_foot"
    run_thunder("gen", go1, "--floating-base", "-o", d / "gen" / "go1", "--targets", "torch", "-q",
                "--frames", feet, "--functions", "M,A_G," + ",".join("J_" + f for f in feet.split(",")))
    import thunder_torch
    panda = thunder_torch.load(d / "gen" / "franka", dtype=torch.float64, backend="torch")
    # A smooth, exciting trajectory at 1 kHz and its torques from the model (+ viscous friction).
    t = torch.arange(0, 1.5, 1e-3, dtype=torch.float64)[:, None]
    w = torch.arange(1, 8, dtype=torch.float64)[None, :]
    q, dq, ddq = 0.6 * torch.sin(w * t), 0.6 * w * torch.cos(w * t), -0.6 * w ** 2 * torch.sin(w * t)
    with torch.no_grad():
        tau = panda.Y(q, dq, ddq) @ panda.par_REG.detach() + 0.1 * dq
    np.savez(d / "log.npz", q=q.numpy(), dq=dq.numpy(), tau=tau.numpy())
    return d


_namespaces = {}


@pytest.mark.parametrize("doc,line,code,skip", BLOCKS,
                         ids=[f"{b[0].relative_to(ROOT)}:{b[1]}" for b in BLOCKS])
def test_doc_block_runs(docs_dir, doc, line, code, skip, monkeypatch):
    if skip:
        pytest.skip(f"{doc.relative_to(ROOT)}:{line} is partial: {skip}")
    monkeypatch.chdir(docs_dir)
    ns = _namespaces.setdefault(doc, {"__name__": "__doc_snippet__"})
    exec(compile(shrink(code), f"{doc.relative_to(ROOT)}:{line}", "exec"), ns)


def test_every_doc_has_its_blocks_found():
    """The extraction itself: the README has its Python blocks, every skip names a reason."""
    readme = [b for b in BLOCKS if b[0].name == "README.md"]
    assert len(readme) >= 5
    assert all(b[3] for b in BLOCKS if b[3] is not None)
    assert shutil.which("thunder")


COMMAND = re.compile(r"^(thunder \S.*?)(\s+#.*)?$")


def shell_commands():
    """`thunder ...` lines of the plain/bash blocks, with whether they can run here: their robot
    files exist in the docs folder and they build nothing native (else a placeholder or a
    compiler run, skipped by name)."""
    out = []
    for doc in DOCS:
        lines = doc.read_text().splitlines()
        lang = None  # the open block's language, None outside blocks
        for k, line in enumerate(lines):
            if line.startswith("```"):
                m = FENCE.match(line)
                lang = (m.group(1) if m else "?") if lang is None else None
                continue
            c = COMMAND.match(line.strip()) if lang in ("", "bash", "sh", "shell") else None
            if c:
                out.append((doc, k + 1, c.group(1)))
    return out


SHELL = shell_commands()


@pytest.mark.parametrize("doc,line,cmd", SHELL, ids=[f"{d.relative_to(ROOT)}:{n}" for d, n, _ in SHELL])
def test_doc_command_runs(docs_dir, doc, line, cmd):
    args = cmd.split()[1:]
    files = [a for a in args if re.search(r"\.(ya?ml|urdf|xml)$", a) and not a.startswith("-")]
    inputs = files[:1]  # the robot (convert's -o names an output)
    if any(not (docs_dir / f).exists() for f in inputs) or "..." in args:
        pytest.skip(f"{doc.relative_to(ROOT)}:{line}: a placeholder ({' '.join(inputs) or '...'}) for your file")
    if "--native" in args:
        pytest.skip(f"{doc.relative_to(ROOT)}:{line}: needs a native build (a C++ compiler run)")
    import subprocess
    out = [str(docs_dir / "cmd_out" / str(line)) if a.startswith("gen/") else a for a in args]
    proc = subprocess.run(["thunder", *out], cwd=docs_dir, capture_output=True, text=True)
    assert proc.returncode == 0, f"{doc.relative_to(ROOT)}:{line}: {cmd}\n{proc.stderr}"
