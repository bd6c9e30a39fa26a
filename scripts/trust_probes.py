"""Bad-input and tampering probes of the trust issue (round two), grouped as the issue groups them:
thunder 1.0 files, convert, the Python API (threads, bad arguments), simulation inputs,
identification logs and options, tampered generated folders.

    .venv/bin/python scripts/trust_probes.py [-v]

A case is handled cleanly when it either works as documented or raises one of the project's
error types (ValueError, TypeError, FileNotFoundError, thunder's ThunderError, thunder_torch's
ArtifactError / NativeLibraryError) whose message names what is wrong (the `words` of the case),
and when no user file is lost. Prints one line per case that is not, and a summary per group.
Runs in a few minutes (it generates a Panda and a small floating robot).
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import threading
import warnings

import numpy as np
import torch

import thunder
import thunder_torch
from thunder_torch import identify

ROOT = pathlib.Path(__file__).resolve().parents[1]
THUNDER = shutil.which("thunder") or str(ROOT / ".venv" / "bin" / "thunder")
FRANKA = ROOT / "robots" / "franka.yaml"
FLYER = """<robot name="flyer">
  <link name="base"><inertial><mass value="2"/><inertia ixx="0.1" ixy="0" ixz="0" iyy="0.2" iyz="0" izz="0.3"/></inertial></link>
  <link name="arm"><inertial><origin xyz="0.1 0 0"/><mass value="1"/><inertia ixx="0.01" ixy="0" ixz="0" iyy="0.01" iyz="0" izz="0.01"/></inertial></link>
  <joint name="j" type="revolute"><parent link="base"/><child link="arm"/><axis xyz="0 0 1"/></joint>
