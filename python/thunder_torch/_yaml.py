"""YAML reading for parameter files: PyYAML's safe loader, but a duplicate key is an error.

PyYAML keeps the last of two equal keys and the C++ reader would keep the first; a file that says
`mass:` twice means two things, so both refuse it and name both lines.
"""
from __future__ import annotations

import yaml


class _UniqueKeyLoader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                first = seen.get(key)
            except TypeError:      # an unhashable key: let PyYAML report it as usual
                break
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first on line {first}, again on line {line})",
                    key_node.start_mark)
            seen[key] = line
        return super().construct_mapping(node, deep)


def load_unique(stream, file):
    """yaml.safe_load(stream) that raises ValueError("FILE:LINE: duplicate key ...") for a map
    with a key twice, and ValueError("FILE:LINE: not valid YAML: ...") for a syntax error."""
    try:
        return yaml.load(stream, Loader=_UniqueKeyLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        where = f"{file}:{mark.line + 1}" if mark is not None else str(file)
        problem = e.problem or str(e)
        if problem.startswith("duplicate key"):
            raise ValueError(f"{where}: {problem}") from None
        raise ValueError(f"{where}: not valid YAML: {problem}") from None
