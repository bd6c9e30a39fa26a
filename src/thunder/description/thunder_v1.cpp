// thunder_dynamics 1.0 robot files (docs/configuration.md and docs/plugins/*.md of
// CentroEPiaggio/thunder_dynamics; the fixtures are ../shared/thunder_configs_v1/).
//
// A 1.0 file names its plugins in `pipeline: {loaders, builders, generators}`; each plugin reads
// the block keyed by its name, or the same keys at the top level. The loaders describe a tree of
// nodes: node i is a body attached to frame parent(i) followed by joint i, whose fixed part X_i
// (`xyzrpy`, or `xyz`/`tr` with `rpy` or `ypr`) goes from frame parent(i) to the joint, so
// T_i = X_i T_joint(q_i). RobotSpec's link is the other way round (joint i, then the body it
// moves), so:
//  - every movable node (R, P, R_SEA, P_SEA) is a joint, its parent the nearest movable node above;
//    FIXED nodes are frames on the body of that joint;
//  - the body of node c rides on the joint that moves frame parent(c). The first body that sits at
//    that joint's own frame is the joint's link; every further body (a tree's second branch, a
//    tool after the last link) is a link of its own on a mimic joint with multiplier 0, so that
//    each node keeps its own (possibly symbolic) parameters. A body on the world does not move and
//    is left out;
//  - the friction of node i belongs to joint i (thunder 1.0: "the joint after the body").
// Angles: rpy = [r, p, y] is R = Rx(r) Ry(p) Rz(y), ypr = [y, p, r] is R = Rz(y) Ry(p) Rx(r)
// (Joint::rpy_xyz, Pose::rpy_xyz keep the written convention, so symbolic angles stay exact).
#include "thunder/description/thunder_v1.h"

#include <tinyxml2.h>

#include <algorithm>
#include <sstream>
#include <cmath>
#include <filesystem>
#include <map>

#include "thunder/description/inertia_math.h"
#include "thunder/util/error.h"
#include "thunder/util/suggest.h"

namespace thunder {
namespace {

const char* const kLoaders[] = {"kin_loader", "dh_loader", "dyn_loader", "soft_loader", "urdf_loader"};
const char* const kBuilders[] = {"kin_builder", "dyn_builder", "soft_builder", "reg_builder"};
const char* const kGenerators[] = {"robot_generator"};
/// Names of the intermediate releases (treeSerialRRR.yaml): the same plugins.
std::string canonical_plugin(const std::string& name) {
  if (name == "kinTree_loader") return "kin_loader";
  if (name == "dynTree_loader") return "dyn_loader";
  if (name == "kinTree_builder") return "kin_builder";
  if (name == "dynTree_builder") return "dyn_builder";
  return name;
}
const std::vector<std::string> kFrameKeys = {"name", "symb", "xyzrpy", "xyz", "tr", "rpy", "ypr"};
const std::vector<std::string> kNodeKeys = {"parent", "joint_type", "axis", "dimension", "xyzrpy", "xyz", "tr",
                                            "rpy", "ypr", "symb", "available", "derivatives"};

// ---------------------------------------------------------------- numeric transforms
struct Tf {
  Mat3 R{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}};
  Vec3 p{0, 0, 0};
};
Tf operator*(const Tf& a, const Tf& b) {
  Tf t;
  t.R = mul(a.R, b.R);
  const Vec3 v = mul(a.R, b.p);
  for (int k = 0; k < 3; ++k) t.p[k] = a.p[k] + v[k];
  return t;
}
Mat3 rx(double a) { const double c = std::cos(a), s = std::sin(a); return {{{1, 0, 0}, {0, c, -s}, {0, s, c}}}; }
Mat3 ry(double a) { const double c = std::cos(a), s = std::sin(a); return {{{c, 0, s}, {0, 1, 0}, {-s, 0, c}}}; }
Mat3 rz(double a) { const double c = std::cos(a), s = std::sin(a); return {{{c, -s, 0}, {s, c, 0}, {0, 0, 1}}}; }
bool is_identity(const Tf& t) {
  for (int r = 0; r < 3; ++r) {
    if (t.p[r] != 0.0) return false;
    for (int c = 0; c < 3; ++c)
      if (t.R[r][c] != (r == c ? 1.0 : 0.0)) return false;
  }
  return true;
}
/// URDF roll, pitch, yaw of R = Rz(y) Ry(p) Rx(r).
Vec3 urdf_rpy(const Mat3& R) {
  const double cp = std::hypot(R[0][0], R[1][0]);
  if (cp < 1e-12) return {0.0, std::atan2(-R[2][0], cp), std::atan2(-R[0][1], R[1][1])};
  return {std::atan2(R[2][1], R[2][2]), std::atan2(-R[2][0], cp), std::atan2(R[1][0], R[0][0])};
}

/// A frame as written: translation and [roll, pitch, yaw] in the convention of `rpy_xyz`.
struct Frame6 {
  std::array<Scalar, 3> xyz, rpy;
  bool rpy_xyz = false;
  bool symbolic() const {
    for (int k = 0; k < 3; ++k)
      if (xyz[k].symbolic || rpy[k].symbolic) return true;
    return false;
  }
  Tf numeric() const {
    Tf t;
    t.p = {xyz[0].value, xyz[1].value, xyz[2].value};
    t.R = rpy_xyz ? mul(mul(rx(rpy[0].value), ry(rpy[1].value)), rz(rpy[2].value))
                  : mul(mul(rz(rpy[2].value), ry(rpy[1].value)), rx(rpy[0].value));
    return t;
  }
};
Scalar num(double v, const std::string& field) { return Scalar{v, false, field}; }
Frame6 frame_of(const Tf& t, const std::string& field) {
  Frame6 f;
  const Vec3 a = urdf_rpy(t.R);
  for (int k = 0; k < 3; ++k) {
    f.xyz[k] = num(t.p[k], YamlReader::item(field + ".xyz", k));
    f.rpy[k] = num(a[k], YamlReader::item(field + ".rpy", k));
  }
  return f;
}
Pose pose_of(const Frame6& f) {
  Pose p;
  p.tr = f.xyz;
  p.ypr = {f.rpy[2], f.rpy[1], f.rpy[0]};
  p.rpy_xyz = f.rpy_xyz;
  return p;
}
Frame6 frame_of(const Pose& p) {
  Frame6 f;
  f.xyz = p.tr;
  f.rpy = {p.ypr[2], p.ypr[1], p.ypr[0]};
  f.rpy_xyz = p.rpy_xyz;
  return f;
}

// ---------------------------------------------------------------- the reader
struct Node {
  std::string name, path;
  const YamlNode* yaml = nullptr;
  int parent = -1;  ///< node index, -1: the world
  std::string type = "FIXED";
  std::array<double, 3> axis{0, 0, 1};
  bool dh = false;
  std::array<Scalar, 4> dhrow;
  bool root_frame = false;  ///< dh_loader's base node: its frame is the root (Base_to_L0)
  Frame6 X;
  bool available = false, derivatives = false;
  // Derived: the joint of a movable node; the body frame carrying the node's frame, and where.
  int joint = -1, carrier = -1;
  Tf placement;
  bool movable() const { return type != "FIXED"; }
  bool sea() const { return type == "R_SEA" || type == "P_SEA"; }
};

struct V1Reader {
  V1Reader(const YamlReader& reader, const YamlNode& yaml, const LoadOptions& options)
      : r(reader), root(yaml), opt(options) {}
  const YamlReader& r;
  const YamlNode& root;
  const LoadOptions& opt;
  RobotSpec spec;
  std::vector<std::string> loaders;
  std::vector<std::string> top_keys = {"pipeline", "version"};  ///< known at the top level
  std::vector<Node> nodes;
  std::map<std::string, int> node_index;
  std::vector<bool> link_set;
  std::string urdf_file;

