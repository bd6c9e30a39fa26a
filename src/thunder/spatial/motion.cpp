#include "thunder/spatial/motion.h"

namespace thunder {

Motion operator+(const Motion& a, const Motion& b) { return {a.w + b.w, a.v + b.v}; }
Force operator+(const Force& a, const Force& b) { return {a.n + b.n, a.f + b.f}; }
BodyInertia operator+(const BodyInertia& a, const BodyInertia& b) { return {a.m + b.m, a.h + b.h, a.I + b.I}; }
Force half(const Force& a) { return {SX(0.5) * a.n, SX(0.5) * a.f}; }
Motion operator-(const Motion& a, const Motion& b) { return {a.w - b.w, a.v - b.v}; }
Force operator-(const Force& a, const Force& b) { return {a.n - b.n, a.f - b.f}; }
Motion operator*(const SX& s, const Motion& m) { return {s * m.w, s * m.v}; }
SX dot(const Motion& m, const Force& f) { return dot(m.w, f.n) + dot(m.v, f.f); }

namespace {

/// Products by the non-trivial entries (not a constant 0, 1 or -1) of S u, S symmetric.
int product_count(const Sym3& S) {
  static const int uses[6] = {1, 2, 2, 1, 2, 1};  // an off-diagonal entry multiplies twice
  int n = 0;
  for (int k = 0; k < 6; ++k) {
    const SX& e = S.s[k];
    const bool trivial = e.is_constant() && (e.is_zero() || e.is_one() || e.is_minus_one());
    if (!trivial) n += uses[k];
  }
  return n;
}

}  // namespace

Force operator*(const BodyInertia& I, const Motion& m) {
  // About the centre of mass (Pinocchio's Inertia::__mult__): f = m (v - c x w), n = Ic w + c x f.
  // The same arithmetic as the origin form except Ic w for I w: taken when Ic has fewer entries.
  if (I.has_com && product_count(I.Ic) < product_count(I.I)) {
    const Vec3 f = I.m * (m.v - cross(I.c, m.w));
    return {I.Ic * m.w + cross(I.c, f), f};
  }
  return {I.I * m.w + cross(I.h, m.v), I.m * m.v - cross(I.h, m.w)};
}

Motion cross_motion(const Motion& a, const Motion& b) {
  return {cross(a.w, b.w), cross(a.w, b.v) + cross(a.v, b.w)};
}

Force cross_force(const Motion& a, const Force& f) {
  return {cross(a.w, f.n) + cross(a.v, f.f), cross(a.w, f.f)};
}

Motion to_world(const Mat3& R, const Vec3& p, const Motion& m) {
  const Vec3 w = R * m.w;
  return {w, R * m.v + cross(p, w)};
}

Force to_world(const Mat3& R, const Vec3& p, const Force& f) {
  const Vec3 Rf = R * f.f;
  return {R * f.n + cross(p, Rf), Rf};
}

BodyInertia to_world(const Mat3& R, const Vec3& p, const BodyInertia& L) {
  // h' = R h + m p;  I' = R I R' + m (p'p 1 - p p') + 2 (p'h'') 1 - h'' p' - p h''' with h'' = R h
  // (the same formula as JointTransform::to_parent, for a full rotation).
  const Vec3 Rh = R * L.h;
  BodyInertia out;
  out.m = L.m;
  out.h = Rh + L.m * p;
  const Sym3 I = rotate(R, L.I);
  const SX pp = dot(p, p), ph = dot(p, Rh);
  static const int rc[6][2] = {{0, 0}, {0, 1}, {0, 2}, {1, 1}, {1, 2}, {2, 2}};
  for (int k = 0; k < 6; ++k) {
    const int r = rc[k][0], c = rc[k][1];
    SX term = -L.m * p[r] * p[c] - Rh[r] * p[c] - p[r] * Rh[c];
    if (r == c) term = term + L.m * pp + 2 * ph;
    out.I.s[k] = I.s[k] + term;
  }
  return out;
}

}  // namespace thunder