</robot>
"""


class Probes:
    def __init__(self, verbose):
        self.verbose, self.counts = verbose, {}

    def case(self, group, name, fn, words=None, works=False):
        """works: the call must succeed. Otherwise it must raise a clean error containing words."""
        ok, detail = False, ""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = fn()
            ok, detail = (works or (words is None and r is True)), f"no error (returned {str(r)[:80]!r})"
            if works and r is False:
                ok, detail = False, "returned False"
        except (ValueError, TypeError, FileNotFoundError, AttributeError, thunder.ThunderError,
                thunder_torch.ArtifactError, RuntimeError) as e:
            msg = str(e)
            ok = not works and (words is None or all(w in msg for w in ([words] if isinstance(words, str) else words)))
            ok = ok and not msg.startswith("Traceback")
            detail = f"{type(e).__name__}: {msg[:160]}"
        except Exception as e:  # noqa: BLE001 - any other exception is a raw one
            detail = f"raw {type(e).__name__}: {str(e)[:160]}"
        tried, clean = self.counts.get(group, (0, 0))
        self.counts[group] = (tried + 1, clean + ok)
        if not ok or self.verbose:
            print(f"{'ok ' if ok else 'BAD'} [{group}] {name}: {detail}")

    def summary(self):
        total = [0, 0]
        for g, (t, c) in self.counts.items():
            print(f"{g:28s} {c:3d} of {t:3d} handled cleanly")
            total[0] += t
            total[1] += c
        print(f"{'all':28s} {total[1]:3d} of {total[0]:3d} handled cleanly")
        return total[0] == total[1]


def cli(*args):
    return subprocess.run([THUNDER, *map(str, args)], capture_output=True, text=True, timeout=3600)


def cli_refuses(*args, words):
    p = cli(*args)
    if p.returncode == 0:
        return f"exit 0: {p.stdout[-200:]}"
    if p.returncode not in (1, 2) or "Traceback" in p.stderr or not all(w in p.stderr for w in words):
        raise OSError(f"exit {p.returncode}: {p.stderr[-300:]}")
    raise ValueError(p.stderr.strip())


def v1_files(P, tmp):
    group = "thunder 1.0 files"
    base = (ROOT.parent / "shared" / "thunder_configs_v1" / "fixture_symbolic_mask_test.yaml")
    if not base.exists():
        return
    text = base.read_text()

    def with_mask(mask):
        f = tmp / "mask.yaml"
        import re
        f.write_text(re.sub(r"symbolic_dynamics:\s*\[[^\]]*\]", f"symbolic_dynamics: {mask}", text, count=1))
        return cli_refuses("check", f, words=[str(f)])
    P.case(group, "9-entry symbolic_dynamics mask", lambda: with_mask("[1, 0, 0, 0, 0, 0, 0, 0, 0]"), words="mask")
    P.case(group, "--floating-base on a YAML robot", lambda: cli_refuses("check", FRANKA, "--floating-base",
                                                                          words=["floating"]), words="floating")
    P.case(group, "unknown option --torch", lambda: cli_refuses("gen", FRANKA, "--torch", "-o", tmp / "x",
                                                                 words=["--pytorch"]), words="--pytorch")


def convert(P, tmp):
    group = "convert"
    src = tmp / "robot.yaml"
    shutil.copy(FRANKA, src)
    before = src.read_bytes()
    other = tmp / "user.yaml"
    other.write_text("mine\n")
    link = tmp / "link.yaml"
    link.symlink_to(other)
    P.case(group, "-o an existing file", lambda: cli_refuses("convert", src, "-o", other, words=["--force"]), words="--force")
    P.case(group, "-o the input", lambda: cli_refuses("convert", src, "-o", src, "--force", words=["input"]), words="input")
    P.case(group, "-o dir/../dir/input", lambda: cli_refuses("convert", src, "-o", tmp / ".." / tmp.name / "robot.yaml",
                                                             "--force", words=["input"]), words="input")
    P.case(group, "-o a symlink", lambda: cli_refuses("convert", src, "-o", link, words=["--force"]), words="--force")
    P.case(group, "files intact", lambda: src.read_bytes() == before and other.read_text() == "mine\n", works=True)


def python_api(P, tmp, panda_urdf):
    group = "Python API"
    P.case(group, "floating_base='false'", lambda: thunder.load_robot(FRANKA, floating_base="false"), words="True or False")
    P.case(group, "lock as a string", lambda: thunder.load_robot(panda_urdf, ee="panda_hand", lock="panda_joint1"), works=True)
    P.case(group, "ee='nope' warns or fails", lambda: (lambda r: bool(r.warnings) or "nope")(thunder.load_robot(panda_urdf, ee="nope")),
           words="nope")
    P.case(group, "generate(robot, '')", lambda: thunder.generate(FRANKA, ""), words="out")
    P.case(group, "NUL in a path", lambda: thunder.load_robot("rob\0ot.yaml"), words="NUL")
    P.case(group, "a folder as the file", lambda: thunder.load_robot(tmp), words=str(tmp))
    fifo = tmp / "fifo.yaml"
    os.mkfifo(fifo)
    P.case(group, "a FIFO does not block", lambda: thunder.load_robot(fifo), words="fifo")
    P.case(group, "unknown option", lambda: thunder.load_robot(FRANKA, floating=True), words="floating_base")
    P.case(group, "repr is short", lambda: len(repr(thunder.load_robot(FRANKA))) < 500, works=True)
    changed = tmp / "changed.yaml"
    shutil.copy(FRANKA, changed)
    r = thunder.load_robot(changed)
    changed.write_text(changed.read_text() + "\n# edited\n")
    P.case(group, "generate a changed file", lambda: thunder.generate(r, tmp / "g"), words="changed")
    errors = []

    def work():
        try:
            thunder.load_robot(panda_urdf, ee="panda_hand")
        except Exception as e:  # noqa: BLE001
            errors.append(e)
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    P.case(group, "load_robot from 4 threads", lambda: not errors, works=True)


def simulation(P, panda, flyer):
    group = "simulation inputs"
    q = torch.zeros(5, 7, dtype=torch.float64)
    for dt in (float("nan"), float("inf"), 0.0, -1e-3, [1e-3], "1e-3", None):
        P.case(group, f"dt={dt!r}", lambda dt=dt: panda.step(q, q, q, dt=dt), words="dt")
    P.case(group, "per-row dt", lambda: panda.step(q, q, q, dt=torch.full((5,), 1e-3, dtype=torch.float64)), works=True)
    for steps in (2.5, None, -1):
        P.case(group, f"steps={steps!r}", lambda s=steps: panda.rollout(q, q, lambda a, b: a * 0, steps=s, dt=1e-3),
               words="steps")
    P.case(group, "q (5,7) dq (5,1,7)", lambda: panda.step(q, q[:, None], q, dt=1e-3), words="dq")
    P.case(group, "float32 q to a float64 module", lambda: panda.FD(q.float(), q.float(), q.float()), words="dtype")
    qf = torch.zeros(2, flyer.nq, dtype=torch.float64)
    dqf = torch.zeros(2, flyer.nv, dtype=torch.float64)
    P.case(group, "zero quaternion in step", lambda: flyer.step(qf, dqf, dqf, dt=1e-3), words="zero")
    P.case(group, "zero quaternion in FD", lambda: flyer.FD(qf, dqf, dqf), words="zero")
    P.case(group, "missing function", lambda: panda.J_ee_pinv(q), words="--functions")


def identification(P, tmp, panda, gen_dir):
    group = "identification"
    header = ",".join(f"{k}{j}" for k in ("q", "dq", "tau") for j in range(1, 8))

    def log(name, text):
        p = tmp / name
        p.write_text(text)
        return p
    for name, text, words in [("empty.csv", "", "empty"), ("header.csv", header + "\n", "no samples"),
                              ("semi.csv", header.replace(",", ";") + "\n" + ";".join(["0"] * 21) + "\n", ";"),
                              ("gap.csv", header.replace("q7,", "q8,", 1) + "\n" + ",".join(["0"] * 21) + "\n", "without gaps"),
                              ("text.npz", "not an archive\n", "npz")]:
        P.case(group, f"log {name}", lambda n=name, t=text: identify.Data.load(log(n, t), sample_rate=100), words=words)
    P.case(group, "test fraction 0.999", lambda: cli_refuses("identify", gen_dir, log("ok2.csv", header + "\n" + "\n".join(
        ",".join(["0.1"] * 21) for _ in range(50)) + "\n"), "--sample-rate", "100", "--test-fraction", "0.999",
        words=["fraction"]), words="fraction")
    ok_log = log("ok.csv", header + "\n" + "\n".join(",".join(["0.1"] * 21) for _ in range(50)) + "\n")
    for rate, cut in ((float("nan"), None), (0.0, None), (-5.0, None), (100.0, 80.0)):
        P.case(group, f"sample_rate {rate} cutoff {cut}", lambda r=rate, c=cut: identify.Data.load(ok_log, sample_rate=r, cutoff_hz=c),
               words="rate" if cut is None else "Nyquist")
    n = 200
    d = identify.Data(q=torch.rand(n, 7, dtype=torch.float64), dq=torch.rand(n, 7, dtype=torch.float64),
                      ddq=torch.rand(n, 7, dtype=torch.float64), tau=torch.rand(n, 7, dtype=torch.float64))
    P.case(group, "friction 'viscous' as a string", lambda: identify.regressor(panda, d, friction="viscous") is not None, works=True)
    P.case(group, "friction 'bogus'", lambda: identify.regressor(panda, d, friction=("bogus",)), words="bogus")
    P.case(group, "tau of the wrong width", lambda: identify.Data(q=d.q, dq=d.dq, ddq=d.ddq, tau=d.tau[:, :5]), words="tau")
    P.case(group, "constant log warns", lambda: _constant_log_warns(panda), works=True)
    out_file = tmp / "existing_out"
    out_file.write_text("user file\n")
    P.case(group, "identify --out an existing file", lambda: cli_refuses("identify", gen_dir, ok_log, "--sample-rate", "100",
                                                                          "--out", out_file, words=["out"]), words="out")
    P.case(group, "--prior-weight -1", lambda: cli_refuses("identify", gen_dir, ok_log, "--sample-rate", "100",
                                                            "--prior-weight", "-1", words=["prior"]), words="prior")
    P.case(group, "user file intact", lambda: out_file.read_text() == "user file\n", works=True)


def _constant_log_warns(panda):
    n = 100
    q = torch.full((n, 7), 0.3, dtype=torch.float64)
    z = torch.zeros(n, 7, dtype=torch.float64)
    W, names = identify.regressor(panda, identify.Data(q=q, dq=z, ddq=z, tau=z), friction=())
    return identify.BaseParameters.from_regressor(W, names).rank < identify.identifiable_rank(panda, friction=())


def tampered(P, tmp, gen_dir):
    group = "tampered generated folders"

    def variant(name, edit):
        d = tmp / f"t_{name}"
        shutil.copytree(gen_dir, d)
        edit(d)
        return d

    def edit_manifest(fn):
        def e(d):
            m = json.loads((d / "manifest.json").read_text())
            fn(m)
            (d / "manifest.json").write_text(json.dumps(m, indent=2) + "\n")
        return e

    def load(d, backend="torch"):
        r = thunder_torch.load(d, dtype=torch.float64, backend=backend)
        return r.G(torch.zeros(r.nq, dtype=torch.float64))
    for name, fn in [("folded par_DYN", lambda m: m["params"][0]["values"].__setitem__(0, 99.0)),
                     ("nq/nv", lambda m: m.update(nq=8, nv=8)), ("floating_base", lambda m: m.update(floating_base=True)),
                     ("joint order", lambda m: m["joints"].reverse()), ("artifacts removed", lambda m: m.pop("artifacts")),
                     ("newer format", lambda m: m.update(thunder_manifest=7))]:
        d = variant(name.replace(" ", "_").replace("/", "_"), edit_manifest(fn))
        P.case(group, f"manifest: {name}", lambda d=d: load(d), words="manifest")

    def index_edit(d):
        ix = d / "torch" / "thunder_torch.json"
        j = json.loads(ix.read_text())
        j["blob"] = "../franka_par.yaml"
        ix.write_text(json.dumps(j))
        m = json.loads((d / "manifest.json").read_text())
        import hashlib
        for a in m["artifacts"]:
            if a["path"] == "torch/thunder_torch.json":
                a["size"] = ix.stat().st_size
                a["sha256"] = hashlib.sha256(ix.read_bytes()).hexdigest()
        # keep the manifest's generation bytes: only the artifacts entry changes
        text = (d / "manifest.json").read_text()
        i = text.rfind(',\n  "artifacts": [')
        (d / "manifest.json").write_text(text[:i] + ',\n  "artifacts": ' + json.dumps(m["artifacts"]) + "\n}\n")
    P.case(group, "index blob path ../x with a recomputed checksum", lambda: load(variant("blob", index_edit)), words="blob")

    def truncate_native(d):
        libs = list((d / "native").glob("*.so"))
        for lib in libs:
            lib.write_bytes(lib.read_bytes()[: lib.stat().st_size // 3])
    if list((gen_dir / "native").glob("*.so")):
        P.case(group, "truncated native library", lambda: load(variant("trunc", truncate_native), "native"), words="native")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="print every case, not only the bad ones")
    args = ap.parse_args()
    P = Probes(args.verbose)
    prefix = next(pathlib.Path(p) / "cmeel.prefix" for p in sys.path if (pathlib.Path(p) / "cmeel.prefix").is_dir())
    panda_urdf = prefix / "share" / "example-robot-data" / "robots" / "panda_description" / "urdf" / "panda.urdf"
    with tempfile.TemporaryDirectory(prefix="thunder_trust_") as t:
        tmp = pathlib.Path(t)
        gen_dir = tmp / "franka"
        subprocess.run([THUNDER, "gen", FRANKA, "-o", gen_dir, "--targets", "casadi,torch,native", "--no-cuda",
                        "--native-opt", "0", "--functions", "G,FD,Y,tau", "-q"], check=True)
        (tmp / "flyer.urdf").write_text(FLYER)
        subprocess.run([THUNDER, "gen", tmp / "flyer.urdf", "--floating-base", "-o", tmp / "flyer", "--targets", "torch",
                        "--functions", "FD,integrate", "-q"], check=True)
        panda = thunder_torch.load(gen_dir, dtype=torch.float64, backend="torch")
        flyer = thunder_torch.load(tmp / "flyer", dtype=torch.float64, backend="torch")
        v1_files(P, tmp)
        convert(P, tmp)
        python_api(P, tmp, panda_urdf)
        simulation(P, panda, flyer)
        identification(P, tmp, panda, gen_dir)
        tampered(P, tmp, gen_dir)
    sys.exit(0 if P.summary() else 1)
