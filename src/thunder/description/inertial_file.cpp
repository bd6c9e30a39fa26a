// Inertial parameter files in the franka_inertial.yaml format:
//   linkK: {origin: {xyz: CoM in link frame K, rpy: orientation of the inertia frame},
//           mass, inertia: {xx, yy, zz, xy, xz, yz}, friction: {d1, d2, ...}}
//   link0 is the base (static): validated, not used.
//   end_effector: {use_EE: 0|1, origin, mass, inertia}: a body given in the EE frame; with
//   use_EE = 1 it is merged into link n (Ln_to_EE places the EE frame in link n).
// The values overwrite the robot's; Scalar::symbolic and Scalar::field are kept (the field names
// the parameter, which does not change).
#include <string>

#include "thunder/description/inertia_math.h"
#include "thunder/description/load.h"
#include "thunder/description/yaml_read.h"

namespace thunder {
namespace {

struct Body {
  double mass = 0;
  Vec3 com{};
  Mat3 inertia{};  ///< about the CoM, in the body's reference frame (rpy applied)
  const YamlNode* friction = nullptr;
};

Body read_body(const YamlReader& r, const YamlNode& node, const std::string& path) {
  r.expect_map(node, path);
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
  b.friction = node.find("friction");
  if (b.friction) r.expect_map(*b.friction, path + ".friction");
  return b;
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
    r.fail(&root, "", "this is a robot description, not an inertial parameter file (expected link0, link1, ...)");
  apply_inertial_block(spec, r, root);
}

void apply_inertial_block(RobotSpec& spec, const YamlReader& r, const YamlNode& root) {
  read_body(r, r.require(root, "", "link0"), "link0");  // the base: validated only
  for (int j = 0; j < spec.n(); ++j) {
    const std::string key = "link" + std::to_string(j + 1);
    const Body b = read_body(r, r.require(root, "", key), key);
    Link& link = spec.links[j];
    set_link(link, b);
    if (spec.Dl_order > 0) {
      const std::string fpath = key + ".friction";
      if (!b.friction) r.fail(root.find(key), fpath, "missing required key 'friction' (Dl_order = " +
                                                         std::to_string(spec.Dl_order) + " coefficients d1, d2, ...)");
      for (int i = 0; i < spec.Dl_order; ++i) {
        const std::string d = "d" + std::to_string(i + 1);
        link.friction[i].value = r.number(r.require(*b.friction, fpath, d), fpath + "." + d);
      }
    }
  }

  if (const YamlNode* ee = root.find("end_effector")) {
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
