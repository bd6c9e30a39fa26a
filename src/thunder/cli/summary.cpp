#include "thunder/cli/summary.h"

#include <algorithm>
#include <cstdio>
#include <iomanip>

#include "thunder/model/parameters.h"
#include "thunder/util/format.h"

namespace thunder {
namespace {

std::string num(double v) { return short_number(v); }

std::string val(const Scalar& s) { return num(s.value) + (s.symbolic ? "*" : ""); }

template <class C>
std::string vec(const C& xs) {
  std::string out = "[";
  for (size_t i = 0; i < xs.size(); ++i) out += (i ? ", " : "") + val(xs[i]);
  return out + "]";
}

std::string pose(const Pose& p) { return "tr " + vec(p.tr) + ", ypr " + vec(p.ypr); }

void collect(std::vector<std::string>& out, const Scalar& s) {
  if (s.symbolic) out.push_back(s.field);
}
template <class C>
void collect_all(std::vector<std::string>& out, const C& xs) {
  for (const Scalar& s : xs) collect(out, s);
}

}  // namespace

void print_summary(const RobotSpec& spec, std::ostream& os) {
  os << "robot:    " << spec.name << "\n";
  os << "source:   " << spec.source_file << " (" << spec.format << ")\n";
  os << "joints:   " << spec.n() << " (nq " << spec.nq() << ", nv " << spec.nv()
     << (spec.floating_base() ? ", floating base" : "") << ")\n";
  // The name column fits the longest joint name (URDF names such as shoulder_pan_joint).
  int name_width = 10;
  for (const Joint& j : spec.joints) name_width = std::max(name_width, static_cast<int>(j.name.size()) + 2);
  os << "  " << std::left << std::setw(4) << "#" << std::setw(name_width) << "name" << std::setw(6) << "type"
     << std::setw(9) << "elastic" << "origin, axis\n";
  for (int i = 0; i < spec.n(); ++i) {
    const Joint& j = spec.joints[i];
    std::string origin;
    if (j.origin == JointOrigin::DH)
      origin = "DH a=" + val(j.dh[0]) + " alpha=" + val(j.dh[1]) + " d=" + val(j.dh[2]) + " theta=" + val(j.dh[3]);
    else
      origin = "xyz " + vec(j.xyz) + (j.rpy_xyz ? " rpy(Rx Ry Rz) " : " rpy ") + vec(j.rpy);
    const std::string axis = "[" + num(j.axis[0]) + ", " + num(j.axis[1]) + ", " + num(j.axis[2]) + "]";
    os << "  " << std::setw(4) << (i + 1) << std::setw(name_width) << j.name << std::setw(6)
       << (j.type == JointType::Revolute ? "R" : j.type == JointType::Prismatic ? "P" : "free") << std::setw(9)
       << (j.elastic ? "yes" : "no") << origin << "  axis " << axis;
    if (j.parent != i - 1) os << "  parent " << (j.parent < 0 ? std::string("base") : spec.joints[j.parent].name);
    if (j.mimic >= 0 && j.mimic_multiplier == 0.0 && j.mimic_offset == 0.0) os << "  (rigid: mimics " << spec.joints[j.mimic].name << " x 0)";
    else if (j.mimic >= 0) os << "  (mimics " << spec.joints[j.mimic].name << ")";
    os << "\n";
  }
  os << std::right;
  os << "frames:   world -> " << spec.base_link << " (base: " << pose(spec.base) << ")\n";
  // A chain in one line; a tree as one line per branch from the base (or a body) to a leaf, so a
  // quadruped's four legs are not drawn as one chain.
  bool chain = true;
  for (int i = 0; i < spec.n(); ++i)
    if (spec.joints[i].parent != i - 1) chain = false;
  for (int i = 0; i < spec.n(); ++i) {
    const bool starts = i == 0 || spec.joints[i].parent != i - 1;  // a new branch
    if (chain && i > 0) {
      os << " -> " << spec.links[i].name;
      continue;
    }
    if (starts) {
      if (i > 0) os << "\n";
      os << "          " << (spec.joints[i].parent >= 0 ? spec.links[spec.joints[i].parent].name + " -> "
                                : i == 0 ? std::string() : spec.base_link + " -> ");
    } else {
      os << " -> ";
    }
    os << spec.links[i].name;
  }
  if (spec.has_ee) os << "\n          -> " << spec.ee_link << " (end effector: " << pose(spec.ee) << ")";
  os << "\n";
  os << "gravity:  " << vec(spec.gravity) << "\n";
  os << "links:\n";
  for (const Link& l : spec.links) {
    os << "  " << l.name << ": mass " << val(l.mass) << ", com " << vec(l.com) << ", inertia " << vec(l.inertia);
    if (!l.friction.empty()) os << ", friction " << vec(l.friction);
    if (spec.coulomb_friction) os << ", Dc " << val(l.coulomb);
    os << "\n";
  }
  os << "friction: Dl_order " << spec.Dl_order;
  if (spec.coulomb_friction)
    os << ", Coulomb Dc " << (spec.coulomb_smoothing > 0 ? "tanh(dq / " + num(spec.coulomb_smoothing) + ")" : "sign(dq)");
  os << "\n";
  os << "elastic:  " << (spec.elastic_model ? "on" : "off");
  if (spec.elastic_model)
    os << " (K_order " << spec.K_order << ", D_order " << spec.D_order << ", Dm_order " << spec.Dm_order << ")";
  os << "\n";
  for (const ElasticJoint& e : spec.elastic) {
    os << "  " << spec.joints[e.joint].name;
    // v0.x entries are matched by position: say so when the file's key names another joint
    const std::string prefix = "elastic.joints.", own = prefix + spec.joints[e.joint].name + ".";
    if (e.Mm.field.compare(0, prefix.size(), prefix) == 0 && e.Mm.field.compare(0, own.size(), own) != 0)
      os << " (file entry '" << e.Mm.field.substr(prefix.size(), e.Mm.field.size() - prefix.size() - 3) << "')";
    os << ": K " << vec(e.K) << ", D " << vec(e.D) << ", Dm " << vec(e.Dm) << ", Mm " << val(e.Mm) << "\n";
  }

  std::vector<std::string> symb;
  for (const Joint& j : spec.joints) {
    collect_all(symb, j.dh);
    if (j.origin != JointOrigin::DH) {
      collect_all(symb, j.xyz);
      collect_all(symb, j.rpy);
    }
  }
  collect_all(symb, spec.gravity);
  collect_all(symb, spec.base.tr);
  collect_all(symb, spec.base.ypr);
  collect_all(symb, spec.ee.tr);
  collect_all(symb, spec.ee.ypr);
  for (const Link& l : spec.links) {
    collect(symb, l.mass);
    collect_all(symb, l.com);
    collect_all(symb, l.inertia);
    collect_all(symb, l.friction);
    if (spec.coulomb_friction) collect(symb, l.coulomb);
  }
  for (const ElasticJoint& e : spec.elastic) {
    collect_all(symb, e.K);
    collect_all(symb, e.D);
    collect_all(symb, e.Dm);
    collect(symb, e.Mm);
  }
  os << "symbolic: " << symb.size() << " parameters (marked * above)\n";
  for (const auto& f : symb) os << "  " << f << "\n";
  // The sets gen writes (model/parameters.cpp), not a list of its own that could disagree.
  os << "parameter sets:\n";
  const Parameters parameters(spec);  // a named object: sets() refers into it
  for (const ParamSet& p : parameters.sets()) {
    int symbolic = 0;
    for (bool b : p.symbolic) symbolic += b;
    os << "  " << std::left << std::setw(14) << p.name << std::right << std::setw(4) << p.size() << "  ("
       << symbolic << " symbolic)\n";
  }
  os << "warnings: " << spec.warnings.size() << "\n";
}

}  // namespace thunder
