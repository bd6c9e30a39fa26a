#include "thunder/model/function_builder.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>

#include "thunder/algorithm/aba.h"
#include "thunder/algorithm/body_inertias.h"
#include "thunder/algorithm/centroidal.h"
#include "thunder/algorithm/contact_dynamics.h"
#include "thunder/algorithm/coriolis.h"
#include "thunder/algorithm/crba.h"
#include "thunder/algorithm/frame_acceleration.h"
#include "thunder/algorithm/gravity.h"
#include "thunder/algorithm/ltdl.h"
#include "thunder/algorithm/regressor.h"
#include "thunder/algorithm/rnea.h"
#include "thunder/algorithm/rnea_derivatives.h"
#include "thunder/algorithm/slotine_li.h"
#include "thunder/model/factored_solve.h"
#include "thunder/model/inertia.h"
#include "thunder/model/linalg.h"
#include "thunder/model/terms.h"
#include "thunder/multibody/configuration.h"
#include "thunder/multibody/kinematics.h"
#include "thunder/multibody/model.h"
#include "thunder/util/error.h"
#include "thunder/util/identifier.h"
#include "thunder/util/suggest.h"

namespace thunder {
namespace {

struct Output {
  std::string name;
  SX expr;
};

/// Outputs of a function that are (−)M⁻¹ B for a sparse factor of M: the C++ exporter's second
/// construction (model/factored_solve.h).
struct SolvedOutputs {
  const LTDL* factor = nullptr;
  SX B;                     ///< right-hand sides of `outputs`, side by side
  std::vector<int> outputs;  ///< indices among the function's outputs
  bool negated = false;
  std::vector<int> symmetric;  ///< those of `outputs` that are symmetric
};

/// Instructions of `e` as a function of `inputs` (CSE on, other symbols free): how the builder
/// compares two constructions of one function before keeping the smaller.
casadi_int instructions(const std::vector<SX>& inputs, const SX& e) {
  return casadi::Function("c", inputs, {e}, casadi::Dict{{"cse", true}, {"allow_free", true}}).n_instructions();
}

/// Builds every function from shared symbols; variables and parameter inputs are added to each
/// function's signature only when its outputs depend on them. This file is the catalog: the
/// algorithms live in algorithm/ and multibody/.
class Builder {
 public:
  Builder(const RobotSpec& spec, const BuildOptions& options)
      : spec_(spec), options_(options), params_(spec, options.parameters), model_(spec, params_) {
    ne_ = static_cast<int>(spec.elastic_model ? spec.elastic.size() : 0);
    const int nq = model_.nq(), nv = model_.nv();
    vars_.push_back({"q", SX::sym("q", nq)});
    for (const char* v : {"dq", "ddq", "d3q", "dqr", "ddqr"}) vars_.push_back({v, SX::sym(v, nv)});
    vars_.push_back({"w", SX::sym("w", 6)});
    if (ne_ > 0)
      for (const char* v : {"x", "dx", "ddx"}) vars_.push_back({v, SX::sym(v, ne_)});
    vars_.push_back({"torque", SX::sym("torque", nv)});
    if (ne_ > 0) vars_.push_back({"tau_m", SX::sym("tau_m", ne_)});
    vars_.push_back({"dt", SX::sym("dt", 1)});
    vars_.push_back({"q0", SX::sym("q0", nq)});
    vars_.push_back({"q1", SX::sym("q1", nq)});
    resolve_contacts();
    for (const std::string& f : options_.only)  // before minutes of work
      if (contacts_.empty() && contact_function_names().count(f))
        throw std::invalid_argument("--functions: " + f + " needs contact frames: name them with --contacts");
    if (!contacts_.empty()) {
      vars_.push_back({"active", SX::sym("active", static_cast<casadi_int>(contacts_.size()))});
      vars_.push_back({"restitution", SX::sym("restitution", 1)});
    }
    set_.robot = spec.name;
    set_.source = spec.source_file;
    set_.n_joints = spec.n() - (model_.floating_base() ? 1 : 0);
    set_.nq = nq;
    set_.nv = nv;
    set_.floating_base = model_.floating_base();
    for (const Joint& j : spec.joints)
      if (j.mimic < 0) set_.joints.push_back(j.name);  // q order: mimic joints have no entry
    set_.params = params_.sets();
  }

  const SX& var(const std::string& name) const {
    for (const auto& v : vars_)
      if (v.name == name) return v.expr;
    throw std::logic_error("unknown variable " + name);
  }

  FunctionSet build();

 private:
  void add(const std::string& name, const std::string& description, const std::vector<Output>& outputs,
           const SolvedOutputs& solved = {});
  bool wanted(const std::string& name) const {
    catalog_.push_back(name);  // every name the catalog knows, for "did you mean" on --functions
    if (options_.only.empty() && !options_.select) return true;
    return std::find(options_.only.begin(), options_.only.end(), name) != options_.only.end() ||
           (options_.select && options_.select(name));
  }
  // Lazily built shared pieces.
  const Kinematics& kin() {
    if (!kin_) kin_.reset(new Kinematics(model_, model_.expand_q(var("q"))));
    return *kin_;
  }
  /// build(kin()) or build(kin_factored()), whichever has fewer instructions. Joint rotations
  /// composed where that pays for one joint's RNEA and CRBA share (JointModel::compose_rotation)
  /// can cost a whole function a little: g1's Y 26,964 factored, 27,436 composed (icub's 36,547
  /// and 32,691), baxter's M 2,774 and 2,800. Used for M and the regressors.
  SX smaller_of(const std::function<SX(const Kinematics&)>& build) {
    const SX a = build(kin());
    if (&kin_factored() == &kin()) return a;
    const SX b = build(kin_factored());
    return instructions({var("q")}, b) < instructions({var("q")}, a) ? b : a;
  }
  /// kin() with every joint rotation factored (the same as kin() when no joint composes).
  const Kinematics& kin_factored() {
    if (!model_.composes_rotations()) return kin();
    if (!kin_factored_) {
      model_factored_.reset(new MultibodyModel(model_.with_factored_rotations()));
      kin_factored_.reset(new Kinematics(*model_factored_, model_factored_->expand_q(var("q"))));
    }
    return *kin_factored_;
  }
  const std::vector<BodyInertia>& bodies() {
    if (bodies_.empty()) bodies_ = inertias_from_dyn(params_, model_.njoints());
    return bodies_;
  }
  /// dq/dt for the velocity dq (differs from dq with a floating base).
  const SX& qdot() {
    if (qdot_.is_empty()) qdot_ = configuration_rate(model_, var("q"), var("dq"));
    return qdot_;
  }
  /// ∂f/∂q in the tangent space (Pinocchio's convention: ∂f(q ⊕ ε)/∂ε = ∂f/∂q ∂q̇/∂v, q̇ being
  /// linear in v); plain ∂f/∂q without a floating base.
  SX tangent_jacobian(const SX& f) {
    const SX J = SX::jacobian(f, var("q"));
    if (!model_.floating_base()) return J;
    if (tangent_.is_empty()) {
      const SX e = SX::sym("e", model_.nv());
      tangent_ = SX::jacobian(configuration_rate(model_, var("q"), e), e);
    }
    return SX::mtimes(J, tangent_);
  }
  /// G v: a velocity-like input in the full coordinates the algorithms use.
  SX full(const SX& v) const { return model_.expand_v(v); }
  Vec3 gravity() const {
    return Vec3::of(params_.element("par_gravity", 0), params_.element("par_gravity", 1),
                    params_.element("par_gravity", 2));
  }

