// Inertial parameter files. thunder_dynamics has written a link's parameters three ways:
//   origin form (franka_inertial.yaml):
//     linkK: {origin: {xyz: CoM in link frame K, rpy: orientation of the inertia frame},
//             mass, inertia: {xx, yy, zz, xy, xz, yz}, friction: {d1, d2, ...}}
//   flat form (its v0.1 test robots R15/R30, the `dynamics` block of a v0.2 robot):
//     linkK: {mass, CoM_x, CoM_y, CoM_z, Ixx, Ixy, Ixz, Iyy, Iyz, Izz}, inertia about the CoM
//     (or, as 1.0 writes them, CoM: [x, y, z] and I: [Ixx, Ixy, Ixz, Iyy, Iyz, Izz])
//   first-moment form (Robot::save_par_REG):
//     linkK: {mass, m_CoM_x, m_CoM_y, m_CoM_z, Ixx, ...}, inertia about the link frame's origin
// The flat forms may sit under `inertial:` in the link (linkK: {inertial: {...}, friction:
// {Dl: [...]}}) and the links under a top-level `dynamics:` or `inertial:`, as thunder's own
// loaders and writers have them.
//   link0 is the base (static): validated when present, not used.
//   end_effector: {use_EE: 0|1, origin, mass, inertia}: a body given in the EE frame; with
//   use_EE = 1 it is merged into link n (Ln_to_EE places the EE frame in link n).
// The values overwrite the robot's; Scalar::symbolic and Scalar::field are kept (the field names
// the parameter, which does not change).
#include <algorithm>
#include <string>
#include <vector>

#include "thunder/description/inertia_math.h"
#include "thunder/description/load.h"
#include "thunder/description/yaml_read.h"
#include "thunder/util/suggest.h"

