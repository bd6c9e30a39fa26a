"""Reading parameter files (docs/FUNCTIONS.md format) with the line of every value, so that
errors read FILE:LINE: SET.ELEMENT: MESSAGE like the C++ class's load_conf.

Values must be plain YAML numbers with a finite value: `.nan`, `nan`, `inf`, `1e999` (which
overflows), `true` and quoted strings are errors, not numbers. A decimal without a dot such as
`1e-3` is accepted (PyYAML's YAML 1.1 rules would read it as a string; YAML 1.2 and yaml-cpp read
it as a number).
"""
from __future__ import annotations

import math
import re

import yaml

_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


class ParFileError(ValueError):
    """A parameter file that cannot be applied: the message starts with FILE:LINE:."""


def _where(file, node):
    return f"{file}:{node.start_mark.line + 1}"


def number(file, node, key):
    """The finite float of scalar `node`, or a ParFileError naming `key`."""
    text = node.value if isinstance(node, yaml.ScalarNode) else None
    if text is None or node.style is not None or not _NUMBER.fullmatch(text):
        shown = text if text is not None else f"a {node.id}"
        raise ParFileError(f"{_where(file, node)}: {key}: expected a finite number, got {shown!r}")
    value = float(text)
    if not math.isfinite(value):
        raise ParFileError(f"{_where(file, node)}: {key}: expected a finite number, got {text!r} "
                           "(it overflows a double)")
    return value


def read(file):
    """{set: {element: (value, line)}} of a parameter file, in file order.

    Raises ParFileError for YAML that is not a map of maps, a duplicate key (YAML forbids them;
    PyYAML would keep the last silently) and a value that is not a finite number."""
    file = str(file)
    with open(file, "r", encoding="utf-8") as f:
        try:
            root = yaml.compose(f, Loader=yaml.SafeLoader)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            line = f":{mark.line + 1}" if mark is not None else ""
            raise ParFileError(f"{file}{line}: not valid YAML: {getattr(e, 'problem', e)}") from None
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag.endswith(":null")):
        return {}
    if not isinstance(root, yaml.MappingNode):
        raise ParFileError(f"{_where(file, root)}: expected a map from parameter set to {{element: value}}")
    out = {}
    for key_node, elems in root.value:
        set_name = key_node.value
        if set_name in out:
            raise ParFileError(f"{_where(file, key_node)}: {set_name}: duplicate parameter set "
                               f"(first at line {out[set_name][1]})")
        values = {}
        out[set_name] = (values, key_node.start_mark.line + 1)
        if isinstance(elems, yaml.ScalarNode) and elems.tag.endswith(":null"):
            continue
        if not isinstance(elems, yaml.MappingNode):
            raise ParFileError(f"{_where(file, elems)}: {set_name}: expected a map {{element: value}}")
        for e_node, v_node in elems.value:
            key = f"{set_name}.{e_node.value}"
            if e_node.value in values:
                raise ParFileError(f"{_where(file, e_node)}: {key}: duplicate element "
                                   f"(first at line {values[e_node.value][1]})")
            values[e_node.value] = (number(file, v_node, key), v_node.start_mark.line + 1)
    return {s: v for s, (v, _) in out.items()}
