#include "thunder/model/function_builder.h"

#include <chrono>
#include <cmath>
#include <algorithm>
#include <functional>
#include <memory>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "thunder/model/chain.h"
#include "thunder/model/dynamics.h"
#include "thunder/model/inertia.h"
#include "thunder/model/linalg.h"
#include "thunder/model/terms.h"

namespace thunder {
namespace {

struct Output {
  std::string name;
  SX expr;
};

/// Builds every function from shared symbols; variables and parameter inputs are added to each
/// function's signature only when its outputs depend on them.
class Builder {
 public:
  Builder(const RobotSpec& spec, const BuildOptions& options)
      : spec_(spec), options_(options), params_(spec, options.parameters), n_(spec.n()) {
    ne_ = static_cast<int>(spec.elastic_model ? spec.elastic.size() : 0);
    const char* state[] = {"q", "dq", "ddq", "d3q", "dqr", "ddqr"};
    for (const char* v : state) vars_.push_back({v, SX::sym(v, n_)});
    vars_.push_back({"w", SX::sym("w", 6)});
    if (ne_ > 0)
      for (const char* v : {"x", "dx", "ddx"}) vars_.push_back({v, SX::sym(v, ne_)});
    set_.robot = spec.name;
    set_.source = spec.source_file;
    set_.n_joints = n_;
    set_.params = params_.sets();
  }

  const SX& var(const std::string& name) const {
    for (const auto& v : vars_)
      if (v.name == name) return v.expr;
    throw std::logic_error("unknown variable " + name);
  }

  FunctionSet build();

 private:
  void add(const std::string& name, const std::string& description, const std::vector<Output>& outputs);
  bool wanted(const std::string& name) const {
    return options_.only.empty() || std::find(options_.only.begin(), options_.only.end(), name) != options_.only.end();
  }
  // Lazily built shared pieces.
  const Chain& chain() {
    if (!chain_) chain_.reset(new Chain(spec_, params_, var("q")));
    return *chain_;
  }
  const std::vector<LinkInertia>& links() {
    if (links_.empty()) links_ = inertias_from_dyn(params_, n_);
    return links_;
  }
  Vec3 gravity() const {
    return Vec3::of(params_.element("par_gravity", 0), params_.element("par_gravity", 1),
                    params_.element("par_gravity", 2));
  }

  void add_elastic();

