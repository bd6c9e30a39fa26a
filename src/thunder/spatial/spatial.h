// Small fixed-size 3D algebra on CasADi scalars. Kept as plain arrays of SX scalars (not SX
// matrices) so that every operation creates exactly the scalar nodes it needs and CasADi's
// simplification of constant 0 and 1 removes the rest: expression size is what we optimize.
#pragma once

#include <array>

#include <casadi/casadi.hpp>

namespace thunder {

using SX = casadi::SX;

struct Vec3 {
  std::array<SX, 3> v{SX(0), SX(0), SX(0)};
  SX& operator[](int i) { return v[i]; }
  const SX& operator[](int i) const { return v[i]; }
  static Vec3 of(const SX& x, const SX& y, const SX& z) { Vec3 r; r.v = {x, y, z}; return r; }
  static Vec3 from(const SX& column);  ///< a 3x1 SX
  SX to_sx() const;                    ///< a 3x1 SX
};

/// Row-major 3x3: m[3*r + c].
struct Mat3 {
  std::array<SX, 9> m;
  SX& operator()(int r, int c) { return m[3 * r + c]; }
  const SX& operator()(int r, int c) const { return m[3 * r + c]; }
  static Mat3 identity();
  SX to_sx() const;  ///< a 3x3 SX
};

/// Symmetric 3x3 stored as xx, xy, xz, yy, yz, zz.
struct Sym3 {
  std::array<SX, 6> s;
  SX operator()(int r, int c) const;
  Vec3 operator*(const Vec3& u) const;
};

Vec3 operator+(const Vec3& a, const Vec3& b);
Vec3 operator-(const Vec3& a, const Vec3& b);
Vec3 operator-(const Vec3& a);
Vec3 operator*(const SX& s, const Vec3& a);
Vec3 cross(const Vec3& a, const Vec3& b);
SX dot(const Vec3& a, const Vec3& b);
Vec3 operator*(const Mat3& R, const Vec3& u);
Vec3 transpose_times(const Mat3& R, const Vec3& u);  ///< R' u
Mat3 operator*(const Mat3& A, const Mat3& B);
Mat3 transpose(const Mat3& A);
Vec3 column(const Mat3& A, int c);
/// Rotation matrix of a unit quaternion (x, y, z, w), the formula Eigen and Pinocchio use.
Mat3 quaternion_to_rotation(const SX& x, const SX& y, const SX& z, const SX& w);
Sym3 operator+(const Sym3& a, const Sym3& b);
/// R S R' for symmetric S.
Sym3 rotate(const Mat3& R, const Sym3& S);

/// Rotations about x, y, z; trigonometric values of constant angles that are within rounding of
/// 0 or +-1 are snapped to exact values, so that (e.g.) alpha = pi/2 yields a signed permutation.
Mat3 rot_x(const SX& angle);
Mat3 rot_y(const SX& angle);
Mat3 rot_z(const SX& angle);
/// R = Rz(yaw) Ry(pitch) Rx(roll).
Mat3 rot_ypr(const SX& yaw, const SX& pitch, const SX& roll);
SX snapped_cos(const SX& angle);
SX snapped_sin(const SX& angle);

}  // namespace thunder
