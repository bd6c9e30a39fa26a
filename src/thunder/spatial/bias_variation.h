// The bias-force variation of a body (or a subtree) moving with world velocity v, for the
// derivative and Coriolis recursions (Carpentier & Mansard 2018; Pinocchio's
// Inertia::variation plus its force cross matrix, doYcrb / B):
//   B m = v ×* (I m) − I (v × m) + m ×* (I v) = İ m + m ×* h,   h = I v.
// İ = v ×* I − I v× is the rate of a world inertia, which is again of the form (m, h, I) with
// ṁ = 0 (the parametrization is linear), so B is kept as İ (9 scalars) and h (6) instead of a
// 6x6 matrix, and sums over subtrees add 15 scalars. Bᵀ x = İ x − x ×* h (İ is symmetric,
// xᵀ (m ×* h) = −mᵀ (x ×* h)).
#pragma once

#include "thunder/spatial/motion.h"

namespace thunder {

struct BiasVariation {
  BodyInertia Idot;  ///< İ: m = 0, ḣ = m v_o + ω × h, İ_O = [ω] I − I [ω] + 2 (h·v_o) 1 − v_o hᵀ − h v_oᵀ
  Force h;           ///< the momentum I v
  /// B m.
  Force operator*(const Motion& m) const { return Idot * m + cross_force(m, h); }
  /// Bᵀ m, as the force that pairs with a motion: (Bᵀ m)ᵀ x = mᵀ B x.
  Force transpose_times(const Motion& m) const { return Idot * m - cross_force(m, h); }
  BiasVariation& operator+=(const BiasVariation& o);
};

/// B of a world inertia `I` (about the world origin) moving with the world motion `v`; `scale`
/// multiplies it (Echeandia & Wensing's Coriolis factorization uses ½ B).
BiasVariation bias_variation(const BodyInertia& I, const Motion& v, double scale = 1.0);

}  // namespace thunder
