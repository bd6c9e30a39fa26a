// The thunder_dynamics robot YAML format (as in robots/RRR.yaml, seaRRR.yaml, franka.yaml).
//
// Scalar::field paths follow the file: map keys joined by '.', list items as [i] with the 0-based
// index into the list as written, e.g. "kinematics.DH[5]" (joint 2, alpha), "gravity.value[2]",
// "Base_to_L0.ypr[0]", "dynamics.link3.inertial.Ixx", "dynamics.link3.friction.Dl[1]",
// "elastic.joints.joint1.K[0]", "elastic.joints.joint1.Mm".
#include <algorithm>
#include <array>
#include <cctype>
#include <vector>
#include <string>

#include "thunder/description/load.h"
#include "thunder/description/thunder_v1.h"
#include "thunder/description/yaml_read.h"
#include "thunder/util/error.h"
#include "thunder/util/suggest.h"

namespace thunder {

const char* const kInertialKeys[10] = {"mass", "CoM_x", "CoM_y", "CoM_z", "Ixx",
                                       "Ixy",  "Ixz",   "Iyy",   "Iyz",   "Izz"};

namespace {


// The keys of the format, per map (dynamics.linkK.inertial has its own, stricter check). Any other
// key is reported: thunder files in the wild carry extra keys, so a warning, an error with
// --strict. A new key of the format must be added here.
const std::vector<std::string> kTopKeys = {"version",  "num_joints", "type_joints", "kinematics",
                                           "gravity",  "Base_to_L0", "Ln_to_EE",    "dynamics",
                                           "Dl_order", "ELASTIC_MODEL", "elastic",
                                           "coulomb_friction", "coulomb_smoothing"};  // Thunder's own
const std::vector<std::string> kPoseKeys = {"tr", "ypr", "symb"};
const std::vector<std::string> kLinkKeys = {"inertial", "friction"};
const std::vector<std::string> kFrictionKeys = {"Dl", "symb", "Dc", "Dc_symb"};
const std::vector<std::string> kElasticKeys = {"K_order", "D_order", "Dm_order", "joints"};
const std::vector<std::string> kElasticJointKeys = {"K", "K_symb", "D", "D_symb", "Dm", "Dm_symb", "Mm", "Mm_symb"};

std::string file_stem(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  const size_t dot = base.find_last_of('.');
  if (dot != std::string::npos && dot > 0) base = base.substr(0, dot);
  return base;
}

Scalar constant(double v, const std::string& field) {
  Scalar s;
  s.value = v;
  s.field = field;
  return s;
}

/// Reads `key` as a list of `count` numbers with an optional parallel 0/1 `symb_key` list.
std::vector<Scalar> read_values(const YamlReader& r, const YamlNode& parent, const std::string& parent_path,
                                const std::string& key, int count, const std::string& what) {
  const std::string path = YamlReader::join(parent_path, key);
  const auto items = r.list(r.require(parent, parent_path, key), path, count, what);
  std::vector<Scalar> out;
  for (size_t i = 0; i < items.size(); ++i) out.push_back(r.scalar(*items[i], YamlReader::item(path, i)));
  return out;
}

Pose read_pose(const YamlReader& r, const YamlNode& root, const std::string& key) {
  Pose pose;
  const YamlNode* node = root.find(key);
  if (!node) {
    for (int i = 0; i < 3; ++i) {
      pose.tr[i] = constant(0.0, YamlReader::item(key + ".tr", i));
      pose.ypr[i] = constant(0.0, YamlReader::item(key + ".ypr", i));
    }
    return pose;
  }
  r.expect_map(*node, key);
  const auto tr = read_values(r, *node, key, "tr", 3, "numbers x, y, z");
  const auto ypr = read_values(r, *node, key, "ypr", 3, "numbers yaw, pitch, roll");
  const auto symb = r.flags(*node, key, "symb", 6, "tr and ypr");
  for (int i = 0; i < 3; ++i) {
    pose.tr[i] = tr[i];
    pose.tr[i].symbolic = symb[i];
    pose.ypr[i] = ypr[i];
    pose.ypr[i].symbolic = symb[3 + i];
  }
  return pose;
}

/// Reads a list of coefficients of at least `order` values (the first `order` are kept) with a
/// symb list of the same length as the list in the file.
std::vector<Scalar> read_coefficients(const YamlReader& r, const YamlNode& parent, const std::string& parent_path,
                                      const std::string& key, const std::string& symb_key, int order,
                                      const std::string& order_name) {
  const std::string path = YamlReader::join(parent_path, key);
  const YamlNode* node = parent.find(key);
  if (!node) {
    if (order == 0) return {};
    r.fail(&parent, path, "missing required key '" + key + "' (" + order_name + " = " + std::to_string(order) +
                              " coefficients)");
  }
  const auto items = r.list(*node, path, -1, "numbers");
  if (items.size() < static_cast<size_t>(order))
    r.fail(node, path, "expected " + std::to_string(order) + " coefficients (" + order_name + " = " +
                           std::to_string(order) + "), got " + std::to_string(items.size()));
  std::vector<Scalar> all;
  for (size_t i = 0; i < items.size(); ++i) all.push_back(r.scalar(*items[i], YamlReader::item(path, i)));
  const auto symb = r.flags(parent, parent_path, symb_key, items.size(), key);
  for (size_t i = 0; i < all.size(); ++i) all[i].symbolic = symb[i];
  all.resize(order);
  return all;
}

void read_link(const YamlReader& r, const YamlNode& dynamics, int k, Link& link) {
  const std::string name = "link" + std::to_string(k);
  const std::string path = "dynamics." + name;
  link.name = name;
  const YamlNode& node = r.require(dynamics, "dynamics", name);
  const YamlNode& inertial = r.require(node, path, "inertial");
  const std::string ipath = path + ".inertial";
  r.expect_map(inertial, ipath);
  for (size_t i = 0; i < inertial.keys.size(); ++i) {
    const std::string key = inertial.key(i);
    if (key == "symb") continue;
    if (std::find(std::begin(kInertialKeys), std::end(kInertialKeys), key) == std::end(kInertialKeys))
      r.fail(&inertial.children[i], YamlReader::join(ipath, key),
             "unknown inertial key '" + key + "'; expected mass, CoM_x, CoM_y, CoM_z, Ixx, Ixy, Ixz, Iyy, Iyz, Izz");
  }
  const auto symb = r.flags(inertial, ipath, "symb", 10,
                            "mass, CoM_x, CoM_y, CoM_z, Ixx, Ixy, Ixz, Iyy, Iyz, Izz (in this order)");
  std::array<Scalar, 10> v;
  for (int i = 0; i < 10; ++i) {
    const std::string key = kInertialKeys[i];
    v[i] = r.scalar(r.require(inertial, ipath, key), YamlReader::join(ipath, key), symb[i]);
  }
  link.mass = v[0];
  for (int i = 0; i < 3; ++i) link.com[i] = v[1 + i];
  for (int i = 0; i < 6; ++i) link.inertia[i] = v[4 + i];
}

void read_elastic(const YamlReader& r, const YamlNode& root, RobotSpec& spec, const std::vector<bool>& sea) {
  const YamlNode& el = r.require(root, "", "elastic");
  r.expect_map(el, "elastic");
  auto order = [&](const char* key) {
    const YamlNode* n = el.find(key);
    return n ? r.integer(*n, std::string("elastic.") + key) : 0;
  };
  spec.K_order = order("K_order");
  spec.D_order = order("D_order");
  spec.Dm_order = order("Dm_order");
  const bool any_sea = std::find(sea.begin(), sea.end(), true) != sea.end();
  const YamlNode* joints = el.find("joints");
  if (!joints) {
    if (any_sea) r.fail(&el, "elastic.joints", "missing required key 'joints' (one entry per R_SEA/P_SEA joint)");
    return;
  }
  r.expect_map(*joints, "elastic.joints");
  // thunder (v0.x) reads the entries in file order as the elastic joints in type_joints order,
  // whatever their keys say: a file whose only elastic joint is joint 8 may key it `joint1:`.
  // So do we; the key only names the entry in error messages.
  std::vector<int> elastic_joints;
  for (int j = 0; j < spec.n(); ++j)
    if (sea[j]) elastic_joints.push_back(j);
  if (joints->keys.size() != elastic_joints.size())
    r.fail(joints, "elastic.joints",
           "expected " + std::to_string(elastic_joints.size()) +
               " entries, one per R_SEA/P_SEA joint of type_joints in order (they are matched by "
               "position, not by key), got " + std::to_string(joints->keys.size()));
  for (size_t entry_index = 0; entry_index < elastic_joints.size(); ++entry_index) {
    const int j = elastic_joints[entry_index];
    const std::string path = "elastic.joints." + joints->key(entry_index);
    const YamlNode& e = joints->children[entry_index];
    r.expect_map(e, path);
    ElasticJoint ej;
    ej.joint = j;
    ej.K = read_coefficients(r, e, path, "K", "K_symb", spec.K_order, "elastic.K_order");
    ej.D = read_coefficients(r, e, path, "D", "D_symb", spec.D_order, "elastic.D_order");
    ej.Dm = read_coefficients(r, e, path, "Dm", "Dm_symb", spec.Dm_order, "elastic.Dm_order");
    ej.Mm = r.scalar(r.require(e, path, "Mm"), path + ".Mm");
    if (const YamlNode* ms = e.find("Mm_symb")) {
      if (ms->kind == YamlNode::Sequence) {
        const auto items = r.list(*ms, path + ".Mm_symb", 1, "flag");
        ej.Mm.symbolic = r.flag(*items[0], path + ".Mm_symb[0]");
      } else {
        ej.Mm.symbolic = r.flag(*ms, path + ".Mm_symb");
      }
    }
    spec.elastic.push_back(ej);
  }
}

/// Thunder's Coulomb model (not in thunder_dynamics files): top-level `coulomb_friction: true`
/// and `coulomb_smoothing: EPS`, per link `friction.Dc` (+ `Dc_symb`). With the file's switch
/// every link needs its Dc; switched on by --coulomb alone, a missing Dc is 0 (to identify).
void read_coulomb(const YamlReader& r, const YamlNode& root, const YamlNode& dyn, RobotSpec& spec,
                  const LoadOptions& options) {
  bool in_file = false;
  if (const YamlNode* c = root.find("coulomb_friction")) in_file = r.boolean(*c, "coulomb_friction");
  spec.coulomb_friction = in_file || options.coulomb;
  if (const YamlNode* s = root.find("coulomb_smoothing")) {
    spec.coulomb_smoothing = r.number(*s, "coulomb_smoothing");
    if (!(spec.coulomb_smoothing >= 0))
      r.fail(s, "coulomb_smoothing", "expected a number >= 0 (0: sign(v); > 0: tanh(v / smoothing))");
  }
  if (options.coulomb_smoothing >= 0) spec.coulomb_smoothing = options.coulomb_smoothing;
  for (int j = 0; j < spec.n(); ++j) {
    const std::string lpath = "dynamics.link" + std::to_string(j + 1) + ".friction";
    Scalar& dc = spec.links[j].coulomb;
    dc = constant(0.0, lpath + ".Dc");
    const YamlNode* link = dyn.find("link" + std::to_string(j + 1));
    const YamlNode* fr = link ? link->find("friction") : nullptr;
    const YamlNode* node = fr && fr->kind == YamlNode::Map ? fr->find("Dc") : nullptr;
    if (!node) {
      if (in_file)
        r.fail(fr ? fr : link, lpath + ".Dc",
               "missing required key 'Dc' (coulomb_friction is true: a Coulomb coefficient per link)");
      continue;
    }
    dc = r.scalar(*node, lpath + ".Dc");
    if (const YamlNode* f = fr->find("Dc_symb")) dc.symbolic = r.flag(*f, lpath + ".Dc_symb");
  }
}

}  // namespace

/// Reports every key of map `node` (at `path`) that is not in `known`. Top-level keys whose value
/// carries an anchor (`PI_2: &PI_2 1.57...`) are constants for aliases, not unknown keys.
void check_known_keys(const YamlReader& r, const YamlNode& node, const std::string& path,
                      const std::vector<std::string>& known, bool strict, std::vector<std::string>& warnings) {
  if (node.kind != YamlNode::Map) return;
  for (size_t i = 0; i < node.keys.size(); ++i) {
    const std::string key = node.key(i);
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    if (path.empty() && node.children[i].anchored) continue;
    std::string best;
    size_t best_d = std::string::npos;
    for (const std::string& k : known) {
      const size_t d = edit_distance(key, k);
      if (d < best_d) best_d = d, best = k;
    }
    std::string msg = "unknown key '" + key + "'";
    if (best_d <= std::max<size_t>(2, key.size() / 3)) msg += "; did you mean '" + best + "'?";
    const int line = i < node.key_lines.size() ? node.key_lines[i] : node.children[i].line;
    const std::string field = YamlReader::join(path, key);
    if (strict) throw InputError(r.file(), line, field, msg + " [--strict]");
    warnings.push_back(InputError(r.file(), line, field, msg + " (ignored)").what());
  }
}

/// thunder's oldest layout (v0.1): top-level `DH` list, `type_joints` as a string ('RRR') or a
/// list, `gravity` as a list, no symb flags, and the inertial parameters inline in one of the
/// forms of inertial_file.cpp (franka_inertial.yaml's link0 = the base, link1..linkn,
/// end_effector; or flat mass, CoM_x, ..., Izz per link), at the top level or under `inertial:`.
/// Every parameter is numeric (make sets symbolic with --symb).
RobotSpec load_thunder_v01(const YamlReader& r, const YamlNode& root, const std::string& path,
                           const LoadOptions& options) {
  RobotSpec spec;
  spec.name = options.name.empty() ? file_stem(path) : options.name;
  spec.source_file = path;
  spec.format = "thunder-yaml";
  const int n = r.integer(r.require(root, "", "num_joints"), "num_joints", /*positive=*/true);
  const YamlNode& tj = r.require(root, "", "type_joints");
  std::vector<std::string> types;
  if (tj.kind == YamlNode::Scalar) {
    for (char c : tj.str()) types.push_back(std::string(1, c));
    if (static_cast<int>(types.size()) != n)
      r.fail(&tj, "type_joints", "expected " + std::to_string(n) + " joint types (num_joints), got '" + tj.str() + "'");
  } else {
    const auto items = r.list(tj, "type_joints", n, "joint types (one per joint)");
    for (size_t i = 0; i < items.size(); ++i) types.push_back(r.text(*items[i], YamlReader::item("type_joints", i)));
  }
  const auto dh = read_values(r, root, "", "DH", 4 * n,
                              "DH numbers (4 * num_joints = " + std::to_string(4 * n) + ": a, alpha, d, theta per joint)");
  spec.joints.resize(n);
  for (int j = 0; j < n; ++j) {
    Joint& joint = spec.joints[j];
    joint.name = "joint" + std::to_string(j + 1);
    joint.parent = j - 1;
    if (types[j] == "R") joint.type = JointType::Revolute;
    else if (types[j] == "P") joint.type = JointType::Prismatic;
    else r.fail(&tj, YamlReader::item("type_joints", j), "unknown joint type '" + types[j] + "'; allowed: R, P");
    for (int c = 0; c < 4; ++c) joint.dh[c] = dh[4 * j + c];
  }
  const double g0[3] = {0, 0, -9.81};
  for (int i = 0; i < 3; ++i) spec.gravity[i] = constant(g0[i], YamlReader::item("gravity", i));
  if (const YamlNode* g = root.find("gravity")) {
    if (g->kind == YamlNode::Map) {
      const auto v = read_values(r, *g, "gravity", "value", 3, "numbers (gravity x, y, z)");
      for (int i = 0; i < 3; ++i) spec.gravity[i] = v[i];
    } else {
      const auto v = read_values(r, root, "", "gravity", 3, "numbers (gravity x, y, z)");
      for (int i = 0; i < 3; ++i) spec.gravity[i] = v[i];
    }
  }
  spec.base = read_pose(r, root, "Base_to_L0");
  spec.ee = read_pose(r, root, "Ln_to_EE");
  const YamlNode* block = root.find("inertial");
  if (block) r.expect_map(*block, "inertial");
  else block = &root;
  // Dl_order: the friction coefficients of link1 (friction.d1, d2, ... or a list Dl).
  if (const YamlNode* l1 = block->find("link1"); l1 && l1->kind == YamlNode::Map) {
    const YamlNode* fr = l1->find("friction");
    if (fr && fr->kind != YamlNode::Map) fr = nullptr;
    const YamlNode* dl = fr ? fr->find("Dl") : l1->find("Dl");
    if (dl && dl->kind == YamlNode::Sequence) spec.Dl_order = static_cast<int>(dl->children.size());
    else if (fr)
      while (fr->find("d" + std::to_string(spec.Dl_order + 1))) ++spec.Dl_order;
  }
  spec.links.resize(n);
  for (int j = 0; j < n; ++j) {
    Link& l = spec.links[j];
    l.name = "link" + std::to_string(j + 1);
    const std::string f = (block == &root ? "" : "inertial.") + l.name;
    l.mass = constant(0, f + ".mass");
    for (int i = 0; i < 3; ++i) l.com[i] = constant(0, f + ".origin.xyz[" + std::to_string(i) + "]");
    const char* in[6] = {"xx", "xy", "xz", "yy", "yz", "zz"};
    for (int i = 0; i < 6; ++i) l.inertia[i] = constant(0, f + ".inertia." + in[i]);
    for (int o = 0; o < spec.Dl_order; ++o) l.friction.push_back(constant(0, f + ".friction.d" + std::to_string(o + 1)));
  }
  apply_inertial_block(spec, r, root);  // it finds the links under `inertial:` or at the top
  std::vector<std::string> top = {"version", "num_joints", "type_joints", "DH", "gravity", "Base_to_L0", "Ln_to_EE",
                                  "inertial", "end_effector"};
  for (int j = 0; j <= n; ++j) top.push_back("link" + std::to_string(j));
  check_known_keys(r, root, "", top, options.strict, spec.file_warnings);
  finish_loading(spec, options);
  return spec;
}

RobotSpec load_thunder_yaml(const std::string& path, const LoadOptions& options) {
  const YamlReader r(path);
  const YamlNode root = r.load();
  if (is_thunder_v1_layout(root)) return load_thunder_v1_yaml(r, root, options);
  if (root.find("DH") && !root.find("kinematics")) return load_thunder_v01(r, root, path, options);
  if (!root.find("num_joints") && root.find("link0"))
    r.fail(&root, "", "this is an inertial parameter file, not a robot description; pass it with --par");

  RobotSpec spec;
  spec.name = options.name.empty() ? file_stem(path) : options.name;
  spec.source_file = path;
  spec.format = "thunder-yaml";

  const YamlNode& nj = r.require(root, "", "num_joints");
  const int n = r.integer(nj, "num_joints", /*positive=*/true);

  // Joint types.
  const auto types = r.list(r.require(root, "", "type_joints"), "type_joints", n,
                            "joint types (one per joint, num_joints = " + std::to_string(n) + ")");
  std::vector<bool> sea(n, false);
  spec.joints.resize(n);
  for (int j = 0; j < n; ++j) {
    const std::string field = YamlReader::item("type_joints", j);
    const std::string t = r.text(*types[j], field);
    Joint& joint = spec.joints[j];
    joint.name = "joint" + std::to_string(j + 1);
    joint.parent = j - 1;  // a DH table is a serial chain
    if (t == "R" || t == "R_SEA") joint.type = JointType::Revolute;
    else if (t == "P" || t == "P_SEA") joint.type = JointType::Prismatic;
    else r.fail(types[j], field, "unknown joint type '" + t + "'; allowed: R, P, R_SEA, P_SEA");
    sea[j] = t.size() > 4;
    joint.origin = JointOrigin::DH;
    joint.axis = {0, 0, 1};
  }

  // Kinematics: DH rows a, alpha, d, theta (modified DH).
  const YamlNode& kin = r.require(root, "", "kinematics");
  r.expect_map(kin, "kinematics");
  const auto dh = read_values(r, kin, "kinematics", "DH", 4 * n,
                              "DH numbers (4 * num_joints = " + std::to_string(4 * n) + ": a, alpha, d, theta per joint)");
  const auto dh_symb = r.flags(kin, "kinematics", "symb", 4 * n, "DH");
  for (int j = 0; j < n; ++j)
    for (int c = 0; c < 4; ++c) {
      spec.joints[j].dh[c] = dh[4 * j + c];
      spec.joints[j].dh[c].symbolic = dh_symb[4 * j + c];
    }

  // Gravity.
  if (const YamlNode* g = root.find("gravity")) {
    r.expect_map(*g, "gravity");
    const auto value = read_values(r, *g, "gravity", "value", 3, "numbers (gravity x, y, z)");
    const auto symb = r.flags(*g, "gravity", "symb", 3, "gravity.value");
    for (int i = 0; i < 3; ++i) {
      spec.gravity[i] = value[i];
      spec.gravity[i].symbolic = symb[i];
    }
  } else {
    const double g0[3] = {0, 0, -9.81};
    for (int i = 0; i < 3; ++i) spec.gravity[i] = constant(g0[i], YamlReader::item("gravity.value", i));
  }

  spec.base = read_pose(r, root, "Base_to_L0");
  spec.ee = read_pose(r, root, "Ln_to_EE");

  // Dynamics: inertial parameters and link friction.
  const YamlNode& dyn = r.require(root, "", "dynamics");
  r.expect_map(dyn, "dynamics");
  spec.links.resize(n);
  for (int j = 0; j < n; ++j) read_link(r, dyn, j + 1, spec.links[j]);

  if (const YamlNode* d = root.find("Dl_order")) {
    spec.Dl_order = r.integer(*d, "Dl_order");
  } else {
    // Default: the length of the first Dl list present.
    spec.Dl_order = 0;
    for (int j = 0; j < n; ++j) {
      const YamlNode* link = dyn.find("link" + std::to_string(j + 1));
      const YamlNode* fr = link ? link->find("friction") : nullptr;
      const YamlNode* dl = fr && fr->kind == YamlNode::Map ? fr->find("Dl") : nullptr;
      if (dl && dl->kind == YamlNode::Sequence) {
        spec.Dl_order = static_cast<int>(dl->children.size());
        break;
      }
    }
  }
  for (int j = 0; j < n; ++j) {
    const std::string lpath = "dynamics.link" + std::to_string(j + 1);
    const YamlNode& link = *dyn.find("link" + std::to_string(j + 1));
    const YamlNode* fr = link.find("friction");
    if (!fr) {
      if (spec.Dl_order > 0)
        r.fail(&link, lpath + ".friction",
               "missing required key 'friction' (Dl_order = " + std::to_string(spec.Dl_order) + " coefficients in Dl)");
      continue;
    }
    r.expect_map(*fr, lpath + ".friction");
    spec.links[j].friction = read_coefficients(r, *fr, lpath + ".friction", "Dl", "symb", spec.Dl_order, "Dl_order");
  }
  read_coulomb(r, root, dyn, spec, options);

  // Elastic joints.
  if (const YamlNode* em = root.find("ELASTIC_MODEL")) {
    spec.elastic_model = r.boolean(*em, "ELASTIC_MODEL");
  } else {
    spec.elastic_model = std::find(sea.begin(), sea.end(), true) != sea.end();
  }
  if (spec.elastic_model) read_elastic(r, root, spec, sea);
  // A joint is elastic when the elastic model is on and its type is R_SEA/P_SEA.
  for (int j = 0; j < n; ++j) spec.joints[j].elastic = spec.elastic_model && sea[j];

  check_known_keys(r, root, "", kTopKeys, options.strict, spec.file_warnings);
  check_known_keys(r, kin, "kinematics", {"DH", "symb"}, options.strict, spec.file_warnings);
  if (const YamlNode* g = root.find("gravity")) check_known_keys(r, *g, "gravity", {"value", "symb"}, options.strict, spec.file_warnings);
  for (const char* pose : {"Base_to_L0", "Ln_to_EE"})
    if (const YamlNode* p = root.find(pose)) check_known_keys(r, *p, pose, kPoseKeys, options.strict, spec.file_warnings);
  std::vector<std::string> link_names;
  for (int j = 0; j < n; ++j) link_names.push_back("link" + std::to_string(j + 1));
  check_known_keys(r, dyn, "dynamics", link_names, options.strict, spec.file_warnings);
  for (int j = 0; j < n; ++j) {
    const std::string lpath = "dynamics." + link_names[j];
    const YamlNode& link = *dyn.find(link_names[j]);
    check_known_keys(r, link, lpath, kLinkKeys, options.strict, spec.file_warnings);
    if (const YamlNode* fr = link.find("friction")) check_known_keys(r, *fr, lpath + ".friction", kFrictionKeys, options.strict, spec.file_warnings);
  }
  if (const YamlNode* el = root.find("elastic")) {
    check_known_keys(r, *el, "elastic", kElasticKeys, options.strict, spec.file_warnings);
    if (const YamlNode* joints = el->find("joints"); joints && joints->kind == YamlNode::Map)
      for (size_t i = 0; i < joints->keys.size(); ++i)
        check_known_keys(r, joints->children[i], "elastic.joints." + joints->key(i), kElasticJointKeys, options.strict, spec.file_warnings);
  }

  finish_loading(spec, options);
  return spec;
}

}  // namespace thunder
