// Small 3x3 helpers for inertia tensors (rotation, parallel axis, eigenvalues). Header-only.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>

#include "thunder/description/robot_spec.h"

namespace thunder {

using Vec3 = std::array<double, 3>;
using Mat3 = std::array<std::array<double, 3>, 3>;

/// Symmetric tensor from Ixx, Ixy, Ixz, Iyy, Iyz, Izz.
inline Mat3 inertia_matrix(const std::array<Scalar, 6>& I) {
  return {{{I[0].value, I[1].value, I[2].value},
           {I[1].value, I[3].value, I[4].value},
           {I[2].value, I[4].value, I[5].value}}};
}

inline Mat3 mul(const Mat3& a, const Mat3& b) {
  Mat3 c{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) c[i][j] += a[i][k] * b[k][j];
  return c;
}

inline Mat3 transpose(const Mat3& a) {
  Mat3 t{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) t[i][j] = a[j][i];
  return t;
}

inline Vec3 mul(const Mat3& a, const Vec3& v) {
  Vec3 r{};
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 3; ++k) r[i] += a[i][k] * v[k];
  return r;
}

/// R = Rz(yaw) Ry(pitch) Rx(roll).
inline Mat3 rot_zyx(double yaw, double pitch, double roll) {
  const double cy = std::cos(yaw), sy = std::sin(yaw), cp = std::cos(pitch), sp = std::sin(pitch),
               cr = std::cos(roll), sr = std::sin(roll);
  const Mat3 Rz{{{cy, -sy, 0}, {sy, cy, 0}, {0, 0, 1}}};
  const Mat3 Ry{{{cp, 0, sp}, {0, 1, 0}, {-sp, 0, cp}}};
  const Mat3 Rx{{{1, 0, 0}, {0, cr, -sr}, {0, sr, cr}}};
  return mul(mul(Rz, Ry), Rx);
}

/// R I R^T.
inline Mat3 rotate_inertia(const Mat3& R, const Mat3& I) { return mul(mul(R, I), transpose(R)); }

/// Inertia about a point displaced by d from the centre of mass: m (|d|^2 E - d d^T).
inline Mat3 parallel_axis(double m, const Vec3& d) {
  const double dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
  Mat3 out{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) out[i][j] = m * ((i == j ? dd : 0.0) - d[i] * d[j]);
  return out;
}

/// Eigenvalues of a symmetric 3x3 matrix, ascending (cyclic Jacobi).
inline std::array<double, 3> symmetric_eigenvalues(Mat3 a) {
  for (int sweep = 0; sweep < 50; ++sweep) {
    const double off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
    if (off < 1e-300) break;
    for (int p = 0; p < 2; ++p)
      for (int q = p + 1; q < 3; ++q) {
        if (a[p][q] == 0.0) continue;
        const double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int k = 0; k < 3; ++k) {  // columns p, q
          const double akp = a[k][p], akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (int k = 0; k < 3; ++k) {  // rows p, q
          const double apk = a[p][k], aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
      }
  }
  std::array<double, 3> ev{a[0][0], a[1][1], a[2][2]};
  std::sort(ev.begin(), ev.end());
  return ev;
}

}  // namespace thunder
