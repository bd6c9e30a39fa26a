"""thunder from Python: load and validate robot descriptions, and generate code, through the same
C++ core as the `thunder` command (a compiled extension, thunder._core). Options, validation,
messages and outputs are the CLI's; its errors are raised as UsageError / InputError.

    import thunder
    robot = thunder.load_robot("robots/franka.yaml")
    robot.joints, robot.links, robot.parameter_sets, robot.warnings
    thunder.generate(robot, "gen/franka", targets=["cpp", "torch"], symb=["DYN"])
"""
from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import os
import pathlib
from typing import Any, Dict, List, Optional, Sequence, Union

from ._errors import InputError, ThunderError, UsageError
from . import _core

__all__ = ["load_robot", "generate", "Robot", "ThunderError", "UsageError", "InputError"]


@dataclasses.dataclass(frozen=True)
class Robot:
    """A loaded, validated robot description (what `thunder check --json` reports).

    Attributes:
        name: robot name (the file stem, or `name=`).
        path: the description file.
        joints, links: per joint / body dicts, in the model's order (names, types, parents,
            values with their symbolic flags and the file fields they came from).
        parameter_sets: dicts with name, description, elements, aliases, values, symbolic.
        warnings: physical-consistency and other warnings, "FILE: FIELD: message" (also those
            about the options, e.g. --ee on a thunder YAML robot); nothing is printed.
        spec: the whole `thunder check --json` report.
    """
    name: str
    path: str
    joints: List[Dict[str, Any]] = dataclasses.field(repr=False)
    links: List[Dict[str, Any]] = dataclasses.field(repr=False)
    parameter_sets: List[Dict[str, Any]] = dataclasses.field(repr=False)
    warnings: List[str] = dataclasses.field(repr=False)
    spec: Dict[str, Any] = dataclasses.field(repr=False)
    options: Dict[str, Any] = dataclasses.field(default_factory=dict, repr=False)
    digest: str = dataclasses.field(default="", repr=False)  # sha256 of the file at load

    def __repr__(self) -> str:
        # The whole report is ~15 KB for an arm: print a summary, keep the rest in attributes.
        return (f"Robot(name={self.name!r}, path={self.path!r}, joints={len(self.joints)}, "
                f"links={len(self.links)}, warnings={len(self.warnings)})")


_PATH_OPTIONS = ("name", "base", "ee", "par")
_FLAG_OPTIONS = ("floating_base", "strict", "coulomb")
_LOAD_OPTIONS = _PATH_OPTIONS + _FLAG_OPTIONS + ("lock", "coulomb_smoothing")


