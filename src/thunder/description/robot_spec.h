// RobotSpec: a robot description after loading and validation, the same for every file format.
//
// Conventions (they match thunder_dynamics, so that its users' files carry over):
//  - A tree of bodies in topological order: joint i moves body (link) i relative to the body of
//    its parent joint λ(i) = joints[i].parent < i, or relative to the root (link 0, the base link,
//    welded to the world at Base_to_L0) when λ(i) = -1. A serial chain has λ(i) = i - 1.
//  - A floating base is joint 0 of type FreeFlyer (λ(0) = -1, the world): body 0 is the base link,
//    q gains [x, y, z, qx, qy, qz, qw] and the velocity [v_lin, w] in the base frame (Pinocchio's
//    free-flyer), so nq = nv + 1.
//    Its fixed part is either a modified (Craig) DH row, T = Tx(a) Rx(alpha) Tz(d) Rz(theta),
//    with q added to theta (revolute) or d (prismatic) and the axis z; or, from URDF, an
//    origin xyz + rpy followed by a motion about/along a unit axis given in the joint frame.
//  - Poses (Base_to_L0, Ln_to_EE) are tr + ypr, R = Rz(yaw) Ry(pitch) Rx(roll).
//  - Link inertial data is in link frame i: mass, centre of mass, inertia tensor entries
//    (Ixx, Ixy, Ixz, Iyy, Iyz, Izz) about the centre of mass.
//  - Every number that may become a generated function's input is a Scalar with a `symbolic`
//    flag and the dotted field path it came from (used in error messages and element names).
#pragma once

#include <array>
#include <string>
#include <vector>

namespace thunder {

struct Scalar {
  double value = 0.0;
  bool symbolic = false;
  std::string field;  ///< where it came from, e.g. "dynamics.link3.inertial.Ixx"
};

enum class JointType {
  Revolute,   ///< nq = nv = 1, rotation about `axis`
  Prismatic,  ///< nq = nv = 1, translation along `axis`
  FreeFlyer,  ///< nq = 7, nv = 6: the floating base, only as joint 0 with parent -1
};

/// Sizes of a joint's configuration and velocity.
inline int joint_nq(JointType t) { return t == JointType::FreeFlyer ? 7 : 1; }
inline int joint_nv(JointType t) { return t == JointType::FreeFlyer ? 6 : 1; }

enum class JointOrigin {
  DH,      ///< `dh` holds a, alpha, d, theta; axis is z
  XyzRpy,  ///< `xyz`, `rpy` hold the fixed origin; `axis` the motion direction
};

struct Joint {
  std::string name;
  int parent = -1;  ///< λ(i): the joint whose body carries this joint (< i), or -1 for the root
  JointType type = JointType::Revolute;
  /// A mimic joint (URDF <mimic>) is no degree of freedom: q_i = multiplier q_master + offset.
  int mimic = -1;  ///< index of the master joint, -1: an independent joint
  double mimic_multiplier = 1.0, mimic_offset = 0.0;
  bool elastic = false;  ///< R_SEA / P_SEA: a motor coupled through a spring
  JointOrigin origin = JointOrigin::DH;
  std::array<Scalar, 4> dh;             ///< a, alpha, d, theta
  std::array<Scalar, 3> xyz, rpy;       ///< URDF origin
  /// thunder 1.0 `rpy`: R = Rx(roll) Ry(pitch) Rz(yaw), not URDF's Rz(yaw) Ry(pitch) Rx(roll).
  bool rpy_xyz = false;
  std::array<double, 3> axis{0, 0, 1};  ///< unit vector in the joint frame
};

struct Link {
  std::string name;
  Scalar mass;
  std::array<Scalar, 3> com;      ///< CoM_x, CoM_y, CoM_z
  std::array<Scalar, 6> inertia;  ///< Ixx, Ixy, Ixz, Iyy, Iyz, Izz about the CoM
  std::vector<Scalar> friction;   ///< Dl coefficients, Dl_order of them
  Scalar coulomb;                 ///< Dc: Coulomb friction coefficient (RobotSpec::coulomb_friction)
  bool inserted = false;          ///< massless by construction (a URDF planar joint's inner links)
};

/// A rigid 3D transform of numbers (rotation row-major, then translation).
struct Placement {
  std::array<std::array<double, 3>, 3> R{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}};
  std::array<double, 3> p{0, 0, 0};
};