  void warn(const YamlNode* n, const std::string& field, const std::string& msg) {
    spec.file_warnings.push_back(InputError(r.file(), n ? n->line : 0, field, msg).what());
  }
  void check(const YamlNode& n, const std::string& path, const std::vector<std::string>& known) {
    check_known_keys(r, n, path, known, opt.strict, spec.file_warnings);
  }
  bool uses(const std::string& loader) const {
    return std::find(loaders.begin(), loaders.end(), loader) != loaders.end();
  }

  /// The block of plugin `name` (by its name or an older alias), or the top level.
  struct Block {
    const YamlNode* node;
    std::string path;  ///< "" for the top level
  };
  Block block(const std::string& name) const {
    for (size_t i = 0; i < root.keys.size(); ++i)
      if (canonical_plugin(root.key(i)) == name) {
        r.expect_map(root.children[i], root.key(i));
        return {&root.children[i], root.key(i)};
      }
    return {&root, ""};
  }
  /// Key `key` of a block, else at the top level (ahand_finger.yaml keeps `dynamics:` there).
  const YamlNode* find(const Block& b, const std::string& key, std::string& path) {
    if (const YamlNode* n = b.node->find(key)) {
      path = YamlReader::join(b.path, key);
      return n;
    }
    if (b.path.empty()) {
      if (root.find(key)) top_keys.push_back(key);
    } else if (const YamlNode* n = root.find(key)) {
        path = key;
        top_keys.push_back(key);
        return n;
    }
    return nullptr;
  }

  std::vector<std::string> names(const YamlNode& list, const std::string& path) {
    std::vector<std::string> out;
    const auto items = r.list(list, path, -1, "plugin names");
    for (size_t i = 0; i < items.size(); ++i) out.push_back(r.text(*items[i], YamlReader::item(path, i)));
    return out;
  }

  void read_pipeline() {
    std::vector<std::string> builders = {"kin_builder", "dyn_builder", "soft_builder", "reg_builder"};
    std::vector<std::string> generators = {"robot_generator"};
    loaders = {"kin_loader", "dyn_loader", "soft_loader"};
    const YamlNode* pl = root.find("pipeline");
    if (pl) {
      r.expect_map(*pl, "pipeline");
      check(*pl, "pipeline", {"loaders", "builders", "generators"});
      if (const YamlNode* n = pl->find("loaders")) loaders = names(*n, "pipeline.loaders");
      if (const YamlNode* n = pl->find("builders")) builders = names(*n, "pipeline.builders");
      if (const YamlNode* n = pl->find("generators")) generators = names(*n, "pipeline.generators");
    }
    for (std::string& l : loaders) {
      const std::string raw = l;
      l = canonical_plugin(l);
      if (std::find(std::begin(kLoaders), std::end(kLoaders), l) == std::end(kLoaders))
        r.fail(pl, "pipeline.loaders",
               "unknown loader '" + raw + "': Thunder reads kin_loader, dh_loader, urdf_loader, dyn_loader and "
               "soft_loader (a loader describes the robot, so it cannot be skipped)");
      top_keys.push_back(raw);
    }
    for (std::string b : builders) {
      top_keys.push_back(b);
      b = canonical_plugin(b);
      if (std::find(std::begin(kBuilders), std::end(kBuilders), b) == std::end(kBuilders))
        warn(pl, "pipeline.builders", "builder '" + b + "' is not available in Thunder: ignored");
    }
    for (const std::string& g : generators) {
      top_keys.push_back(g);
      if (std::find(std::begin(kGenerators), std::end(kGenerators), g) == std::end(kGenerators))
        warn(pl, "pipeline.generators",
             "generator '" + g + "' is not available in Thunder: ignored (Thunder writes C++, CasADi and PyTorch)");
    }
    for (const char* k : kLoaders) top_keys.push_back(k);
    for (const char* k : kBuilders) top_keys.push_back(k);
    for (const char* k : {"robot_generator", "kinTree_loader", "dynTree_loader", "kinTree_builder", "dynTree_builder"})
      top_keys.push_back(k);
    int structure = 0;
    for (const char* l : {"kin_loader", "dh_loader", "urdf_loader"}) structure += uses(l);
    if (structure != 1)
      r.fail(pl ? pl : &root, "pipeline.loaders",
             "expected exactly one of kin_loader, dh_loader and urdf_loader (the structure of the robot), got " +
                 std::to_string(structure));
  }

  /// `xyzrpy`, or `xyz`/`tr` with `rpy`/`ypr`, with an optional 6-entry `symb` in written order.
  Frame6 read_frame(const YamlNode& n, const std::string& path, bool required) {
    Frame6 f;
    const auto symb = r.flags(n, path, "symb", 6, "the 6 frame entries");
    std::vector<Scalar> v(6);
    for (int k = 0; k < 6; ++k) v[k] = num(0.0, YamlReader::item(path + (k < 3 ? ".xyz" : ".rpy"), k % 3));
    bool ypr = false;
    if (const YamlNode* x = n.find("xyzrpy")) {
      const auto items = r.list(*x, path + ".xyzrpy", 6, "numbers x, y, z, roll, pitch, yaw");
      for (int k = 0; k < 6; ++k) v[k] = r.scalar(*items[k], YamlReader::item(path + ".xyzrpy", k));
      if (n.find("xyz") || n.find("tr") || n.find("rpy") || n.find("ypr"))
        r.fail(x, path + ".xyzrpy", "give either xyzrpy or xyz with rpy/ypr, not both");
    } else {
      const char* tkey = n.find("xyz") ? "xyz" : n.find("tr") ? "tr" : nullptr;
      const char* akey = n.find("rpy") ? "rpy" : n.find("ypr") ? "ypr" : nullptr;
      if (n.find("xyz") && n.find("tr")) r.fail(n.find("tr"), path + ".tr", "give either xyz or tr, not both");
      if (n.find("rpy") && n.find("ypr")) r.fail(n.find("ypr"), path + ".ypr", "give either rpy or ypr, not both");
      if (required && (!tkey || !akey))
        r.fail(&n, path, std::string("missing required key '") + (tkey ? "rpy" : "xyz") +
                             "': a node's frame needs xyzrpy, or xyz with rpy or ypr");
      if (tkey) {
        const auto items = r.list(*n.find(tkey), path + "." + tkey, 3, "numbers x, y, z");
        for (int k = 0; k < 3; ++k) v[k] = r.scalar(*items[k], YamlReader::item(path + "." + tkey, k));
      }
      if (akey) {
        ypr = std::string(akey) == "ypr";
        const auto items = r.list(*n.find(akey), path + "." + akey, 3,
                                  ypr ? "numbers yaw, pitch, roll" : "numbers roll, pitch, yaw");
        for (int k = 0; k < 3; ++k) v[3 + k] = r.scalar(*items[k], YamlReader::item(path + "." + akey, k));
      }
    }
    for (int k = 0; k < 6; ++k) v[k].symbolic = symb[k];
    for (int k = 0; k < 3; ++k) f.xyz[k] = v[k];
    if (ypr) {
      f.rpy = {v[5], v[4], v[3]};
      f.rpy_xyz = false;
    } else {
      f.rpy = {v[3], v[4], v[5]};
      f.rpy_xyz = true;
    }
    return f;
  }

  void add_node(Node n) {
    if (node_index.count(n.name))
      r.fail(n.yaml, n.path, "node '" + n.name + "' is defined twice");
    node_index[n.name] = static_cast<int>(nodes.size());
    nodes.push_back(std::move(n));
  }

  int parent_index(const std::string& parent, const YamlNode* at, const std::string& field) {
    if (parent == "world") return -1;
    auto it = node_index.find(parent);
    if (it != node_index.end()) return it->second;
    std::string known = "world";
    for (const Node& n : nodes) known += ", " + n.name;
    r.fail(at, field, "unknown parent '" + parent + "': every node must come after its parent (nodes so far: " +
                          known + ")");
  }

