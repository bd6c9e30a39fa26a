// The configuration-dependent part of the model (Pinocchio's Data, for kinematics): each joint's
// transform at q and the world placement of every body and frame, computed once per symbolic q
// and shared by every function built from it.
#pragma once

#include <vector>

#include "thunder/multibody/model.h"

namespace thunder {

class Kinematics {
 public:
  /// `q` is the full configuration q_full (MultibodyModel::expand_q), nq_full x 1.
  Kinematics(const MultibodyModel& model, const SX& q);

  const MultibodyModel& model() const { return model_; }
  int njoints() const { return model_.njoints(); }
  const JointTransform& joint(int i) const { return joints_[i]; }

  /// World orientation and origin of body i (-1: the root).
  const Mat3& R0(int i) const { return i < 0 ? model_.root_R() : R0_[i]; }
  const Vec3& p0(int i) const { return i < 0 ? model_.root_p() : p0_[i]; }
  /// World placement of frame f.
  Mat3 frame_R(int f) const;
  Vec3 frame_p(int f) const;

  /// 6 x nv_full geometric Jacobian [linear; angular] of a point attached to body `body` at world
  /// position `point`: world-aligned (Pinocchio's LOCAL_WORLD_ALIGNED at that point).
  SX jacobian(int body, const Vec3& point) const;
  /// The world motion of column k of joint j's subspace (axis-aligned; at joint j's origin).
  Motion world_subspace_column(int j, int k) const;

 private:
  const MultibodyModel& model_;
  std::vector<JointTransform> joints_;
  std::vector<Mat3> R0_;
  std::vector<Vec3> p0_;
};

/// 4x4 homogeneous transform.
SX homogeneous(const Mat3& R, const Vec3& p);

}  // namespace thunder
