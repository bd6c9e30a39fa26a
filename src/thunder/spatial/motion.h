// Spatial motion and force vectors and rigid-body inertia on 3-vectors of CasADi scalars
// (Featherstone 2008, ch. 2), all expressed in one body's coordinates at its origin. Kept as pairs
// of Vec3 rather than 6-vectors so that every operation creates only the scalar nodes it needs.
#pragma once

#include "thunder/spatial/spatial.h"

namespace thunder {

/// Spatial motion: angular velocity w and linear velocity v of the frame origin.
struct Motion {
  Vec3 w, v;
};

/// Spatial force: moment n about the frame origin and force f.
struct Force {
  Vec3 n, f;
};

/// Inertia of a body in regressor form about its frame origin: mass m, first moment h = m c,
/// rotational inertia I about the origin. Every dynamics quantity is linear in (m, h, I).
struct BodyInertia {
  SX m;
  Vec3 h;
  Sym3 I;
  /// For a body of numeric parameters, also its centre of mass c and its inertia Ic about c, as
  /// the description gave them: I m is then the cheaper of the two forms (an URDF's Ic is often
  /// diagonal where I about the origin is dense). Never set on sums or moved inertias.
  bool has_com = false;
  Vec3 c;
  Sym3 Ic;
};

Motion operator+(const Motion& a, const Motion& b);
Force operator+(const Force& a, const Force& b);
BodyInertia operator+(const BodyInertia& a, const BodyInertia& b);
Force half(const Force& a);
Motion operator-(const Motion& a, const Motion& b);
Force operator-(const Force& a, const Force& b);
Motion operator*(const SX& s, const Motion& m);

/// mᵀ f: the power of force f on motion m (S_iᵀ f for one column of S_i).
SX dot(const Motion& m, const Force& f);

/// I m: the momentum of a body of inertia I moving with m.
Force operator*(const BodyInertia& I, const Motion& m);
/// a x b (motion cross product, Featherstone's crm).
Motion cross_motion(const Motion& a, const Motion& b);
/// a x* f (force cross product, Featherstone's crf).
Force cross_force(const Motion& a, const Force& f);

/// ⁰X_i m for a body at world orientation R and origin p: the motion m (body coordinates, at the
/// body origin) in world coordinates at the world origin, (R w, R v + p × R w) (Pinocchio's
/// oMi.act).
Motion to_world(const Mat3& R, const Vec3& p, const Motion& m);
/// ⁰X_i* f: a force (body coordinates, about the body origin) in world coordinates about the world
/// origin, (R n + p × R f, R f).
Force to_world(const Mat3& R, const Vec3& p, const Force& f);
/// ⁰X_i⁻ᵀ I ⁰X_i⁻¹: a body inertia (body coordinates, about the body origin) in world coordinates
/// about the world origin (parallel axis theorem on the regressor form).
BodyInertia to_world(const Mat3& R, const Vec3& p, const BodyInertia& I);

}  // namespace thunder