  // ---------------------------------------------------------------- kin_loader
  Frame6 kin_base, kin_ee;
  bool kin_has_ee_pose = false;
  std::string kin_ee_name = "ee";
  bool legacy_chain = false;
  void read_kin() {
    const Block b = block("kin_loader");
    std::string path;
    const YamlNode* kin = find(b, "kinematics", path);
    if (!kin) r.fail(b.node, YamlReader::join(b.path, "kinematics"), "missing required key 'kinematics'");
    r.expect_map(*kin, path);
    // The older kin_loader (RRR_rnea.yaml): a chain whose types are in the block's joints_type,
    // no node with `parent` or `joint_type`, and bodies (v0.x style) moved by their own node's joint.
    std::string jtp;
    const YamlNode* jt_list = find(b, "joints_type", jtp);
    legacy_chain = jt_list != nullptr;
    for (size_t i = 0; i < kin->keys.size() && legacy_chain; ++i)
      if (kin->children[i].kind != YamlNode::Map || kin->children[i].find("parent") || kin->children[i].find("joint_type"))
        legacy_chain = false;
    std::vector<const YamlNode*> legacy_types;
    if (legacy_chain) {
      legacy_types = r.list(*jt_list, jtp, -1, "joint types");
      warn(kin, path, "nodes without parent and joint_type, with " + jtp + ": read as the older kin_loader layout "
           "(a chain, joint k of type joints_type[k], the body of a node moved by its own joint)");
    }
    for (size_t i = 0; i < kin->keys.size(); ++i) {
      const YamlNode& y = kin->children[i];
      Node n;
      n.name = kin->key(i);
      n.path = YamlReader::join(path, n.name);
      n.yaml = &y;
      r.expect_map(y, n.path);
      check(y, n.path, kNodeKeys);
      std::string parent = legacy_chain && i > 0 ? kin->key(i - 1) : "world";
      if (const YamlNode* p = y.find("parent")) parent = r.text(*p, n.path + ".parent");
      if (legacy_chain && i < legacy_types.size()) {
        n.type = r.text(*legacy_types[i], YamlReader::item(jtp, i));
        if (n.type != "R" && n.type != "P" && n.type != "R_SEA" && n.type != "P_SEA")
          r.fail(legacy_types[i], YamlReader::item(jtp, i), "unknown joint type '" + n.type + "'; allowed: R, P, R_SEA, P_SEA");
      }
      n.parent = parent_index(parent, y.find("parent") ? y.find("parent") : &y, n.path + ".parent");
      if (const YamlNode* t = y.find("joint_type")) {
        n.type = r.text(*t, n.path + ".joint_type");
        if (n.type != "R" && n.type != "P" && n.type != "FIXED" && n.type != "R_SEA" && n.type != "P_SEA")
          r.fail(t, n.path + ".joint_type", "unknown joint type '" + n.type + "'; allowed: R, P, FIXED, R_SEA, P_SEA");
      }
      if (const YamlNode* a = y.find("axis")) n.axis = unit_axis(*a, n.path + ".axis");
      if (const YamlNode* d = y.find("dimension")) {
        const int dim = r.integer(*d, n.path + ".dimension");
        if (dim != (n.movable() ? 1 : 0))
          r.fail(d, n.path + ".dimension", "joint type " + n.type + " has dimension " + (n.movable() ? "1" : "0"));
      }
      n.X = read_frame(y, n.path, true);
      if (const YamlNode* a = y.find("available")) n.available = r.boolean(*a, n.path + ".available");
      if (const YamlNode* d = y.find("derivatives")) n.derivatives = r.boolean(*d, n.path + ".derivatives");
      n.available = n.available || n.derivatives;
      add_node(std::move(n));
    }
    std::string p;
    if (const YamlNode* bp = find(b, "Base_to_L0", p)) {
      r.expect_map(*bp, p);
      check(*bp, p, kFrameKeys);
      kin_base = read_frame(*bp, p, false);
    } else {
      kin_base = frame_of(Tf{}, "Base_to_L0");
    }
    if (const YamlNode* ep = find(b, "Ln_to_EE", p)) {
      r.expect_map(*ep, p);
      check(*ep, p, kFrameKeys);
      kin_ee = read_frame(*ep, p, false);
      kin_has_ee_pose = true;
      if (const YamlNode* nm = ep->find("name")) kin_ee_name = r.text(*nm, p + ".name");
    }
    int movable = 0;
    for (const Node& n : nodes) movable += n.movable();
    if (const YamlNode* nj = find(b, "num_joints", p)) {
      const int v = r.integer(*nj, p);
      if (v != movable)
        r.fail(nj, p, "num_joints is " + std::to_string(v) + " but kinematics has " + std::to_string(movable) +
                          " movable nodes (joint_type R, P, R_SEA or P_SEA)");
    }
    if (const YamlNode* jt = find(b, "joints_type", p); jt && !legacy_chain)
      r.list(*jt, p, movable, "joint types (one per movable node)");
    if (b.path.size()) check(*b.node, b.path, {"num_joints", "joints_type", "kinematics", "Base_to_L0", "Ln_to_EE"});
  }

  std::array<double, 3> unit_axis(const YamlNode& a, const std::string& path) {
    const auto items = r.list(a, path, 3, "numbers (axis x, y, z)");
    std::array<double, 3> v;
    for (int k = 0; k < 3; ++k) v[k] = r.number(*items[k], YamlReader::item(path, k));
    const double n = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    if (!(n > 1e-12)) r.fail(&a, path, "the joint axis must not be zero");
    for (double& c : v) c /= n;
    return v;
  }

