// Joints: the closed set of joint types (RobotSpec's JointType) and, for each, the transform
// from the parent body to the child body, the motion subspace S and its transpose, written as one
// switch per operation (MuJoCo's style) instead of a class per type.
//
// Revolute and prismatic joints keep their transform factored: a fixed part (rotation E, origin p)
// followed by a rotation about, or a translation along, a constant unit axis. Applying such a
// transform costs a handful of scalar operations instead of a 3x3 product, which is what keeps
// the generated expressions small, as long as E is the identity or a signed permutation (Eᵀu
// is then free). A revolute joint whose E is anything else (URDF origins with rpy="0 1.5708 0",
// whose cosine is 3.7e-6, not 0; anymal_c's 30° hips; a symbolic DH twist) can carry the
// product R = E Rot(q) instead, formed once (12 products for a dense E), as Pinocchio's
// LOCAL-frame algorithms do: each vector it moves then costs 9 products instead of 9 + 4, and a
// body inertia one dense rotation instead of two. It does where that makes one joint's typical
// use smaller (composing_pays, decided when the model is built; an E that turns about one axis
// stays factored). The free-flyer (floating base) carries a full rotation from its unit
// quaternion and the base position.
#pragma once

#include <array>
#include <string>

#include "thunder/description/robot_spec.h"
#include "thunder/spatial/motion.h"

namespace thunder {

/// The q-independent part of joint i (multibody::Model).
struct JointModel {
  std::string name;
  JointType type = JointType::Revolute;
  int parent = -1;       ///< λ(i), -1: the root
  int idx_q = 0, idx_v = 0;  ///< in the full q, v of every joint (mimic joints included)
  int mimic = -1;            ///< master joint of a mimic joint, -1: an independent joint
  double mimic_multiplier = 1.0, mimic_offset = 0.0;
  Mat3 E = Mat3::identity();   ///< fixed rotation, parent body -> joint frame
  Vec3 p;                      ///< fixed origin of the joint frame in the parent body frame
  std::array<double, 3> axis{0, 0, 1};  ///< unit motion axis in the joint frame
  SX angle_offset = 0;         ///< added to q (DH theta of a revolute joint)
  /// Revolute: carry R = E Rot(q) rather than the factors (JointTransform::composing_pays).
  bool compose_rotation = false;
  int nq() const { return joint_nq(type); }
  int nv() const { return joint_nv(type); }
};

/// ᶦX_λ(i) of one joint at a configuration: child frame = parent frame moved by E, p and the
/// joint motion. Rotation R = E Rot(q), origin o = p (+ E axis q for prismatic joints).
class JointTransform {
 public:
  /// `q` is the joint's own configuration (nq entries of the robot's q).
  JointTransform(const JointModel& model, const SX& q);

  /// Whether a revolute joint's transforms are smaller with R = E Rot(q) formed once than with
  /// the factors (decided once per joint, by the size of one joint's typical use of it).
  static bool composing_pays(const JointModel& model);

  JointType type() const { return type_; }
  int nv() const { return joint_nv(type_); }

  /// R u and R' u.
  Vec3 apply(const Vec3& u) const;
  Vec3 apply_T(const Vec3& u) const;
  /// The same through the factors E and Rot(q) even where R is carried: cheaper for an algorithm
  /// that moves only one vector each way per joint (gravity), where forming R does not pay.
  Vec3 apply_once(const Vec3& u) const;
  Vec3 apply_T_once(const Vec3& u) const;
  /// Origin of the child frame in the parent frame.
  Vec3 origin() const;
  /// A R, for a full rotation A (world orientations).
  Mat3 right_multiply(const Mat3& A) const;
  Mat3 rotation() const { return right_multiply(Mat3::identity()); }

  /// Parent -> child motion: ᶦX_λ(i) m.
  Motion to_child(const Motion& m) const;
  /// Child -> parent force: ᶦX_λ(i)ᵀ f.
  Force to_parent(const Force& f) const;
  /// Child -> parent inertia: ᶦX_λ(i)ᵀ I ᶦX_λ(i) (parallel axis theorem).
  BodyInertia to_parent(const BodyInertia& I) const;

  /// S_i rates: the joint's motion for its nv rates, in the child frame.
  Motion motion(const SX& rates) const;
  /// Column k of S_i (k < nv).
  Motion subspace_column(int k) const;
  /// S_iᵀ f (nv x 1).
  SX project(const Force& f) const;
  /// Row k of S_iᵀ f.
  SX project(const Force& f, int k) const;

 private:
  /// Every entry a constant 0, 1 or -1 (identity, axis swaps and flips): Eᵀu costs nothing.
  static bool signed_permutation(const Mat3& E);
  /// Size (expression nodes) of one joint's typical use of this transform, as it stands.
  casadi_int workload_nodes() const;
  Vec3 axis_vec() const;
  /// Rot(axis, angle) as a matrix (identity unless revolute).
  Mat3 axis_rotation() const;
  /// Rot(axis, angle) u for sign = +1, its transpose for sign = -1 (identity unless revolute).
  Vec3 rotate(const Vec3& u, double sign) const;

  JointType type_;
  Mat3 E_;
  Vec3 p_;
  std::array<double, 3> axis_;
  int axis_index_ = -1;  ///< k when axis = sign * e_k, else -1
  double axis_sign_ = 1.0;
  SX c_, s_;             ///< cos/sin of the joint angle (revolute)
  SX displacement_;      ///< q (prismatic)
  bool full_ = false;    ///< R_ holds the whole rotation (free-flyer; revolute with a general E)
  Mat3 R_;               ///< full rotation (free-flyer: from the quaternion; revolute: E Rot(q))
};

}  // namespace thunder
