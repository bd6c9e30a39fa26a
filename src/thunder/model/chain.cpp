#include "thunder/model/chain.h"

#include <cmath>

namespace thunder {

Vec3 JointTransform::axis_vec() const { return Vec3::of(SX(axis[0]), SX(axis[1]), SX(axis[2])); }

/// Rot(axis, angle) u for sign = +1, its transpose Rot(axis, -angle) u for sign = -1.
Vec3 JointTransform::rotate(const Vec3& u, double sign) const {
  if (!revolute) return u;
  if (axis_index >= 0) {
    const int k = axis_index, i = (k + 1) % 3, j = (k + 2) % 3;
    const SX ss = sign * axis_sign * s;
    Vec3 out;
    out[k] = u[k];
    out[i] = c * u[i] - ss * u[j];
    out[j] = ss * u[i] + c * u[j];
    return out;
  }
  const Vec3 a = axis_vec();
  return c * u + (sign * s) * cross(a, u) + ((1 - c) * dot(a, u)) * a;
}

Vec3 JointTransform::origin() const {
  if (revolute) return p;
  return p + E * (displacement * axis_vec());
}

Mat3 JointTransform::right_multiply(const Mat3& A) const {
  const Mat3 AE = A * E;
  if (!revolute) return AE;
  // Row r of (AE) Rot is (Rot' (row r of AE)')'.
  Mat3 out;
  for (int r = 0; r < 3; ++r) {
    const Vec3 row = rot_T(Vec3::of(AE(r, 0), AE(r, 1), AE(r, 2)));
    for (int c2 = 0; c2 < 3; ++c2) out(r, c2) = row[c2];
  }
  return out;
}

SX homogeneous(const Mat3& R, const Vec3& p) {
  SX T = SX::zeros(4, 4);
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) T(r, c) = R(r, c);
    T(r, 3) = p[r];
  }
  T(3, 3) = 1;
  return T;
}

Chain::Chain(const RobotSpec& spec, const Parameters& params, const SX& q) {
  const int n = spec.n();
  const bool dh = params.has("par_DHtable");
  for (int i = 0; i < n; ++i) {
    const Joint& jt = spec.joints[i];
    JointTransform J;
    J.revolute = jt.type == JointType::Revolute;
    const SX qi = q(i);
    SX angle;
    if (dh) {
      const SX a = params.element("par_DHtable", 4 * i + 0), alpha = params.element("par_DHtable", 4 * i + 1);
      const SX d = params.element("par_DHtable", 4 * i + 2), theta = params.element("par_DHtable", 4 * i + 3);
      // T = Tx(a) Rx(alpha) Tz(d) Rz(theta): origin Rx(alpha) [0 0 d] + [a 0 0].
      const Mat3 Rx = rot_x(alpha);
      J.p = Vec3::of(a, Rx(1, 2) * d, Rx(2, 2) * d);
      J.axis = {0, 0, 1};
      if (J.revolute) {
        J.E = Rx;
        angle = qi + theta;
      } else {
        // Tz(d + q) Rz(theta) = Tz(d) Rz(theta) Tz(q): theta joins the fixed part.
        J.E = Rx * rot_z(theta);
      }
    } else {
      const auto el = [&](int k) { return params.element("par_origins", 6 * i + k); };
      J.p = Vec3::of(el(0), el(1), el(2));
      J.E = rot_ypr(el(5), el(4), el(3));
      J.axis = jt.axis;
      angle = qi;
    }
    for (int k = 0; k < 3; ++k) {
      const double others = std::fabs(J.axis[(k + 1) % 3]) + std::fabs(J.axis[(k + 2) % 3]);
      if (others == 0.0 && std::fabs(std::fabs(J.axis[k]) - 1.0) < 1e-15) {
        J.axis_index = k;
        J.axis_sign = J.axis[k] > 0 ? 1.0 : -1.0;
      }
    }
    if (J.revolute) {
      J.c = cos(angle);
      J.s = sin(angle);
    } else {
      J.displacement = qi;
    }
    joints_.push_back(J);
  }
  const auto pose = [&](const char* set, Mat3& R, Vec3& p) {
    const auto el = [&](int k) { return params.element(set, k); };
    p = Vec3::of(el(0), el(1), el(2));
    R = rot_ypr(el(3), el(4), el(5));
  };
  pose("par_world2L0", base_R_, base_p_);
  pose("par_Ln2EE", ee_R_, ee_p_);

  R0_.push_back(base_R_);
  p0_.push_back(base_p_);
  for (int i = 0; i < n; ++i) {
    const JointTransform& J = joints_[i];
    p0_.push_back(p0_[i] + R0_[i] * J.origin());
    R0_.push_back(J.right_multiply(R0_[i]));
  }
}

SX Chain::jacobian(int link, const Vec3& point) const {
  SX Jac = SX::zeros(6, n());
  for (int j = 0; j < link; ++j) {
    const Vec3 z = axis0(j);
    const Vec3 lin = joints_[j].revolute ? cross(z, point - p0_[j + 1]) : z;
    for (int r = 0; r < 3; ++r) {
      Jac(r, j) = lin[r];
      if (joints_[j].revolute) Jac(3 + r, j) = z[r];
    }
  }
  return Jac;
}

}  // namespace thunder