  /// J'(J J' + mu I)^-1 = (J'J + mu I)^-1 J', mu = RobotSpec::pinv_damping: solves the smaller
  /// system, which is also the well-conditioned one (J J' of a robot with n < 6 joints is singular).
  SX damped_pinv(const SX& J) const {
    const int nv = model_.nv();
    const double mu = spec_.pinv_damping;
    return nv >= 6 ? solve_spd(SX::mtimes(J, J.T()) + mu * SX::eye(6), J).T()
                   : solve_spd(SX::mtimes(J.T(), J) + mu * SX::eye(nv), J.T());
  }
  std::string damping_text() const { return spec_.pinv_damping == 1e-6 ? "1e-6" : casadi::str(spec_.pinv_damping); }
  std::vector<SX> kinematic_parameters() const {
    std::vector<SX> out;
    for (const char* set : {"par_DHtable", "par_origins", "par_world2L0", "par_Ln2EE"})
      if (params_.has(set) && !params_.input(set).is_empty()) out.push_back(params_.input(set));
    return out;
  }
  void add_kinematics();
  void add_frames();
  void add_dynamics();
  void add_regressors();
  void add_centroidal();
  void add_configuration();
  void add_elastic();
  void add_forward_dynamics();
  void resolve_contacts();
  void add_contacts();

  struct Contact {
    int frame, dim;
  };
  std::vector<Contact> contacts_;  ///< --contacts, resolved to model frames, in row order

