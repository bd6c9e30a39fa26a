"""Writes an n-joint serial chain in thunder's YAML format (robots/franka.yaml) made of repeated
Panda-like links: the Panda's 7 DH rows and link inertias, repeated cyclically.

    python bench/gen_chain.py N OUT.yaml [--template robots/franka.yaml]
"""
import argparse

import yaml


def chain(n, template):
    with open(template, encoding="utf-8") as f:
        t = yaml.safe_load(f)
    dh0 = t["kinematics"]["DH"]
    m = t["num_joints"]
    dh = []
    for k in range(n):
        dh += list(dh0[4 * (k % m): 4 * (k % m) + 4])
    links = {}
    for k in range(n):
        src = t["dynamics"][f"link{k % m + 1}"]
        links[f"link{k + 1}"] = {"inertial": dict(src["inertial"], symb=[0] * 10)}
    out = {k: v for k, v in t.items() if k not in ("kinematics", "dynamics", "num_joints", "type_joints")}
    out.update({"num_joints": n, "type_joints": ["R"] * n,
                "kinematics": {"symb": [0] * (4 * n), "DH": dh}, "dynamics": links})
    for key in list(out):
        if key.startswith("PI_"):
            del out[key]
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--template", default="robots/franka.yaml")
    a = ap.parse_args()
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(f"# {a.n}-joint chain of repeated Panda links (bench/gen_chain.py from {a.template})\n")
        yaml.safe_dump(chain(a.n, a.template), f, sort_keys=False, default_flow_style=None)