def _text(value: Any, what: str) -> str:
    """A path or name argument as text; a NUL byte or another type is an error that says so."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{what} must be a str or os.PathLike, got {type(value).__name__} {value!r}")
    text = os.fspath(value)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if "\0" in text:
        raise ValueError(f"{what} {text!r} contains a NUL character")
    if text == "":
        raise ValueError(f"{what} is empty")
    return text


def _names(value: Any, what: str) -> List[str]:
    """Joint names: a list of str, or one str with comma-separated names (the CLI's form)."""
    if isinstance(value, str):
        return [n for n in value.split(",")]
    if not isinstance(value, (list, tuple)) or not all(isinstance(n, str) for n in value):
        raise TypeError(f"{what} must be a list of joint names (or one comma-separated str), got {value!r}")
    return list(value)


def _description_file(path: Any) -> str:
    """The robot file as text, checked to be a regular file: a FIFO or a device would block."""
    text = _text(path, "path")
    if os.path.exists(text) and not os.path.isfile(text):
        raise InputError(f"{text}: not a regular file (a robot description must be a .yaml/.yml or "
                         f".urdf/.xml file)")
    return text


def _digest(path: str) -> str:
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return ""


def _load_args(path, **options) -> List[str]:
    unknown = sorted(set(options) - set(_LOAD_OPTIONS))
    if unknown:
        hint = difflib.get_close_matches(unknown[0], _LOAD_OPTIONS, n=1)
        raise TypeError(f"unknown option {unknown[0]!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
                        + f"; options: {', '.join(_LOAD_OPTIONS)}")
    args = [_description_file(path)]
    for key in _PATH_OPTIONS:
        value = options.get(key)
        if value is not None:
            args += ["--" + key, _text(value, key)]
    lock = options.get("lock") or ()
    if lock:
        args += ["--lock", ",".join(_names(lock, "lock"))]
    smoothing = options.get("coulomb_smoothing")
    if smoothing is not None:
        if isinstance(smoothing, bool) or not isinstance(smoothing, (int, float)):
            raise TypeError(f"coulomb_smoothing must be a number >= 0, got {smoothing!r}")
        args += ["--coulomb-smoothing", repr(float(smoothing))]
    for key in _FLAG_OPTIONS:
        value = options.get(key, False)
        # A string is truthy: floating_base='false' would build a floating base.
        if not isinstance(value, bool):
            raise TypeError(f"{key} must be True or False, got {type(value).__name__} {value!r}")
        if value:
            args.append("--" + key.replace("_", "-"))
    return args


def load_robot(path: Union[str, os.PathLike], **options) -> Robot:
    """Loads and validates a thunder YAML robot file or a URDF, as `thunder check` does.

    Thread-safe: calls from several threads run one at a time in the C++ core. Warnings go to
    `Robot.warnings`; nothing is printed.

    Args:
        path: the description file.
        **options: name, base, ee, floating_base (bool), lock (joint names), strict (bool),
            coulomb (bool), coulomb_smoothing, par (an inertial parameter file): the CLI's options
            of the same names.

    Raises InputError (naming FILE:LINE: FIELD) for an invalid description, UsageError for a bad
    option, TypeError for an argument of the wrong type.
    """
    args = _load_args(path, **options)
    digest = _digest(args[0])
    _, out, _ = _core.run(["check", *args, "--json"])
    spec = json.loads(out)
    sets = _core.parameter_sets(["check", *args])
    return Robot(name=spec["name"], path=args[0], joints=spec["joints"], links=spec["links"],
                 parameter_sets=list(sets), warnings=list(spec.get("warnings", [])), spec=spec,
                 options=dict(options), digest=digest)


def generate(robot: Union[Robot, str, os.PathLike], out: Union[str, os.PathLike], *,
             targets: Optional[Sequence[str]] = None, symb: Optional[Sequence[str]] = None,
             frames: Optional[Sequence[str]] = None, functions: Optional[Sequence[str]] = None,
             contacts: Optional[Sequence[str]] = None, native: bool = False, cuda: bool = True,
             force: bool = False, quiet: bool = True,
             **options) -> pathlib.Path:
    """Generates code for `robot` into `out`, as `thunder gen` does; returns the output folder.

    Args:
        robot: a Robot from load_robot (its load options are reused) or a description file.
        out: the output folder (an earlier thunder output there is updated).
        targets: exporters among "cpp", "casadi", "torch", "native" (default: cpp, casadi).
        symb: parameter sets kept symbolic ("DYN", "Dl", ...).
        frames, functions: as `--frames`, `--functions` (default: the CLI's).
        contacts: as `--contacts`: frame names, "FRAME:6d" for a flat (6D) contact.
        native: also compile the native kernels; cuda=False skips their CUDA part.
        force, quiet: as `--force`, `-q`.
        **options: load options (see load_robot) when `robot` is a path.

    Raises UsageError, InputError or ThunderError with the CLI's message.
    """
    if isinstance(robot, Robot):
        if robot.digest and _digest(robot.path) != robot.digest:
            raise ThunderError(f"{robot.path} changed since load_robot read it: load it again "
                               f"(thunder.load_robot) to generate the file as it is now")
        args = _load_args(robot.path, **{**robot.options, **options})
    else:
        args = _load_args(robot, **options)
    args += ["-o", _text(out, "out")]
    for flag, items in (("--targets", targets), ("--symb", symb), ("--frames", frames),
                        ("--functions", functions), ("--contacts", contacts)):
        if items is not None:
            if isinstance(items, str):
                raise TypeError(f"generate: {flag[2:]} must be a list of names, not a string")
            args += [flag, ",".join(items)]
    for key, value in (("native", native), ("cuda", cuda), ("force", force), ("quiet", quiet)):
        if not isinstance(value, bool):
            raise TypeError(f"generate: {key} must be True or False, got {type(value).__name__} {value!r}")
    args += [f for f, on in (("--native", native), ("--no-cuda", not cuda), ("--force", force),
                             ("-q", quiet)) if on]
    rc, _, err = _core.run(["gen", *args])
    if rc != 0:
        exc = ThunderError(f"thunder gen failed with status {rc}:\n{err.strip()}")
        exc.output = err
        raise exc
    return pathlib.Path(out)
