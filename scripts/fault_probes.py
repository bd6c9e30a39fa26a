"""Fault probes of issue 10: bad inputs and faults, each judged "handled cleanly" or not.

    .venv/bin/python scripts/fault_probes.py [--seed N] [--mutations N] [--kills N]

Probes (every one prints a line only when it is NOT handled cleanly; a summary at the end):
- random and targeted mutations of the bundled thunder YAML files and of URDFs (deleted,
  duplicated or swapped lines, numbers replaced by nan/inf/negative/text, truncation, random
  bytes) through `thunder check` (and `thunder gen` for a sample of those that load).
  Clean: exit 0, or exit 1 with one "thunder: error: FILE..." line; never a signal, a CasADi
  assertion ("Notify the CasADi developers") or an uncaught exception.
- `thunder gen` killed at a random moment while it regenerates an existing output.
  Clean: OUT is exactly the old or the new output, and the next gen leaves no staging folder.
- every artifact of an output corrupted in turn (truncated to 30 %, one byte flipped).
  Clean: thunder_torch refuses a file it uses with ArtifactError naming it; a regeneration
  refuses to overwrite a generated file that was changed, naming it.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import pathlib
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
THUNDER = shutil.which("thunder") or str(ROOT / ".venv" / "bin" / "thunder")
BAD_VALUES = ["-1", "0", ".nan", "nan", ".inf", "1e999", "abc", "[]", "{}", "~", "-0.0", "1e-300", "[1, 2]", "&a 1", "*a"]


class Tally:
    def __init__(self):
        self.counts = {}

    def add(self, probe, ok, detail=""):
        tried, clean = self.counts.get(probe, (0, 0))
        self.counts[probe] = (tried + 1, clean + bool(ok))
        if not ok:
            print(f"NOT CLEAN [{probe}] {detail}", flush=True)


def run(args, timeout=600, cwd=None):
    return subprocess.run([THUNDER, *map(str, args)], capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          errors="replace")


def clean_result(proc, file):
    """True when the command either succeeded or failed with one clean error line."""
    if proc.returncode < 0:
        return False, f"signal {-proc.returncode}"
    err = proc.stderr
    if "Notify the CasADi developers" in err or "terminate called" in err or "Traceback" in err:
        return False, err.strip().splitlines()[-1][:300]
    if proc.returncode == 0:
        return True, ""
    lines = [l for l in err.splitlines() if not l.startswith("warning: ") and not l.startswith("thunder: ") or
             l.startswith("thunder: error: ")]
    errors = [l for l in lines if l.startswith("thunder: error: ")]
    if proc.returncode != 1 or len(errors) != 1:
        return False, f"exit {proc.returncode}: {err.strip()[-300:]}"
    return True, ""


def mutate(text, rng):
    lines = text.splitlines(keepends=True)
    kind = rng.choice(["delete", "duplicate", "swap", "value", "value", "truncate", "bytes", "key", "indent"])
    i = rng.randrange(len(lines))
    if kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[i])
    elif kind == "swap":
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "value":
        import re
        nums = [(k, m) for k, l in enumerate(lines) for m in re.finditer(r"-?\d+(\.\d+)?(e-?\d+)?", l)]
        if nums:
            k, m = rng.choice(nums)
            lines[k] = lines[k][:m.start()] + rng.choice(BAD_VALUES) + lines[k][m.end():]
    elif kind == "truncate":
        return text[: rng.randrange(len(text))], kind
    elif kind == "bytes":
        pos = rng.randrange(len(text))
        return text[:pos] + "".join(chr(rng.randrange(1, 256)) for _ in range(rng.randrange(1, 8))) + text[pos:], kind
    elif kind == "key":
        l = lines[i]
        if ":" in l or "=" in l:
            c = rng.randrange(max(1, l.find(":") if ":" in l else l.find("=")))
            lines[i] = l[:c] + rng.choice("xX_-") + l[c + 1:]
    elif kind == "indent":
        lines[i] = "  " + lines[i] if rng.random() < 0.5 else lines[i].lstrip()
    return "".join(lines), kind


def urdf_sources():
    for p in sys.path:
        d = pathlib.Path(p) / "cmeel.prefix" / "share" / "example-robot-data" / "robots"
        if d.is_dir():
            found = [d / "panda_description" / "urdf" / "panda.urdf", d / "ur_description" / "urdf" / "ur5_robot.urdf"]
            return [f for f in found if f.is_file()]
    return []


def probe_inputs(tally, tmp, rng, n):
    sources = [ROOT / "robots" / f for f in ("RRR.yaml", "franka.yaml", "seaRRR.yaml")] + urdf_sources()
    targeted = [  # the cases of the issue, on top of the random ones
        ("a.yaml", "a: &L [1, *L]\n"),
        ("dup.yaml", (ROOT / "robots" / "RRR.yaml").read_text().replace("num_joints: 3\n", "num_joints: 3\nnum_joints: 4\n")),
        ("bomb.yaml", "l0: &l0 [1,1,1,1,1,1,1,1,1,1]\n" + "".join(
            f"l{k}: &l{k} [" + ",".join([f"*l{k-1}"] * 10) + "]\n" for k in range(1, 10))),
        ("empty.yaml", ""), ("list.yaml", "- 1\n- 2\n"), ("bin.urdf", "\x00\x01\x02"),
        ("noroot.urdf", "<robot name='x'></robot>"),
    ]
    cases = [(tmp / name, text, "targeted") for name, text in targeted]
    for k in range(n):
        src = rng.choice(sources)
        text, kind = mutate(src.read_text(errors="replace"), rng)
        cases.append((tmp / f"m{k}{src.suffix}", text, f"{kind} of {src.name}"))
    for k, (path, text, what) in enumerate(cases):
        path.write_text(text, errors="replace")
        proc = run(["check", path])
        ok, why = clean_result(proc, path)
        tally.add("input: thunder check", ok, f"{what}: {why} ({path})")
        if ok and proc.returncode == 0 and k % 8 == 0:
            out = tmp / f"gen{k}"
            proc = run(["gen", path, "-o", out, "--targets", "casadi", "-q"])
            ok, why = clean_result(proc, path)
            tally.add("input: thunder gen", ok, f"{what}: {why} ({path})")
            shutil.rmtree(out, ignore_errors=True)
        if ok:
            path.unlink()


def tree(out):
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def probe_kills(tally, tmp, rng, n):
    out = tmp / "killed"
    robot_a, robot_b = tmp / "a.yaml", tmp / "b.yaml"
    text = (ROOT / "robots" / "franka.yaml").read_text()
    robot_a.write_text(text)
    robot_b.write_text(text.replace("value: [0, 0, -9.81]", "value: [0, 0, -9.80]"))
    run(["gen", robot_a, "-o", out, "--pytorch", "-q"])
    t0 = time.time()
    run(["gen", robot_b, "-o", tmp / "probe_time", "--pytorch", "-q"])
    full = time.time() - t0
    states = {"a": tree(out)}
    run(["gen", robot_b, "-o", out, "--pytorch", "-q"])
    states["b"] = tree(out)
    for k in range(n):
        robot = robot_a if k % 2 == 0 else robot_b      # alternate: every kill replaces the other state
        proc = subprocess.Popen([THUNDER, "gen", str(robot), "-o", str(out), "--pytorch", "-q"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, full * 1.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = tree(out)
        ok = now in (states["a"], states["b"])
        tally.add("gen killed mid-way: OUT is the old or the new output", ok, f"kill {k}: mixed state")
        run(["gen", robot_a, "-o", out, "--pytorch", "-q"])
        stale = [p for p in tmp.iterdir() if p.name.startswith("killed.tmp-")]
        tally.add("gen killed mid-way: next gen removes the staging folder", not stale and tree(out) == states["a"],
                  f"kill {k}: {stale}")
        states["a"] = tree(out)


def probe_artifacts(tally, tmp):
    import json

    import torch
    import thunder_torch as tt
    # Two outputs: C++/CasADi/torch (cheap to regenerate), and native libraries (compiled).
    outputs = [(["--targets", "casadi,cpp,torch"], lambda p: True),
               (["--targets", "casadi,native", "--native-opt", "0", "--no-cuda"], lambda p: p.endswith(".so"))]
    for k, (args, probed) in enumerate(outputs):
        src = tmp / f"art{k}"
        run(["gen", ROOT / "robots" / "RRR.yaml", "-o", src, "-q", *args])
        for a in json.loads((src / "manifest.json").read_text())["artifacts"]:
            if not probed(a["path"]):
                continue
            for how in ("truncate", "flip"):
                out = tmp / "artcopy"
                shutil.rmtree(out, ignore_errors=True)
                shutil.copytree(src, out)
                f = out / a["path"]
                data = bytearray(f.read_bytes())
                if how == "truncate":
                    data = data[: int(len(data) * 0.3)]
                elif data:
                    data[len(data) // 2] ^= 0x55
                if bytes(data) == f.read_bytes():
                    continue              # an empty file cannot be corrupted this way
                f.write_bytes(bytes(data))
                # the files thunder_torch reads: torch/ always, a CPU library with backend="native"
                if a["path"].startswith("torch/") or a["path"].endswith(".so"):
                    backend = "native" if a["path"].endswith(".so") else "torch"
                    dtype = torch.float32 if "_f32" in a["path"] else torch.float64
                    try:
                        m = tt.load(out, dtype=dtype, backend=backend)
                        m.M(torch.zeros(3, dtype=dtype))
                        refused = False
                    except tt.ArtifactError as e:
                        refused = str(f) in str(e)
                    tally.add("corrupted artifact: thunder_torch refuses it", refused,
                              f"{how} {a['path']}: loaded without error")
                proc = run(["gen", ROOT / "robots" / "RRR.yaml", "-o", out, "-q", *args])
                ok = (proc.returncode == 1 and str(f) in proc.stderr and "changed since" in proc.stderr
                      and f.read_bytes() == bytes(data))
                tally.add("corrupted artifact: regeneration refuses to overwrite it", ok,
                          f"{how} {a['path']}: exit {proc.returncode} {proc.stderr.strip()[-200:]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=10)
    ap.add_argument("--mutations", type=int, default=300)
    ap.add_argument("--kills", type=int, default=12)
    ap.add_argument("--no-artifacts", action="store_true")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="thunder_probes_") as d:
        tmp = pathlib.Path(d)
        probe_inputs(tally, tmp, rng, a.mutations)
        probe_kills(tally, tmp, rng, a.kills)
        if not a.no_artifacts:
            probe_artifacts(tally, tmp)
    total = clean = 0
    print("\nprobe                                                       tried  clean")
    for probe, (t, c) in tally.counts.items():
        print(f"{probe:58s} {t:6d} {c:6d}")
        total, clean = total + t, clean + c
    print(f"{'all':58s} {total:6d} {clean:6d}")
    return 0 if total == clean else 1


if __name__ == "__main__":
    sys.exit(main())
