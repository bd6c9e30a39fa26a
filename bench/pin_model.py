"""Builds the Pinocchio model the benchmarks compare against and saves it for the C++ program.

The URDF's joints that are not ancestors of the end-effector frame (the Panda fingers) are locked
at their neutral position with buildReducedModel, which is what thunder's URDF reader does (it
merges the bodies below the EE into the last link).

    python bench/pin_model.py URDF EE_FRAME OUT.txt
"""
import sys

import pinocchio as pin


def reduced_model(urdf, ee):
    full = pin.buildModelFromUrdf(urdf)
    fid = full.getFrameId(ee)
    if fid >= len(full.frames):
        raise ValueError(f"{urdf}: no frame {ee}")
    chain, j = set(), full.frames[fid].parentJoint
    while j > 0:
        chain.add(j)
        j = full.parents[j]
    lock = [j for j in range(1, full.njoints) if j not in chain]
    return pin.buildReducedModel(full, lock, pin.neutral(full)) if lock else full


if __name__ == "__main__":
    model = reduced_model(sys.argv[1], sys.argv[2])
    model.saveToText(sys.argv[3])
    print(f"pin_model: {model.nq} joints, saved {sys.argv[3]}", file=sys.stderr)


def locked_urdf(urdf, ee, out):
    """Writes a copy of the URDF whose joints that are not ancestors of `ee` are fixed (at 0: the
    neutral position). adam 0.5 fails on prismatic joints even outside its joint list."""
    import xml.etree.ElementTree as ET
    tree = ET.parse(urdf)
    root = tree.getroot()
    parent_of = {j.find("child").get("link"): j for j in root.findall("joint")}
    chain, link = set(), ee
    while link in parent_of:
        j = parent_of[link]
        chain.add(j.get("name"))
        link = j.find("parent").get("link")
    for j in root.findall("joint"):
        if j.get("name") not in chain and j.get("type") != "fixed":
            j.set("type", "fixed")
    tree.write(out)
    return out
