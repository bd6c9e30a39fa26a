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
        warnings: physical-consistency and other warnings, "FILE: FIELD: message".
        spec: the whole `thunder check --json` report.
    """
    name: str
    path: str
    joints: List[Dict[str, Any]]
    links: List[Dict[str, Any]]
    parameter_sets: List[Dict[str, Any]]
    warnings: List[str]
    spec: Dict[str, Any]
    options: Dict[str, Any] = dataclasses.field(default_factory=dict, repr=False)


def _load_args(path, name=None, base=None, ee=None, floating_base=False, lock=(), strict=False,
               coulomb=False, coulomb_smoothing=None, par=None) -> List[str]:
    args = [os.fspath(path)]
    for flag, value in (("--name", name), ("--base", base), ("--ee", ee), ("--par", par)):
        if value is not None:
            args += [flag, os.fspath(value)]
    if lock:
        args += ["--lock", ",".join(lock)]
    if coulomb_smoothing is not None:
        args += ["--coulomb-smoothing", repr(float(coulomb_smoothing))]
    args += [flag for flag, on in (("--floating-base", floating_base), ("--strict", strict),
                                   ("--coulomb", coulomb)) if on]
    return args


def load_robot(path: Union[str, os.PathLike], **options) -> Robot:
    """Loads and validates a thunder YAML robot file or a URDF, as `thunder check` does.

    Args:
        path: the description file.
        **options: name, base, ee, floating_base, lock (joint names), strict, coulomb,
            coulomb_smoothing, par (an inertial parameter file): the CLI's options of the same
            names.

    Raises InputError (naming FILE:LINE: FIELD) for an invalid description, UsageError for a bad
    option.
    """
    args = _load_args(path, **options)
    _, out, _ = _core.run(["check", *args, "--json"])
    spec = json.loads(out)
    sets = _core.parameter_sets(["check", *args])
    return Robot(name=spec["name"], path=os.fspath(path), joints=spec["joints"], links=spec["links"],
                 parameter_sets=list(sets), warnings=list(spec.get("warnings", [])), spec=spec,
                 options=dict(options))


def generate(robot: Union[Robot, str, os.PathLike], out: Union[str, os.PathLike], *,
             targets: Optional[Sequence[str]] = None, symb: Optional[Sequence[str]] = None,
             frames: Optional[Sequence[str]] = None, functions: Optional[Sequence[str]] = None,
             native: bool = False, cuda: bool = True, force: bool = False, quiet: bool = True,
             **options) -> pathlib.Path:
    """Generates code for `robot` into `out`, as `thunder gen` does; returns the output folder.

    Args:
        robot: a Robot from load_robot (its load options are reused) or a description file.
        out: the output folder (an earlier thunder output there is updated).
        targets: exporters among "cpp", "casadi", "torch", "native" (default: cpp, casadi).
        symb: parameter sets kept symbolic ("DYN", "Dl", ...).
        frames, functions: as `--frames`, `--functions` (default: the CLI's).
        native: also compile the native kernels; cuda=False skips their CUDA part.
        force, quiet: as `--force`, `-q`.
        **options: load options (see load_robot) when `robot` is a path.

    Raises UsageError, InputError or ThunderError with the CLI's message.
    """
    if isinstance(robot, Robot):
        args = _load_args(robot.path, **{**robot.options, **options})
    else:
        args = _load_args(robot, **options)
    args += ["-o", os.fspath(out)]
    for flag, items in (("--targets", targets), ("--symb", symb), ("--frames", frames),
                        ("--functions", functions)):
        if items is not None:
            if isinstance(items, str):
                raise TypeError(f"generate: {flag[2:]} must be a list of names, not a string")
            args += [flag, ",".join(items)]
    args += [f for f, on in (("--native", native), ("--no-cuda", not cuda), ("--force", force),
                             ("-q", quiet)) if on]
    rc, _, err = _core.run(["gen", *args])
    if rc != 0:
        exc = ThunderError(f"thunder gen failed with status {rc}:\n{err.strip()}")
        exc.output = err
        raise exc
    return pathlib.Path(out)
