"""manifest.json and the artifacts it lists: read with clear errors, verify before use.

``thunder gen`` records every file it wrote in manifest.json's "artifacts" (path, size, sha256).
A file is verified before it is used: a truncated native library would kill the process with
SIGBUS when mapped, and a changed torch blob would give wrong numbers silently. Outputs of a
Thunder before artifacts were recorded have no list; they load unverified.
"""
from __future__ import annotations

import hashlib
import json
import os
import pathlib

# The C++ writer puts "artifacts" last, after the FunctionSet's manifest (functions/artifacts.h).
_ARTIFACTS_KEY = b',\n  "artifacts": ['


# The manifest schema this runtime reads (functions/manifest.cpp writes "thunder_manifest": 1).
MANIFEST_FORMAT = 1


class ArtifactError(RuntimeError):
    """A generated file is missing, not listed, truncated or changed since generation."""


def read_manifest(path, data: bytes | None = None) -> dict:
    """The parsed OUT/manifest.json (from `data`, its bytes, when the caller has read them);
    ValueError naming the file when it is not a thunder manifest."""
    path = pathlib.Path(path)
    try:
        manifest = json.loads((path.read_bytes() if data is None else data).decode("utf-8"))
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}:{e.lineno}: not valid JSON ({e.msg}): regenerate with thunder gen") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not a text file: regenerate with thunder gen") from None
    if not isinstance(manifest, dict):
        raise ValueError(f"{path}: expected a JSON object (a thunder manifest), got "
                         f"{type(manifest).__name__}: regenerate with thunder gen")
    if "thunder_manifest" not in manifest:
        raise ValueError(f"{path}: not a thunder manifest (no 'thunder_manifest' key): "
                         "regenerate with thunder gen")
    fmt = manifest["thunder_manifest"]
    if not isinstance(fmt, int) or isinstance(fmt, bool) or fmt < 1:
        raise ValueError(f"{path}: 'thunder_manifest' is {fmt!r}, not a format number: regenerate with thunder gen")
    if fmt > MANIFEST_FORMAT:
        raise ValueError(f"{path}: manifest format {fmt} was written by a newer Thunder (this thunder_torch "
                         f"reads format {MANIFEST_FORMAT}): update thunder_torch, or regenerate with this "
                         "Thunder's thunder gen")
    for key, kind in (("functions", list), ("params", list)):
        if not isinstance(manifest.get(key), kind):
            raise ValueError(f"{path}: '{key}' is missing or not a list: regenerate with thunder gen")
    arts = manifest.get("artifacts")
    if arts is not None and not (isinstance(arts, list) and all(
            isinstance(a, dict) and isinstance(a.get("path"), str) and isinstance(a.get("size"), int)
            and isinstance(a.get("sha256"), str) for a in arts)):
        raise ValueError(f"{path}: 'artifacts' is not a list of {{path, size, sha256}}: regenerate")
    return manifest


def generation_bytes(data: bytes) -> bytes:
    """manifest.json's bytes without the artifacts entry: what native libraries hash (they are
    built before the list of artifacts, which includes them, can be written)."""
    i = data.rfind(_ARTIFACTS_KEY)
    return data if i < 0 else data[:i] + b"\n}\n"


_verified = {}   # (resolved path, size, mtime_ns, sha256) -> True: hash each file once


def verify(out_dir, manifest: dict, file) -> None:
    """Checks `file` (under out_dir) against manifest["artifacts"]; ArtifactError naming the file
    on a mismatch. No-op for a manifest without artifacts (older Thunder)."""
    arts = manifest.get("artifacts")
    if arts is None:
        return
    out_dir, file = pathlib.Path(out_dir), pathlib.Path(file)
    rel = file.resolve().relative_to(out_dir.resolve()).as_posix()
    entry = next((a for a in arts if a["path"] == rel), None)
    if entry is None:
        raise ArtifactError(f"thunder_torch: {file} is not listed in {out_dir / 'manifest.json'} "
                            "(not written by the generation that wrote the manifest): regenerate")
    try:
        st = os.stat(file)
    except FileNotFoundError:
        raise ArtifactError(f"thunder_torch: {file} is missing (manifest.json lists it): regenerate") from None
    if st.st_size != entry["size"]:
        raise ArtifactError(f"thunder_torch: {file} has {st.st_size} bytes, manifest.json says "
                            f"{entry['size']} (truncated or replaced after generation): regenerate")
    key = (str(file.resolve()), st.st_size, st.st_mtime_ns, entry["sha256"])
    if key in _verified:
        return
    h = hashlib.sha256()
    with open(file, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    if h.hexdigest() != entry["sha256"]:
        raise ArtifactError(f"thunder_torch: {file}: sha256 {h.hexdigest()[:16]}... differs from manifest.json's "
                            f"{entry['sha256'][:16]}... (changed or corrupted after generation): regenerate")
    _verified[key] = True


def verify_folder(out_dir, manifest: dict, folder: str) -> None:
    """Verifies every artifact under OUT/folder/ (e.g. "torch")."""
    for a in manifest.get("artifacts") or []:
        if a["path"].startswith(folder + "/"):
            verify(out_dir, manifest, pathlib.Path(out_dir) / a["path"])


def verify_manifest(out_dir, manifest: dict, data: bytes) -> None:
    """Refuses a manifest.json edited after generation: the module is built from it (nq, nv,
    floating_base, joint order, the parameter values folded into the generated code), so an edit
    would give wrong numbers silently. ``thunder gen --pytorch`` writes torch/manifest.sha256, the
    sha256 of the manifest without its artifacts entry, and lists that file in the artifacts.
    `data`: the bytes of manifest.json. Manifests of other writers (no "thunder " generator) and of
    a Thunder before artifacts were recorded are not checked."""
    out_dir = pathlib.Path(out_dir)
    mpath = out_dir / "manifest.json"
    generator = manifest.get("generator")
    if not (isinstance(generator, str) and generator.startswith("thunder ")):
        return
    stamp = out_dir / "torch" / "manifest.sha256"
    if manifest.get("artifacts") is None:
        raise ArtifactError(f"thunder_torch: {mpath} has no 'artifacts' list, which every thunder gen of a "
                            "torch/ folder writes: the manifest was edited after generation: regenerate")
    if not any(a["path"] == "torch/manifest.sha256" for a in manifest["artifacts"]):
        raise ArtifactError(f"thunder_torch: {mpath} does not list torch/manifest.sha256 (written by an older "
                            "Thunder, or edited): regenerate with thunder gen --pytorch")
    verify(out_dir, manifest, stamp)
    expected = stamp.read_text(encoding="ascii", errors="replace").strip()
    got = hashlib.sha256(generation_bytes(data)).hexdigest()
    if got != expected:
        raise ArtifactError(f"thunder_torch: {mpath} was changed after generation (its sha256 without the "
                            f"artifacts entry is {got[:16]}..., torch/manifest.sha256 says {expected[:16]}...): "
                            "the module is built from it (nq, nv, floating_base, folded parameter values), "
                            "so an edited manifest would compute wrong numbers: regenerate with thunder gen "
                            "(change parameters with load_par or --symb, not in manifest.json)")
