// Rigid contact dynamics and contact impulses through the sparse factorization of M
// (Featherstone 2008, §8.1 "Dynamic equations of motion" with kinematic loop constraints, and
// §6.5 for M = Lᵀ D L), with a contact mode chosen at run time.
//
// Contact dynamics: M q̈ + h = τ + Jᵀ λ,  J q̈ + γ = 0 on the active rows (λ = 0 on the others).
// Impulse:          M (q̇⁺ − q̇) = Jᵀ Λ,  J q̇⁺ = −e J q̇ on the active rows (Λ = 0 on the others).
// Both are x = M⁻¹ (b + Jᵀ λ) with J x = c on the active rows. With Y = L⁻ᵀ Jᵀ (nv x m) and
// z = L⁻ᵀ b, J M⁻¹ Jᵀ = Yᵀ D⁻¹ Y and J M⁻¹ b = Yᵀ D⁻¹ z, so the operational-space inverse costs
// m half solves (leaves to root) instead of m full ones, and x = L⁻¹ D⁻¹ (z + Y λ) one more
// half solve: no dense KKT matrix is formed or inverted.
//
// The contact mode s (per row, 0 or 1) enters as numbers, not as structure, so one generated
// function serves every mode: K = S (J M⁻¹ Jᵀ) S + (I − S), S = diag(s), is the operational-space
// inverse on the active rows and the identity on the inactive ones (no coupling between the two:
// S zeroes the cross terms), and λ = K⁻¹ S (c − J M⁻¹ b) is 0 on the inactive rows. K is
// factorized by LDLᵀ (no square roots); it is positive definite while the active rows of J are
// independent (Pinocchio's contactDynamics without damping has the same precondition).
#pragma once

#include "thunder/algorithm/ltdl.h"

namespace thunder {

struct ContactSolution {
  SX x;       ///< q̈ (contact dynamics) or q̇⁺ (impulse), nv (x p)
  SX lambda;  ///< contact forces or impulses, m (x p); 0 on the inactive rows
};

/// x = M⁻¹ (b + Jᵀ λ) with J x = c on the rows where `rows` is 1. M as its factorization (nv),
/// J (m x nv), b (nv x p), c (m x p): p right-hand sides sharing the factorizations (the
/// derivatives of the contact dynamics), rows (m, each 0 or 1 at run time).
ContactSolution constrained_solve(const LTDL& M, const SX& J, const SX& b, const SX& c, const SX& rows);

/// q̇⁺ = q̇ + M⁻¹ Jᵀ Λ with J q̇⁺ = −e J q̇ on the rows where `rows` is 1: Pinocchio's
/// impulseDynamics. dq (nv), restitution e (1), rows (m).
ContactSolution contact_impulse(const LTDL& M, const SX& J, const SX& dq, const SX& restitution, const SX& rows);

}  // namespace thunder
