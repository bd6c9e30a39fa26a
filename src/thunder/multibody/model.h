// The multibody model of a robot: topology, joint types, fixed placements and frames, all
// independent of the configuration (Pinocchio's Model). Built once from a RobotSpec and its
// Parameters; the placements are CasADi expressions of the parameters (constants, or symbols for
// elements flagged symbolic). The configuration-dependent part lives in Kinematics.
//
// Shapes (Pinocchio's nq / nv, MuJoCo-style comments):
//   joints   (njoints)      in topological order, parents[i] < i, -1 = the root
//   q        (nq x 1)       the robot's configuration: every joint but the mimic joints
//   v, a     (nv x 1)       the robot's velocity, acceleration
//   q_full   (nq_full x 1)  every joint's entries, joint i's at joints[i].idx_q (nq_i of them):
//                           what the algorithms work on; q_full = expand_q(q)
//   v_full   (nv_full x 1)  likewise, joint i's at joints[i].idx_v; v_full = G v
//   frames   (nframes)      named frames: a body and a fixed placement in it
// Mimic joints (q_i = multiplier q_master + offset) make G a selection matrix with multipliers;
// every velocity-space result reduces by it (M = Gᵀ M_full G, τ = Gᵀ τ_full, J = J_full G). Without
// mimic joints G = 1 and the reductions return their argument.
#pragma once

#include <string>
#include <vector>

#include "thunder/model/parameters.h"
#include "thunder/multibody/joint.h"
#include "thunder/description/robot_spec.h"

namespace thunder {

struct FrameModel {
  std::string name;
  int body = -1;  ///< -1: the root (fixed to the world at the root placement)
  Mat3 R = Mat3::identity();
  Vec3 p;
};

class MultibodyModel {
 public:
  MultibodyModel(const RobotSpec& spec, const Parameters& params);

  int njoints() const { return static_cast<int>(joints_.size()); }
  /// Whether some joint carries its composed rotation (JointModel::compose_rotation).
  bool composes_rotations() const;
  /// A copy whose joints all keep their rotations factored: M and the regressors are built on
  /// both and keep the smaller (which form pays depends on the robot there).
  MultibodyModel with_factored_rotations() const;
  int nq() const { return nq_; }
  int nv() const { return nv_; }
  int nq_full() const { return nq_full_; }
  int nv_full() const { return nv_full_; }
  bool has_mimic() const { return nq_ != nq_full_; }
  /// Reduced index of joint i's first entry in q / v (a mimic joint: its master's).
  int reduced_q(int i) const { return rq_[i]; }
  int reduced_v(int i) const { return rv_[i]; }
  /// q_full of q (nq_full x 1), G v (nv_full x 1), Gᵀ x for an nv_full-row x, x G for an
  /// nv_full-column x, Gᵀ x G for an nv_full square x.
  SX expand_q(const SX& q) const;
  SX expand_v(const SX& v) const;
  SX reduce_rows(const SX& x) const;
  SX reduce_cols(const SX& x) const;
  SX reduce(const SX& x) const { return reduce_rows(reduce_cols(x)); }
  bool floating_base() const { return !joints_.empty() && joints_[0].type == JointType::FreeFlyer; }
  const JointModel& joint(int i) const { return joints_[i]; }
  const std::vector<JointModel>& joints() const { return joints_; }
  int parent(int i) const { return joints_[i].parent; }
  /// κ(i): the joints from the root down to body i (i included), in topological order.
  std::vector<int> support(int i) const;
  /// Whether joint j supports body i (j is i or one of its ancestors).
  bool supports(int j, int i) const;
  /// The velocity columns (idx_v) of the strict subtree of body i: every joint below it, in
  /// topological order.
  std::vector<int> subtree_columns(int i) const;

  /// World -> root body (Base_to_L0); identity with a floating base, whose root is the world.
  const Mat3& root_R() const { return root_R_; }
  const Vec3& root_p() const { return root_p_; }

  /// The end effector (chains): a frame on ee_body(); -1 if the robot has none.
  int ee_frame() const { return ee_frame_; }
  const std::vector<FrameModel>& frames() const { return frames_; }
  int find_frame(const std::string& name) const;

 private:
  std::vector<JointModel> joints_;
  int nq_ = 0, nv_ = 0, nq_full_ = 0, nv_full_ = 0;
  std::vector<int> rq_, rv_;
  SX G_;  ///< nv_full x nv
  Mat3 root_R_ = Mat3::identity();
  Vec3 root_p_;
  std::vector<FrameModel> frames_;
  int ee_frame_ = -1;
};

}  // namespace thunder
