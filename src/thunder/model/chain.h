// The kinematic chain of a RobotSpec as CasADi expressions of q: for every joint the fixed
// transform from the parent link frame and the joint motion, kept factored (fixed rotation E,
// then a rotation about or a translation along a constant unit axis) so that applying a joint
// transform to a vector costs a handful of scalar operations instead of a full 3x3 product.
#pragma once

#include <vector>

#include "thunder/model/parameters.h"
#include "thunder/model/spatial.h"
#include "thunder/description/robot_spec.h"

namespace thunder {

/// Transform from link i-1 to link i: rotation R = E * Rot(axis, angle), origin p (+ axis*q for
/// prismatic joints, expressed after E).
struct JointTransform {
  bool revolute = true;
  Mat3 E;                      ///< fixed rotation
  Vec3 p;                      ///< fixed origin of the joint frame in the parent frame
  std::array<double, 3> axis;  ///< unit motion axis in the joint frame
  int axis_index = -1;         ///< k when axis = sign * e_k, else -1
  double axis_sign = 1.0;
  SX c, s;                     ///< cos/sin of the joint angle (revolute)
  SX displacement;             ///< q (prismatic)

  Vec3 axis_vec() const;
  /// Rot(axis, angle) u and its transpose (identity for prismatic joints).
  Vec3 rot(const Vec3& u) const { return rotate(u, 1.0); }
  Vec3 rot_T(const Vec3& u) const { return rotate(u, -1.0); }
  Vec3 rotate(const Vec3& u, double sign) const;
  /// R u and R' u with R = E Rot.
  Vec3 apply(const Vec3& u) const { return E * rot(u); }
  Vec3 apply_T(const Vec3& u) const { return rot_T(transpose_times(E, u)); }
  /// Origin of link i in link i-1.
  Vec3 origin() const;
  /// A * R, for a full rotation A (used for world orientations).
  Mat3 right_multiply(const Mat3& A) const;
  Mat3 rotation() const { return right_multiply(Mat3::identity()); }
};

class Chain {
 public:
  Chain(const RobotSpec& spec, const Parameters& params, const SX& q);

  int n() const { return static_cast<int>(joints_.size()); }
  const JointTransform& joint(int i) const { return joints_[i]; }
  const std::vector<JointTransform>& joints() const { return joints_; }

  /// World -> link 0 and link n -> end effector.
  const Mat3& base_R() const { return base_R_; }
  const Vec3& base_p() const { return base_p_; }
  const Mat3& ee_R() const { return ee_R_; }
  const Vec3& ee_p() const { return ee_p_; }

  /// World orientation and origin of link i (1..n; 0 is link 0), computed once.
  const Mat3& R0(int i) const { return R0_[i]; }
  const Vec3& p0(int i) const { return p0_[i]; }
  Mat3 R0_ee() const { return R0_[n()] * ee_R_; }
  Vec3 p0_ee() const { return p0_[n()] + R0_[n()] * ee_p_; }
  /// World direction of joint i's axis (i in 0..n-1).
  Vec3 axis0(int i) const { return R0_[i] * (joints_[i].E * joints_[i].axis_vec()); }

  /// 6 x n geometric Jacobian [linear; angular] of a point attached to link `link` (1..n) at world
  /// position `point`.
  SX jacobian(int link, const Vec3& point) const;

 private:
  std::vector<JointTransform> joints_;
  Mat3 base_R_, ee_R_;
  Vec3 base_p_, ee_p_;
  std::vector<Mat3> R0_;
  std::vector<Vec3> p0_;
};

/// 4x4 homogeneous transform.
SX homogeneous(const Mat3& R, const Vec3& p);

}  // namespace thunder
