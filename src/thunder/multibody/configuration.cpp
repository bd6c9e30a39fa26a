#include "thunder/multibody/configuration.h"

namespace thunder {
namespace {

// Series of the SO(3)/SE(3) maps near θ = 0, where their closed forms are 0/0. Both branches
// are evaluated by every backend, so the closed form is fed a safe θ (1) in the small branch:
// no NaN ever appears, not even in a gradient.
const double kSmall = 1e-8;  // θ² below which the series (error O(θ⁴)) is exact in double

struct Angle {
  SX theta2, small, theta;  // theta is safe: 1 where small
};

Angle angle_of(const Vec3& w) {
  Angle a;
  a.theta2 = dot(w, w);
  a.small = a.theta2 < kSmall;
  a.theta = if_else(a.small, SX(1.0), sqrt(a.theta2));
  return a;
}

/// Quaternion product (x, y, z, w) of a ⊗ b.
std::array<SX, 4> quat_mul(const std::array<SX, 4>& a, const std::array<SX, 4>& b) {
  return {a[3] * b[0] + a[0] * b[3] + a[1] * b[2] - a[2] * b[1],
          a[3] * b[1] - a[0] * b[2] + a[1] * b[3] + a[2] * b[0],
          a[3] * b[2] + a[0] * b[1] - a[1] * b[0] + a[2] * b[3],
          a[3] * b[3] - a[0] * b[0] - a[1] * b[1] - a[2] * b[2]};
}

std::array<SX, 4> base_quaternion(const SX& q, int idx) { return {q(idx + 3), q(idx + 4), q(idx + 5), q(idx + 6)}; }

void append_free_flyer_rate(const SX& q, int iq, const SX& v, int iv, std::vector<SX>& out) {
  const std::array<SX, 4> quat = base_quaternion(q, iq);
  const Mat3 R = quaternion_to_rotation(quat[0], quat[1], quat[2], quat[3]);
  const Vec3 p_dot = R * Vec3::of(v(iv), v(iv + 1), v(iv + 2));
  const std::array<SX, 4> quat_dot = quat_mul(quat, {0.5 * v(iv + 3), 0.5 * v(iv + 4), 0.5 * v(iv + 5), SX(0)});
  for (int k = 0; k < 3; ++k) out.push_back(p_dot[k]);
  for (int k = 0; k < 4; ++k) out.push_back(quat_dot[k]);
}

void append_free_flyer_integral(const SX& q, int iq, const SX& vdt, int iv, std::vector<SX>& out) {
  const std::array<SX, 4> quat = base_quaternion(q, iq);
  const Vec3 nu = Vec3::of(vdt(iv), vdt(iv + 1), vdt(iv + 2));
  const Vec3 w = Vec3::of(vdt(iv + 3), vdt(iv + 4), vdt(iv + 5));
  const Angle a = angle_of(w);
  const SX& t = a.theta;
  // exp6: translation V(ω) ν with V = 1 + (1 - cos θ)/θ² [ω]× + (θ - sin θ)/θ³ [ω]×².
  const SX A = if_else(a.small, 0.5 - a.theta2 / 24, (1 - cos(t)) / (t * t));
  const SX B = if_else(a.small, 1.0 / 6 - a.theta2 / 120, (t - sin(t)) / (t * t * t));
  const Vec3 wxn = cross(w, nu);
  const Vec3 Vnu = nu + A * wxn + B * cross(w, wxn);
  const Mat3 R = quaternion_to_rotation(quat[0], quat[1], quat[2], quat[3]);
  const Vec3 p = Vec3::of(q(iq), q(iq + 1), q(iq + 2)) + R * Vnu;
  // exp3 as a quaternion: (sin(θ/2)/θ ω, cos(θ/2)); cos(θ/2) ≥ 0 for θ ≤ π keeps the hemisphere.
  const SX s = if_else(a.small, 0.5 - a.theta2 / 48, sin(t / 2) / t);
  const SX c = if_else(a.small, 1 - a.theta2 / 8, cos(t / 2));
  const std::array<SX, 4> r = quat_mul(quat, {s * w[0], s * w[1], s * w[2], c});
  // First-order renormalisation, as Pinocchio: q (3 - |q|²) / 2.
  const SX n2 = r[0] * r[0] + r[1] * r[1] + r[2] * r[2] + r[3] * r[3];
  const SX scale = (3 - n2) / 2;
  for (int k = 0; k < 3; ++k) out.push_back(p[k]);
  for (int k = 0; k < 4; ++k) out.push_back(scale * r[k]);
}

void append_free_flyer_difference(const SX& q0, const SX& q1, int iq, std::vector<SX>& out) {
  const std::array<SX, 4> a = base_quaternion(q0, iq), b = base_quaternion(q1, iq);
  // Relative rotation R0' R1 = q0* ⊗ q1, on the shortest path (w ≥ 0).
  std::array<SX, 4> rel = quat_mul({-a[0], -a[1], -a[2], a[3]}, b);
  const SX flip = if_else(rel[3] < 0, SX(-1.0), SX(1.0));
  for (SX& x : rel) x = flip * x;
  const Vec3 u = Vec3::of(rel[0], rel[1], rel[2]);
  const SX n2 = dot(u, u);
  const SX small = n2 < kSmall;
  const SX n = if_else(small, SX(1.0), sqrt(n2));
  // ω = θ u / |u| with θ = 2 atan2(|u|, w); near 0, θ/|u| = 2/w - 2|u|²/(3 w³).
  const SX ratio = if_else(small, 2 / rel[3] - 2 * n2 / (3 * rel[3] * rel[3] * rel[3]), 2 * atan2(n, rel[3]) / n);
  const Vec3 w = ratio * u;
  const Mat3 R0 = quaternion_to_rotation(a[0], a[1], a[2], a[3]);
  const Vec3 dp = transpose_times(R0, Vec3::of(q1(iq) - q0(iq), q1(iq + 1) - q0(iq + 1), q1(iq + 2) - q0(iq + 2)));
  // ν = V(ω)⁻¹ dp with V⁻¹ = 1 - ½ [ω]× + (1/θ²)(1 - θ sin θ / (2 (1 - cos θ))) [ω]×².
  const Angle t = angle_of(w);
  const SX C = if_else(t.small, 1.0 / 12 + t.theta2 / 720,
                       (1 - t.theta * sin(t.theta) / (2 * (1 - cos(t.theta)))) / (t.theta * t.theta));
  const Vec3 wxp = cross(w, dp);
  const Vec3 nu = dp - SX(0.5) * wxp + C * cross(w, wxp);
  for (int k = 0; k < 3; ++k) out.push_back(nu[k]);
  for (int k = 0; k < 3; ++k) out.push_back(w[k]);
}

}  // namespace

SX configuration_rate(const MultibodyModel& model, const SX& q, const SX& v) {
  std::vector<SX> out;
  for (int i = 0; i < model.njoints(); ++i) {
    const JointModel& J = model.joint(i);
    if (J.mimic >= 0) continue;
    if (J.type == JointType::FreeFlyer) append_free_flyer_rate(q, model.reduced_q(i), v, model.reduced_v(i), out);
    else out.push_back(v(model.reduced_v(i)));
  }
  return out.empty() ? SX::zeros(0, 1) : SX::vertcat(out);
}

SX integrate(const MultibodyModel& model, const SX& q, const SX& v, const SX& dt) {
  const SX vdt = v * dt;
  std::vector<SX> out;
  for (int i = 0; i < model.njoints(); ++i) {
    const JointModel& J = model.joint(i);
    if (J.mimic >= 0) continue;
    if (J.type == JointType::FreeFlyer) append_free_flyer_integral(q, model.reduced_q(i), vdt, model.reduced_v(i), out);
    else out.push_back(q(model.reduced_q(i)) + vdt(model.reduced_v(i)));
  }
  return out.empty() ? SX::zeros(0, 1) : SX::vertcat(out);
}

SX difference(const MultibodyModel& model, const SX& q0, const SX& q1) {
  std::vector<SX> out;
  for (int i = 0; i < model.njoints(); ++i) {
    const JointModel& J = model.joint(i);
    if (J.mimic >= 0) continue;
    if (J.type == JointType::FreeFlyer) append_free_flyer_difference(q0, q1, model.reduced_q(i), out);
    else out.push_back(q1(model.reduced_q(i)) - q0(model.reduced_q(i)));
  }
  return out.empty() ? SX::zeros(0, 1) : SX::vertcat(out);
}

std::vector<double> neutral_configuration(const MultibodyModel& model) {
  std::vector<double> q(model.nq(), 0.0);
  for (int i = 0; i < model.njoints(); ++i)
    if (model.joint(i).type == JointType::FreeFlyer) q[model.reduced_q(i) + 6] = 1.0;
  return q;
}

}  // namespace thunder