/// A named frame rigidly attached to a body (a URDF link merged into its parent body by a fixed
/// joint, or a body's own frame): the candidates for T_w_<frame> / J_<frame>.
struct Frame {
  std::string name;
  int body = -1;        ///< index of the joint that moves it; -1: the root (does not move)
  Placement placement;  ///< body frame -> this frame
  bool leaf = false;    ///< a leaf of the description's tree (feet, hands, tool tips)
};

struct Pose {
  std::array<Scalar, 3> tr;   ///< x, y, z
  std::array<Scalar, 3> ypr;  ///< yaw, pitch, roll
  /// Written as thunder 1.0 `rpy`: R = Rx(roll) Ry(pitch) Rz(yaw) instead of Rz(yaw) Ry(pitch) Rx(roll).
  bool rpy_xyz = false;
};

/// Series-elastic actuator data of one elastic joint.
struct ElasticJoint {
  int joint = 0;                 ///< index into RobotSpec::joints
  std::vector<Scalar> K;         ///< K_order stiffness coefficients
  std::vector<Scalar> D;         ///< D_order coupling damping coefficients
  std::vector<Scalar> Dm;        ///< Dm_order motor damping coefficients
  Scalar Mm;                     ///< motor inertia
};

/// What a thunder_dynamics 1.0 file asks of its builders (thunder_v1.cpp); `on` is false for the
/// other formats. Only choices that change names or results are kept.
struct V1Build {
  bool on = false;
  std::string coriolis = "auto";         ///< dyn_builder C_method: auto, christoffel, recursive (rnea)
  std::vector<std::string> available;    ///< nodes with T_w_<node>, J_<node>
  std::vector<std::string> derivatives;  ///< nodes with J_<node>_dot, _ddot, _pinv (also available)
};

struct RobotSpec {
  std::string name;         ///< robot name (file stem by default)
  std::string source_file;  ///< the description it was loaded from
  std::string format;       ///< "thunder-yaml" or "urdf"

  std::vector<Joint> joints;  ///< n joints in topological order (parents first)
  std::vector<Link> links;    ///< n bodies; links[i] is moved by joints[i]
  std::string base_link = "link0";
  std::string ee_link = "ee";

  Pose base;  ///< world -> link 0 (Base_to_L0); identity with a floating base
  /// The end effector (chains, or a tree with a chosen --ee): attached to body `ee_body` at `ee`.
  bool has_ee = true;
  int ee_body = -1;  ///< -1: the last joint's body
  Pose ee;           ///< ee body -> end effector (Ln_to_EE)
  std::vector<Frame> frames;  ///< named frames (every URDF link); may be empty for DH files
  std::array<Scalar, 3> gravity;  ///< world frame

  int Dl_order = 0;
  /// Thunder's explicit Coulomb model dc_j = Dc_j s(dq_j), s = sign or tanh(dq / smoothing);
  /// a term of its own beside thunder's dl (file keys coulomb_friction, coulomb_smoothing).
  bool coulomb_friction = false;
  double coulomb_smoothing = 0.0;  ///< 0: sign(v); > 0: tanh(v / coulomb_smoothing)
  bool elastic_model = false;
  int K_order = 0, D_order = 0, Dm_order = 0;
  std::vector<ElasticJoint> elastic;  ///< one per elastic joint e, in joint order; joint = j(e)
  V1Build v1;
  /// Damping of the pseudo-inverses J'(J J' + mu I)^-1: 1e-6 (v0.x files), 0.02 (thunder 1.0's MU).
  double pinv_damping = 1e-6;

  /// Findings about the file itself (unknown keys, a sanitised name, locked tool joints), found
  /// while reading; kept when finish_loading recomputes the physical ones.
  std::vector<std::string> file_warnings;
  std::vector<std::string> warnings;  ///< file_warnings, then physical findings (errors with --strict)

  int n() const { return static_cast<int>(joints.size()); }
  bool floating_base() const { return !joints.empty() && joints[0].type == JointType::FreeFlyer; }
  /// Sizes of q and v: mimic joints have none of their own.
  int nq() const { int s = 0; for (const Joint& j : joints) s += j.mimic < 0 ? joint_nq(j.type) : 0; return s; }
  int nv() const { int s = 0; for (const Joint& j : joints) s += j.mimic < 0 ? joint_nv(j.type) : 0; return s; }
  int end_effector_body() const { return ee_body >= 0 ? ee_body : n() - 1; }
};

/// Physical-consistency findings per link (mass <= 0, inertia not positive definite,
/// triangle inequality violated). Returned as one-line messages naming file and field.
std::vector<std::string> physical_warnings(const RobotSpec& spec);

}  // namespace thunder