  // ---------------------------------------------------------------- dh_loader
  void read_dh() {
    const Block b = block("dh_loader");
    std::string p;
    const YamlNode* jt = find(b, "joints_type", p);
    if (!jt) r.fail(b.node, YamlReader::join(b.path, "joints_type"), "missing required key 'joints_type'");
    const std::string jt_path = p;
    const auto types = r.list(*jt, p, -1, "joint types");
    const int n = static_cast<int>(types.size());
    if (n == 0) r.fail(jt, p, "expected at least one joint type");
    if (const YamlNode* nj = find(b, "num_joints", p)) {
      const int v = r.integer(*nj, p);
      if (v != n) r.fail(nj, p, "num_joints is " + std::to_string(v) + " but joints_type has " + std::to_string(n));
    }
    const YamlNode* dh = find(b, "DH", p);
    if (!dh) r.fail(b.node, YamlReader::join(b.path, "DH"), "missing required key 'DH'");
    const std::string dh_path = p;
    r.expect_map(*dh, dh_path);
    check(*dh, dh_path, {"value", "symb", "link_names"});
    const auto values = r.list(r.require(*dh, dh_path, "value"), dh_path + ".value", 4 * n,
                               "DH numbers (4 per joint of joints_type = " + std::to_string(4 * n) + ": a, alpha, d, theta)");
    const auto symb = r.flags(*dh, dh_path, "symb", 4 * n, "DH.value");
    std::string prefix = "link";
    if (const YamlNode* ln = dh->find("link_names")) prefix = r.text(*ln, dh_path + ".link_names");
    auto pose_block = [&](const char* key, const char* default_name, Frame6& f) {
      std::string name = default_name, pp;
      if (const YamlNode* y = find(b, key, pp)) {
        r.expect_map(*y, pp);
        check(*y, pp, kFrameKeys);
        if (const YamlNode* nm = y->find("name")) name = r.text(*nm, pp + ".name");
        f = read_frame(*y, pp, false);
      } else {
        f = frame_of(Tf{}, key);
      }
      return name;
    };
    Node base;
    base.name = pose_block("Base_to_L0", "base", base.X);
    base.path = YamlReader::join(b.path, "Base_to_L0");
    base.yaml = b.node;
    base.root_frame = true;
    add_node(base);
    for (int k = 0; k < n; ++k) {
      Node j;
      j.name = prefix + std::to_string(k);
      j.path = YamlReader::item(jt_path, k);
      j.yaml = types[k];
      j.type = r.text(*types[k], j.path);
      if (j.type != "R" && j.type != "P" && j.type != "R_SEA" && j.type != "P_SEA" && j.type != "FIXED")
        r.fail(types[k], j.path, "unknown joint type '" + j.type + "'; allowed: R, P, R_SEA, P_SEA, FIXED");
      j.parent = static_cast<int>(nodes.size()) - 1;
      j.dh = true;
      for (int c = 0; c < 4; ++c) {
        j.dhrow[c] = r.scalar(*values[4 * k + c], YamlReader::item(dh_path + ".value", 4 * k + c));
        j.dhrow[c].symbolic = symb[4 * k + c];
      }
      add_node(j);
    }
    // A FIXED row keeps its frame and has no joint variable. Thunder's model holds DH rows only
    // for joints, so with a FIXED row every row becomes a numeric frame (the same transform,
    // Tx(a) Rx(alpha) Tz(d) Rz(theta); q still turns about / slides along z).
    bool fixed_row = false;
    for (const Node& nd : nodes) fixed_row = fixed_row || (nd.dh && nd.type == "FIXED");
    if (fixed_row) {
      bool symbolic = false;
      for (Node& nd : nodes) {
        if (!nd.dh) continue;
        const auto& d = nd.dhrow;
        for (const Scalar& x : d) symbolic = symbolic || x.symbolic;
        Tf T;
        T.R = mul(rx(d[1].value), rz(d[3].value));
        const Vec3 dz = mul(rx(d[1].value), Vec3{0, 0, d[2].value});
        T.p = {d[0].value + dz[0], dz[1], dz[2]};
        nd.X = frame_of(T, nd.path);
        nd.dh = false;
      }
      if (symbolic)
        warn(dh, dh_path + ".symb", "a DH table with FIXED rows is built from numeric frames: its symbolic entries are kept numeric");
    }
    Node last;
    last.name = prefix + std::to_string(n);
    last.path = dh_path;
    last.yaml = dh;
    last.parent = static_cast<int>(nodes.size()) - 1;
    last.X = frame_of(Tf{}, last.name);
    add_node(last);
    Node ee;
    ee.name = pose_block("Ln_to_EE", "ee", ee.X);
    ee.path = YamlReader::join(b.path, "Ln_to_EE");
    ee.yaml = b.node;
    ee.parent = static_cast<int>(nodes.size()) - 1;
    ee.available = ee.derivatives = true;
    add_node(ee);
    if (b.path.size()) check(*b.node, b.path, {"num_joints", "joints_type", "DH", "Base_to_L0", "Ln_to_EE"});
  }

  // ---------------------------------------------------------------- nodes -> joints, frames
  void build_tree() {
    const bool dh = uses("dh_loader");  // the base is the root frame (Base_to_L0)
    for (size_t i = 0; i < nodes.size(); ++i) {
      Node& nd = nodes[i];
      if (nd.parent >= static_cast<int>(i)) r.fail(nd.yaml, nd.path, "a node must come after its parent");
      int C = -1;
      Tf P;
      if (nd.parent >= 0) {
        C = nodes[nd.parent].carrier;
        P = nodes[nd.parent].placement;
      }
      if (nd.root_frame) {
        nd.carrier = -1;
        continue;
      }
      if (!nd.movable()) {
        nd.carrier = C;
        nd.placement = P * nd.X.numeric();
        continue;
      }
      Joint j;
      j.name = nd.name;
      j.parent = C;
      j.type = nd.type[0] == 'P' ? JointType::Prismatic : JointType::Revolute;
      j.elastic = nd.sea();
      j.axis = nd.axis;
      if (nd.dh) {
        j.origin = JointOrigin::DH;
        j.dh = nd.dhrow;
      } else {
        j.origin = JointOrigin::XyzRpy;
        Frame6 f = nd.X;
        if (!is_identity(P)) {
          if (f.symbolic())
            warn(nd.yaml, nd.path + ".symb",
                 "the frame of node " + nd.name + " follows a FIXED node with a non-identity frame: Thunder composes "
                 "them into numbers, so its symbolic entries are kept numeric");
          f = frame_of(P * f.numeric(), nd.path);
        }
        j.xyz = f.xyz;
        j.rpy = f.rpy;
        j.rpy_xyz = f.rpy_xyz;
      }
      nd.joint = spec.n();
      nd.carrier = nd.joint;
      nd.placement = Tf{};
      spec.joints.push_back(j);
    }
    if (spec.joints.empty()) r.fail(&root, "", "the robot has no movable node (joint_type R, P, R_SEA or P_SEA)");
    Link zero;
    zero.mass = num(0, "");
    for (int k = 0; k < 3; ++k) zero.com[k] = num(0, "");
    for (int k = 0; k < 6; ++k) zero.inertia[k] = num(0, "");
    spec.links.assign(spec.joints.size(), zero);
    for (int k = 0; k < spec.n(); ++k) spec.links[k].name = spec.joints[k].name + "_body";
    link_set.assign(spec.joints.size(), false);

    // The end effector of a chain: its last FIXED leaf on the last joint, else kin_loader's Ln_to_EE.
    bool chain = true;
    for (int k = 0; k < spec.n(); ++k) chain = chain && spec.joints[k].parent == k - 1;
    int ee = -1;
    if (chain)
      for (size_t i = 0; i < nodes.size(); ++i) {
        const Node& nd = nodes[i];
        bool leaf = true;
        for (const Node& o : nodes) leaf = leaf && o.parent != static_cast<int>(i);
        if (!nd.movable() && !nd.root_frame && leaf && nd.carrier == spec.n() - 1) ee = static_cast<int>(i);
      }
    spec.has_ee = chain;
    spec.ee_body = spec.n() - 1;
    spec.ee_link = "ee";
    if (ee >= 0) {
      const Node& nd = nodes[ee];
      const Tf& P = nodes[nd.parent].placement;
      Frame6 f = nd.X;
      if (!is_identity(P)) {
        if (f.symbolic())
          warn(nd.yaml, nd.path + ".symb", "the end effector " + nd.name + " follows a FIXED node with a non-identity "
               "frame: its symbolic entries are kept numeric");
        f = frame_of(P * f.numeric(), nd.path);
      }
      spec.ee = pose_of(f);
      spec.ee_link = nd.name;
      if (kin_has_ee_pose)
        warn(nd.yaml, nd.path, "kin_loader has both an end-effector node " + nd.name + " and Ln_to_EE: Ln_to_EE ignored");
    } else if (chain) {
      spec.ee = pose_of(kin_has_ee_pose ? kin_ee : frame_of(Tf{}, "Ln_to_EE"));
      if (kin_has_ee_pose) spec.ee_link = kin_ee_name;
    }
    spec.base = pose_of(dh ? nodes[0].X : kin_base);
    for (size_t i = 0; i < nodes.size(); ++i) {
      const Node& nd = nodes[i];
      if (static_cast<int>(i) == ee) continue;
      Frame f;
      f.name = nd.name;
      f.body = nd.carrier;
      f.placement.R = nd.placement.R;
      f.placement.p = nd.placement.p;
      f.leaf = nd.available;
      spec.frames.push_back(f);
    }
  }

