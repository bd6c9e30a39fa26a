#include "thunder/spatial/spatial.h"

#include <cmath>

namespace thunder {

Vec3 Vec3::from(const SX& column) { return of(column(0), column(1), column(2)); }
SX Vec3::to_sx() const { return SX::vertcat({v[0], v[1], v[2]}); }

Mat3 Mat3::identity() {
  Mat3 r;
  for (int i = 0; i < 9; ++i) r.m[i] = SX(i % 4 == 0 ? 1.0 : 0.0);
  return r;
}

SX Mat3::to_sx() const {
  SX out = SX::zeros(3, 3);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) out(r, c) = (*this)(r, c);
  return out;
}

SX Sym3::operator()(int r, int c) const {
  static const int idx[3][3] = {{0, 1, 2}, {1, 3, 4}, {2, 4, 5}};
  return s[idx[r][c]];
}

Vec3 Sym3::operator*(const Vec3& u) const {
  Vec3 out;
  for (int r = 0; r < 3; ++r) out[r] = (*this)(r, 0) * u[0] + (*this)(r, 1) * u[1] + (*this)(r, 2) * u[2];
  return out;
}

Vec3 operator+(const Vec3& a, const Vec3& b) { return Vec3::of(a[0] + b[0], a[1] + b[1], a[2] + b[2]); }
Vec3 operator-(const Vec3& a, const Vec3& b) { return Vec3::of(a[0] - b[0], a[1] - b[1], a[2] - b[2]); }
Vec3 operator-(const Vec3& a) { return Vec3::of(-a[0], -a[1], -a[2]); }
Vec3 operator*(const SX& s, const Vec3& a) { return Vec3::of(s * a[0], s * a[1], s * a[2]); }

Vec3 cross(const Vec3& a, const Vec3& b) {
  return Vec3::of(a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]);
}

SX dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

Vec3 operator*(const Mat3& R, const Vec3& u) {
  Vec3 out;
  for (int r = 0; r < 3; ++r) out[r] = R(r, 0) * u[0] + R(r, 1) * u[1] + R(r, 2) * u[2];
  return out;
}

Vec3 transpose_times(const Mat3& R, const Vec3& u) {
  Vec3 out;
  for (int c = 0; c < 3; ++c) out[c] = R(0, c) * u[0] + R(1, c) * u[1] + R(2, c) * u[2];
  return out;
}

Mat3 operator*(const Mat3& A, const Mat3& B) {
  Mat3 out;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) out(r, c) = A(r, 0) * B(0, c) + A(r, 1) * B(1, c) + A(r, 2) * B(2, c);
  return out;
}

Sym3 operator+(const Sym3& a, const Sym3& b) {
  Sym3 out;
  for (int i = 0; i < 6; ++i) out.s[i] = a.s[i] + b.s[i];
  return out;
}

Sym3 rotate(const Mat3& R, const Sym3& S) {
  // (R S) then (R S) R', keeping only the upper triangle.
  Mat3 RS;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) RS(r, c) = R(r, 0) * S(0, c) + R(r, 1) * S(1, c) + R(r, 2) * S(2, c);
  Sym3 out;
  static const int rc[6][2] = {{0, 0}, {0, 1}, {0, 2}, {1, 1}, {1, 2}, {2, 2}};
  for (int i = 0; i < 6; ++i) {
    const int r = rc[i][0], c = rc[i][1];
    out.s[i] = RS(r, 0) * R(c, 0) + RS(r, 1) * R(c, 1) + RS(r, 2) * R(c, 2);
  }
  return out;
}

namespace {
SX snap(double x) {
  const double tol = 1e-15;
  if (std::fabs(x) < tol) return SX(0.0);
  if (std::fabs(x - 1) < tol) return SX(1.0);
  if (std::fabs(x + 1) < tol) return SX(-1.0);
  return SX(x);
}
}  // namespace

SX snapped_cos(const SX& angle) {
  if (angle.is_constant()) return snap(std::cos(static_cast<double>(angle)));
  return cos(angle);
}

SX snapped_sin(const SX& angle) {
  if (angle.is_constant()) return snap(std::sin(static_cast<double>(angle)));
  return sin(angle);
}

Mat3 rot_x(const SX& a) {
  const SX c = snapped_cos(a), s = snapped_sin(a);
  Mat3 R = Mat3::identity();
  R(1, 1) = c; R(1, 2) = -s; R(2, 1) = s; R(2, 2) = c;
  return R;
}

Mat3 rot_y(const SX& a) {
  const SX c = snapped_cos(a), s = snapped_sin(a);
  Mat3 R = Mat3::identity();
  R(0, 0) = c; R(0, 2) = s; R(2, 0) = -s; R(2, 2) = c;
  return R;
}

Mat3 rot_z(const SX& a) {
  const SX c = snapped_cos(a), s = snapped_sin(a);
  Mat3 R = Mat3::identity();
  R(0, 0) = c; R(0, 1) = -s; R(1, 0) = s; R(1, 1) = c;
  return R;
}

Mat3 rot_ypr(const SX& yaw, const SX& pitch, const SX& roll) { return rot_z(yaw) * rot_y(pitch) * rot_x(roll); }

Mat3 transpose(const Mat3& A) {
  Mat3 out;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) out(r, c) = A(c, r);
  return out;
}

Vec3 column(const Mat3& A, int c) { return Vec3::of(A(0, c), A(1, c), A(2, c)); }

Mat3 quaternion_to_rotation(const SX& x, const SX& y, const SX& z, const SX& w) {
  const SX tx = 2 * x, ty = 2 * y, tz = 2 * z;
  const SX twx = tx * w, twy = ty * w, twz = tz * w;
  const SX txx = tx * x, txy = ty * x, txz = tz * x;
  const SX tyy = ty * y, tyz = tz * y, tzz = tz * z;
  Mat3 R;
  R(0, 0) = 1 - (tyy + tzz);
  R(0, 1) = txy - twz;
  R(0, 2) = txz + twy;
  R(1, 0) = txy + twz;
  R(1, 1) = 1 - (txx + tzz);
  R(1, 2) = tyz - twx;
  R(2, 0) = txz - twy;
  R(2, 1) = tyz + twx;
  R(2, 2) = 1 - (txx + tyy);
  return R;
}

}  // namespace thunder
