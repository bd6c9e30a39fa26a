#include "thunder/multibody/joint.h"

#include <cmath>

namespace thunder {

JointTransform::JointTransform(const JointModel& model, const SX& q)
    : type_(model.type), E_(model.E), p_(model.p), axis_(model.axis), R_(Mat3::identity()) {
  switch (type_) {
    case JointType::Revolute: {
      const SX angle = q(0) + model.angle_offset;
      c_ = cos(angle);
      s_ = sin(angle);
      break;
    }
    case JointType::Prismatic:
      displacement_ = q(0);
      break;
    case JointType::FreeFlyer:
      // q = [x, y, z, qx, qy, qz, qw]: the base placement in the world (the fixed part is identity).
      p_ = Vec3::of(q(0), q(1), q(2));
      R_ = quaternion_to_rotation(q(3), q(4), q(5), q(6));
      full_ = true;
      break;
  }
  for (int k = 0; k < 3; ++k) {
    const double others = std::fabs(axis_[(k + 1) % 3]) + std::fabs(axis_[(k + 2) % 3]);
    if (others == 0.0 && std::fabs(std::fabs(axis_[k]) - 1.0) < 1e-15) {
      axis_index_ = k;
      axis_sign_ = axis_[k] > 0 ? 1.0 : -1.0;
    }
  }
  if (type_ == JointType::Revolute && model.compose_rotation) {
    R_ = E_ * axis_rotation();
    full_ = true;
  }
}

Mat3 JointTransform::axis_rotation() const {
  Mat3 Rot;
  for (int c = 0; c < 3; ++c) {  // column c is Rot e_c
    Vec3 e;
    e[c] = SX(1.0);
    const Vec3 col = rotate(e, 1.0);
    for (int r = 0; r < 3; ++r) Rot(r, c) = col[r];
  }
  return Rot;
}

bool JointTransform::composing_pays(const JointModel& model) {
  if (model.type != JointType::Revolute || signed_permutation(model.E)) return false;
  // Only where it pays: for an E that turns about one axis (rpy="-1.5708 0 0") each vector costs
  // the same either way and a body inertia's two sparse rotations are cheaper than one dense.
  JointModel factored = model, composed = model;
  factored.compose_rotation = false;
  composed.compose_rotation = true;
  const SX q = SX::sym("q");
  return JointTransform(composed, q).workload_nodes() < JointTransform(factored, q).workload_nodes();
}

casadi_int JointTransform::workload_nodes() const {
  // One joint's share of the recursions: RNEA moves v and a down (four vectors) and f up (two),
  // CRBA a composite inertia up. Generic symbols: nothing folds that would not fold in use.
  const auto vec = [](const char* name) { return Vec3::from(SX::sym(name, 3)); };
  const SX I = SX::sym("I", 6);
  BodyInertia body{SX::sym("m"), vec("h"), Sym3{{I(0), I(1), I(2), I(3), I(4), I(5)}}};
  std::vector<SX> out;
  const auto add = [&](const Vec3& u) { out.insert(out.end(), u.v.begin(), u.v.end()); };
  for (const char* name : {"w", "v", "dw", "dv"}) add(apply_T(vec(name)));
  for (const char* name : {"n", "f"}) add(apply(vec(name)));
  const BodyInertia moved = to_parent(body);
  add(moved.h);
  out.insert(out.end(), moved.I.s.begin(), moved.I.s.end());
  return SX::n_nodes(SX::vertcat(out));
}

bool JointTransform::signed_permutation(const Mat3& E) {
  for (const SX& e : E.m) {
    if (!e.is_constant()) return false;
    const double v = static_cast<double>(e);
    if (v != 0.0 && v != 1.0 && v != -1.0) return false;
  }
  return true;
}

Vec3 JointTransform::axis_vec() const { return Vec3::of(SX(axis_[0]), SX(axis_[1]), SX(axis_[2])); }

Vec3 JointTransform::rotate(const Vec3& u, double sign) const {
  if (type_ != JointType::Revolute) return u;
  if (axis_index_ >= 0) {
    const int k = axis_index_, i = (k + 1) % 3, j = (k + 2) % 3;
    const SX ss = sign * axis_sign_ * s_;
    Vec3 out;
    out[k] = u[k];
    out[i] = c_ * u[i] - ss * u[j];
    out[j] = ss * u[i] + c_ * u[j];
    return out;
  }
  const Vec3 a = axis_vec();
  return c_ * u + (sign * s_) * cross(a, u) + ((1 - c_) * dot(a, u)) * a;
}

Vec3 JointTransform::apply(const Vec3& u) const { return full_ ? R_ * u : apply_once(u); }

Vec3 JointTransform::apply_T(const Vec3& u) const { return full_ ? transpose_times(R_, u) : apply_T_once(u); }

Vec3 JointTransform::apply_once(const Vec3& u) const {
  if (type_ == JointType::FreeFlyer) return R_ * u;
  return E_ * rotate(u, 1.0);
}

Vec3 JointTransform::apply_T_once(const Vec3& u) const {
  if (type_ == JointType::FreeFlyer) return transpose_times(R_, u);
  return rotate(transpose_times(E_, u), -1.0);
}

Vec3 JointTransform::origin() const {
  if (type_ == JointType::Prismatic) return p_ + E_ * (displacement_ * axis_vec());
  return p_;
}

Mat3 JointTransform::right_multiply(const Mat3& A) const {
  if (full_) return A * R_;
  const Mat3 AE = A * E_;
  if (type_ != JointType::Revolute) return AE;
  // Row r of (AE) Rot is (Rot' (row r of AE)')'.
  Mat3 out;
  for (int r = 0; r < 3; ++r) {
    const Vec3 row = rotate(Vec3::of(AE(r, 0), AE(r, 1), AE(r, 2)), -1.0);
    for (int c = 0; c < 3; ++c) out(r, c) = row[c];
  }
  return out;
}

Motion JointTransform::to_child(const Motion& m) const {
  // w' = R' w, v' = R' (v + w x o): the parent's motion seen at the child origin.
  return {apply_T(m.w), apply_T(m.v + cross(m.w, origin()))};
}

Force JointTransform::to_parent(const Force& f) const {
  // f' = R f, n' = R n + o x (R f).
  const Vec3 Rf = apply(f.f);
  return {apply(f.n) + cross(origin(), Rf), Rf};
}

BodyInertia JointTransform::to_parent(const BodyInertia& L) const {
  // h' = R h + m o;  I' = R I R' + m (o'o 1 - o o') + 2 (o'h'') 1 - h'' o' - o h''' with h'' = R h.
  const Vec3 o = origin();
  const Vec3 Rh = apply(L.h);
  BodyInertia out;
  out.m = L.m;
  out.h = Rh + L.m * o;
  Sym3 I = L.I;
  if (full_) {
    I = thunder::rotate(R_, I);
  } else {
    // R I R' with R = E Rot: rotate by Rot first, then by E.
    if (type_ == JointType::Revolute) I = thunder::rotate(axis_rotation(), I);
    I = thunder::rotate(E_, I);
  }
  const SX oo = dot(o, o), oh = dot(o, Rh);
  static const int rc[6][2] = {{0, 0}, {0, 1}, {0, 2}, {1, 1}, {1, 2}, {2, 2}};
  for (int k = 0; k < 6; ++k) {
    const int r = rc[k][0], c = rc[k][1];
    SX term = -L.m * o[r] * o[c] - Rh[r] * o[c] - o[r] * Rh[c];
    if (r == c) term = term + L.m * oo + 2 * oh;
    out.I.s[k] = I.s[k] + term;
  }
  return out;
}

Motion JointTransform::motion(const SX& rates) const {
  switch (type_) {
    case JointType::Revolute:
      return {rates(0) * axis_vec(), Vec3{}};
    case JointType::Prismatic:
      return {Vec3{}, rates(0) * axis_vec()};
    case JointType::FreeFlyer:
      // v = [linear; angular], both in the base frame (Pinocchio's free-flyer).
      return {Vec3::of(rates(3), rates(4), rates(5)), Vec3::of(rates(0), rates(1), rates(2))};
  }
  return {};
}

Motion JointTransform::subspace_column(int k) const {
  SX unit = SX::zeros(nv(), 1);
  unit(k) = 1;
  return motion(unit);
}

SX JointTransform::project(const Force& f, int k) const {
  switch (type_) {
    case JointType::Revolute:
      return dot(axis_vec(), f.n);
    case JointType::Prismatic:
      return dot(axis_vec(), f.f);
    case JointType::FreeFlyer:
      return k < 3 ? f.f[k] : f.n[k - 3];
  }
  return 0;
}

SX JointTransform::project(const Force& f) const {
  std::vector<SX> out;
  for (int k = 0; k < nv(); ++k) out.push_back(project(f, k));
  return SX::vertcat(out);
}

}  // namespace thunder
