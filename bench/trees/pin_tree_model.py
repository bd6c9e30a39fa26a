"""Writes the Pinocchio model of a URDF (floating base) as plain text for the C++ tree benchmarks.

    python bench/trees/pin_tree_model.py URDF FRAME OUT.txt [--fixed-base]

--fixed-base: no free-flyer, and the joints that are not ancestors of FRAME locked at their
neutral position (what `thunder gen URDF --ee FRAME` does; bench/pin_model.py).

Why not Model.saveToText (what bench/pin_model.py does): that needs boost::serialization, a
compiled library built with the new std::string ABI, while the Pinocchio-on-SX program must use
the casadi wheel's old ABI (_GLIBCXX_USE_CXX11_ABI=0). This format is read by model_io.hpp with
plain Pinocchio headers (header-only, any ABI). It holds only what the benchmarked algorithms
use: joint tree, joint types, placements, body inertias, position limits, and one frame.
Format (one record a line, numbers in full precision):
    joint NAME PARENT TYPE ax ay az  R(9, row-major) p(3)  mass lever(3) I(xx xy yy xz yz zz)
          nlim lower(nlim) upper(nlim)
    frame NAME PARENT_JOINT R(9) p(3)
"""
import sys

import numpy as np
import pinocchio as pin

TYPES = {"JointModelFreeFlyer": "FF", "JointModelRX": "RX", "JointModelRY": "RY",
         "JointModelRZ": "RZ", "JointModelPX": "PX", "JointModelPY": "PY", "JointModelPZ": "PZ",
         "JointModelRevoluteUnaligned": "RU", "JointModelPrismaticUnaligned": "PU"}


def num(xs):
    return " ".join(repr(float(x)) for x in np.asarray(xs).ravel())


def se3(M):
    return f"{num(M.rotation)} {num(M.translation)}"


def main(urdf, frame, out, fixed_base=False):
    if fixed_base:
        sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
        from pin_model import reduced_model
        model = reduced_model(urdf, frame)
    else:
        model = pin.buildModelFromUrdf(urdf, pin.JointModelFreeFlyer())
    if not model.existFrame(frame):
        sys.exit(f"pin_tree_model: {urdf} has no frame {frame}")
    lines = []
    for j in range(1, model.njoints):
        jm = model.joints[j]
        t = TYPES.get(jm.shortname())
        if t is None:  # the C++ reader builds only these joint models
            sys.exit(f"pin_tree_model: joint {model.names[j]}: {jm.shortname()} not supported")
        # the generic JointModel has no `axis`: the unaligned joint's own model has (getattr with
        # a default wrote a zero axis, a degenerate joint, for every RU/PU joint)
        axis = np.asarray(jm.extract().axis) if t in ("RU", "PU") else np.zeros(3)
        if t in ("RU", "PU") and abs(np.linalg.norm(axis) - 1) > 1e-12:
            sys.exit(f"pin_tree_model: joint {model.names[j]}: axis {axis} is not a unit vector")
        Y = model.inertias[j]
        I = Y.inertia  # about the CoM, 3x3
        lo = model.lowerPositionLimit[jm.idx_q:jm.idx_q + jm.nq]
        hi = model.upperPositionLimit[jm.idx_q:jm.idx_q + jm.nq]
        lines.append(f"joint {model.names[j]} {model.parents[j]} {t} {num(axis)} "
                     f"{se3(model.jointPlacements[j])} {Y.mass!r} {num(Y.lever)} "
                     f"{num([I[0, 0], I[0, 1], I[1, 1], I[0, 2], I[1, 2], I[2, 2]])} "
                     f"{jm.nq} {num(lo)} {num(hi)}")
    f = model.frames[model.getFrameId(frame)]
    lines.append(f"frame {frame} {f.parentJoint} {se3(f.placement)}")
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    print(f"pin_tree_model: nq {model.nq}, nv {model.nv}, {model.njoints - 1} joints -> {out}",
          file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:4], fixed_base="--fixed-base" in sys.argv[4:])
