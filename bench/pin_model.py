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
