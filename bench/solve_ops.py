#!/usr/bin/env python3
"""Arithmetic of the C++ library's vector solve (docs/EXPORT_CPP.md, "Solves with the tree
factor"), counted from the tables in its generated C: per pulled row and unit of 8 columns, 8
multiply-adds (2 operations each); the scaling, one per entry of X. count_ops.py counts only the
scalar C, so a function with the loops is its parts file plus this.

    python3 bench/solve_ops.py OUT/cpp/thunder_<robot>_FD_derivatives.c ...
"""
import re
import sys


def table(text, name):
    m = re.search(r"static const int %s\[\d+\] = \{([^}]*)\}" % name, text)
    return [int(x) for x in m.group(1).replace("\n", " ").split(",")]


def main(paths):
    for path in paths:
        text = open(path).read()
        stride = int(re.search(r"for \(c = 0; c < (\d+); \+\+c\) X\[\d+\*k \+ c\] \*= d;", text).group(1))
        down, up = table(text, "thunder_down_start"), table(text, "thunder_up_start")
        down_units, up_units = table(text, "thunder_unit_start"), table(text, "thunder_up_unit_start")
        n = len(down) - 1
        first = sum((down[k + 1] - down[k]) * (down_units[k + 1] - down_units[k]) * 16 for k in range(n))
        second = sum((up[k + 1] - up[k]) * (up_units[k + 1] - up_units[k]) * 16 for k in range(n))
        print(f"{path}: n {n}, rows of {stride}: first pass {first}, scaling {n * stride}, "
              f"second pass {second}, total {first + second + n * stride}")


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0 if len(sys.argv) > 1 else 2)
    main(sys.argv[1:])