  // ---------------------------------------------------------------- dyn_loader
  std::vector<Scalar> coefficients(const YamlNode& parent, const std::string& ppath, const std::string& key,
                                   const std::string& symb_key, int order, const std::string& order_name) {
    const std::string path = YamlReader::join(ppath, key);
    const YamlNode* n = parent.find(key);
    std::vector<Scalar> out;
    if (!n) {
      if (order > 0)
        r.fail(&parent, path, "missing required key '" + key + "' (" + order_name + " = " + std::to_string(order) + ")");
      return out;
    }
    const auto items = r.list(*n, path, -1, "numbers");
    if (items.size() < static_cast<size_t>(order))
      r.fail(n, path, "expected " + std::to_string(order) + " coefficients (" + order_name + " = " +
                          std::to_string(order) + "), got " + std::to_string(items.size()));
    const YamlNode* s = parent.find(symb_key);
    std::vector<bool> symb(items.size(), false);
    if (s && s->kind == YamlNode::Scalar && items.size() == 1) symb[0] = r.flag(*s, YamlReader::join(ppath, symb_key));
    else symb = r.flags(parent, ppath, symb_key, items.size(), key);
    for (size_t i = 0; i < items.size(); ++i) {
      out.push_back(r.scalar(*items[i], YamlReader::item(path, i)));
      out.back().symbolic = symb[i];
    }
    out.resize(order);
    return out;
  }

  Link read_inertial(const YamlNode& in, const std::string& path, const std::string& name) {
    r.expect_map(in, path);
    check(in, path, {"mass", "CoM", "CoM_x", "CoM_y", "CoM_z", "I", "Ixx", "Ixy", "Ixz", "Iyy", "Iyz", "Izz", "symb"});
    const auto symb = r.flags(in, path, "symb", 10, "mass, CoM_x, CoM_y, CoM_z, Ixx, Ixy, Ixz, Iyy, Iyz, Izz (in this order)");
    Link l;
    l.name = name;
    l.mass = r.scalar(r.require(in, path, "mass"), path + ".mass", symb[0]);
    auto group = [&](const char* list_key, std::vector<const char*> keys, Scalar* out, int offset) {
      if (const YamlNode* v = in.find(list_key)) {
        for (const char* k : keys)
          if (in.find(k)) r.fail(in.find(k), path + "." + k, std::string("give either ") + list_key + " or " + k + ", not both");
        const auto items = r.list(*v, path + "." + list_key, static_cast<int>(keys.size()), "numbers");
        for (size_t i = 0; i < keys.size(); ++i)
          out[i] = r.scalar(*items[i], YamlReader::item(path + "." + list_key, i), symb[offset + i]);
      } else {
        for (size_t i = 0; i < keys.size(); ++i)
          out[i] = r.scalar(r.require(in, path, keys[i]), path + "." + keys[i], symb[offset + i]);
      }
    };
    group("CoM", {"CoM_x", "CoM_y", "CoM_z"}, l.com.data(), 1);
    group("I", {"Ixx", "Ixy", "Ixz", "Iyy", "Iyz", "Izz"}, l.inertia.data(), 4);
    return l;
  }

  static bool is_zero(const Link& l) {
    if (l.mass.symbolic || l.mass.value != 0) return false;
    for (const Scalar& s : l.com) if (s.symbolic || s.value != 0) return false;
    for (const Scalar& s : l.inertia) if (s.symbolic || s.value != 0) return false;
    return true;
  }

  void place_body(int c, Link body) {
    const Node& nd = nodes[c];
    const int at = legacy_chain ? c : nd.parent;  // the frame the body is attached to
    if (at < 0) return;  // on the world: does not move
    const int A = nodes[at].carrier;
    if (A < 0) return;
    const Tf& P = nodes[at].placement;
    if (is_identity(P) && !link_set[A]) {
      body.friction = spec.links[A].friction;
      spec.links[A] = body;
      link_set[A] = true;
      return;
    }
    if (is_zero(body)) return;
    // A further body on joint A: a link of its own, rigidly attached (mimic of A with multiplier 0).
    Joint j;
    j.name = nd.name + "_fixed";
    j.parent = A;
    j.mimic = A;
    j.mimic_multiplier = 0.0;
    j.mimic_offset = 0.0;
    if (spec.joints[0].origin == JointOrigin::DH) {
      if (!is_identity(P)) r.fail(nd.yaml, nd.path, "internal: a DH body off its joint frame");
      j.origin = JointOrigin::DH;
      for (int k = 0; k < 4; ++k) j.dh[k] = num(0.0, j.name + ".dh");
    } else {
      j.origin = JointOrigin::XyzRpy;
      const Frame6 f = frame_of(P, j.name);
      j.xyz = f.xyz;
      j.rpy = f.rpy;
    }
    spec.joints.push_back(j);
    body.friction.assign(spec.Dl_order, num(0.0, j.name + ".Dl"));
    spec.links.push_back(body);
    link_set.push_back(true);
  }

  void read_dyn() {
    const Block b = block("dyn_loader");
    std::string p;
    spec.Dl_order = 0;
    if (const YamlNode* d = find(b, "Dl_order", p)) spec.Dl_order = r.integer(*d, p);
    for (int k = 0; k < spec.n(); ++k) {
      spec.links[k].friction.clear();
      for (int o = 0; o < spec.Dl_order; ++o)
        spec.links[k].friction.push_back(num(0.0, spec.joints[k].name + ".friction.Dl[" + std::to_string(o) + "]"));
    }
    read_gravity(b);
    bool motor = false;
    if (const YamlNode* m = find(b, "has_motor", p)) motor = r.boolean(*m, p);
    const YamlNode* dyn = find(b, "dynamics", p);
    if (b.path.size()) check(*b.node, b.path, {"gravity", "Dl_order", "dynamics", "has_motor"});
    if (!dyn) return;
    const std::string dpath = p;
    r.expect_map(*dyn, dpath);
    std::vector<std::string> known;
    for (const Node& n : nodes) known.push_back(n.name);
    for (size_t i = 0; i < dyn->keys.size(); ++i) {
      const std::string name = dyn->key(i);
      const std::string path = YamlReader::join(dpath, name);
      auto it = node_index.find(name);
      if (it == node_index.end()) {
        std::string list;
        for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
        throw InputError(r.file(), i < dyn->key_lines.size() ? dyn->key_lines[i] : dyn->children[i].line, path,
                         "no node named '" + name + "' in the kinematics (nodes: " + list + ")");
      }
      const YamlNode& e = dyn->children[i];
      r.expect_map(e, path);
      check(e, path, {"inertial", "friction", "motor"});
      const Node& nd = nodes[it->second];
      if (const YamlNode* fr = e.find("friction"); fr && spec.Dl_order > 0) {
        r.expect_map(*fr, path + ".friction");
        check(*fr, path + ".friction", {"Dl", "symb"});
        auto dl = coefficients(*fr, path + ".friction", "Dl", "symb", spec.Dl_order, "Dl_order");
        if (nd.joint >= 0) {
          spec.links[nd.joint].friction = dl;
        } else {
          bool any = false;
          for (const Scalar& s : dl) any = any || s.symbolic || s.value != 0;
          if (any)
            warn(fr, path + ".friction", "node " + name + " has no joint (FIXED): its friction belongs to no joint and is ignored");
        }
      }
      if (const YamlNode* m = e.find("motor")) {
        r.expect_map(*m, path + ".motor");
        check(*m, path + ".motor", {"Ia", "symb"});
        if (motor)
          warn(m, path + ".motor", "motor inertia (has_motor, Ia) is not modelled by Thunder: ignored");
      }
      if (const YamlNode* in = e.find("inertial")) place_body(it->second, read_inertial(*in, path + ".inertial", name));
    }
  }


  void read_gravity(const Block& b) {
    std::string p;
    for (int k = 0; k < 3; ++k) spec.gravity[k] = num(0.0, YamlReader::item("gravity.value", k));
    if (const YamlNode* g = find(b, "gravity", p)) {
      r.expect_map(*g, p);
      check(*g, p, {"value", "symb"});
      const auto items = r.list(r.require(*g, p, "value"), p + ".value", 3, "numbers (gravity x, y, z)");
      const auto symb = r.flags(*g, p, "symb", 3, "gravity.value");
      for (int k = 0; k < 3; ++k) spec.gravity[k] = r.scalar(*items[k], YamlReader::item(p + ".value", k), symb[k]);
    }
  }