  const RobotSpec& spec_;
  const BuildOptions& options_;
  Parameters params_;
  int n_, ne_ = 0;
  std::vector<Output> vars_;
  std::unique_ptr<Chain> chain_;
  std::vector<LinkInertia> links_;
  Vec3 gravity_;
  SX link_friction_;  ///< dl (+ dc): every link friction term the model has (n)
  FunctionSet set_;
  std::vector<std::string> built_;
};

void Builder::add(const std::string& name, const std::string& description, const std::vector<Output>& outputs) {
  if (!wanted(name)) return;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<SX> exprs;
  std::vector<std::string> out_names;
  for (const Output& o : outputs) {
    exprs.push_back(densify(o.expr));
    out_names.push_back(o.name);
  }
  std::vector<SX> in;
  std::vector<std::string> in_names;
  for (const Output& v : vars_) {
    bool depends = false;
    for (const SX& e : exprs) depends = depends || (!e.is_empty() && SX::depends_on(e, v.expr));
    if (depends) {
      in.push_back(v.expr);
      in_names.push_back(v.name);
    }
  }
  for (const std::string& s : params_.sets_used_by(exprs)) {
    in.push_back(params_.input(s));
    in_names.push_back(s);
  }
  casadi::Function fn(name, in, exprs, in_names, out_names, casadi::Dict{{"cse", true}});
  set_.functions.push_back({fn, description});
  built_.push_back(name);
  if (options_.progress) {
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::ostringstream msg;
    msg << name << ": " << fn.n_instructions() << " instructions (" << std::fixed;
    msg.precision(2);
    msg << s << " s)";
    options_.progress(msg.str());
  }
}

std::string idx(int i) { return std::to_string(i); }

void Builder::add_elastic() {
  const SX &q = var("q"), &dq = var("dq"), &x = var("x"), &dx = var("dx"), &ddx = var("ddx");
  // Elastic joint e couples motor e to link joint j(e) = spec_.elastic[e].joint (thunder v0.8
  // uses joint e instead, wrong when the elastic joints are not the first ones).
  std::vector<SX> qe, dqe;
  for (const ElasticJoint& e : spec_.elastic) {
    qe.push_back(q(e.joint));
    dqe.push_back(dq(e.joint));
  }
  const SX q_el = SX::vertcat(qe), dq_el = SX::vertcat(dqe);
  const int ne = ne_;
  SX k = SX::zeros(ne, 1), d = SX::zeros(ne, 1), dm = SX::zeros(ne, 1);
  if (spec_.K_order > 0) {
    const int orders = spec_.K_order;
    const SX K = params_.vector("par_K");
    k = elastic_coupling(q_el, x, K, orders);
    add("k", "Elastic coupling torques k_e = sum_o K_e,o (x_e - q_j(e))^(2o-1) (ne)", {{"k", k}});
    for (int o = 1; o <= orders; ++o)
      add("K" + idx(2 * o - 1), "Stiffness coefficients of (x - q)^" + idx(2 * o - 1) + " (ne x ne, diagonal)",
          {{"K" + idx(2 * o - 1), order_matrix(K, orders, o)}});
    add("K_jac", "Stiffness matrix dk/dx (ne x ne, diagonal)", {{"K_jac", SX::jacobian(k, x)}});
    const SX c = SX::sym("par_K", ne * orders);
    add("reg_k", "Regressor of k: reg_k * par_K = k (ne x ne*K_order)",
        {{"reg_k", SX::jacobian(elastic_coupling(q_el, x, c, orders), c)}});
  }
  if (spec_.D_order > 0) {
    const int orders = spec_.D_order;
    const SX D = params_.vector("par_D");
    d = friction_sum(dx - dq_el, D, orders);
    add("d", "Coupling damping torques d_e = sum_o D_e,o f_o(dx_e - dq_j(e)) (ne)", {{"d", d}});
    for (int o = 1; o <= orders; ++o)
      add("D" + idx(o), "Coupling damping coefficients of order " + idx(o) + " (ne x ne, diagonal)",
          {{"D" + idx(o), order_matrix(D, orders, o)}});
    add("D_jac", "Coupling damping matrix dd/d(dx) (ne x ne, diagonal)", {{"D_jac", SX::jacobian(d, dx)}});
    const SX c = SX::sym("par_D", ne * orders);
    add("reg_d", "Regressor of d: reg_d * par_D = d (ne x ne*D_order)",
        {{"reg_d", SX::jacobian(friction_sum(dx - dq_el, c, orders), c)}});
  }
  if (spec_.Dm_order > 0) {
    const int orders = spec_.Dm_order;
    const SX Dm = params_.vector("par_Dm");
    dm = friction_sum(dx, Dm, orders);
    add("dm", "Motor damping torques dm_e = sum_o Dm_e,o f_o(dx_e) (ne)", {{"dm", dm}});
    for (int o = 1; o <= orders; ++o)
      add("Dm" + idx(o), "Motor damping coefficients of order " + idx(o) + " (ne x ne, diagonal)",
          {{"Dm" + idx(o), order_matrix(Dm, orders, o)}});
    add("Dm_jac", "Motor damping matrix d(dm)/d(dx) (ne x ne, diagonal)", {{"Dm_jac", SX::jacobian(dm, dx)}});
    const SX c = SX::sym("par_Dm", ne * orders);
    add("reg_dm", "Regressor of dm: reg_dm * par_Dm = dm (ne x ne*Dm_order)",
        {{"reg_dm", SX::jacobian(friction_sum(dx, c, orders), c)}});
  }
  const SX Mm = SX::diag(params_.vector("par_Mm"));
  add("Mm", "Motor inertia matrix (ne x ne, diagonal)", {{"Mm", Mm}});
  const SX c = SX::sym("par_Mm", ne);
  add("reg_Mm", "Regressor of Mm ddx: reg_Mm * par_Mm = Mm ddx (ne x ne)",
      {{"reg_Mm", SX::jacobian(SX::mtimes(SX::diag(c), ddx), c)}});

  // The coupled elastic-joint model (link side M ddq + C dq + G + dl = S (k + d), motor side
  // Mm ddx + dm + k + d = tau_m, S the n x ne map from elastic joints to their link joints j(e)),
  // each side as the torque it leaves: what a forward dynamics of the SEA robot solves.
  SX link = rnea(chain(), links(), dq, var("ddq"), &gravity_) + link_friction_;
  const SX spring = k + d;
  for (int e = 0; e < ne; ++e) link(spec_.elastic[e].joint) -= spring(e);
  add("sea_link_torque",
      "Link side of the SEA model: M ddq + C dq + G + dl - S (k + d) (n); 0 at the elastic joints "
      "and the actuator torque at the rigid ones when q, x follow the coupled model",
      {{"sea_link_torque", link}});
  add("sea_motor_torque", "Motor side of the SEA model: tau_m = Mm ddx + dm + k + d (ne)",
      {{"sea_motor_torque", SX::mtimes(Mm, ddx) + dm + spring}});
}

FunctionSet Builder::build() {
  const SX &q = var("q"), &dq = var("dq"), &ddq = var("ddq"), &d3q = var("d3q");
  const SX &dqr = var("dqr"), &ddqr = var("ddqr");
  const SX qdq = SX::vertcat({q, dq}), dqddq = SX::vertcat({dq, ddq});
  const int n = n_;
  const Chain& ch = chain();

  // --- kinematics
  add("T_0", "World to link 0 transform (4x4)", {{"T_0", homogeneous(ch.base_R(), ch.base_p())}});
  {
    std::vector<Output> local, world;
    for (int i = 0; i < n; ++i) {
      local.push_back({"T_" + idx(i + 1), homogeneous(ch.joint(i).rotation(), ch.joint(i).origin())});
      world.push_back({"T_0_" + idx(i + 1), homogeneous(ch.R0(i + 1), ch.p0(i + 1))});
    }
    add("T_i", "Transform from link i-1 to link i, every link (4x4 each)", local);
    add("T_0_i", "World transform of every link frame (4x4 each)", world);
  }
  add("T_0_ee", "World transform of the end effector (4x4)", {{"T_0_ee", homogeneous(ch.R0_ee(), ch.p0_ee())}});
  {
    std::vector<Output> J;
    for (int i = 1; i <= n; ++i) J.push_back({"J_" + idx(i), ch.jacobian(i, ch.p0(i))});
    add("J_i", "Geometric Jacobian of every link frame, [linear; angular], world frame (6xn each)", J);
  }
  const SX J_ee = ch.jacobian(n, ch.p0_ee());
  add("J_ee", "End-effector geometric Jacobian, [linear; angular], world frame (6xn)", {{"J_ee", J_ee}});
  const SX J_ee_dot = SX::jtimes(J_ee, q, dq);
  add("J_ee_dot", "Time derivative of the end-effector Jacobian (6xn)", {{"J_ee_dot", J_ee_dot}});
  add("J_ee_ddot", "Second time derivative of the end-effector Jacobian (6xn)",
      {{"J_ee_ddot", SX::jtimes(J_ee_dot, qdq, dqddq)}});
  {
    // J'(J J' + l^2 I)^-1 = (J'J + l^2 I)^-1 J': solve the smaller system, which is also the
    // well-conditioned one (J J' of a robot with n < 6 joints is singular).
    const double lambda2 = 1e-6;
    const SX pinv = n >= 6 ? solve_spd(SX::mtimes(J_ee, J_ee.T()) + lambda2 * SX::eye(6), J_ee).T()
                           : solve_spd(SX::mtimes(J_ee.T(), J_ee) + lambda2 * SX::eye(n), J_ee.T());
    add("J_ee_pinv", "Damped pseudo-inverse of J_ee: J'(J J' + 1e-6 I)^-1 (nx6)", {{"J_ee_pinv", pinv}});
  }
  {
    std::vector<Output> J;
    for (int i = 1; i <= n; ++i) {
      const Vec3 c = Vec3::of(params_.element("par_DYN", 10 * (i - 1) + 1), params_.element("par_DYN", 10 * (i - 1) + 2),
                              params_.element("par_DYN", 10 * (i - 1) + 3));
      J.push_back({"J_cm_" + idx(i), ch.jacobian(i, ch.p0(i) + ch.R0(i) * c)});
    }
    add("J_cm_i", "Jacobian of every link's centre of mass, [linear; angular], world frame (6xn each)", J);
  }

  // --- dynamics
  gravity_ = gravity();
  const Vec3& g = gravity_;
  const SX M = crba(ch, links());
  add("M", "Mass matrix (nxn)", {{"M", M}});
  const SX zeros = SX::zeros(n, 1);
  // Two constructions of the same Christoffel-consistent C: the Jacobian of the Slotine-Li
  // recursion with respect to dqr, and the Christoffel symbols of the first kind of M,
  // C = 1/2 (dM/dt + d(M dq)/dq - d(M dq)/dq'). Which is smaller depends on the robot; C
  // takes the smaller (counted as generated, with CSE), C_std is always the second. The
  // Christoffel form wins on small robots (Panda: 3,094 against 6,190) but grows as O(n^3);
  // the recursion is O(n^2) and wins from about 20 joints (30 joints: 122,405 against 188,960).
  const SX C_rnea = SX::jacobian(slotine_li(ch, links(), dq, dqr, zeros, nullptr), dqr);
  const SX dMdq = SX::jacobian(SX::mtimes(M, dq), q);
  const SX C_std = 0.5 * (SX::jtimes(M, q, dq) + dMdq - dMdq.T());
  const auto count = [&](const SX& e) {
    return casadi::Function("c", {q, dq}, {e}, casadi::Dict{{"cse", true}, {"allow_free", true}}).n_instructions();
  };
  const casadi_int n_std = count(C_std), n_rnea = count(C_rnea);
  const SX C = n_std <= n_rnea ? C_std : C_rnea;
  if (options_.progress)
    options_.progress("C candidates: Christoffel of M " + std::to_string(n_std) + ", Slotine-Li recursion " +
                      std::to_string(n_rnea) + " instructions");
  add("C", "Coriolis matrix, Christoffel-consistent: dM/dt - 2C skew-symmetric (nxn)", {{"C", C}});
  add("C_std", "Coriolis matrix from the Christoffel symbols of M (reference construction, nxn)", {{"C_std", C_std}});
  const SX G = gravity_torques(ch, links(), g);
  add("G", "Gravity torques: the joint torques that balance gravity (n)", {{"G", G}});
  add("tau", "Inverse dynamics M ddq + C dq + G by Newton-Euler (n)", {{"tau", rnea(ch, links(), dq, ddq, &g)}});
  const SX M_dot = SX::jtimes(M, q, dq);
  add("M_dot", "Time derivative of M (nxn)", {{"M_dot", M_dot}});
  add("M_ddot", "Second time derivative of M (nxn)", {{"M_ddot", SX::jtimes(M_dot, qdq, dqddq)}});
  const SX C_dot = SX::jtimes(C, qdq, dqddq);
  add("C_dot", "Time derivative of C (nxn)", {{"C_dot", C_dot}});
  add("C_ddot", "Second time derivative of C (nxn)",
      {{"C_ddot", SX::jtimes(C_dot, SX::vertcat({q, dq, ddq}), SX::vertcat({dq, ddq, d3q}))}});
  const SX G_dot = SX::jtimes(G, q, dq);
  add("G_dot", "Time derivative of G (n)", {{"G_dot", G_dot}});
  add("G_ddot", "Second time derivative of G (n)", {{"G_ddot", SX::jtimes(G_dot, qdq, dqddq)}});

  // --- regressors: the dynamics are linear in par_REG, so each regressor is the Jacobian of the
  // corresponding recursion with respect to a par_REG symbol.
  {
    const SX reg = SX::sym("par_REG", 10 * n);
    const std::vector<LinkInertia> L = inertias_from_reg(reg);
    const bool any = wanted("Yr") || wanted("reg_M") || wanted("reg_C") || wanted("reg_G");
    if (any) {
      add("Yr", "Slotine-Li regressor: Yr * par_REG = M ddqr + C dqr + G (n x 10n)",
          {{"Yr", SX::jacobian(slotine_li(ch, L, dq, dqr, ddqr, &g), reg)}});
      add("reg_M", "Regressor of M ddq: reg_M * par_REG = M ddq (n x 10n)",
          {{"reg_M", SX::jacobian(rnea(ch, L, zeros, ddq, nullptr), reg)}});
      add("reg_C", "Regressor of C dqr: reg_C * par_REG = C(q, dq) dqr (n x 10n)",
          {{"reg_C", SX::jacobian(slotine_li(ch, L, dq, dqr, zeros, nullptr), reg)}});
      add("reg_G", "Regressor of G: reg_G * par_REG = G (n x 10n)",
          {{"reg_G", SX::jacobian(gravity_torques(ch, L, g), reg)}});
    }
  }

  // --- kinematic regressors: derivatives of J dq and J' w with respect to the symbolic
  // kinematic parameters (only when the robot file flags some).
  {
    std::vector<SX> kin;
    for (const char* set : {"par_DHtable", "par_origins", "par_world2L0", "par_Ln2EE"})
      if (params_.has(set) && !params_.input(set).is_empty()) kin.push_back(params_.input(set));
    if (!kin.empty()) {
      const SX p = SX::vertcat(kin);
      add("reg_Jdq", "Jacobian of J_ee dq w.r.t. the symbolic kinematic parameters (6 x n_kin)",
          {{"reg_Jdq", SX::jacobian(SX::mtimes(J_ee, dq), p)}});
      add("reg_JTw", "Jacobian of J_ee' w w.r.t. the symbolic kinematic parameters (n x n_kin)",
          {{"reg_JTw", SX::jacobian(SX::mtimes(J_ee.T(), var("w")), p)}});
    }
  }

  // --- friction and elastic terms
  link_friction_ = SX::zeros(n, 1);
  if (spec_.Dl_order > 0) {
    const int order = spec_.Dl_order;
    const SX Dl = params_.vector("par_Dl");
    const SX dl = friction_sum(dq, Dl, order);
    link_friction_ += dl;
    add("dl", "Link friction torques dl_j = sum_o Dl_j,o f_o(dq_j) (n)", {{"dl", dl}});
    for (int o = 1; o <= order; ++o)
      add("Dl" + idx(o), "Link friction coefficients of order " + idx(o) + " (nxn, diagonal)",
          {{"Dl" + idx(o), order_matrix(Dl, order, o)}});
    add("Dl_jac", "Link friction matrix d(dl)/d(dq) (nxn, diagonal)", {{"Dl_jac", SX::jacobian(dl, dq)}});
    const SX c = SX::sym("par_Dl", n * order);
    add("reg_dl", "Regressor of the link friction: reg_dl * par_Dl = dl (n x n*Dl_order)",
        {{"reg_dl", SX::jacobian(friction_sum(dq, c, order), c)}});
  }
  if (spec_.coulomb_friction) {
    const double eps = spec_.coulomb_smoothing;
    const std::string s = eps > 0 ? "tanh(dq_j / " + casadi::str(eps) + ")" : "sign(dq_j)";
    const SX dc = coulomb_friction(dq, params_.vector("par_Dc"), eps);
    link_friction_ += dc;
    add("dc", "Coulomb friction torques dc_j = Dc_j " + s + " (n)", {{"dc", dc}});
    const SX c = SX::sym("par_Dc", n);
    add("reg_dc", "Regressor of the Coulomb friction: reg_dc * par_Dc = dc (nxn, diagonal)",
        {{"reg_dc", SX::jacobian(coulomb_friction(dq, c, eps), c)}});
  }
  if (ne_ > 0) add_elastic();

  // --- parameter maps (always on the full vectors)
  {
    const SX dyn = SX::sym("par_DYN", 10 * n), reg = SX::sym("par_REG", 10 * n);
    std::vector<SX> to_reg, to_dyn;
    for (int k = 0; k < n; ++k) {
      to_reg.push_back(dyn_to_reg_link(dyn(casadi::Slice(10 * k, 10 * k + 10))));
      to_dyn.push_back(reg_to_dyn_link(reg(casadi::Slice(10 * k, 10 * k + 10))));
    }
    for (int which = 0; which < 2; ++which) {
      const std::string name = which == 0 ? "par_DYN_to_REG" : "par_REG_to_DYN";
      if (!wanted(name)) continue;
      const SX& in = which == 0 ? dyn : reg;
      const SX out = SX::vertcat(which == 0 ? to_reg : to_dyn);
      // The input is named after its set but holds the full vector (size 10n, not the count of
      // symbolic elements): backends tell the two apart by size (docs/FUNCTIONS.md).
      casadi::Function fn(name, {in}, {out}, {which == 0 ? "par_DYN" : "par_REG"},
                          {which == 0 ? "par_REG" : "par_DYN"}, casadi::Dict{{"cse", true}});
      set_.functions.push_back({fn, which == 0 ? "Map the full par_DYN vector to par_REG (10n)"
                                                : "Map the full par_REG vector to par_DYN (10n)"});
    }
  }

  if (!options_.only.empty()) {
    for (const std::string& name : options_.only) {
      if (!set_.find_function(name)) throw std::invalid_argument("unknown function '" + name + "'");
    }
  }
  return set_;
}

}  // namespace

FunctionSet build_function_set(const RobotSpec& spec, const BuildOptions& options) {
  Builder b(spec, options);
  return b.build();
}

}  // namespace thunder
