// Classical accelerations of frames (Featherstone 2008, §2.11 and the forward pass of §5.3,
// Table 5.1; Pinocchio's getFrameClassicalAcceleration, LOCAL_WORLD_ALIGNED):
//
//   forward:  v_i = ᶦX_λ(i) v_λ(i) + S_i q̇_i,  a_i = ᶦX_λ(i) a_λ(i) + S_i q̈_i + v_i × S_i q̇_i
//             (body coordinates, a_root = 0: no gravity)
//   frame at r on body i:  v_P = v + ω × r,  a_P = (a + ω̇ × r) + ω × v_P
//
// a_P is the time derivative of the frame origin's world velocity, ω̇ that of the body's angular
// velocity, both rotated into the world (⁰R_i). At q̈ = 0 this is J̇ q̇, the drift of a contact
// constraint J q̈ + J̇ q̇ = 0: one O(n) pass instead of forward-mode AD of J q̇ through the whole
// kinematics (go1's four feet: 880 against 1,759 instructions).
#pragma once

#include <vector>

#include "thunder/multibody/kinematics.h"

namespace thunder {

struct FrameAcceleration {
  Vec3 linear;   ///< classical acceleration of the frame origin, world-aligned
  Vec3 angular;  ///< angular acceleration of the frame's body, world-aligned
};

/// For each frame index of `frames` (frames of kin.model(), none on the root), at the velocity `v`
/// and acceleration `a` (nv_full x 1 each). With `gravity` (world), the pass is RNEA's own
/// (rnea_body_motions: a_root = −g, so every a_i carries −ⁱR₀ g) and g is added back to the
/// world-aligned linear rows: the same result, and where the RNEA's pass is built anyway (the
/// bias h of the contact dynamics) CSE shares it instead of building a second one.
std::vector<FrameAcceleration> frame_classical_accelerations(const Kinematics& kin, const SX& v, const SX& a,
                                                            const std::vector<int>& frames,
                                                            const Vec3* gravity = nullptr);

}  // namespace thunder