  // ---------------------------------------------------------------- soft_loader
  void read_soft() {
    bool any_sea = false;
    for (const Joint& j : spec.joints) any_sea = any_sea || j.elastic;
    if (!uses("soft_loader")) {
      if (any_sea)
        warn(&root, "pipeline.loaders", "R_SEA/P_SEA joints without soft_loader: they are rigid joints");
      for (Joint& j : spec.joints) j.elastic = false;
      return;
    }
    const Block b = block("soft_loader");
    if (b.path.size()) check(*b.node, b.path, {"K_order", "D_order", "Dm_order", "joints"});
    if (!any_sea) return;
    spec.elastic_model = true;
    std::string p;
    auto order = [&](const char* key) {
      const YamlNode* n = find(b, key, p);
      if (!n) r.fail(b.node, YamlReader::join(b.path, key), std::string("missing required key '") + key + "'");
      return r.integer(*n, p);
    };
    spec.K_order = order("K_order");
    spec.D_order = order("D_order");
    spec.Dm_order = order("Dm_order");
    const YamlNode* joints = find(b, "joints", p);
    if (!joints) r.fail(b.node, YamlReader::join(b.path, "joints"), "missing required key 'joints' (one entry per elastic node)");
    const std::string jpath = p;
    r.expect_map(*joints, jpath);
    std::vector<std::string> sea;
    for (const Node& n : nodes)
      if (n.sea()) sea.push_back(n.name);
    check(*joints, jpath, sea);
    for (const Node& n : nodes) {
      if (!n.sea()) continue;
      const std::string path = YamlReader::join(jpath, n.name);
      const YamlNode& e = r.require(*joints, jpath, n.name);
      r.expect_map(e, path);
      check(e, path, {"K", "K_symb", "D", "D_symb", "Dm", "Dm_symb", "Mm", "Mm_symb"});
      ElasticJoint ej;
      ej.joint = n.joint;
      ej.K = coefficients(e, path, "K", "K_symb", spec.K_order, "K_order");
      ej.D = coefficients(e, path, "D", "D_symb", spec.D_order, "D_order");
      ej.Dm = coefficients(e, path, "Dm", "Dm_symb", spec.Dm_order, "Dm_order");
      ej.Mm = r.scalar(r.require(e, path, "Mm"), path + ".Mm");
      if (const YamlNode* ms = e.find("Mm_symb")) {
        if (ms->kind == YamlNode::Sequence) ej.Mm.symbolic = r.flag(*r.list(*ms, path + ".Mm_symb", 1, "flag")[0], path + ".Mm_symb[0]");
        else ej.Mm.symbolic = r.flag(*ms, path + ".Mm_symb");
      }
      spec.elastic.push_back(ej);
    }
  }

  // ---------------------------------------------------------------- urdf_loader
  RobotSpec read_urdf() {
    const Block b = block("urdf_loader");
    if (b.path.size())
      check(*b.node, b.path, {"urdf_path", "base_link", "ee_link", "gravity", "Base_to_L0", "Ln_to_EE", "kinematics",
                              "symbolic_kinematics", "symbolic_dynamics", "par_KIN_symb", "par_DYN_symb"});
    std::string p;
    const YamlNode* up = find(b, "urdf_path", p);
    if (!up) r.fail(b.node, YamlReader::join(b.path, "urdf_path"), "missing required key 'urdf_path'");
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(r.file()).parent_path();
    fs::path urdf = r.text(*up, p);
    if (urdf.is_relative()) urdf = dir / urdf;
    if (!fs::exists(urdf)) {
      const fs::path beside = dir / urdf.filename();
      if (fs::path(r.text(*up, p)).is_absolute() && fs::exists(beside)) {
        warn(up, p, "'" + urdf.string() + "' does not exist; using " + beside.string() + " beside the YAML file");
        urdf = beside;
      } else {
        r.fail(up, p, "cannot open the URDF file " + urdf.string() + " (a relative urdf_path is read from the "
                      "directory of the YAML file)");
      }
    }
    LoadOptions uo = opt;
    if (uo.base_link.empty())
      if (const YamlNode* n = find(b, "base_link", p)) uo.base_link = r.text(*n, p);
    if (uo.ee_link.empty())
      if (const YamlNode* n = find(b, "ee_link", p)) uo.ee_link = r.text(*n, p);
    if (uo.name.empty()) uo.name = fs::path(r.file()).stem().string();
    uo.defer_physical_checks = true;
    RobotSpec s = load_urdf(urdf.string(), uo);
    s.file_warnings.insert(s.file_warnings.begin(), spec.file_warnings.begin(), spec.file_warnings.end());
    spec = std::move(s);
    read_gravity(b);
    auto compose = [&](const char* key, Pose& target, bool exists) {
      std::string pp;
      const YamlNode* y = find(b, key, pp);
      if (!y) return;
      r.expect_map(*y, pp);
      check(*y, pp, kFrameKeys);
      const Frame6 f = read_frame(*y, pp, false);
      const Frame6 t = frame_of(target);
      const Tf T = t.numeric(), F = f.numeric();
      if (!exists) {
        if (!is_identity(F)) warn(y, pp, std::string(key) + " is ignored: the robot has no end effector (a tree)");
        return;
      }
      // thunder 1.0 starts the chain at base_link: Base_to_L0 is world -> base_link, whatever the
      // URDF has above it.
      if (is_identity(T) || key[0] == 'B') {
        target = pose_of(f);
        return;
      }
      if (f.symbolic())
        warn(y, pp + ".symb", std::string(key) + " follows a non-identity frame of the URDF: Thunder composes them "
             "into numbers, so its symbolic entries are kept numeric");
      target = pose_of(frame_of(T * F, key));
    };
    compose("Base_to_L0", spec.base, true);
    compose("Ln_to_EE", spec.ee, spec.has_ee);
    urdf_file = urdf.string();
    apply_masks(b);
    // kinematics.<link>: the frame of node <link>, i.e. the origin of the joint that leaves <link>,
    // with its own symb (after the masks: the most specific).
    std::string kp;
    if (const YamlNode* kin = find(b, "kinematics", kp)) {
      r.expect_map(*kin, kp);
      for (size_t i = 0; i < kin->keys.size(); ++i) {
        const std::string link = kin->key(i), path = YamlReader::join(kp, link);
        const YamlNode& y = kin->children[i];
        r.expect_map(y, path);
        check(y, path, kFrameKeys);
        const Frame6 f = read_frame(y, path, true);
        bool found = false;
        for (int k = 0; k < spec.n(); ++k) {
          const std::string parent = spec.joints[k].parent < 0 ? spec.base_link : spec.links[spec.joints[k].parent].name;
          if (parent != link || spec.joints[k].mimic >= 0) continue;
          spec.joints[k].xyz = f.xyz;
          spec.joints[k].rpy = f.rpy;
          spec.joints[k].rpy_xyz = f.rpy_xyz;
          found = true;
        }
        if (!found)
          warn(&y, path, "no joint of the model leaves a link named '" + link + "': override ignored");
      }
    }
    return spec;
  }

  struct Group {
    const char* key;
    int offset, size;
  };

