// Rigid-body dynamics of a serial chain, recursive and in local link frames (Featherstone's
// algorithms written out on 3-vectors): Newton-Euler (tau), its Slotine-Li form with a
// Christoffel-consistent split of the velocity terms (C and the regressor), composite rigid
// bodies (M) and composite masses (G).
#pragma once

#include <vector>

#include "thunder/model/chain.h"

namespace thunder {

/// Inertial parameters of one link in regressor form, link frame: mass, first moment h = m c,
/// inertia about the link origin. Everything below is linear in these.
struct LinkInertia {
  SX m;
  Vec3 h;
  Sym3 I;
};

/// From the par_DYN elements of `params` (constants or symbols).
std::vector<LinkInertia> inertias_from_dyn(const Parameters& params, int n);
/// From a 10n vector in par_REG order (e.g. a symbol used to differentiate into a regressor).
std::vector<LinkInertia> inertias_from_reg(const SX& reg);

/// Spatial motion (angular w, linear v of the frame origin) and force (moment n about the
/// origin, force f), both in link coordinates.
struct Motion {
  Vec3 w, v;
};
struct Force {
  Vec3 n, f;
};

/// tau = M(q) ddq + C(q, dq) dq + G(q) by Newton-Euler. `gravity` (world) may be null: no G.
SX rnea(const Chain& chain, const std::vector<LinkInertia>& links, const SX& dq, const SX& ddq,
        const Vec3* gravity);

/// tau = M(q) ddqr + C(q, dq) dqr + G(q) with the Christoffel-consistent C (Niemeyer-Slotine
/// reference-velocity recursion with the symmetric body factorization of Echeandia & Wensing).
SX slotine_li(const Chain& chain, const std::vector<LinkInertia>& links, const SX& dq, const SX& dqr,
              const SX& ddqr, const Vec3* gravity);

/// Mass matrix by the composite rigid body algorithm (n x n, symmetric by construction).
SX crba(const Chain& chain, const std::vector<LinkInertia>& links);

/// Gravity torques from composite masses and first moments.
SX gravity_torques(const Chain& chain, const std::vector<LinkInertia>& links, const Vec3& gravity);

}  // namespace thunder