namespace thunder {
namespace {

struct Body {
  double mass = 0;
  Vec3 com{};
  Mat3 inertia{};  ///< about the CoM, in the body's reference frame (rpy applied)
  const YamlNode* friction = nullptr;  ///< friction: {d1, d2, ...} or {Dl: [...]}
  const YamlNode* Dl = nullptr;        ///< a Dl list beside the parameters (save_par_REG)
  std::string friction_path;
};

const char* const kMomentKeys[4] = {"mass", "m_CoM_x", "m_CoM_y", "m_CoM_z"};

/// The flat and first-moment forms: `node` holds the ten parameters (and maybe symb, Dl).
Body read_flat_body(const YamlReader& r, const YamlNode& node, const std::string& path) {
  r.expect_map(node, path);
  const bool moments = node.find("m_CoM_x") || node.find("m_CoM_y") || node.find("m_CoM_z");
  std::vector<std::string> keys(std::begin(kInertialKeys), std::end(kInertialKeys));
  if (moments) std::copy(std::begin(kMomentKeys), std::end(kMomentKeys), keys.begin());
  for (size_t i = 0; i < node.keys.size(); ++i) {
    const std::string key = node.key(i);
    if (key == "symb" || key == "Dl" || (!moments && (key == "CoM" || key == "I")) ||
        std::find(keys.begin(), keys.end(), key) != keys.end())
      continue;
    std::string expected;
    for (const std::string& k : keys) expected += (expected.empty() ? "" : ", ") + k;
    r.fail(&node.children[i], YamlReader::join(path, key),
           "unknown inertial key '" + key + "'; expected " + expected +
               (moments ? " (m_CoM_*: the first moments, mass times the CoM)" : ""));
  }
  double v[10];
  // thunder 1.0 also writes CoM: [x, y, z] and I: [Ixx, Ixy, Ixz, Iyy, Iyz, Izz]
  const auto group = [&](const char* list_key, int first, int count) {
    const YamlNode* list = moments ? nullptr : node.find(list_key);
    for (int i = first; i < first + count; ++i) {
      if (!list) {
        v[i] = r.number(r.require(node, path, keys[i]), YamlReader::join(path, keys[i]));
        continue;
      }
      if (node.find(keys[i]))
        r.fail(node.find(keys[i]), YamlReader::join(path, keys[i]),
               std::string("give either ") + list_key + " or " + keys[i] + ", not both");
      const std::string lpath = YamlReader::join(path, list_key);
      const auto items = r.list(*list, lpath, count, "numbers");
      v[i] = r.number(*items[i - first], YamlReader::item(lpath, i - first));
    }
  };
  v[0] = r.number(r.require(node, path, keys[0]), YamlReader::join(path, keys[0]));
  group("CoM", 1, 3);
  group("I", 4, 6);
  Body b;
  b.mass = v[0];
  const Mat3 I{{{v[4], v[5], v[6]}, {v[5], v[7], v[8]}, {v[6], v[8], v[9]}}};
  b.inertia = I;
  if (!moments) {
    for (int i = 0; i < 3; ++i) b.com[i] = v[1 + i];
    return b;
  }
  // m c and the inertia about the origin: c = (m c) / m, I_c = I_o - m (|c|^2 E - c c^T).
  if (b.mass == 0) {
    if (v[1] != 0 || v[2] != 0 || v[3] != 0)
      r.fail(&node, path + ".m_CoM_x", "first moments m_CoM_* without mass (mass is 0): no centre of mass");
    return b;
  }
  for (int i = 0; i < 3; ++i) b.com[i] = v[1 + i] / b.mass;
  const Mat3 shift = parallel_axis(b.mass, b.com);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) b.inertia[i][j] -= shift[i][j];
  return b;
}

Body read_body(const YamlReader& r, const YamlNode& node, const std::string& path) {
  r.expect_map(node, path);
  // linkK.friction: {d1, d2, ...} or {Dl: [...]}, beside the parameters
  const auto with_friction = [&](Body b) {
    b.friction = node.find("friction");
    if (b.friction) r.expect_map(*b.friction, path + ".friction");
    b.friction_path = path + ".friction";
    return b;
  };
  if (const YamlNode* in = node.find("inertial"))  // linkK: {inertial: {...}, friction: ...}
    return with_friction(read_flat_body(r, *in, path + ".inertial"));
  if (!node.find("origin") && !node.find("inertia") &&
      (node.find("CoM_x") || node.find("m_CoM_x") || node.find("Ixx") || node.find("CoM") || node.find("I"))) {
    Body b = read_flat_body(r, node, path);
    b.Dl = node.find("Dl");
    b.friction_path = path;
    return b;
  }
  Body b;
  const YamlNode& origin = r.require(node, path, "origin");
  const std::string opath = path + ".origin";
  r.expect_map(origin, opath);
  const auto xyz = r.list(r.require(origin, opath, "xyz"), opath + ".xyz", 3, "numbers x, y, z");
  for (int i = 0; i < 3; ++i) b.com[i] = r.number(*xyz[i], YamlReader::item(opath + ".xyz", i));
  Vec3 rpy{};
  if (const YamlNode* rn = origin.find("rpy")) {
    const auto items = r.list(*rn, opath + ".rpy", 3, "numbers roll, pitch, yaw");
    for (int i = 0; i < 3; ++i) rpy[i] = r.number(*items[i], YamlReader::item(opath + ".rpy", i));
  }
  b.mass = r.number(r.require(node, path, "mass"), path + ".mass");
  const YamlNode& in = r.require(node, path, "inertia");
  const std::string ipath = path + ".inertia";
  auto get = [&](const char* k) { return r.number(r.require(in, ipath, k), ipath + "." + k); };
  const double xx = get("xx"), yy = get("yy"), zz = get("zz"), xy = get("xy"), xz = get("xz"), yz = get("yz");
  const Mat3 I{{{xx, xy, xz}, {xy, yy, yz}, {xz, yz, zz}}};
  b.inertia = rotate_inertia(rot_zyx(rpy[2], rpy[1], rpy[0]), I);
  return with_friction(b);
}

/// The first `order` friction coefficients of `b`: friction.{d1, d2, ...}, friction.Dl or Dl.
std::vector<double> read_friction(const YamlReader& r, const YamlNode& link, const Body& b, int order,
                                  const std::string& key) {
  std::vector<double> out;
  const YamlNode* list = b.Dl ? b.Dl : b.friction ? b.friction->find("Dl") : nullptr;
  if (list) {
    const std::string lpath = b.friction_path + ".Dl";
    const auto items = r.list(*list, lpath, -1, "numbers");
    if (items.size() < static_cast<size_t>(order))
      r.fail(list, lpath, "expected " + std::to_string(order) + " coefficients (Dl_order = " + std::to_string(order) +
                              "), got " + std::to_string(items.size()));
    for (int i = 0; i < order; ++i) out.push_back(r.number(*items[i], YamlReader::item(lpath, i)));
    return out;
  }
  if (!b.friction)
    r.fail(&link, key + ".friction", "missing required key 'friction' (Dl_order = " + std::to_string(order) +
                                         " coefficients d1, d2, ... or a list Dl)");
  for (int i = 0; i < order; ++i) {
    const std::string d = "d" + std::to_string(i + 1);
    out.push_back(r.number(r.require(*b.friction, b.friction_path, d), b.friction_path + "." + d));
  }
  return out;
}

void set_link(Link& link, const Body& b) {
  link.mass.value = b.mass;
  for (int i = 0; i < 3; ++i) link.com[i].value = b.com[i];
  const int idx[6][2] = {{0, 0}, {0, 1}, {0, 2}, {1, 1}, {1, 2}, {2, 2}};
  for (int i = 0; i < 6; ++i) link.inertia[i].value = b.inertia[idx[i][0]][idx[i][1]];
}

Body link_body(const Link& link) {
  Body b;
  b.mass = link.mass.value;
  for (int i = 0; i < 3; ++i) b.com[i] = link.com[i].value;
  b.inertia = inertia_matrix(link.inertia);
  return b;
}

/// Two bodies in the same frame as one: total mass, joint CoM, inertia about it.
Body merge(const Body& a, const Body& b) {
  Body out;
  out.mass = a.mass + b.mass;
  if (out.mass == 0) return a;
  for (int i = 0; i < 3; ++i) out.com[i] = (a.mass * a.com[i] + b.mass * b.com[i]) / out.mass;
  Vec3 da{}, db{};
  for (int i = 0; i < 3; ++i) {
    da[i] = a.com[i] - out.com[i];
    db[i] = b.com[i] - out.com[i];
  }
  const Mat3 pa = parallel_axis(a.mass, da), pb = parallel_axis(b.mass, db);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) out.inertia[i][j] = a.inertia[i][j] + pa[i][j] + b.inertia[i][j] + pb[i][j];
  return out;
}

}  // namespace