  /// symbolic_kinematics / symbolic_dynamics: a boolean, or a map of `default` and per-link masks;
  /// between the two, the URDF's <symbolic_dynamics> (in a <link>) and <symbolic_kinematics> (in a
  /// <joint>: its origin) tags, as attributes, child elements or a flat list.
  void apply_masks(const Block& b) {
    std::string p;
    tinyxml2::XMLDocument doc;
    const tinyxml2::XMLElement* robot = nullptr;
    if (doc.LoadFile(urdf_file.c_str()) == tinyxml2::XML_SUCCESS) robot = doc.FirstChildElement("robot");
    auto each = [&](const char* kind, const char* tag, auto fn) {
      for (const tinyxml2::XMLElement* e = robot ? robot->FirstChildElement(kind) : nullptr; e;
           e = e->NextSiblingElement(kind))
        if (const tinyxml2::XMLElement* t = e->FirstChildElement(tag)) fn(e->Attribute("name") ? e->Attribute("name") : "", t);
    };
    {
      const YamlNode* m = find(b, "symbolic_dynamics", p);
      const std::string mpath = p;
      const std::vector<Group> groups = {{"mass", 0, 1}, {"com", 1, 3}, {"CoM", 1, 3}, {"inertia", 4, 6}, {"I", 4, 6}};
      auto scalars = [&](Link& l) {
        return std::array<Scalar*, 10>{&l.mass, &l.com[0], &l.com[1], &l.com[2], &l.inertia[0], &l.inertia[1],
                                       &l.inertia[2], &l.inertia[3], &l.inertia[4], &l.inertia[5]};
      };
      for_links(m, mpath,
                [&](int k, const YamlNode& v, const std::string& path) {
                  const auto flags = mask(v, path, 10, groups);
                  auto s = scalars(spec.links[k]);
                  for (int i = 0; i < 10; ++i) s[i]->symbolic = flags[i];
                },
                [&](int k) { return spec.links[k].name; },
                [&]() {
                  each("link", "symbolic_dynamics", [&](const std::string& name, const tinyxml2::XMLElement* t) {
                    for (Link& l : spec.links)
                      if (l.name == name) {
                        auto s = scalars(l);
                        apply_tag(t, groups, 10, s.data(), name);
                      }
                  });
                });
    }
    {
      const YamlNode* m = find(b, "symbolic_kinematics", p);
      const std::string mpath = p;
      const std::vector<Group> groups = {{"xyz", 0, 3}, {"rpy", 3, 3}};
      // The mask of node <link> is the origin of the joint that leaves <link>.
      for_links(m, mpath,
                [&](int k, const YamlNode& v, const std::string& path) {
                  const auto flags = mask(v, path, 6, groups);
                  for (int i = 0; i < 3; ++i) {
                    spec.joints[k].xyz[i].symbolic = flags[i];
                    spec.joints[k].rpy[i].symbolic = flags[3 + i];
                  }
                },
                [&](int k) { return spec.joints[k].parent < 0 ? spec.base_link : spec.links[spec.joints[k].parent].name; },
                [&]() {
                  each("joint", "symbolic_kinematics", [&](const std::string& name, const tinyxml2::XMLElement* t) {
                    for (Joint& j : spec.joints)
                      if (j.name == name) {
                        Scalar* s[6] = {&j.xyz[0], &j.xyz[1], &j.xyz[2], &j.rpy[0], &j.rpy[1], &j.rpy[2]};
                        apply_tag(t, groups, 6, s, name);
                      }
                    // A fixed joint into ee_link places the end effector (par_Ln2EE: x, y, z, yaw, pitch, roll).
                    const tinyxml2::XMLElement* joint = t->Parent()->ToElement();
                    const tinyxml2::XMLElement* child = joint ? joint->FirstChildElement("child") : nullptr;
                    const char* type = joint ? joint->Attribute("type") : nullptr;
                    if (spec.has_ee && type && std::string(type) == "fixed" && child && child->Attribute("link") &&
                        spec.ee_link == child->Attribute("link")) {
                      Scalar* s[6] = {&spec.ee.tr[0], &spec.ee.tr[1], &spec.ee.tr[2], &spec.ee.ypr[2], &spec.ee.ypr[1],
                                      &spec.ee.ypr[0]};
                      apply_tag(t, groups, 6, s, name);
                    }
                  });
                });
    }
    full_masks(b, robot);
  }

  /// par_KIN_symb (6 per node) and par_DYN_symb (10 per node): full masks over the nodes of the
  /// chain base_link -> ee_link, in chain order; they override the masks above. Node <link>: the
  /// body of <link> and the origin of the joint leaving it (a fixed joint into ee_link: par_Ln2EE).
  void full_masks(const Block& b, const tinyxml2::XMLElement* robot) {
    std::string kp, dp;
    const YamlNode* kin = find(b, "par_KIN_symb", kp);
    const YamlNode* dyn = find(b, "par_DYN_symb", dp);
    if (!kin && !dyn) return;
    if (!spec.has_ee || !robot) {
      warn(kin ? kin : dyn, kin ? kp : dp, "par_KIN_symb/par_DYN_symb need a chain (ee_link): ignored");
      return;
    }
    struct Up { std::string parent, joint, type; };
    std::map<std::string, Up> up;
    for (const tinyxml2::XMLElement* j = robot->FirstChildElement("joint"); j; j = j->NextSiblingElement("joint")) {
      const tinyxml2::XMLElement* c = j->FirstChildElement("child");
      const tinyxml2::XMLElement* pa = j->FirstChildElement("parent");
      if (c && pa && c->Attribute("link") && pa->Attribute("link"))
        up[c->Attribute("link")] = {pa->Attribute("link"), j->Attribute("name") ? j->Attribute("name") : "",
                                    j->Attribute("type") ? j->Attribute("type") : ""};
    }
    std::vector<std::string> chain{spec.ee_link}, leaving{""}, types{""};  // per node: link, joint leaving it
    while (chain.front() != spec.base_link && up.count(chain.front())) {
      const Up& u = up[chain.front()];
      chain.insert(chain.begin(), u.parent);
      leaving.insert(leaving.begin(), u.joint);
      types.insert(types.begin(), u.type);
    }
    const size_t nodes_n = chain.size();
    if (dyn) {
      const auto items = r.list(*dyn, dp, static_cast<int>(10 * nodes_n),
                                "flags (10 per node of the chain " + spec.base_link + " -> " + spec.ee_link + ")");
      for (size_t k = 0; k < nodes_n; ++k)
        for (Link& l : spec.links)
          if (l.name == chain[k]) {
            Scalar* s[10] = {&l.mass, &l.com[0], &l.com[1], &l.com[2], &l.inertia[0], &l.inertia[1],
                             &l.inertia[2], &l.inertia[3], &l.inertia[4], &l.inertia[5]};
            for (int i = 0; i < 10; ++i) s[i]->symbolic = r.flag(*items[10 * k + i], YamlReader::item(dp, 10 * k + i));
          }
    }
    if (kin) {
      const auto items = r.list(*kin, kp, static_cast<int>(6 * nodes_n),
                                "flags (6 per node of the chain " + spec.base_link + " -> " + spec.ee_link + ")");
      for (size_t k = 0; k < nodes_n; ++k) {
        std::vector<Scalar*> s;
        for (Joint& j : spec.joints)
          if (j.name == leaving[k]) s = {&j.xyz[0], &j.xyz[1], &j.xyz[2], &j.rpy[0], &j.rpy[1], &j.rpy[2]};
        if (s.empty() && types[k] == "fixed" && k + 1 < nodes_n && chain[k + 1] == spec.ee_link)
          s = {&spec.ee.tr[0], &spec.ee.tr[1], &spec.ee.tr[2], &spec.ee.ypr[2], &spec.ee.ypr[1], &spec.ee.ypr[0]};
        for (size_t i = 0; i < s.size(); ++i) s[i]->symbolic = r.flag(*items[6 * k + i], YamlReader::item(kp, 6 * k + i));
      }
    }
  }

