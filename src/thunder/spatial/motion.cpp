#include "thunder/spatial/motion.h"

namespace thunder {

Motion operator+(const Motion& a, const Motion& b) { return {a.w + b.w, a.v + b.v}; }
Force operator+(const Force& a, const Force& b) { return {a.n + b.n, a.f + b.f}; }
BodyInertia operator+(const BodyInertia& a, const BodyInertia& b) { return {a.m + b.m, a.h + b.h, a.I + b.I}; }
Force half(const Force& a) { return {SX(0.5) * a.n, SX(0.5) * a.f}; }

Force operator*(const BodyInertia& I, const Motion& m) {
  return {I.I * m.w + cross(I.h, m.v), I.m * m.v - cross(I.h, m.w)};
}

Motion cross_motion(const Motion& a, const Motion& b) {
  return {cross(a.w, b.w), cross(a.w, b.v) + cross(a.v, b.w)};
}

Force cross_force(const Motion& a, const Force& f) {
  return {cross(a.w, f.n) + cross(a.v, f.f), cross(a.w, f.f)};
}

}  // namespace thunder
