#include "thunder/model/dynamics.h"

#include "thunder/model/inertia.h"

namespace thunder {
namespace {

Motion transform_motion(const JointTransform& J, const Motion& m) {
  // Parent -> child: w' = R' w, v' = R' (v + w x p).
  const Vec3 p = J.origin();
  return {J.apply_T(m.w), J.apply_T(m.v + cross(m.w, p))};
}

Force transform_force_to_parent(const JointTransform& J, const Force& f) {
  // Child -> parent: f' = R f, n' = R n + p x (R f).
  const Vec3 Rf = J.apply(f.f);
  return {J.apply(f.n) + cross(J.origin(), Rf), Rf};
}

Force inertia_times(const LinkInertia& L, const Motion& m) {
  return {L.I * m.w + cross(L.h, m.v), L.m * m.v - cross(L.h, m.w)};
}

Motion cross_motion(const Motion& a, const Motion& b) {
  return {cross(a.w, b.w), cross(a.w, b.v) + cross(a.v, b.w)};
}

Force cross_force(const Motion& a, const Force& f) {
  return {cross(a.w, f.n) + cross(a.v, f.f), cross(a.w, f.f)};
}

Force operator+(const Force& a, const Force& b) { return {a.n + b.n, a.f + b.f}; }
Motion operator+(const Motion& a, const Motion& b) { return {a.w + b.w, a.v + b.v}; }
Force half(const Force& a) { return {SX(0.5) * a.n, SX(0.5) * a.f}; }

/// Joint motion subspace times a rate, in the joint's (child) frame.
Motion subspace(const JointTransform& J, const SX& rate) {
  const Vec3 a = rate * J.axis_vec();
  return J.revolute ? Motion{a, Vec3{}} : Motion{Vec3{}, a};
}

SX project(const JointTransform& J, const Force& f) { return dot(J.axis_vec(), J.revolute ? f.n : f.f); }

/// The base's spatial acceleration: -g, in link-0 coordinates (gravity as an upward
/// acceleration of the base).
Motion base_acceleration(const Chain& chain, const Vec3* gravity) {
  Motion a;
  if (gravity) a.v = -transpose_times(chain.base_R(), *gravity);
  return a;
}

}  // namespace

std::vector<LinkInertia> inertias_from_dyn(const Parameters& params, int n) {
  std::vector<LinkInertia> links;
  for (int k = 0; k < n; ++k) {
    std::vector<SX> dyn;
    for (int j = 0; j < 10; ++j) dyn.push_back(params.element("par_DYN", 10 * k + j));
    links.push_back(inertias_from_reg(dyn_to_reg_link(SX::vertcat(dyn)))[0]);
  }
  return links;
}

std::vector<LinkInertia> inertias_from_reg(const SX& reg) {
  std::vector<LinkInertia> links;
  for (casadi_int k = 0; k + 10 <= reg.numel(); k += 10) {
    LinkInertia L;
    L.m = reg(k);
    L.h = Vec3::of(reg(k + 1), reg(k + 2), reg(k + 3));
    for (int j = 0; j < 6; ++j) L.I.s[j] = reg(k + 4 + j);
    links.push_back(L);
  }
  return links;
}

SX rnea(const Chain& chain, const std::vector<LinkInertia>& links, const SX& dq, const SX& ddq,
        const Vec3* gravity) {
  const int n = chain.n();
  std::vector<Force> f(n);
  Motion v, a = base_acceleration(chain, gravity);
  for (int i = 0; i < n; ++i) {
    const JointTransform& J = chain.joint(i);
    const Motion s = subspace(J, dq(i));
    v = transform_motion(J, v) + s;
    a = transform_motion(J, a) + subspace(J, ddq(i)) + cross_motion(v, s);
    f[i] = inertia_times(links[i], a) + cross_force(v, inertia_times(links[i], v));
  }
  std::vector<SX> tau(n);
  for (int i = n - 1; i >= 0; --i) {
    tau[i] = project(chain.joint(i), f[i]);
    if (i > 0) f[i - 1] = f[i - 1] + transform_force_to_parent(chain.joint(i), f[i]);
  }
  return SX::vertcat(tau);
}

SX slotine_li(const Chain& chain, const std::vector<LinkInertia>& links, const SX& dq, const SX& dqr,
              const SX& ddqr, const Vec3* gravity) {
  const int n = chain.n();
  std::vector<Force> f(n);
  Motion v, vr, ar = base_acceleration(chain, gravity);
  for (int i = 0; i < n; ++i) {
    const JointTransform& J = chain.joint(i);
    const Motion sr = subspace(J, dqr(i));
    v = transform_motion(J, v) + subspace(J, dq(i));
    vr = transform_motion(J, vr) + sr;
    ar = transform_motion(J, ar) + subspace(J, ddqr(i)) + cross_motion(v, sr);
    // B(v) vr = 1/2 [ v x* (I vr) + vr x* (I v) - I (v x vr) ]: B(v) v = v x* I v, and
    // dI/dt - 2B is skew, which makes dM/dt - 2C skew (Echeandia & Wensing 2021).
    const LinkInertia& L = links[i];
    const Force Bvr = half(cross_force(v, inertia_times(L, vr)) + cross_force(vr, inertia_times(L, v)) +
                           inertia_times(L, cross_motion(vr, v)));
    f[i] = inertia_times(L, ar) + Bvr;
  }
  std::vector<SX> tau(n);
  for (int i = n - 1; i >= 0; --i) {
    tau[i] = project(chain.joint(i), f[i]);
    if (i > 0) f[i - 1] = f[i - 1] + transform_force_to_parent(chain.joint(i), f[i]);
  }
  return SX::vertcat(tau);
}

namespace {

/// Composite inertia of a child moved into its parent's frame (parallel axis theorem):
/// h' = R h + m p;  I' = R I R' + m (p'p 1 - p p') + 2 (p'h'') 1 - h'' p' - p h''' with h'' = R h.
LinkInertia to_parent(const JointTransform& J, const LinkInertia& L) {
  const Vec3 p = J.origin();
  const Vec3 Rh = J.apply(L.h);
  LinkInertia out;
  out.m = L.m;
  out.h = Rh + L.m * p;
  // R I R' with R = E Rot: rotate by Rot first, then by E.
  Sym3 I = L.I;
  if (J.revolute) {
    Mat3 Rot;
    for (int c = 0; c < 3; ++c) {
      Vec3 e;
      e[c] = SX(1.0);
      const Vec3 col = J.rot(e);
      for (int r = 0; r < 3; ++r) Rot(r, c) = col[r];
    }
    I = rotate(Rot, I);
  }
  I = rotate(J.E, I);
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

LinkInertia operator+(const LinkInertia& a, const LinkInertia& b) { return {a.m + b.m, a.h + b.h, a.I + b.I}; }

}  // namespace

SX crba(const Chain& chain, const std::vector<LinkInertia>& links) {
  const int n = chain.n();
  std::vector<LinkInertia> Ic(links.begin(), links.end());
  for (int i = n - 1; i > 0; --i) Ic[i - 1] = Ic[i - 1] + to_parent(chain.joint(i), Ic[i]);
  SX M = SX::zeros(n, n);
  for (int k = 0; k < n; ++k) {
    const JointTransform& Jk = chain.joint(k);
    Force F = inertia_times(Ic[k], subspace(Jk, SX(1.0)));
    M(k, k) = project(Jk, F);
    for (int j = k; j > 0; --j) {
      F = transform_force_to_parent(chain.joint(j), F);
      M(j - 1, k) = project(chain.joint(j - 1), F);
      M(k, j - 1) = M(j - 1, k);
    }
  }
  return M;
}

SX gravity_torques(const Chain& chain, const std::vector<LinkInertia>& links, const Vec3& gravity) {
  const int n = chain.n();
  // Composite mass and first moment of the subtree of every link, in its frame.
  std::vector<SX> mc(n);
  std::vector<Vec3> hc(n);
  for (int i = n - 1; i >= 0; --i) {
    mc[i] = links[i].m;
    hc[i] = links[i].h;
    if (i + 1 < n) {
      const JointTransform& J = chain.joint(i + 1);
      mc[i] = mc[i] + mc[i + 1];
      hc[i] = hc[i] + J.apply(hc[i + 1]) + mc[i + 1] * J.origin();
    }
  }
  // The base accelerates by -g; each link frame sees it rotated into its coordinates.
  Vec3 a = -transpose_times(chain.base_R(), gravity);
  std::vector<SX> G(n);
  for (int i = 0; i < n; ++i) {
    const JointTransform& J = chain.joint(i);
    a = J.apply_T(a);
    const Force F{cross(hc[i], a), mc[i] * a};
    G[i] = project(J, F);
  }
  return SX::vertcat(G);
}

}  // namespace thunder