  /// One URDF mask tag: attributes or child elements per group, or a flat text list of `count`.
  void apply_tag(const tinyxml2::XMLElement* t, const std::vector<Group>& groups, size_t count, Scalar* const* out,
                 const std::string& owner) {
    const std::string field = "urdf " + std::string(t->Name()) + " of " + owner;
    auto parse = [&](const char* text, int n, Scalar* const* dst) {
      std::istringstream is(text ? text : "");
      std::vector<bool> v;
      std::string tok;
      while (is >> tok) {
        for (char& c : tok) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (tok == "1" || tok == "true") v.push_back(true);
        else if (tok == "0" || tok == "false") v.push_back(false);
        else throw InputError(urdf_file, t->GetLineNum(), field, "expected 0, 1, true or false, got '" + tok + "'");
      }
      if (static_cast<int>(v.size()) != n)
        throw InputError(urdf_file, t->GetLineNum(), field,
                         "expected " + std::to_string(n) + " flags, got " + std::to_string(v.size()));
      for (int i = 0; i < n; ++i) dst[i]->symbolic = v[i];
    };
    bool any = false;
    for (const Group& g : groups) {
      const char* a = t->Attribute(g.key);
      const tinyxml2::XMLElement* c = t->FirstChildElement(g.key);
      if (a) parse(a, g.size, out + g.offset), any = true;
      else if (c) parse(c->GetText(), g.size, out + g.offset), any = true;
    }
    if (!any) parse(t->GetText(), static_cast<int>(count), out);
  }

  std::vector<bool> mask(const YamlNode& v, const std::string& path, size_t count, const std::vector<Group>& groups) {
    std::vector<bool> out(count, false);
    if (v.kind == YamlNode::Scalar) {
      const std::string s = v.str();
      const bool on = s == "1" || s == "true" || s == "True";
      if (!on && s != "0" && s != "false" && s != "False") r.fail(&v, path, "expected 0, 1, true or false, got '" + s + "'");
      out.assign(count, on);
    } else if (v.kind == YamlNode::Sequence) {
      const auto items = r.list(v, path, static_cast<int>(count), "flags");
      for (size_t i = 0; i < count; ++i) out[i] = r.flag(*items[i], YamlReader::item(path, i));
    } else {
      r.expect_map(v, path);
      std::vector<std::string> known;
      for (const Group& g : groups) known.push_back(g.key);
      check(v, path, known);
      for (const Group& g : groups) {
        const YamlNode* n = v.find(g.key);
        if (!n) continue;
        const std::string gp = path + "." + g.key;
        const auto flags = mask(*n, gp, g.size, {});
        for (int k = 0; k < g.size; ++k) out[g.offset + k] = flags[k];
      }
    }
    return out;
  }

  /// Global mask (a scalar, or `default`), then `tags` (the URDF's), then the YAML's per-link masks:
  /// the more specific wins.
  template <class Apply, class Name, class Tags>
  void for_links(const YamlNode* mp, const std::string& path, Apply apply, Name name_of, Tags tags) {
    const int n = spec.n();
    if (!mp) {
      tags();
      return;
    }
    const YamlNode& m = *mp;
    if (m.kind != YamlNode::Map) {
      for (int k = 0; k < n; ++k) apply(k, m, path);
      tags();
      return;
    }
    if (const YamlNode* d = m.find("default"))
      for (int k = 0; k < n; ++k) apply(k, *d, path + ".default");
    tags();
    for (size_t i = 0; i < m.keys.size(); ++i) {
      const std::string key = m.key(i);
      if (key == "default") continue;
      bool found = false;
      for (int k = 0; k < n; ++k)
        if (name_of(k) == key) {
          apply(k, m.children[i], YamlReader::join(path, key));
          found = true;
        }
      if (!found) {
        std::vector<std::string> names;
        for (int k = 0; k < n; ++k) names.push_back(name_of(k));
        const std::string msg = "no moving body (or joint leaving it) of the model is named '" + key + "'" +
                                did_you_mean(key, names);
        // A mistyped link name leaves the parameters it meant at their default: an error with --strict.
        if (opt.strict) r.fail(&m.children[i], YamlReader::join(path, key), msg);
        warn(&m.children[i], YamlReader::join(path, key), msg + ": mask ignored (an error with --strict)");
      }
    }
  }

  /// The builders' options that change names or results; the others are checked and noted.
  void read_builders() {
    spec.v1.on = true;
    spec.pinv_damping = 0.02;  // kin_builder's MU
    auto choice = [&](const Block& b, const char* key, std::vector<std::string> allowed) -> std::string {
      std::string p;
      const YamlNode* n = find(b, key, p);
      if (!n) return "auto";
      const std::string v = r.text(*n, p);
      if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
        std::string list;
        for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
        r.fail(n, p, "unknown value '" + v + "'; allowed: " + list);
      }
      return v;
    };
    const Block dyn = block("dyn_builder");
    choice(dyn, "dynamics_method", {"auto", "rnea", "crba", "lagrange"});  // same M, Cdq, G: ours
    const std::string c = choice(dyn, "C_method", {"auto", "rnea", "christoffel"});
    spec.v1.coriolis = c == "rnea" ? "recursive" : c;
    std::string p;
    for (const char* k : {"compute_C_std", "compute_J_cm"})
      if (const YamlNode* n = find(dyn, k, p)) r.boolean(*n, p);  // C_std and J_cm_i are always built
    if (dyn.path.size()) check(*dyn.node, dyn.path, {"dynamics_method", "C_method", "compute_C_std", "compute_J_cm"});
    const Block reg = block("reg_builder");
    std::string rm = "rnea";
    if (const YamlNode* n = find(reg, "regressor_method", p)) rm = r.text(*n, p);
    if (rm != "rnea" && rm != "lagrange")
      r.fail(find(reg, "regressor_method", p), p, "unknown value '" + rm + "'; allowed: rnea, lagrange");
    if (reg.path.size()) check(*reg.node, reg.path, {"regressor_method"});
    const Block kin = block("kin_builder");
    if (kin.path.size()) check(*kin.node, kin.path, {});
  }

  RobotSpec read() {
    read_pipeline();
    spec.name = opt.name.empty() ? std::filesystem::path(r.file()).stem().string() : opt.name;
    if (uses("urdf_loader")) {
      read_urdf();
      for (const char* l : {"dyn_loader", "soft_loader"})
        if (uses(l)) warn(root.find("pipeline"), "pipeline.loaders", std::string(l) + " after urdf_loader: ignored (the URDF holds the dynamics)");
    } else {
      if (uses("kin_loader")) read_kin();
      else read_dh();
      build_tree();
      read_dyn();
      read_soft();
    }
    read_builders();
    if (uses("urdf_loader")) {
      // urdf_loader marks its terminal nodes (ee_link, or the leaves of the tree) available and
      // derivatives.
      if (spec.has_ee) {
        spec.v1.available = spec.v1.derivatives = {spec.ee_link};
      } else {
        for (const Frame& f : spec.frames)
          if (f.leaf && f.body >= 0) spec.v1.available.push_back(f.name);
        spec.v1.derivatives = spec.v1.available;
      }
    } else {
      for (const Node& n : nodes) {
        if (n.available) spec.v1.available.push_back(n.name);
        if (n.derivatives) spec.v1.derivatives.push_back(n.name);
      }
      // kin_loader's Ln_to_EE (no end-effector node): the last frame, like dh_loader's end effector.
      if (kin_has_ee_pose && spec.has_ee && spec.ee_link == kin_ee_name && !node_index.count(kin_ee_name)) {
        spec.v1.available.push_back(kin_ee_name);
        spec.v1.derivatives.push_back(kin_ee_name);
      }
    }
    check(root, "", top_keys);
    spec.source_file = r.file();
    spec.format = "thunder-1.0";
    finish_loading(spec, opt);
    return spec;
  }
};

}  // namespace

bool is_thunder_v1_layout(const YamlNode& root) {
  if (root.kind != YamlNode::Map) return false;
  if (root.find("pipeline")) return true;
  for (size_t i = 0; i < root.keys.size(); ++i) {
    const std::string k = canonical_plugin(root.key(i));
    if (std::find(std::begin(kLoaders), std::end(kLoaders), k) != std::end(kLoaders)) return true;
  }
  return false;
}

RobotSpec load_thunder_v1_yaml(const YamlReader& r, const YamlNode& root, const LoadOptions& options) {
  V1Reader reader(r, root, options);
  return reader.read();
}

}  // namespace thunder
