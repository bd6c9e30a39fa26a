#include "thunder/multibody/model.h"

#include <stdexcept>

namespace thunder {
namespace {

Mat3 constant(const std::array<std::array<double, 3>, 3>& R) {
  Mat3 out;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) out(r, c) = SX(R[r][c]);
  return out;
}

}  // namespace

MultibodyModel::MultibodyModel(const RobotSpec& spec, const Parameters& params) {
  const bool dh = params.has("par_DHtable");
  for (int i = 0; i < spec.n(); ++i) {
    const Joint& jt = spec.joints[i];
    if (jt.parent >= i || jt.parent < -1)
      throw std::logic_error("joint " + jt.name + ": parent index not in topological order");
    if (jt.type == JointType::FreeFlyer && (i != 0 || jt.parent != -1))
      throw std::logic_error("joint " + jt.name + ": a free-flyer joint must be joint 0, on the world");
    JointModel J;
    J.name = jt.name;
    J.type = jt.type;
    J.parent = jt.parent;
    J.idx_q = nq_full_;
    J.idx_v = nv_full_;
    nq_full_ += J.nq();
    nv_full_ += J.nv();
    J.mimic = jt.mimic;
    J.mimic_multiplier = jt.mimic_multiplier;
    J.mimic_offset = jt.mimic_offset;
    if (jt.mimic < 0) {
      rq_.push_back(nq_);
      rv_.push_back(nv_);
      nq_ += J.nq();
      nv_ += J.nv();
    } else {
      rq_.push_back(-1);  // resolved below: the master may come later
      rv_.push_back(-1);
    }
    if (jt.type == JointType::FreeFlyer) {
      // The base placement is all in q: the joint frame is the world frame.
    } else if (dh) {
      const SX a = params.element("par_DHtable", 4 * i + 0), alpha = params.element("par_DHtable", 4 * i + 1);
      const SX d = params.element("par_DHtable", 4 * i + 2), theta = params.element("par_DHtable", 4 * i + 3);
      // T = Tx(a) Rx(alpha) Tz(d) Rz(theta): origin Rx(alpha) [0 0 d] + [a 0 0].
      const Mat3 Rx = rot_x(alpha);
      J.p = Vec3::of(a, Rx(1, 2) * d, Rx(2, 2) * d);
      J.axis = {0, 0, 1};
      if (jt.type == JointType::Revolute) {
        J.E = Rx;
        J.angle_offset = theta;
      } else {
        // Tz(d + q) Rz(theta) = Tz(d) Rz(theta) Tz(q): theta joins the fixed part.
        J.E = Rx * rot_z(theta);
      }
    } else {
      const auto el = [&](int k) { return params.element("par_origins", 6 * i + k); };
      J.p = Vec3::of(el(0), el(1), el(2));
      J.E = jt.rpy_xyz ? Mat3(rot_x(el(3)) * rot_y(el(4)) * rot_z(el(5))) : rot_ypr(el(5), el(4), el(3));
      J.axis = jt.axis;
    }
    J.compose_rotation = JointTransform::composing_pays(J);
    joints_.push_back(J);
  }
  G_ = SX::zeros(nv_full_, nv_);
  for (int i = 0; i < njoints(); ++i) {
    JointModel& J = joints_[i];
    if (J.mimic >= 0) {
      const JointModel& master = joints_[J.mimic];
      if (master.mimic >= 0 || master.nv() != 1 || J.nv() != 1)
        throw std::logic_error("joint " + J.name + ": a mimic joint must follow a one-dof independent joint");
      rq_[i] = rq_[J.mimic];
      rv_[i] = rv_[J.mimic];
      G_(J.idx_v, rv_[i]) = J.mimic_multiplier;
    } else {
      for (int k = 0; k < J.nv(); ++k) G_(J.idx_v + k, rv_[i] + k) = 1;
    }
  }
  if (!floating_base()) {
    const auto el = [&](int k) { return params.element("par_world2L0", k); };
    root_p_ = Vec3::of(el(0), el(1), el(2));
    root_R_ = spec.base.rpy_xyz ? Mat3(rot_x(el(5)) * rot_y(el(4)) * rot_z(el(3))) : rot_ypr(el(3), el(4), el(5));
  }
  for (const Frame& f : spec.frames) {
    FrameModel F;
    F.name = f.name;
    F.body = f.body;
    F.R = constant(f.placement.R);
    F.p = Vec3::of(f.placement.p[0], f.placement.p[1], f.placement.p[2]);
    frames_.push_back(F);
  }
  if (spec.has_ee && spec.n() > 0) {
    FrameModel F;
    F.name = "ee";
    F.body = spec.end_effector_body();
    const auto el = [&](int k) { return params.element("par_Ln2EE", k); };
    F.p = Vec3::of(el(0), el(1), el(2));
    F.R = spec.ee.rpy_xyz ? Mat3(rot_x(el(5)) * rot_y(el(4)) * rot_z(el(3))) : rot_ypr(el(3), el(4), el(5));
    ee_frame_ = static_cast<int>(frames_.size());
    frames_.push_back(F);
  }
}

bool MultibodyModel::composes_rotations() const {
  for (const JointModel& J : joints_)
    if (J.compose_rotation) return true;
  return false;
}

MultibodyModel MultibodyModel::with_factored_rotations() const {
  MultibodyModel m = *this;
  for (JointModel& J : m.joints_) J.compose_rotation = false;
  return m;
}

SX MultibodyModel::expand_q(const SX& q) const {
  if (!has_mimic()) return q;
  std::vector<SX> out;
  for (int i = 0; i < njoints(); ++i) {
    const JointModel& J = joints_[i];
    if (J.mimic >= 0) out.push_back(J.mimic_multiplier * q(rq_[i]) + J.mimic_offset);
    else
      for (int k = 0; k < J.nq(); ++k) out.push_back(q(rq_[i] + k));
  }
  return SX::vertcat(out);
}

SX MultibodyModel::expand_v(const SX& v) const { return has_mimic() ? SX::mtimes(G_, v) : v; }
SX MultibodyModel::reduce_rows(const SX& x) const { return has_mimic() ? SX::mtimes(G_.T(), x) : x; }
SX MultibodyModel::reduce_cols(const SX& x) const { return has_mimic() ? SX::mtimes(x, G_) : x; }

std::vector<int> MultibodyModel::support(int i) const {
  std::vector<int> path;
  for (int j = i; j >= 0; j = joints_[j].parent) path.insert(path.begin(), j);
  return path;
}

bool MultibodyModel::supports(int j, int i) const {
  for (int k = i; k >= 0; k = joints_[k].parent)
    if (k == j) return true;
  return false;
}

std::vector<int> MultibodyModel::subtree_columns(int i) const {
  std::vector<int> cols;
  for (int j = i + 1; j < static_cast<int>(joints_.size()); ++j)  // descendants come after i
    if (supports(i, j))
      for (int k = 0; k < joints_[j].nv(); ++k) cols.push_back(joints_[j].idx_v + k);
  return cols;
}

int MultibodyModel::find_frame(const std::string& name) const {
  for (size_t f = 0; f < frames_.size(); ++f)
    if (frames_[f].name == name) return static_cast<int>(f);
  return -1;
}

}  // namespace thunder
