#include "thunder/description/convert_v1.h"

#include <cstdio>
#include <stdexcept>

namespace thunder {
namespace {

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

template <class It>
std::string values(It begin, It end) {
  std::string s = "[";
  for (It i = begin; i != end; ++i) s += (i == begin ? "" : ", ") + num(i->value);
  return s + "]";
}
template <class It>
std::string flags(It begin, It end) {
  std::string s = "[";
  for (It i = begin; i != end; ++i) s += std::string(i == begin ? "" : ", ") + (i->symbolic ? "1" : "0");
  return s + "]";
}
template <class C>
std::string values(const C& c) { return values(c.begin(), c.end()); }
template <class C>
std::string flags(const C& c) { return flags(c.begin(), c.end()); }

void pose(std::ostream& os, const char* key, const char* name, const Pose& p) {
  std::vector<Scalar> all(p.tr.begin(), p.tr.end());
  all.insert(all.end(), p.ypr.begin(), p.ypr.end());
  os << "  " << key << ":\n    name: \"" << name << "\"\n    symb: " << flags(all) << "\n    xyz: " << values(p.tr)
     << "\n    ypr: " << values(p.ypr) << "\n";
}

}  // namespace

std::vector<std::string> write_v1_yaml(const RobotSpec& spec, std::ostream& os) {
  if (spec.format != "thunder-yaml")
    throw std::invalid_argument("thunder convert reads v0.x thunder YAML files (a DH chain); " + spec.source_file +
                                " is " + (spec.format == "urdf" ? "a URDF" : "in the thunder 1.0 layout already"));
  std::vector<std::string> warnings;
  const int n = spec.n();
  const bool soft = spec.elastic_model && !spec.elastic.empty();
  os << "# " << spec.source_file << " in the thunder_dynamics 1.0 layout (written by thunder convert)\n"
     << "pipeline:\n  loaders:    [\"dh_loader\", \"dyn_loader\"" << (soft ? ", \"soft_loader\"" : "") << "]\n"
     << "  builders:   [\"kin_builder\", \"dyn_builder\", " << (soft ? "\"soft_builder\", " : "") << "\"reg_builder\"]\n"
     << "  generators: [\"robot_generator\"]\n\nversion: 1.0\n\n";
  os << "dh_loader:\n  num_joints: " << n << "\n  joints_type: [";
  for (int j = 0; j < n; ++j) {
    const Joint& jt = spec.joints[j];
    os << (j ? ", " : "") << "\"" << (jt.type == JointType::Prismatic ? "P" : "R") << (jt.elastic ? "_SEA" : "") << "\"";
  }
  os << "]\n  DH:\n    link_names: \"link\"\n";
  std::vector<Scalar> dh;
  for (const Joint& j : spec.joints) dh.insert(dh.end(), j.dh.begin(), j.dh.end());
  os << "    symb: " << flags(dh) << "\n    value: " << values(dh) << "\n";
  pose(os, "Base_to_L0", "base", spec.base);
  pose(os, "Ln_to_EE", "ee", spec.ee);
  os << "\ndyn_loader:\n  Dl_order: " << spec.Dl_order << "\n  gravity:\n    symb: " << flags(spec.gravity)
     << "\n    value: " << values(spec.gravity) << "\n  dynamics:\n";
  // Node link<k> (k = 0..n): the body of v0.x link k (k >= 1), the friction of joint k + 1 (k < n).
  for (int k = 0; k <= n; ++k) {
    if (k == 0 && spec.Dl_order == 0) continue;
    os << "    link" << k << ":\n";
    if (k >= 1) {
      const Link& l = spec.links[k - 1];
      std::vector<Scalar> all{l.mass};
      all.insert(all.end(), l.com.begin(), l.com.end());
      all.insert(all.end(), l.inertia.begin(), l.inertia.end());
      os << "      inertial:\n        symb: " << flags(all) << "\n        mass: " << num(l.mass.value)
         << "\n        CoM: " << values(l.com) << "\n        I: " << values(l.inertia) << "\n";
    }
    if (k < n && spec.Dl_order > 0) {
      const Link& l = spec.links[k];
      os << "      friction:\n        symb: " << flags(l.friction) << "\n        Dl: " << values(l.friction) << "\n";
    }
  }
  if (soft) {
    os << "\nsoft_loader:\n  K_order: " << spec.K_order << "\n  D_order: " << spec.D_order
       << "\n  Dm_order: " << spec.Dm_order << "\n  joints:\n";
    for (const ElasticJoint& e : spec.elastic) {
      os << "    link" << e.joint << ":\n      K: " << values(e.K) << "\n      K_symb: " << flags(e.K) << "\n      D: "
         << values(e.D) << "\n      D_symb: " << flags(e.D) << "\n      Dm: " << values(e.Dm) << "\n      Dm_symb: "
         << flags(e.Dm) << "\n      Mm: " << num(e.Mm.value) << "\n      Mm_symb: " << (e.Mm.symbolic ? 1 : 0) << "\n";
    }
  }
  if (spec.coulomb_friction)
    warnings.push_back(spec.source_file + ": coulomb_friction (Thunder's own Coulomb model) has no place in the "
                       "thunder 1.0 layout: dropped");
  return warnings;
}

}  // namespace thunder