void apply_inertial_file(RobotSpec& spec, const std::string& path) {
  const YamlReader r(path);
  const YamlNode root = r.load();
  if (root.find("num_joints"))
    r.fail(&root, "", "this is a robot description, not an inertial parameter file (expected link1, link2, ... with their inertial parameters)");
  apply_inertial_block(spec, r, root, /*overlay=*/true);
}

void apply_inertial_block(RobotSpec& spec, const YamlReader& r, const YamlNode& block, bool overlay) {
  // thunder's saved parameter files keep the links under `dynamics:` (or `inertial:`)
  const YamlNode* root = &block;
  for (const char* key : {"dynamics", "inertial"})
    if (const YamlNode* inner = block.find(key); inner && !block.find("link1")) {
      r.expect_map(*inner, key);
      root = inner;
      break;
    }
  const std::string prefix = root == &block ? "" : (block.find("dynamics") == root ? "dynamics." : "inertial.");
  const std::string root_path = prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1);
  if (const YamlNode* base = root->find("link0")) read_body(r, *base, prefix + "link0");  // validated only
  // A link is named link<K> (thunder's files) or by its own name (a URDF link). In a parameter
  // file laid over the robot every key must name a link. A file in thunder's numbering lists
  // every link (one that is missing is an error, as in thunder); a file that names URDF links may
  // name only some, and the others keep their values.
  std::vector<std::string> names;
  bool partial = false;
  if (overlay) {
    for (int j = 0; j < spec.n(); ++j) {
      names.push_back(spec.links[j].name);
      names.push_back("link" + std::to_string(j + 1));
      partial = partial || (spec.links[j].name != names.back() && root->find(spec.links[j].name));
    }
    for (size_t i = 0; i < root->keys.size(); ++i) {
      const std::string k = root->key(i);
      if (k == "link0" || k == "end_effector" || std::find(names.begin(), names.end(), k) != names.end()) continue;
      r.fail(&root->children[i], YamlReader::join(root_path, k),
             "no link named '" + k + "' in the robot (keys: link1..link" + std::to_string(spec.n()) +
                 " or the links' names)" + did_you_mean(k, names));
    }
  }
  for (int j = 0; j < spec.n(); ++j) {
    const std::string numbered = "link" + std::to_string(j + 1);
    const std::string& own = spec.links[j].name;
    const bool by_name = overlay && own != numbered && root->find(own);
    if (by_name && root->find(numbered))
      r.fail(root->find(numbered), YamlReader::join(root_path, numbered),
             "link " + std::to_string(j + 1) + " is given twice, as '" + own + "' and as '" + numbered + "'");
    const std::string field = by_name ? own : numbered;
    if (partial && !root->find(field)) continue;  // not in the file: the robot's values stay
    const std::string key = prefix + field;
    const YamlNode& node = r.require(*root, root_path, field);
    const Body b = read_body(r, node, key);
    Link& link = spec.links[j];
    set_link(link, b);
    // An overlay without friction (thunder's save_par_REG writes none) keeps the robot's.
    const bool has_friction = b.friction || b.Dl;
    if (spec.Dl_order > 0 && (has_friction || !overlay)) {
      const std::vector<double> d = read_friction(r, node, b, spec.Dl_order, key);
      for (int i = 0; i < spec.Dl_order; ++i) link.friction[i].value = d[i];
    }
  }

  if (const YamlNode* ee = root->find("end_effector")) {
    r.expect_map(*ee, "end_effector");
    bool use = false;
    if (const YamlNode* u = ee->find("use_EE")) use = r.flag(*u, "end_effector.use_EE");
    const Body body = read_body(r, *ee, "end_effector");
    if (use && spec.n() > 0) {
      // EE frame in link n: p = tr, R = Rz(yaw) Ry(pitch) Rx(roll).
      const Mat3 R = rot_zyx(spec.ee.ypr[0].value, spec.ee.ypr[1].value, spec.ee.ypr[2].value);
      Body in_n;
      in_n.mass = body.mass;
      const Vec3 c = mul(R, body.com);
      for (int i = 0; i < 3; ++i) in_n.com[i] = spec.ee.tr[i].value + c[i];
      in_n.inertia = rotate_inertia(R, body.inertia);
      Link& last = spec.links.back();
      set_link(last, merge(link_body(last), in_n));
    }
  }
}

}  // namespace thunder