  const RobotSpec& spec_;
  const BuildOptions& options_;
  Parameters params_;
  MultibodyModel model_;
  int ne_ = 0;
  std::vector<Output> vars_;
  std::unique_ptr<Kinematics> kin_;
  std::unique_ptr<MultibodyModel> model_factored_;
  std::unique_ptr<Kinematics> kin_factored_;
  std::vector<BodyInertia> bodies_;
  SX qdot_, tangent_, ee_jacobian_, mass_matrix_;  ///< built once, shared by the functions that need them
  SX link_friction_;  ///< dl (+ dc): every link friction term the model has (n)
  SX elastic_spring_, motor_damping_;  ///< k + d and dm of the SEA model (ne), set by add_elastic
  FunctionSet set_;
  mutable std::vector<std::string> catalog_;  ///< names asked of wanted(): the catalog for this robot
  std::vector<std::string> built_;
};

void Builder::add(const std::string& name, const std::string& description, const std::vector<Output>& outputs,
                  const SolvedOutputs& solved) {
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
  std::shared_ptr<const FactoredSolve> plan;
  if (solved.factor && options_.factored_solves) {
    std::vector<SX> others;
    std::vector<std::string> other_names;
    casadi_int columns = 0;
    for (size_t o = 0; o < exprs.size(); ++o) {
      if (std::find(solved.outputs.begin(), solved.outputs.end(), static_cast<int>(o)) != solved.outputs.end()) {
        columns += exprs[o].size2();
        continue;
      }
      others.push_back(exprs[o]);
      other_names.push_back(out_names[o]);
    }
    if (columns != solved.B.size2()) throw std::logic_error(name + ": the solved outputs do not match B's columns");
    plan = factored_solve(name, in, in_names, others, other_names, *solved.factor, solved.B, solved.outputs,
                          solved.negated, solved.symmetric);
    if (fn.n_instructions() - plan->parts.n_instructions() < vector_solve_threshold()) plan.reset();
  }
  set_.functions.push_back({fn, description, plan});
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
    qe.push_back(q(model_.reduced_q(e.joint)));
    dqe.push_back(dq(model_.reduced_v(e.joint)));
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
  const Vec3 g = gravity();
  SX link = model_.reduce_rows(rnea(kin(), bodies(), full(dq), full(var("ddq")), &g)) + link_friction_;
  const SX spring = k + d;
  elastic_spring_ = spring;
  motor_damping_ = dm;
  for (int e = 0; e < ne; ++e) link(model_.reduced_v(spec_.elastic[e].joint)) -= spring(e);
  add("sea_link_torque",
      "Link side of the SEA model: M ddq + C dq + G + dl - S (k + d) (n); 0 at the elastic joints "
      "and the actuator torque at the rigid ones when q, x follow the coupled model",
      {{"sea_link_torque", link}});
  add("sea_motor_torque", "Motor side of the SEA model: tau_m = Mm ddx + dm + k + d (ne)",
      {{"sea_motor_torque", SX::mtimes(Mm, ddx) + dm + spring}});
}

void Builder::add_kinematics() {
  const SX &q = var("q"), &dq = var("dq"), &ddq = var("ddq");
  const SX qdq = SX::vertcat({q, dq}), dqddq = SX::vertcat({qdot(), ddq});
  const Kinematics& k = kin();
  const int n = model_.njoints();
  // Link 0: the root welded to the world, or the floating base's body.
  if (model_.floating_base())
    add("T_0", "World to link 0 (the floating base) transform (4x4)", {{"T_0", homogeneous(k.R0(0), k.p0(0))}});
  else
    add("T_0", "World to link 0 transform (4x4)", {{"T_0", homogeneous(model_.root_R(), model_.root_p())}});
  {
    std::vector<Output> local, world;
    for (int i = 0; i < n; ++i) {
      local.push_back({"T_" + idx(i + 1), homogeneous(k.joint(i).rotation(), k.joint(i).origin())});
      world.push_back({"T_0_" + idx(i + 1), homogeneous(k.R0(i), k.p0(i))});
    }
    add("T_i", "Transform from the parent body of joint i to its body, every joint (4x4 each)", local);
    add("T_0_i", "World transform of every body frame (4x4 each)", world);
  }
  {
    std::vector<Output> J;
    for (int i = 0; i < n; ++i) J.push_back({"J_" + idx(i + 1), model_.reduce_cols(k.jacobian(i, k.p0(i)))});
    add("J_i", "Geometric Jacobian of every body frame, [linear; angular], world frame (6xnv each)", J);
  }
  const int ee = model_.ee_frame();
  if (ee >= 0) {
    const int body = model_.frames()[ee].body;
    add("T_0_ee", "World transform of the end effector (4x4)", {{"T_0_ee", homogeneous(k.frame_R(ee), k.frame_p(ee))}});
    const SX J_ee = model_.reduce_cols(k.jacobian(body, k.frame_p(ee)));
    add("J_ee", "End-effector geometric Jacobian, [linear; angular], world frame (6xnv)", {{"J_ee", J_ee}});
    const SX J_ee_dot = SX::jtimes(J_ee, q, qdot());
    add("J_ee_dot", "Time derivative of the end-effector Jacobian (6xnv)", {{"J_ee_dot", J_ee_dot}});
    add("J_ee_ddot", "Second time derivative of the end-effector Jacobian (6xnv)",
        {{"J_ee_ddot", SX::jtimes(J_ee_dot, qdq, dqddq)}});
    // J'(J J' + l^2 I)^-1 = (J'J + l^2 I)^-1 J': solve the smaller system, which is also the
    // well-conditioned one (J J' of a robot with n < 6 joints is singular).
    add("J_ee_pinv", "Damped pseudo-inverse of J_ee: J'(J J' + " + damping_text() + " I)^-1 (nvx6)",
        {{"J_ee_pinv", damped_pinv(J_ee)}});
    ee_jacobian_ = J_ee;
  }
  {
    std::vector<Output> J;
    for (int i = 0; i < n; ++i) {
      const Vec3 c = Vec3::of(params_.element("par_DYN", 10 * i + 1), params_.element("par_DYN", 10 * i + 2),
                              params_.element("par_DYN", 10 * i + 3));
      J.push_back({"J_cm_" + idx(i + 1), model_.reduce_cols(k.jacobian(i, k.p0(i) + k.R0(i) * c))});
    }
    add("J_cm_i", "Jacobian of every body's centre of mass, [linear; angular], world frame (6xnv each)", J);
  }
}

void Builder::add_frames() {
  const SX& q = var("q");
  const SX qdq = SX::vertcat({q, var("dq")}), dqddq = SX::vertcat({qdot(), var("ddq")});
  const Kinematics& k = kin();
  std::vector<std::string> names = options_.frames.empty() ? default_frames(spec_) : options_.frames;
  std::vector<int> seen;
  for (const std::string& name : names) {
    int f = model_.find_frame(name);
    // thunder 1.0's end-effector node is the model's "ee" frame under the node's name.
    if (f < 0 && spec_.has_ee && name == spec_.ee_link) f = model_.ee_frame();
    if (f < 0) {
      std::string known;
      for (const FrameModel& F : model_.frames()) known += (known.empty() ? "" : ", ") + F.name;
      throw std::invalid_argument("--frames: no frame named '" + name + "' (frames: " + known + ")");
    }
    const std::string id = identifier_of(name);
    bool twice = false;
    for (const auto& other : set_.frames) {
      if (other.id != id) continue;
      if (other.name == name) twice = true;
      else throw std::invalid_argument("--frames: frames '" + other.name + "' and '" + name + "' both give functions T_w_" + id);
    }
    if (twice) continue;
    const SX J = model_.reduce_cols(k.jacobian(model_.frames()[f].body, k.frame_p(f)));
    add("T_w_" + id, "World placement of frame " + name + " (4x4)", {{"T_w_" + id, homogeneous(k.frame_R(f), k.frame_p(f))}});
    // J_ee (and its derivatives) exist already under their v0.x names with the same meaning.
    if (!set_.find_function("J_" + id))
      add("J_" + id, "Jacobian of frame " + name + ", [linear; angular], world-aligned at its origin (6xnv)",
          {{"J_" + id, J}});
    const bool derivatives = std::find(options_.derivative_frames.begin(), options_.derivative_frames.end(), name) !=
                             options_.derivative_frames.end();
    const SX J_dot = SX::jtimes(J, q, qdot());
    if ((options_.frame_derivatives || derivatives) && !set_.find_function("J_" + id + "_dot"))
      add("J_" + id + "_dot", "Time derivative of J_" + id + " (6xnv)", {{"J_" + id + "_dot", J_dot}});
    if (derivatives && !set_.find_function("J_" + id + "_ddot"))
      add("J_" + id + "_ddot", "Second time derivative of J_" + id + " (6xnv)",
          {{"J_" + id + "_ddot", SX::jtimes(J_dot, qdq, dqddq)}});
    if (derivatives && !set_.find_function("J_" + id + "_pinv"))
      add("J_" + id + "_pinv", "Damped pseudo-inverse of J_" + id + ": J'(J J' + " + damping_text() +
          " I)^-1 (nvx6)", {{"J_" + id + "_pinv", damped_pinv(J)}});
    // thunder 1.0's kinematic regressors, per available frame, when kinematic parameters are symbolic.
    if (spec_.v1.on && std::find(spec_.v1.available.begin(), spec_.v1.available.end(), name) != spec_.v1.available.end()) {
      const std::vector<SX> kp = kinematic_parameters();
      if (!kp.empty()) {
        const SX p = SX::vertcat(kp);
        add("reg_Jdq_" + id, "Jacobian of J_" + id + " dq w.r.t. the symbolic kinematic parameters (6 x n_kin)",
            {{"reg_Jdq_" + id, SX::jacobian(SX::mtimes(J, var("dq")), p)}});
        add("reg_JTw_" + id, "Jacobian of J_" + id + "' w w.r.t. the symbolic kinematic parameters (nv x n_kin)",
            {{"reg_JTw_" + id, SX::jacobian(SX::mtimes(J.T(), var("w")), p)}});
      }
    }
    set_.frames.push_back({name, id});
  }
}

void Builder::add_dynamics() {
  const SX &q = var("q"), &dq = var("dq"), &ddq = var("ddq"), &d3q = var("d3q");
  const SX &dqr = var("dqr");
  const SX qdq = SX::vertcat({q, dq}), dqddq = SX::vertcat({qdot(), ddq});
  const Kinematics& k = kin();
  const int nv = model_.nv();
  const Vec3 g = gravity();
  mass_matrix_ = smaller_of([&](const Kinematics& kk) { return model_.reduce(crba(kk, bodies())); });
  const SX& M = mass_matrix_;
  add("M", "Mass matrix (nvxnv)", {{"M", M}});
  const SX zeros = SX::zeros(nv, 1);
  // Two constructions of the same Christoffel-consistent C: the Coriolis recursion
  // (algorithm/coriolis.h, Echeandia & Wensing 2021), and the Christoffel symbols of the first
  // kind of M, C = 1/2 (dM/dt + d(M dq)/dq - d(M dq)/dq'). Which is smaller depends on the robot;
  // by default C takes the smaller (counted as generated, with CSE), C_std is always the second.
  // The recursion is O(n^2) (Panda: 2,972 against 3,062 for Christoffel's O(n^3), and 6,095 for
  // the Jacobian of the Slotine-Li recursion in dqr that it replaces; bench/RESULTS_DYNAMICS.md).
  // BuildOptions::coriolis forces one, so that both are generated and tested on every robot.
  // With a floating base v is not the derivative of q (quasi-velocities), the Christoffel form
  // does not apply and C is the recursion's.
  using CC = CoriolisConstruction;
  if (model_.floating_base() && options_.coriolis == CC::Christoffel)
    throw std::invalid_argument("--coriolis christoffel: a floating base has no Christoffel form of C "
                                "(v is not dq/dt); use recursive or auto");
  const bool fixed = !model_.floating_base();
  const bool need_rnea = options_.coriolis != CC::Christoffel;
  const bool need_std = fixed && (options_.coriolis != CC::Recursive || wanted("C_std"));
  const SX C_rnea = need_rnea ? model_.reduce(coriolis_matrix(k, bodies(), full(dq))) : SX();
  if (std::getenv("THUNDER_FD_DERIVATIVES_ALTERNATIVES"))  // instruction counts (bench/dynamics.sh)
    add("C_slotine_li", "C as the Jacobian of the Slotine-Li recursion in dqr (previous construction)",
        {{"C_slotine_li",
          SX::jacobian(model_.reduce_rows(slotine_li(k, bodies(), full(dq), full(dqr), full(zeros), nullptr)), dqr)}});
  SX C_std;
  if (need_std) {
    const SX dMdq = SX::jacobian(SX::mtimes(M, dq), q);
    C_std = 0.5 * (SX::jtimes(M, q, dq) + dMdq - dMdq.T());
  }
  SX C = options_.coriolis == CC::Christoffel ? C_std : C_rnea;
  const bool need_choice = wanted("C") || wanted("C_dot") || wanted("C_ddot");
  if (fixed && options_.coriolis == CC::Auto && need_choice) {
    const casadi_int n_std = instructions({q, dq}, C_std), n_rnea = instructions({q, dq}, C_rnea);
    if (n_std <= n_rnea) C = C_std;
    if (options_.progress)
      options_.progress("C candidates: Christoffel of M " + std::to_string(n_std) + ", Slotine-Li recursion " +
                        std::to_string(n_rnea) + " instructions");
  }
  add("C", "Coriolis matrix, Christoffel-consistent: dM/dt - 2C skew-symmetric (nvxnv)", {{"C", C}});
  if (need_std)
    add("C_std", "Coriolis matrix from the Christoffel symbols of M (reference construction, nvxnv)", {{"C_std", C_std}});
  add("Cdq", "Coriolis and centrifugal torques C(q, dq) dq (nv)",
      {{"Cdq", model_.reduce_rows(rnea(k, bodies(), full(dq), full(zeros), nullptr))}});
  const SX G = model_.reduce_rows(gravity_torques(k, bodies(), g));
  add("G", "Gravity torques: the joint torques that balance gravity (nv)", {{"G", G}});
  add("tau", "Inverse dynamics M ddq + C dq + G by Newton-Euler (nv)", {{"tau", model_.reduce_rows(rnea(k, bodies(), full(dq), full(ddq), &g))}});
  // Ṁ by forward-mode AD of CRBA: smaller than C + Cᵀ of the Coriolis recursion (Panda 1,303
  // against 3,021 instructions, go1 2,258 against 6,383).
  const SX M_dot = SX::jtimes(M, q, qdot());
  add("M_dot", "Time derivative of M (nvxnv)", {{"M_dot", M_dot}});
  add("M_ddot", "Second time derivative of M (nvxnv)", {{"M_ddot", SX::jtimes(M_dot, qdq, dqddq)}});
  const SX C_dot = SX::jtimes(C, qdq, dqddq);
  add("C_dot", "Time derivative of C (nvxnv)", {{"C_dot", C_dot}});
  add("C_ddot", "Second time derivative of C (nvxnv)",
      {{"C_ddot", SX::jtimes(C_dot, SX::vertcat({q, dq, ddq}), SX::vertcat({qdot(), ddq, d3q}))}});
  const SX G_dot = SX::jtimes(G, q, qdot());
  add("G_dot", "Time derivative of G (nv)", {{"G_dot", G_dot}});
  add("G_ddot", "Second time derivative of G (nv)", {{"G_ddot", SX::jtimes(G_dot, qdq, dqddq)}});
}

void Builder::add_regressors() {
  // The dynamics are linear in par_REG (per body: m, h = m c, I about the body origin).
  const SX &dq = var("dq"), &ddq = var("ddq"), &dqr = var("dqr"), &ddqr = var("ddqr");
  const Kinematics& k = kin();
  const int nb = model_.njoints();
  const SX zeros = SX::zeros(model_.nv(), 1);
  const Vec3 g = gravity();
  const SX reg = SX::sym("par_REG", 10 * nb);
  const std::vector<BodyInertia> L = inertias_from_reg(reg);
  // Each body's force is linear in its own parameters: its 6x10 regressor projected onto the
  // joints that support it (algorithm/regressor.h), built only for wanted functions.
  const auto project = [&](const std::vector<Force>& f, const Kinematics& kk) {
    return model_.reduce_rows(project_body_regressors(kk, f, reg));
  };
  // The Newton-Euler forces' regressors written out (regressor.h's body_regressor) rather than
  // CasADi's Jacobian of the forces in par_REG: go1's Y 6,457 -> 5,703 instructions (Pinocchio's
  // computeJointTorqueRegressor on SX: 5,757), g1's 29,560 -> 26,964 (31,655).
  const auto project_ne = [&](const SX& v, const SX& a, const Vec3* grav) {
    return smaller_of([&](const Kinematics& kk) {
      const BodyMotions m = rnea_body_motions(kk, v, a, grav);
      std::vector<SX> Phi;
      for (int i = 0; i < nb; ++i) Phi.push_back(body_regressor(m.v[i], m.a[i]));
      return model_.reduce_rows(project_body_regressors(kk, Phi));
    });
  };
  if (wanted("Y"))
    add("Y", "Joint torque regressor: Y * par_REG = tau(q, dq, ddq) (nv x 10 n_bodies)",
        {{"Y", project_ne(full(dq), full(ddq), &g)}});
  if (wanted("Yr"))
    add("Yr", "Slotine-Li regressor: Yr * par_REG = M ddqr + C dqr + G (nv x 10 n_bodies)",
        {{"Yr", smaller_of([&](const Kinematics& kk) {
            return project(slotine_li_body_forces(kk, L, full(dq), full(dqr), full(ddqr), &g), kk);
          })}});
  if (wanted("reg_M") || wanted("reg_C") || wanted("reg_G")) {
    add("reg_M", "Regressor of M ddq: reg_M * par_REG = M ddq (nv x 10 n_bodies)",
        {{"reg_M", project_ne(full(zeros), full(ddq), nullptr)}});
    add("reg_C", "Regressor of C dqr: reg_C * par_REG = C(q, dq) dqr (nv x 10 n_bodies)",
        {{"reg_C", smaller_of([&](const Kinematics& kk) {
            return project(slotine_li_body_forces(kk, L, full(dq), full(dqr), full(zeros), nullptr), kk);
          })}});
    add("reg_G", "Regressor of G: reg_G * par_REG = G (nv x 10 n_bodies)",
        {{"reg_G", project_ne(full(zeros), full(zeros), &g)}});
  }
  if (std::getenv("THUNDER_FD_DERIVATIVES_ALTERNATIVES")) {  // the previous construction: AD in par_REG
    add("Y_ad", "Y by CasADi AD of RNEA in par_REG",
        {{"Y_ad", SX::jacobian(model_.reduce_rows(rnea(k, L, full(dq), full(ddq), &g)), reg)}});
    add("Yr_ad", "Yr by CasADi AD of the Slotine-Li recursion in par_REG",
        {{"Yr_ad", SX::jacobian(model_.reduce_rows(slotine_li(k, L, full(dq), full(dqr), full(ddqr), &g)), reg)}});
  }

  // Kinematic regressors: derivatives of J dq and J' w with respect to the symbolic kinematic
  // parameters (only when the robot file flags some).
  if (ee_jacobian_.is_empty()) return;
  const std::vector<SX> kin_params = kinematic_parameters();
  if (kin_params.empty()) return;
  const SX p = SX::vertcat(kin_params);
  add("reg_Jdq", "Jacobian of J_ee dq w.r.t. the symbolic kinematic parameters (6 x n_kin)",
      {{"reg_Jdq", SX::jacobian(SX::mtimes(ee_jacobian_, dq), p)}});
  add("reg_JTw", "Jacobian of J_ee' w w.r.t. the symbolic kinematic parameters (nv x n_kin)",
      {{"reg_JTw", SX::jacobian(SX::mtimes(ee_jacobian_.T(), var("w")), p)}});
}

void Builder::add_centroidal() {
  const Centroidal c = centroidal(kin(), bodies());
  add("com", "Centre of mass of the bodies that move, world frame (3)", {{"com", c.com}});
  add("J_com", "Jacobian of the centre of mass (3xnv)", {{"J_com", model_.reduce_cols(c.J_com)}});
  add("A_G", "Centroidal momentum matrix: [linear; angular about the CoM] momentum = A_G dq, world-aligned (6xnv)",
      {{"A_G", model_.reduce_cols(c.A_G)}});
}

void Builder::add_configuration() {
  const SX &q = var("q"), &dq = var("dq"), &dt = var("dt"), &q0 = var("q0"), &q1 = var("q1");
  add("integrate", "Configuration after moving with velocity dq for dt: q (+) dq dt, on the manifold for a "
      "floating base (nq)", {{"q_next", integrate(model_, q, dq, dt)}});
  add("difference", "Velocity that moves q0 to q1 in unit time: q1 (-) q0, in the tangent space (nv)",
      {{"dq", difference(model_, q0, q1)}});
}

void Builder::add_forward_dynamics() {
  const SX &q = var("q"), &dq = var("dq"), &ddq = var("ddq"), &torque = var("torque");
  const int nv = model_.nv();
  const Vec3 g = gravity();
  bool derivatives = false;
  for (const char* f : {"dtau_dq", "dtau_ddq", "dFD_dq", "dFD_ddq", "tau_derivatives", "FD_derivatives",
                        "dtau_dq_ad", "dFD_dq_ad", "tau_derivatives_ad", "FD_derivatives_ad", "FD_derivatives_aba",
                        "FD_derivatives_minv", "M_inv_aba", "FD_ltdl", "FD_aba"})
    derivatives = derivatives || wanted(f);
  if (!(wanted("FD") || wanted("M_inv") || derivatives || (ne_ > 0 && wanted("FD_sea")))) return;
  // M⁻¹ from CRBA's M and its sparse factorization M = Lᵀ D L (algorithm/ltdl.h), solved for unit
  // columns and mirrored from the upper triangle: smaller than the articulated-body recursion on
  // unit torques (Panda 953 against 1,750 instructions, solo12 4,303 against 6,289). A mimic
  // coupling breaks the tree sparsity: there the reduced M is factorised by Cholesky.
  std::unique_ptr<LTDL> fac;
  if (!model_.has_mimic()) fac.reset(new LTDL(ltdl(mass_matrix_, dof_parents(model_))));
  const SX M_inv = fac ? upper_mirrored_inverse(*fac) : solve_spd(mass_matrix_, SX::eye(nv));
  add("M_inv", "Inverse of the mass matrix, by the sparse factorization M = L'DL of CRBA's M (Featherstone "
      "2008, 6.5; Cholesky of M with mimic joints) (nvxnv)", {{"M_inv", M_inv}});
  // FD by the articulated-body algorithm or by CRBA's M through its sparse factorization with the
  // RNEA bias, whichever has fewer instructions on this robot: ABA on long chains (simple humanoid
  // 7,878 against 11,555; g1 15,048 against 16,402), the factorization on short trees (Panda
  // 1,754 against 2,025; go1 4,622 against 5,146; solo12 4,297 against 4,885; anymal_c 6,664
  // against 8,141), where it also has fewer levels, which the torch backend runs one step each
  // (Panda 80 against 132: 0.72-0.94x the time per call at batch 4096).
  bool fd_by_ltdl = false;
  SX bias_h, fd_aba, fd_ltdl;  // the RNEA bias C dq + G and the two constructions of FD
  if (fac) {
    bias_h = model_.reduce_rows(rnea(kin(), bodies(), full(dq), SX::zeros(model_.nv_full(), 1), &g));
    const SX net = torque - link_friction_;
    fd_aba = aba(kin(), bodies(), dq, net, &g);
    fd_ltdl = ltdl_solve(*fac, net - bias_h);
    const casadi_int n_aba = instructions({q, dq, torque}, fd_aba), n_ltdl = instructions({q, dq, torque}, fd_ltdl);
    fd_by_ltdl = n_ltdl < n_aba;
    if (options_.progress)
      options_.progress("FD candidates: articulated-body algorithm " + std::to_string(n_aba) +
                        ", CRBA with the sparse factorization " + std::to_string(n_ltdl) + " instructions");
  }
  /// ddq for the joint torques `net` (friction already subtracted): the SEA link torques.
  const auto forward = [&](const SX& net) {
    if (fd_by_ltdl) return ltdl_solve(*fac, net - bias_h);
    if (!model_.has_mimic()) return aba(kin(), bodies(), dq, net, &g);
    const SX bias = model_.reduce_rows(rnea(kin(), bodies(), full(dq), full(SX::zeros(nv, 1)), &g));
    return solve_spd(mass_matrix_, net - bias);
  };
  // The link friction the file has (dl, dc) acts against the joint torques.
  const SX fd = fac ? (fd_by_ltdl ? fd_ltdl : fd_aba) : forward(torque - link_friction_);
  // FD as built before the choice (ABA; Cholesky with mimic joints), for the *_ad and *_aba
  // alternatives below, which stand for the previous constructions in bench/'s counts.
  const SX& fd_before = fac ? fd_aba : fd;
  add("FD", std::string("Forward dynamics: ddq with M ddq + C dq + G + friction = torque, by ") +
                (model_.has_mimic() ? "Cholesky of the reduced M and the RNEA bias"
                 : fd_by_ltdl       ? "CRBA's M through its sparse factorization M = L'DL and the RNEA bias "
                                      "(smaller than the articulated-body algorithm on this robot)"
                                    : "the articulated-body algorithm (smaller than CRBA with the sparse "
                                      "factorization on this robot)") +
                " (nv)",
      {{"ddq", fd}});
  if (derivatives) {
    // Derivatives in the tangent space (Pinocchio's convention): d tau(q (+) e)/de at e = 0, by
    // the analytic recursion of Carpentier & Mansard (algorithm/rnea_derivatives.h), which shares
    // its passes across columns where CasADi AD of the unrolled RNEA costs O(n) per column.
    // Mimic joints: the recursion runs in full coordinates, G' (.) G reduces it.
    const RneaDerivatives rd = rnea_derivatives(kin(), bodies(), full(dq), full(ddq), &g);
    const SX tau = model_.reduce_rows(rnea(kin(), bodies(), full(dq), full(ddq), &g));
    const SX dtau_dq = model_.reduce(rd.dtau_dq), dtau_dv = model_.reduce(rd.dtau_dv);
    add("dtau_dq", "Partial derivative of the inverse dynamics tau(q, dq, ddq) with respect to q, in the "
        "tangent space for a floating base (Pinocchio's computeRNEADerivatives) (nvxnv)", {{"dtau_dq", dtau_dq}});
    add("dtau_ddq", "Partial derivative of the inverse dynamics with respect to dq (nvxnv)", {{"dtau_ddq", dtau_dv}});
    // ∂FD/∂q = -M⁻¹ ∂tau/∂q and ∂FD/∂dq = -M⁻¹ (∂tau/∂dq + ∂friction/∂dq), both at ddq = FD
    // (differentiating M ddq + h = torque - friction), as computeABADerivatives: the recursion
    // runs with a = FD directly, no substitution.
    // Inside these functions ddq = M⁻¹ (torque − friction − h), with the bias h from the
    // recursion's own pass at ddq = 0 (shared by CSE): smaller than a separate ABA. M⁻¹ applies
    // as the sparse factorization (2 Σ depth + n operations per column instead of n²) or, with
    // mimic joints, as the product by M_inv.
    const RneaDerivatives rd_0 = rnea_derivatives(kin(), bodies(), full(dq), SX::zeros(model_.nv_full(), 1), &g);
    const SX bias = model_.reduce_rows(rd_0.tau);
    // M as the recursion has it (Sᵀ I^c S from the pieces the derivatives use) rather than CRBA's.
    std::unique_ptr<LTDL> fac_rd;
    if (fac) fac_rd.reset(new LTDL(ltdl(model_.reduce(rd_0.M), dof_parents(model_))));
    const auto solve_M = [&](const SX& B) { return fac_rd ? ltdl_solve(*fac_rd, B) : SX::mtimes(M_inv, B); };
    const SX fd_m = solve_M(torque - link_friction_ - bias);
    const RneaDerivatives rd_fd = rnea_derivatives(kin(), bodies(), full(dq), full(fd_m), &g);
    const SX rhs_dq = model_.reduce(rd_fd.dtau_dq);
    const SX rhs_dv = model_.reduce(rd_fd.dtau_dv) + SX::jacobian(link_friction_, dq);
    const SX dfd_dq = -solve_M(rhs_dq), dfd_dv = -solve_M(rhs_dv);
    const auto solved = [&](const SX& B, std::vector<int> outputs, std::vector<int> symmetric = {}) {
      SolvedOutputs s;
      if (fac_rd) s = {fac_rd.get(), B, std::move(outputs), true, std::move(symmetric)};
      return s;
    };
    add("dFD_dq", "Partial derivative of FD(q, dq, torque) with respect to q, tangent space for a floating base "
        "(Pinocchio's computeABADerivatives) (nvxnv)", {{"dFD_dq", dfd_dq}}, solved(rhs_dq, {0}));
    add("dFD_ddq", "Partial derivative of FD(q, dq, torque) with respect to dq, friction included (nvxnv); "
        "dFD/dtorque is M_inv", {{"dFD_ddq", dfd_dv}}, solved(rhs_dv, {0}));
    // All at once, sharing the recursions, as Pinocchio's algorithms return them.
    // tau from the recursion's own world-frame pass, which the derivatives share (Panda 6,354
    // instructions against 7,231 with the body-frame RNEA beside it).
    add("tau_derivatives", "tau with its partial derivatives with respect to q (tangent space) and dq, "
        "as computeRNEADerivatives (nv, nvxnv, nvxnv)",
        {{"tau", model_.reduce_rows(rd.tau)}, {"dtau_dq", dtau_dq}, {"dtau_ddq", dtau_dv}});
    add("FD_derivatives", "FD with its partial derivatives with respect to q (tangent space) and dq, and "
        "dFD/dtorque = M_inv, as computeABADerivatives (nv, nvxnv, nvxnv, nvxnv)",
        {{"ddq", fd_m}, {"dFD_dq", dfd_dq}, {"dFD_ddq", dfd_dv}, {"M_inv", fac_rd ? upper_mirrored_inverse(*fac_rd) : M_inv}},
        // The C++ library solves for M_inv in the same pass (B = -I; the first pass skips what
        // stays zero): on the simple humanoid the parts shrink from 54k to 42k instructions and a
        // call from 17.1 to 16.4 us, against M_inv as CasADi code beside the solve.
        solved(SX::horzcat({rhs_dq, rhs_dv, -SX::eye(model_.nv())}), {1, 2, 3}, {3}));
    if (std::getenv("THUNDER_FD_DERIVATIVES_ALTERNATIVES")) {  // instruction counts (bench/dynamics.sh)
      // The previous constructions: CasADi AD of RNEA (and of ABA for dFD_ddq).
      const SX ad_dq = tangent_jacobian(tau), ad_dv = SX::jacobian(tau, dq);
      add("dtau_dq_ad", "dtau_dq by CasADi AD of RNEA", {{"dtau_dq_ad", ad_dq}});
      add("dtau_ddq_ad", "dtau_ddq by CasADi AD of RNEA", {{"dtau_ddq_ad", ad_dv}});
      add("tau_derivatives_ad", "tau_derivatives by CasADi AD of RNEA",
          {{"tau", tau}, {"dtau_dq", ad_dq}, {"dtau_ddq", ad_dv}});
      const SX ad_fd_dq = -SX::mtimes(M_inv, SX::substitute(ad_dq, ddq, fd_before));
      const SX ad_fd_dv = SX::jacobian(fd_before, dq);
      add("dFD_dq_ad", "dFD_dq as -M_inv (AD of RNEA) at ddq = FD", {{"dFD_dq_ad", ad_fd_dq}});
      add("dFD_ddq_ad", "dFD_ddq by CasADi AD of the ABA recursion", {{"dFD_ddq_ad", ad_fd_dv}});
      const RneaDerivatives rd_aba = rnea_derivatives(kin(), bodies(), full(dq), full(fd_before), &g);
      const SX aba_dq = -SX::mtimes(M_inv, model_.reduce(rd_aba.dtau_dq));
      const SX aba_dv = -SX::mtimes(M_inv, model_.reduce(rd_aba.dtau_dv) + SX::jacobian(link_friction_, dq));
      add("FD_derivatives_aba", "FD_derivatives with ddq by ABA", {{"ddq", fd_before}, {"dFD_dq", aba_dq}, {"dFD_ddq", aba_dv}, {"M_inv", M_inv}});
      const SX fd_p = SX::mtimes(M_inv, torque - link_friction_ - bias);
      const RneaDerivatives rd_p = rnea_derivatives(kin(), bodies(), full(dq), full(fd_p), &g);
      if (fac) {
        add("FD_ltdl", "FD by CRBA, the sparse factorization and the RNEA bias", {{"ddq", fd_ltdl}});
        add("FD_aba", "FD by the articulated-body algorithm", {{"ddq", fd_aba}});
      }
      add("M_inv_aba", "M_inv by the articulated-body recursion on unit torques",
          {{"M_inv", model_.has_mimic() ? M_inv : model_.reduce(minverse(kin(), bodies()))}});
      add("FD_derivatives_minv", "FD_derivatives by products with M_inv",
          {{"ddq", fd_p}, {"dFD_dq", -SX::mtimes(M_inv, model_.reduce(rd_p.dtau_dq))},
           {"dFD_ddq", -SX::mtimes(M_inv, model_.reduce(rd_p.dtau_dv) + SX::jacobian(link_friction_, dq))}, {"M_inv", M_inv}});
      add("FD_derivatives_ad", "FD_derivatives by the previous constructions",
          {{"ddq", fd_before}, {"dFD_dq", ad_fd_dq}, {"dFD_ddq", ad_fd_dv}, {"M_inv", M_inv}});
    }
  }
  if (ne_ > 0 && wanted("FD_sea")) {
    // Coupled elastic-joint model: the springs drive the links, tau_m and the springs the motors.
    // Rigid joints (a partial-SEA file) are driven by `torque` at their entries; torque's entries
    // at the elastic joints add to the spring (0 for a pure SEA).
    // k + d and dm as add_elastic built them (it runs first).
    const SX &tau_m = var("tau_m"), &spring = elastic_spring_;
    const bool rigid_joints = ne_ < nv;
    SX link_torque = rigid_joints ? SX(torque) : SX::zeros(nv, 1);
    for (int e = 0; e < ne_; ++e) link_torque(model_.reduced_v(spec_.elastic[e].joint)) += spring(e);
    const SX ddq_sea = forward(link_torque - link_friction_);
    const SX ddx = (tau_m - motor_damping_ - spring) / params_.vector("par_Mm");
    add("FD_sea", std::string("Forward dynamics of the coupled elastic-joint model: M ddq + C dq + G + dl = S (k + d)") +
        (rigid_joints ? " + torque" : "") + ", Mm ddx + dm + k + d = tau_m (nv, ne)",
        {{"ddq", ddq_sea}, {"ddx", ddx}});
  }
}

void Builder::resolve_contacts() {
  std::vector<std::string> known;
  for (const FrameModel& F : model_.frames()) known.push_back(F.name);
  for (const ContactFrame& c : options_.contacts) {
    const auto fail = [&](const std::string& why) { throw InputError(spec_.source_file, 0, "--contacts", why); };
    if (c.dim != 3 && c.dim != 6) fail("contact '" + c.frame + "' has " + idx(c.dim) + " rows; expected 3 (point) or 6 (:6d)");
    const int f = model_.find_frame(c.frame);
    if (f < 0) {
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      fail("no frame named '" + c.frame + "'" + did_you_mean(c.frame, known) + " (frames: " + list + ")");
    }
    // A frame on a body welded to the world has no velocity: its rows of J would be zero and
    // J M⁻¹ Jᵀ singular.
    if (model_.frames()[f].body < 0)
      fail("frame '" + c.frame + "' is welded to the world (no joint moves it): it cannot be a contact");
    for (const Contact& other : contacts_)
      if (other.frame == f) fail("frame '" + c.frame + "' is listed twice");
    contacts_.push_back({f, c.dim});
    set_.contacts.push_back({c.frame, c.dim});
  }
}

void Builder::add_contacts() {
  if (contacts_.empty()) return;
  bool any = false;
  for (const std::string& f : contact_function_names()) any = wanted(f) || any;
  if (!any) return;
  const SX &dq = var("dq"), &torque = var("torque"), &active = var("active");
  const Kinematics& k = kin();
  // Contact detection (thunder_torch.Ground) needs every frame's position at once: one call instead
  // of one T_w_<frame> per contact.
  std::vector<SX> positions;
  for (const Contact& c : contacts_) positions.push_back(k.frame_p(c.frame).to_sx());
  add("p_contact", "World positions of the contact frames' origins, stacked in --contacts order (3k: x, y, z "
      "per contact)", {{"p_contact", SX::vertcat(positions)}});
  // J: the frame Jacobians of add_frames (world-aligned at the frame origin, [linear; angular]),
  // 3 or 6 rows per contact; `rows` repeats each contact's 0/1 over its rows.
  std::vector<SX> blocks, row_mask;
  for (size_t c = 0; c < contacts_.size(); ++c) {
    const int f = contacts_[c].frame, dim = contacts_[c].dim;
    const SX J = model_.reduce_cols(k.jacobian(model_.frames()[f].body, k.frame_p(f)));
    blocks.push_back(J(casadi::Slice(0, dim), casadi::Slice()));
    for (int r = 0; r < dim; ++r) row_mask.push_back(active(static_cast<casadi_int>(c)));
  }
  const SX J = SX::vertcat(blocks), rows = SX::vertcat(row_mask);
  // γ = J̇ q̇: the frames' classical accelerations at q̈ = 0 by one forward pass
  // (algorithm/frame_acceleration.h): half the instructions of AD of J q̇ (go1 feet 880 / 1,759).
  std::vector<int> frames;
  for (const Contact& c : contacts_) frames.push_back(c.frame);
  /// J a + γ: the contact rows of the frames' classical accelerations at q̈ = a (nv).
  const auto contact_acceleration = [&](const SX& a, const Vec3* grav) {
    const std::vector<FrameAcceleration> acc = frame_classical_accelerations(k, full(dq), full(a), frames, grav);
    std::vector<SX> rows_of;
    for (size_t c = 0; c < contacts_.size(); ++c) {
      rows_of.push_back(acc[c].linear.to_sx());
      if (contacts_[c].dim == 6) rows_of.push_back(acc[c].angular.to_sx());
    }
    return SX::vertcat(rows_of);
  };
  const SX gamma = contact_acceleration(SX::zeros(model_.nv(), 1), nullptr);
  // The same γ from the RNEA's forward pass with gravity, for the solves whose bias h builds that
  // pass anyway (frame_acceleration.h; CSE shares it): go1 FD_contact 8,909 -> 8,806 instructions.
  const Vec3 g_world = gravity();
  const SX gamma_h = contact_acceleration(SX::zeros(model_.nv(), 1), &g_world);
  const std::string m = idx(J.size1());
  add("J_contact", "Contact Jacobian: --contacts stacked, 3 rows (linear) per point contact, 6 ([linear; "
      "angular]) per 6d contact, world-aligned at the frame origin (" + m + "xnv)", {{"J_contact", J}});
  add("gamma_contact", "Contact drift J_contact_dot dq: the classical acceleration of the contact frames at "
      "ddq = 0 (angular acceleration for 6d contacts) (" + m + ")", {{"gamma_contact", gamma}});
  const bool derivatives = wanted("FD_contact_derivatives");
  if (!wanted("FD_contact") && !wanted("impulse_contact") && !wanted("step_contact") && !derivatives) return;
  // M = Lᵀ D L (algorithm/ltdl.h); with mimic joints the reduced M has no tree sparsity and the
  // chain parents λ(k) = k − 1 make the same factorization a dense LDLᵀ.
  std::vector<int> parents(model_.nv());
  if (model_.has_mimic())
    for (int i = 0; i < model_.nv(); ++i) parents[i] = i - 1;
  else
    parents = dof_parents(model_);
  const LTDL fac = ltdl(mass_matrix_, parents);
  const Vec3 g = gravity();
  const std::string fd_text = "M ddq + C dq + G + friction = torque + J_contact' force with J_contact ddq + "
                              "gamma_contact = 0 on the active contacts";
  if (wanted("FD_contact") || derivatives) {
    // h = C q̇ + G by Newton-Euler at q̈ = 0; the link friction acts against the torques, as in FD.
    const SX h = model_.reduce_rows(rnea(k, bodies(), full(dq), SX::zeros(model_.nv_full(), 1), &g));
    const ContactSolution s = constrained_solve(fac, J, torque - link_friction_ - h, -gamma_h, rows);
    add("FD_contact", "Contact-constrained forward dynamics: " + fd_text + " (active: 0/1 per contact; an "
        "inactive contact's force rows are 0) (nv, " + m + ")", {{"ddq", s.x}, {"force", s.lambda}});
    if (derivatives) {
      // Implicit differentiation of ID(q, v, q̈) − Jᵀλ = τ and J q̈ + γ = 0 (Carpentier & Mansard,
      // RSS 2018, §IV for the contact case): with q̈ and λ held at the solution,
      //   M ∂q̈ − Jᵀ ∂λ = −∂(ID − Jᵀλ),  J ∂q̈ = −∂(J a + γ)|_{a = q̈}  on the active rows,
      // the same structured solve for 2 nv + nv right-hand sides (∂/∂q in the tangent space, ∂/∂v,
      // ∂/∂τ = [I; 0]). ∂ID from the analytic recursion (algorithm/rnea_derivatives.h), the
      // contact terms Jᵀλ and J a + γ by CasADi AD at fixed λ and a (small: kinematics only).
      const int nv = model_.nv();
      const SX lam = SX::sym("lambda", J.size1()), a = SX::sym("a", nv);
      const SX JT_lam_dq = SX::substitute(tangent_jacobian(SX::mtimes(J.T(), lam)), lam, s.lambda);
      const SX acc = contact_acceleration(a, nullptr);
      const SX acc_dq = SX::substitute(tangent_jacobian(acc), a, s.x), acc_dv = SX::substitute(SX::jacobian(acc, dq), a, s.x);
      const RneaDerivatives rd = rnea_derivatives(k, bodies(), full(dq), full(s.x), &g);
      const SX b = SX::horzcat({JT_lam_dq - model_.reduce(rd.dtau_dq),
                                -(model_.reduce(rd.dtau_dv) + SX::jacobian(link_friction_, dq)), SX::eye(nv)});
      const SX c = SX::horzcat({-acc_dq, -acc_dv, SX::zeros(J.size1(), nv)});
      const ContactSolution d = constrained_solve(fac, J, b, c, rows);
      const casadi::Slice all, Q(0, nv), V(nv, 2 * nv), T(2 * nv, 3 * nv);
      // ∂q̈/∂τ = M⁻¹ − M⁻¹Jᵀ K⁻¹ S J M⁻¹ is symmetric for a 0/1 mode (K⁻¹ S = S K⁻¹ S): its upper
      // triangle mirrored, so that the rows of column j below j (the end of each root-to-leaves
      // solve) drop out of the generated code.
      SX ddq_dtau = SX::zeros(nv, nv);
      for (int i = 0; i < nv; ++i)
        for (int j = i; j < nv; ++j) ddq_dtau(i, j) = ddq_dtau(j, i) = d.x(i, 2 * nv + j);
      add("FD_contact_derivatives", "Partial derivatives of FD_contact (ddq and force) with respect to q "
          "(tangent space for a floating base), dq and torque, as Pinocchio's "
          "computeConstraintDynamicsDerivatives (nvxnv, nvxnv, nvxnv, " + m + "xnv x3)",
          {{"ddq_dq", d.x(all, Q)}, {"ddq_dv", d.x(all, V)}, {"ddq_dtau", ddq_dtau},
           {"force_dq", d.lambda(all, Q)}, {"force_dv", d.lambda(all, V)}, {"force_dtau", d.lambda(all, T)}});
    }
  }
  if (wanted("step_contact")) {
    // The velocity-level step of thunder_torch.Ground in one call: the free velocity and the
    // impulse share CRBA's M and its factorization, which FD (articulated-body) and
    // impulse_contact each build; go1 (4 feet): 8,839 instructions against FD 5,146 +
    // impulse_contact 6,117.
    const SX h = model_.reduce_rows(rnea(k, bodies(), full(dq), SX::zeros(model_.nv_full(), 1), &g));
    const SX dq_free = dq + var("dt") * ltdl_solve(fac, torque - link_friction_ - h);
    const ContactSolution s = contact_impulse(fac, J, dq_free, var("restitution"), rows);
    add("step_contact", "One velocity-level contact step: dq_free = dq + dt FD(q, dq, torque), then "
        "impulse_contact(q, dq_free, active, restitution) (nv, nv, " + m + ")",
        {{"dq_free", dq_free}, {"dq_plus", s.x}, {"impulse", s.lambda}});
  }
  if (wanted("impulse_contact")) {
    const ContactSolution s = contact_impulse(fac, J, dq, var("restitution"), rows);
    add("impulse_contact", "Contact impulse (Pinocchio's impulseDynamics): M (dq_plus - dq) = J_contact' impulse "
        "with J_contact dq_plus = -restitution J_contact dq on the active contacts (nv, " + m + ")",
        {{"dq_plus", s.x}, {"impulse", s.lambda}});
  }
}

FunctionSet Builder::build() {
  add_kinematics();
  add_frames();
  add_dynamics();
  add_regressors();
  add_centroidal();
  add_configuration();
  const int n = model_.njoints();
  const SX& dq = var("dq");

  // --- friction and elastic terms (fixed-base robots: the thunder files that carry them)
  link_friction_ = SX::zeros(model_.nv(), 1);
  if (spec_.Dl_order > 0 && !model_.floating_base()) {
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
  if (spec_.coulomb_friction && !model_.floating_base()) {
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
  add_forward_dynamics();
  add_contacts();

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
    // thunder 1.0's names of the same maps.
    for (int which = 0; which < 2 && spec_.v1.on; ++which) {
      const std::string name = which == 0 ? "dyn2reg" : "reg2dyn";
      if (!wanted(name)) continue;
      casadi::Function fn(name, {which == 0 ? dyn : reg}, {SX::vertcat(which == 0 ? to_reg : to_dyn)},
                          {which == 0 ? "par_DYN" : "par_REG"}, {which == 0 ? "par_REG" : "par_DYN"},
                          casadi::Dict{{"cse", true}});
      set_.functions.push_back({fn, which == 0 ? "thunder 1.0 name of par_DYN_to_REG (10n)"
                                                : "thunder 1.0 name of par_REG_to_DYN (10n)"});
    }
  }

  if (!options_.only.empty()) {
    for (const std::string& name : options_.only) {
      if (!set_.find_function(name))
        throw std::invalid_argument("--functions: unknown function '" + name + "'" + did_you_mean(name, catalog_) +
                                    " (thunder gen --help; docs/FUNCTIONS.md lists them)");
    }
  }
  return set_;
}

}  // namespace

std::vector<std::string> default_frames(const RobotSpec& spec) {
  std::vector<std::string> names;
  if (spec.has_ee && spec.n() > 0) names.push_back("ee");
  const int first_moving = spec.floating_base() ? 1 : 0;
  for (const Frame& f : spec.frames) {
    if (!f.leaf || f.body < first_moving) continue;
    // A chain's tip is its end effector already.
    if (spec.has_ee && f.name == spec.ee_link) continue;
    names.push_back(f.name);
  }
  return names;
}

const std::set<std::string>& contact_function_names() {
  static const std::set<std::string> names = {"p_contact",       "J_contact",    "gamma_contact",
                                              "FD_contact",      "impulse_contact", "step_contact",
                                              "FD_contact_derivatives"};
  return names;
}

FunctionSet build_function_set(const RobotSpec& spec, const BuildOptions& options) {
  Builder b(spec, options);
  return b.build();
}

}  // namespace thunder
