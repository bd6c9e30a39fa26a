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
};

Motion operator+(const Motion& a, const Motion& b);
Force operator+(const Force& a, const Force& b);
BodyInertia operator+(const BodyInertia& a, const BodyInertia& b);
Force half(const Force& a);

/// I m: the momentum of a body of inertia I moving with m.
Force operator*(const BodyInertia& I, const Motion& m);
/// a x b (motion cross product, Featherstone's crm).
Motion cross_motion(const Motion& a, const Motion& b);
/// a x* f (force cross product, Featherstone's crf).
Force cross_force(const Motion& a, const Force& f);

}  // namespace thunder
