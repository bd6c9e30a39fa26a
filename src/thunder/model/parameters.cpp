#include "thunder/model/parameters.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>

#include "thunder/model/inertia.h"

namespace thunder {
namespace {

// An element's name and its index alias: "panda_link3" and "link3" for a URDF robot, whose
// parameter files then read as its description does; thunder's index names stay valid.
struct Prefix {
  std::string name, index;
};

void push(ParamSet& set, const Prefix& prefix, const std::string& suffix, const Scalar& s) {
  set.elements.push_back(prefix.name + "." + suffix);
  set.aliases.push_back(prefix.index + "." + suffix);
  set.values.push_back(s.value);
  set.symbolic.push_back(s.symbolic);
}

// A description's name is used only where it survives as a YAML key and as one word in messages.
bool usable_name(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  return true;
}

// Index names, as thunder names links: link 0 is the base. With a floating base the base is a
// body of its own (moved by joint 0, the free-flyer), so body k is link k.
Prefix link_name(const RobotSpec& spec, int k) {
  Prefix p;
  p.index = "link" + std::to_string(spec.floating_base() ? k : k + 1);
  const std::string& own = spec.links[k].name;
  p.name = spec.format == "urdf" && usable_name(own) ? own : p.index;
  return p;
}
Prefix joint_name(const RobotSpec& spec, int k) {
  Prefix p;
  if (spec.floating_base()) p.index = k == 0 ? "root_joint" : "joint" + std::to_string(k);
  else p.index = "joint" + std::to_string(k + 1);
  const std::string& own = spec.joints[k].name;
  p.name = spec.format == "urdf" && usable_name(own) ? own : p.index;
  return p;
}

}  // namespace

Parameters::Parameters(const RobotSpec& spec, const ParameterOptions& options) {
  const int n = spec.n();
  {
    ParamSet dyn{"par_DYN", "Inertial parameters per link: mass, CoM (link frame), inertia about the CoM", {}, {}, {}, {}};
    static const char* names[10] = {"mass", "CoM_x", "CoM_y", "CoM_z", "Ixx", "Ixy", "Ixz", "Iyy", "Iyz", "Izz"};
    for (int k = 0; k < n; ++k) {
      const Link& l = spec.links[k];
      const Scalar* s[10] = {&l.mass, &l.com[0], &l.com[1], &l.com[2], &l.inertia[0],
                             &l.inertia[1], &l.inertia[2], &l.inertia[3], &l.inertia[4], &l.inertia[5]};
      for (int j = 0; j < 10; ++j) push(dyn, link_name(spec, k), names[j], *s[j]);
    }
    add(dyn);
  }
  {
    // par_REG is derived from par_DYN: its values are reported for reference, never symbolic.
    ParamSet reg{"par_REG", "Regressor parameters per link: mass, first moment m*CoM, inertia about the link origin", {}, {}, {}, {}};
    static const char* names[10] = {"mass", "m_CoM_x", "m_CoM_y", "m_CoM_z", "Ixx", "Ixy", "Ixz", "Iyy", "Iyz", "Izz"};
    const ParamSet& dyn = sets_[index_.at("par_DYN")];
    std::vector<double> reg_values = dyn_to_reg(dyn.values);
    for (int k = 0; k < n; ++k)
      for (int j = 0; j < 10; ++j) {
        reg.elements.push_back(link_name(spec, k).name + "." + names[j]);
        reg.aliases.push_back(link_name(spec, k).index + "." + names[j]);
        reg.values.push_back(reg_values[10 * k + j]);
        reg.symbolic.push_back(false);
      }
    add(reg);
  }
  if (spec.Dl_order > 0) {
    ParamSet dl{"par_Dl", "Link friction coefficients per joint, orders 1..Dl_order", {}, {}, {}, {}};
    for (int k = 0; k < n; ++k)
      for (int o = 0; o < spec.Dl_order; ++o)
        push(dl, link_name(spec, k), "Dl" + std::to_string(o + 1), spec.links[k].friction.at(o));
    add(dl);
  }
  if (spec.coulomb_friction) {
    ParamSet dc{"par_Dc", "Coulomb friction coefficients per joint (Thunder's Coulomb model)", {}, {}, {}, {}};
    for (int k = 0; k < n; ++k) push(dc, link_name(spec, k), "Dc", spec.links[k].coulomb);
    add(dc);
  }
  if (spec.elastic_model && !spec.elastic.empty()) {
    ParamSet K{"par_K", "Elastic coupling stiffness coefficients", {}, {}, {}, {}};
    ParamSet D{"par_D", "Elastic coupling damping coefficients", {}, {}, {}, {}};
    ParamSet Dm{"par_Dm", "Motor damping coefficients", {}, {}, {}, {}};
    ParamSet Mm{"par_Mm", "Motor inertias", {}, {}, {}, {}};
    for (const ElasticJoint& e : spec.elastic) {
      const Prefix j = joint_name(spec, e.joint);
      for (size_t o = 0; o < e.K.size(); ++o) push(K, j, "K" + std::to_string(o + 1), e.K[o]);
      for (size_t o = 0; o < e.D.size(); ++o) push(D, j, "D" + std::to_string(o + 1), e.D[o]);
      for (size_t o = 0; o < e.Dm.size(); ++o) push(Dm, j, "Dm" + std::to_string(o + 1), e.Dm[o]);
      push(Mm, j, "Mm", e.Mm);
    }
    if (K.size()) add(K);
    if (D.size()) add(D);
    if (Dm.size()) add(Dm);
    add(Mm);
  }
  const bool dh = !spec.joints.empty() && spec.joints[0].origin == JointOrigin::DH;
  if (dh) {
    ParamSet t{"par_DHtable", "Modified DH parameters per joint: a, alpha, d, theta", {}, {}, {}, {}};
    static const char* names[4] = {"a", "alpha", "d", "theta"};
    for (int k = 0; k < n; ++k)
      for (int j = 0; j < 4; ++j) push(t, joint_name(spec, k), names[j], spec.joints[k].dh[j]);
    add(t);
  } else {
    ParamSet t{"par_origins", "Joint origins: x, y, z, roll, pitch, yaw", {}, {}, {}, {}};
    static const char* names[6] = {"x", "y", "z", "roll", "pitch", "yaw"};
    for (int k = 0; k < n; ++k) {
      const Joint& jt = spec.joints[k];
      const Scalar* s[6] = {&jt.xyz[0], &jt.xyz[1], &jt.xyz[2], &jt.rpy[0], &jt.rpy[1], &jt.rpy[2]};
      for (int j = 0; j < 6; ++j) push(t, joint_name(spec, k), names[j], *s[j]);
    }
    add(t);
  }
  static const char* pose_names[6] = {"x", "y", "z", "yaw", "pitch", "roll"};
  for (int which = 0; which < 2; ++which) {
    // A floating base's placement is in q; a tree without an end effector has no Ln_to_EE.
    if (which == 0 && spec.floating_base()) continue;
    if (which == 1 && !(spec.has_ee && spec.n() > 0)) continue;
    const Pose& pose = which == 0 ? spec.base : spec.ee;
    ParamSet p{which == 0 ? "par_world2L0" : "par_Ln2EE",
               which == 0 ? "World to link 0: x, y, z, yaw, pitch, roll" : "Link n to end effector: x, y, z, yaw, pitch, roll",
               {}, {}, {}, {}};
    const Prefix prefix{which == 0 ? "base" : "ee", which == 0 ? "base" : "ee"};
    for (int j = 0; j < 3; ++j) push(p, prefix, pose_names[j], pose.tr[j]);
    for (int j = 0; j < 3; ++j) push(p, prefix, pose_names[3 + j], pose.ypr[j]);
    add(p);
  }
  {
    ParamSet g{"par_gravity", "Gravity vector in the world frame", {}, {}, {}, {}};
    static const char* names[3] = {"x", "y", "z"};
    for (int j = 0; j < 3; ++j) push(g, Prefix{"gravity", "gravity"}, names[j], spec.gravity[j]);
    add(g);
  }

  for (const std::string& name : options.symbolic_sets) {
    auto it = index_.find(name);
    if (it == index_.end() || name == "par_REG")
      throw std::invalid_argument("--symb " + name + ": no such parameter set for this robot" +
                                  (name == "par_REG" ? " (par_REG is derived from par_DYN; use par_DYN)"
                                   : name == "par_Dc" ? " (Coulomb friction is off: add --coulomb)"
                                                      : ""));
    auto& flags = sets_[it->second].symbolic;
    std::fill(flags.begin(), flags.end(), true);
  }

  // Symbols: one SX vector per set holding its symbolic elements.
  elements_.resize(sets_.size());
  inputs_.resize(sets_.size());
  for (size_t s = 0; s < sets_.size(); ++s) {
    const ParamSet& set = sets_[s];
    const std::vector<int> idx = set.symbolic_indices();
    inputs_[s] = casadi::SX::sym(set.name, static_cast<casadi_int>(idx.size()));
    size_t next = 0;
    for (int i = 0; i < set.size(); ++i) {
      if (set.symbolic[i])
        elements_[s].push_back(inputs_[s](static_cast<casadi_int>(next++)));
      else
        elements_[s].push_back(casadi::SX(set.values[i]));
    }
  }
}

void Parameters::add(ParamSet set) {
  // An alias is kept only where it differs from the element's name and names no other element
  // (a URDF link called "link2" elsewhere in the chain): lookups try the names first.
  std::set<std::string> names(set.elements.begin(), set.elements.end());
  bool any = false;
  for (std::string& a : set.aliases) {
    if (names.count(a)) a.clear();
    any = any || !a.empty();
  }
  if (!any) set.aliases.clear();
  index_[set.name] = sets_.size();
  sets_.push_back(std::move(set));
}

casadi::SX Parameters::element(const std::string& set, int i) const {
  return elements_.at(index_.at(set)).at(i);
}

const casadi::SX& Parameters::input(const std::string& set) const { return inputs_.at(index_.at(set)); }

std::vector<std::string> Parameters::sets_used_by(const std::vector<casadi::SX>& exprs) const {
  std::vector<std::string> used;
  for (size_t s = 0; s < sets_.size(); ++s) {
    if (inputs_[s].is_empty()) continue;
    bool depends = false;
    for (const casadi::SX& e : exprs)
      if (!e.is_empty() && casadi::SX::depends_on(e, inputs_[s])) {
        depends = true;
        break;
      }
    if (depends) used.push_back(sets_[s].name);
  }
  return used;
}

}  // namespace thunder
