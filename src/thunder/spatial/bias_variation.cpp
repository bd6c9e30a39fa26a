#include "thunder/spatial/bias_variation.h"

namespace thunder {

BiasVariation& BiasVariation::operator+=(const BiasVariation& o) {
  Idot = Idot + o.Idot;
  h = h + o.h;
  return *this;
}

BiasVariation bias_variation(const BodyInertia& I, const Motion& v, double scale) {
  // d/dt of ∫ρ r, ∫ρ (|r|² 1 − r rᵀ) for points moving with ṙ = v_o + ω × r.
  const Vec3 &w = v.w, &vo = v.v, &h = I.h;
  BiasVariation B;
  B.Idot.m = 0;
  B.Idot.h = scale * (I.m * vo + cross(w, h));
  // [ω] I (3x3): column c is ω × I e_c; [ω] I − I [ω] = A + Aᵀ with A = [ω] I.
  Mat3 A;
  for (int c = 0; c < 3; ++c) {
    const Vec3 col = cross(w, Vec3::of(I.I(0, c), I.I(1, c), I.I(2, c)));
    for (int r = 0; r < 3; ++r) A(r, c) = col[r];
  }
  const SX hv2 = 2 * dot(h, vo);
  static const int rc[6][2] = {{0, 0}, {0, 1}, {0, 2}, {1, 1}, {1, 2}, {2, 2}};
  for (int k = 0; k < 6; ++k) {
    const int r = rc[k][0], c = rc[k][1];
    SX e = A(r, c) + A(c, r) - vo[r] * h[c] - h[r] * vo[c];
    if (r == c) e = e + hv2;
    B.Idot.I.s[k] = scale == 1.0 ? e : scale * e;
  }
  const Force p = I * v;
  B.h = scale == 1.0 ? p : Force{scale * p.n, scale * p.f};
  return B;
}

}  // namespace thunder
