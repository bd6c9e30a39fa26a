// URDF kinematic trees -> RobotSpec.
//
// What is modelled: the tree of links below the base link (the root, or --base), in the joint
// order Pinocchio's buildModelFromUrdf gives: depth first, the children of a link in the order
// of their joints' names (urdfdom keeps joints in a std::map).
//  - Movable joints (revolute, continuous, prismatic) become RobotSpec joints with an xyz/rpy
//    origin in their parent body's frame and a unit axis. Fixed joints, and movable joints that
//    are locked (--lock, those above --base, those off the chain base -> --ee), merge their
//    child link into the parent body, at the joint's neutral position (0, or a mimic offset);
//    inertias are combined in the body frame and every merged link stays a named frame.
//  - A floating joint from the root (a `world` link), or --floating-base, makes the base a free
//    flyer (joint 0, Pinocchio's convention). Otherwise the base hangs from the root by fixed or
//    locked joints (Base_to_L0), and bodies that do not move are left out of the dynamics.
//  - The end effector (T_0_ee, J_ee, ...) is --ee, or the tip of a robot whose movable joints form
//    one unbranched chain; a branching tree has frames (default: its leaves) instead.
//  - Mimic joints (q = multiplier q_master + offset) are bodies without a degree of freedom of
//    their own; a mimic joint whose master is locked is locked at its offset.

#include <tinyxml2.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "thunder/description/load.h"
#include "thunder/util/error.h"
#include "thunder/util/format.h"
#include "thunder/util/suggest.h"

namespace thunder {
namespace {

using Vec3 = std::array<double, 3>;
using Mat3 = std::array<std::array<double, 3>, 3>;

Mat3 identity3() { return {{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}}; }

Mat3 mul(const Mat3& a, const Mat3& b) {
  Mat3 c{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) c[i][j] += a[i][k] * b[k][j];
  return c;
}

Mat3 transpose(const Mat3& a) {
  Mat3 t{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) t[i][j] = a[j][i];
  return t;
}

Vec3 mul(const Mat3& a, const Vec3& v) {
  Vec3 r{};
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 3; ++k) r[i] += a[i][k] * v[k];
  return r;
}

/// R = Rz(yaw) Ry(pitch) Rx(roll), the URDF rpy and thunder ypr convention.
Mat3 rpy_to_matrix(const Vec3& rpy) {
  const double cr = std::cos(rpy[0]), sr = std::sin(rpy[0]);
  const double cp = std::cos(rpy[1]), sp = std::sin(rpy[1]);
  const double cy = std::cos(rpy[2]), sy = std::sin(rpy[2]);
  return {{{cy * cp, cy * sp * sr - sy * cr, cy * sp * cr + sy * sr},
           {sy * cp, sy * sp * sr + cy * cr, sy * sp * cr - cy * sr},
           {-sp, cp * sr, cp * cr}}};
}

/// Inverse of rpy_to_matrix; at pitch = +-pi/2 roll is set to 0.
Vec3 matrix_to_rpy(const Mat3& R) {
  const double c = std::hypot(R[0][0], R[1][0]);
  const double pitch = std::atan2(-R[2][0], c);
  if (c < 1e-12) return {0.0, pitch, std::atan2(-R[0][1], R[1][1])};
  return {std::atan2(R[2][1], R[2][2]), pitch, std::atan2(R[1][0], R[0][0])};
}

struct Transform {
  Mat3 R = identity3();
  Vec3 p{0, 0, 0};
};

Transform operator*(const Transform& a, const Transform& b) {
  Transform c;
  c.R = mul(a.R, b.R);
  const Vec3 rp = mul(a.R, b.p);
  for (int i = 0; i < 3; ++i) c.p[i] = rp[i] + a.p[i];
  return c;
}

/// The first closing tag that does not close the innermost open element: its line and what is
/// wrong. A small scan of tags (comments, CDATA, declarations and processing instructions
/// skipped); {0, ""} when it finds none.
std::pair<int, std::string> mismatched_close(const std::string& path) {
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::pair<std::string, int>> open;  // name, line
  int line = 1;
  size_t counted = 0;  // newlines before `counted` are in `line`
  auto advance = [&](size_t to) {
    for (; counted < to && counted < text.size(); ++counted) line += text[counted] == '\n';
  };
  size_t i = 0;
  while ((i = text.find('<', i)) != std::string::npos) {
    size_t end;
    if (text.compare(i, 4, "<!--") == 0) end = text.find("-->", i);
    else if (text.compare(i, 9, "<![CDATA[") == 0) end = text.find("]]>", i);
    else end = text.find('>', i);
    if (end == std::string::npos) break;
    advance(i);
    const int at = line;
    advance(end);
    const char c = i + 1 < text.size() ? text[i + 1] : '\0';
    if (c != '!' && c != '?') {
      const bool closing = c == '/';
      const size_t n0 = i + (closing ? 2 : 1);
      size_t n1 = n0;
      while (n1 < end && !std::isspace(static_cast<unsigned char>(text[n1])) && text[n1] != '/' && text[n1] != '>') ++n1;
      const std::string name = text.substr(n0, n1 - n0);
      if (closing) {
        if (open.empty() || open.back().first != name)
          return {at, "</" + name + "> does not match " +
                          (open.empty() ? std::string("any open element")
                                        : "<" + open.back().first + "> opened on line " + std::to_string(open.back().second) +
                                              " (close it first, or remove this tag)")};
        open.pop_back();
      } else if (text[end - 1] != '/') {
        open.push_back({name, at});
      }
    }
    i = end + 1;
  }
  return {0, ""};
}

enum class UrdfJointType { Revolute, Continuous, Prismatic, Fixed, Floating, Planar };

struct UrdfInertial {
  bool present = false;
  double mass = 0.0;
  Vec3 com{0, 0, 0};
  Mat3 inertia{};  ///< about the CoM, in the link frame (already rotated)
};

struct UrdfLink {
  std::string name;
  int line = 0;
  UrdfInertial inertial;
  int parent_joint = -1;
  std::vector<int> child_joints;
  bool has_movable_below = false;  ///< an unlocked movable joint somewhere in its subtree
  bool inserted = false;  ///< a massless link Thunder inserted (between a planar joint's x, y, theta)
};

struct UrdfJoint {
  std::string name;
  std::string type_name;
  UrdfJointType type = UrdfJointType::Fixed;
  int line = 0;
  int parent = -1, child = -1;  ///< link indices
  Vec3 xyz{0, 0, 0}, rpy{0, 0, 0};
  Transform origin;
  Vec3 axis{1, 0, 0};
  bool mimic = false;  ///< <mimic joint= multiplier= offset=>: q = multiplier q_master + offset
  std::string mimic_master;
  int mimic_line = 0;  ///< line of the <mimic> element
  int master = -1;  ///< index of the mimic master, resolved after parsing
  double mimic_multiplier = 1.0, mimic_offset = 0.0;
  bool movable() const { return type != UrdfJointType::Fixed; }
};

class UrdfReader {
 public:
  UrdfReader(std::string path, const LoadOptions& options) : file_(std::move(path)), options_(options) {}

  RobotSpec read();

 private:
  [[noreturn]] void fail(int line, const std::string& field, const std::string& message) const {
    throw InputError(file_, line, field, message);
  }

  std::string warning(int line, const std::string& field, const std::string& message) const {
    return InputError(file_, line, field, message).what();
  }

  const char* required_attribute(const tinyxml2::XMLElement* e, const char* attr, const std::string& field) const;
  std::vector<double> numbers(const tinyxml2::XMLElement* e, const char* attr, const std::string& field,
                              size_t count, double fallback) const;
  double number(const tinyxml2::XMLElement* e, const char* attr, const std::string& field) const;
  void read_origin(const tinyxml2::XMLElement* parent, const std::string& field, Vec3& xyz, Vec3& rpy) const;

  void parse(const tinyxml2::XMLElement* robot);
  void parse_link(const tinyxml2::XMLElement* e);
  void parse_joint(const tinyxml2::XMLElement* e);
  /// A planar joint (motion in the plane normal to its axis) as three joints, <name>_x and
  /// <name>_y prismatic along in-plane axes e1, e2 (x, y for axis z) and <name>_theta continuous
  /// about the axis, with two massless links between them: q = (x, y, theta), exactly the same
  /// motion (Pinocchio's JointModelPlanar, whose q is (x, y, cos, sin) and v in the moving frame).
  void add_planar(UrdfJoint j);
  /// Registers a link or joint under its name; returns its index.
  int add_link(UrdfLink link);
  int add_joint(UrdfJoint joint);
  void check_tree();
  int find_link(const std::string& name, int line, const std::string& field) const;
  /// The joint named `name`, or an error at `line` with the closest joint name (ties: the one
  /// closest to `near`, e.g. Right_index_q1 for Right_index_q2's master 'index_q1').
  int find_joint(const std::string& name, int line, const std::string& field, const std::string& near = "") const;
  /// A mimic joint whose master mimics a third joint (Unitree's Inspire hands: thumb_4 follows
  /// thumb_3, which follows thumb_2) follows the end of the chain, q = (a1 a2) q_end + (a1 b2 + b1);
  /// a chain that closes on itself is an error naming its joints.
  void resolve_mimic_chains();
  bool has_movable_subtree(int joint) const;
  /// The transform of a joint at its locked position (0, or its mimic offset).
  Transform locked_transform(const UrdfJoint& j) const;
  void lock(int joint, const std::string& why, RobotSpec& spec);
  void visit(int link, int body, const Transform& T_body_link, RobotSpec& spec);
  Link merged_body(int body, const std::string& name) const;

  std::string file_;
  LoadOptions options_;
  std::string robot_name_;
  std::vector<UrdfLink> links_;
  std::vector<UrdfJoint> joints_;
  std::map<std::string, int> link_index_, joint_index_;
  int root_ = -1;

  struct Body {
    int link;
    Transform T;  ///< body frame -> URDF link frame
  };
  std::vector<std::vector<Body>> bodies_;  ///< per spec joint: the links it moves rigidly
  std::vector<char> locked_;               ///< per URDF joint
  std::vector<int> body_of_link_;          ///< per URDF link: its body, -1 = the fixed root
  std::vector<Transform> link_in_body_;    ///< per URDF link: body frame -> link frame
};

const char* UrdfReader::required_attribute(const tinyxml2::XMLElement* e, const char* attr,
                                           const std::string& field) const {
  const char* v = e->Attribute(attr);
  if (!v) fail(e->GetLineNum(), field, std::string("missing attribute '") + attr + "' of <" + e->Name() + ">");
  return v;
}

std::vector<double> UrdfReader::numbers(const tinyxml2::XMLElement* e, const char* attr,
                                        const std::string& field, size_t count, double fallback) const {
  const char* text = e ? e->Attribute(attr) : nullptr;
  if (!text) return std::vector<double>(count, fallback);
  std::istringstream in(text);
  std::vector<double> out;
  std::string token;
  while (in >> token) {
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(token.c_str(), &end);
    if (end == token.c_str() || *end != '\0' || !std::isfinite(v) || errno == ERANGE)
      fail(e->GetLineNum(), field,
           "expected " + std::to_string(count) + " finite number" + (count > 1 ? "s" : "") + ", got '" +
               text + "' ('" + token + "' is not a finite number)" +
               (std::string(text).find("${") != std::string::npos
                    ? ": an unexpanded xacro expression; expand the file first (xacro FILE.xacro > FILE.urdf)"
                    : ""));
    out.push_back(v);
  }
  if (out.size() != count)
    fail(e->GetLineNum(), field,
         "expected " + std::to_string(count) + " number" + (count > 1 ? "s" : "") + ", got " +
             std::to_string(out.size()) + " ('" + text + "')");
  return out;
}

double UrdfReader::number(const tinyxml2::XMLElement* e, const char* attr, const std::string& field) const {
  required_attribute(e, attr, field);
  return numbers(e, attr, field, 1, 0.0)[0];
}

void UrdfReader::read_origin(const tinyxml2::XMLElement* parent, const std::string& field, Vec3& xyz,
                             Vec3& rpy) const {
  const tinyxml2::XMLElement* o = parent->FirstChildElement("origin");
  const auto x = numbers(o, "xyz", field + ".origin.xyz", 3, 0.0);
  const auto r = numbers(o, "rpy", field + ".origin.rpy", 3, 0.0);
  std::copy(x.begin(), x.end(), xyz.begin());
  std::copy(r.begin(), r.end(), rpy.begin());
}

void UrdfReader::parse_link(const tinyxml2::XMLElement* e) {
  UrdfLink link;
  link.line = e->GetLineNum();
  link.name = required_attribute(e, "name", "link");
  const std::string field = "link[" + link.name + "]";
  if (link_index_.count(link.name))
    fail(link.line, field, "duplicate link name (first defined on line " +
                               std::to_string(links_[link_index_.at(link.name)].line) + ")");
  if (const tinyxml2::XMLElement* in = e->FirstChildElement("inertial")) {
    const std::string f = field + ".inertial";
    UrdfInertial& I = link.inertial;
    I.present = true;
    Vec3 rpy;
    read_origin(in, f, I.com, rpy);
    const tinyxml2::XMLElement* m = in->FirstChildElement("mass");
    if (!m) fail(in->GetLineNum(), f + ".mass", "missing <mass value=...> in <inertial>");
    I.mass = number(m, "value", f + ".mass.value");
    const tinyxml2::XMLElement* t = in->FirstChildElement("inertia");
    if (!t) fail(in->GetLineNum(), f + ".inertia", "missing <inertia ixx= ixy= ixz= iyy= iyz= izz=> in <inertial>");
    const double ixx = number(t, "ixx", f + ".inertia.ixx"), ixy = number(t, "ixy", f + ".inertia.ixy"),
                 ixz = number(t, "ixz", f + ".inertia.ixz"), iyy = number(t, "iyy", f + ".inertia.iyy"),
                 iyz = number(t, "iyz", f + ".inertia.iyz"), izz = number(t, "izz", f + ".inertia.izz");
    const Mat3 Iu = {{{ixx, ixy, ixz}, {ixy, iyy, iyz}, {ixz, iyz, izz}}};
    const Mat3 R = rpy_to_matrix(rpy);
    I.inertia = mul(mul(R, Iu), transpose(R));
  }
  add_link(std::move(link));
}

int UrdfReader::add_link(UrdfLink link) {
  link_index_[link.name] = static_cast<int>(links_.size());
  links_.push_back(std::move(link));
  return static_cast<int>(links_.size()) - 1;
}

int UrdfReader::add_joint(UrdfJoint joint) {
  joint_index_[joint.name] = static_cast<int>(joints_.size());
  joints_.push_back(std::move(joint));
  return static_cast<int>(joints_.size()) - 1;
}

void UrdfReader::parse_joint(const tinyxml2::XMLElement* e) {
  UrdfJoint j;
  j.line = e->GetLineNum();
  j.name = required_attribute(e, "name", "joint");
  const std::string field = "joint[" + j.name + "]";
  if (joint_index_.count(j.name))
    fail(j.line, field, "duplicate joint name (first defined on line " +
                            std::to_string(joints_[joint_index_.at(j.name)].line) + ")");
  j.type_name = required_attribute(e, "type", field + ".type");
  static const std::map<std::string, UrdfJointType> types = {
      {"revolute", UrdfJointType::Revolute}, {"continuous", UrdfJointType::Continuous},
      {"prismatic", UrdfJointType::Prismatic}, {"fixed", UrdfJointType::Fixed},
      {"floating", UrdfJointType::Floating}, {"planar", UrdfJointType::Planar}};
  auto it = types.find(j.type_name);
  if (it == types.end())
    fail(j.line, field + ".type",
         "unknown joint type '" + j.type_name + "' (expected revolute, continuous, prismatic, fixed, planar or floating)");
  j.type = it->second;
  read_origin(e, field, j.xyz, j.rpy);
  j.origin.R = rpy_to_matrix(j.rpy);
  j.origin.p = j.xyz;
  if (j.type == UrdfJointType::Revolute || j.type == UrdfJointType::Continuous ||
      j.type == UrdfJointType::Prismatic || j.type == UrdfJointType::Planar) {
    const tinyxml2::XMLElement* a = e->FirstChildElement("axis");
    const auto v = numbers(a, "xyz", field + ".axis", 3, 0.0);
    if (a && a->Attribute("xyz")) {
      const double norm = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
      if (!(norm > 1e-12))
        fail(a->GetLineNum(), field + ".axis", "the axis must be a non-zero vector, got '" +
                                                   std::string(a->Attribute("xyz")) + "'");
      j.axis = {v[0] / norm, v[1] / norm, v[2] / norm};
    }  // else the URDF default, (1, 0, 0)
  }
  if (const tinyxml2::XMLElement* m = e->FirstChildElement("mimic")) {
    j.mimic = true;
    j.mimic_line = m->GetLineNum();
    j.mimic_master = required_attribute(m, "joint", field + ".mimic.joint");
    if (m->Attribute("multiplier")) j.mimic_multiplier = number(m, "multiplier", field + ".mimic.multiplier");
    if (m->Attribute("offset")) j.mimic_offset = number(m, "offset", field + ".mimic.offset");
  }
  for (const char* role : {"parent", "child"}) {
    const tinyxml2::XMLElement* r = e->FirstChildElement(role);
    const std::string f = field + "." + role;
    if (!r) fail(j.line, f, std::string("missing <") + role + " link=...>");
    const std::string name = required_attribute(r, "link", f + ".link");
    if (std::string(role) == "parent" && name == "world" && !link_index_.count(name)) {
      // Drake's URDFs attach to an undeclared "world" (its implicit world body): a massless root
      UrdfLink world;
      world.name = name;
      world.line = r->GetLineNum();
      add_link(std::move(world));
    }
    (std::string(role) == "parent" ? j.parent : j.child) = find_link(name, r->GetLineNum(), f + ".link");
  }
  if (j.type == UrdfJointType::Planar) {
    add_planar(std::move(j));
    return;
  }
  add_joint(std::move(j));
}

void UrdfReader::add_planar(UrdfJoint j) {
  const std::string field = "joint[" + j.name + "]";
  if (j.mimic) fail(j.mimic_line, field + ".mimic", "a planar joint cannot mimic another joint");
  // In-plane axes e1, e2 with e1 x e2 = n: x and y of the joint frame for n = z.
  const Vec3 n = j.axis;
  const Vec3 a = std::fabs(n[0]) < 0.9 ? Vec3{1, 0, 0} : Vec3{0, 1, 0};
  const double an = a[0] * n[0] + a[1] * n[1] + a[2] * n[2];
  Vec3 e1{a[0] - an * n[0], a[1] - an * n[1], a[2] - an * n[2]};
  const double norm = std::sqrt(e1[0] * e1[0] + e1[1] * e1[1] + e1[2] * e1[2]);
  for (double& c : e1) c /= norm;
  const Vec3 e2{n[1] * e1[2] - n[2] * e1[1], n[2] * e1[0] - n[0] * e1[2], n[0] * e1[1] - n[1] * e1[0]};
  const auto fresh_link = [&](const std::string& base) {
    std::string name = base;
    while (link_index_.count(name)) name += "_";
    UrdfLink link;
    link.name = name;
    link.line = j.line;
    link.inserted = true;
    return add_link(std::move(link));
  };
  const auto fresh_joint_name = [&](const std::string& base) {
    std::string name = base;
    while (joint_index_.count(name)) name += "_";
    return name;
  };
  const int lx = fresh_link(j.name + "_x_link"), ly = fresh_link(j.name + "_y_link");
  UrdfJoint px = j, py = j, rz = j;
  px.name = fresh_joint_name(j.name + "_x");
  px.type = py.type = UrdfJointType::Prismatic;
  px.axis = e1;
  px.child = lx;
  py.name = fresh_joint_name(j.name + "_y");
  py.axis = e2;
  py.parent = lx;
  py.child = ly;
  py.xyz = py.rpy = rz.xyz = rz.rpy = Vec3{0, 0, 0};
  py.origin = rz.origin = Transform{};
  rz.name = fresh_joint_name(j.name + "_theta");
  rz.type = UrdfJointType::Continuous;
  rz.parent = ly;
  for (UrdfJoint* p : {&px, &py, &rz}) add_joint(std::move(*p));
}

int UrdfReader::find_link(const std::string& name, int line, const std::string& field) const {
  auto it = link_index_.find(name);
  if (it == link_index_.end()) fail(line, field, "no link named '" + name + "' in the URDF");
  return it->second;
}

void UrdfReader::parse(const tinyxml2::XMLElement* robot) {
  if (const char* n = robot->Attribute("name")) robot_name_ = n;
  // Links first (joints may come before the links they name).
  for (auto* e = robot->FirstChildElement("link"); e; e = e->NextSiblingElement("link")) parse_link(e);
  for (auto* e = robot->FirstChildElement("joint"); e; e = e->NextSiblingElement("joint")) parse_joint(e);
  if (links_.empty()) fail(robot->GetLineNum(), "robot", "the URDF has no <link>");
}

void UrdfReader::check_tree() {
  for (size_t ji = 0; ji < joints_.size(); ++ji) {
    const UrdfJoint& j = joints_[ji];
    UrdfLink& child = links_[j.child];
    if (child.parent_joint >= 0) {
      const UrdfJoint& other = joints_[child.parent_joint];
      fail(j.line, "joint[" + j.name + "].child",
           "link '" + child.name + "' is already the child of joint '" + other.name + "' (line " +
               std::to_string(other.line) + "): the links form a loop, not a tree");
    }
    child.parent_joint = static_cast<int>(ji);
    links_[j.parent].child_joints.push_back(static_cast<int>(ji));
  }
  // Roots: links that are no joint's child. A cycle leaves links unreachable from every root.
  std::vector<int> roots;
  for (size_t i = 0; i < links_.size(); ++i)
    if (links_[i].parent_joint < 0) roots.push_back(static_cast<int>(i));
  std::vector<char> seen(links_.size(), 0);
  for (int r : roots) {
    std::vector<int> stack{r};
    while (!stack.empty()) {
      const int l = stack.back();
      stack.pop_back();
      seen[l] = 1;
      for (int ji : links_[l].child_joints) stack.push_back(joints_[ji].child);
    }
  }
  for (size_t i = 0; i < links_.size(); ++i)
    if (!seen[i]) {
      const UrdfJoint& j = joints_[links_[i].parent_joint];
      fail(j.line, "joint[" + j.name + "]",
           "link '" + links_[i].name + "' is part of a cycle of joints: the links form a loop, not a tree");
    }
  if (options_.base_link.empty()) {
    if (roots.size() > 1) {
      std::string names;
      for (int r : roots) names += (names.empty() ? "" : ", ") + links_[r].name;
      fail(links_[roots[1]].line, "robot",
           "the URDF has " + std::to_string(roots.size()) + " root links (" + names +
               "): links must form one tree; choose --base");
    }
    root_ = roots.at(0);
  } else {
    int l = find_link(options_.base_link, 0, "--base");
    while (links_[l].parent_joint >= 0) l = joints_[links_[l].parent_joint].parent;
    root_ = l;
  }
}

std::array<Scalar, 3> scalars(const Vec3& v, const std::string& field) {
  std::array<Scalar, 3> s;
  for (int i = 0; i < 3; ++i) s[i] = Scalar{v[i], false, field + "[" + std::to_string(i) + "]"};
  return s;
}

Pose make_pose(const Transform& T, const std::string& field) {
  Pose pose;
  pose.tr = scalars(T.p, field + ".tr");
  const Vec3 rpy = matrix_to_rpy(T.R);
  pose.ypr = scalars({rpy[2], rpy[1], rpy[0]}, field + ".ypr");
  return pose;
}

int UrdfReader::find_joint(const std::string& name, int line, const std::string& field,
                           const std::string& near) const {
  auto it = joint_index_.find(name);
  if (it == joint_index_.end()) {
    std::vector<std::string> names;
    for (const UrdfJoint& j : joints_) names.push_back(j.name);
    if (!near.empty())
      std::stable_sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
        return edit_distance(a, near) < edit_distance(b, near);
      });
    fail(line, field, "no joint named '" + name + "' in the URDF" + did_you_mean(name, names));
  }
  return it->second;
}

void UrdfReader::resolve_mimic_chains() {
  // the relations as written, read while the joints are rewritten
  std::vector<int> master(joints_.size());
  std::vector<double> a(joints_.size()), b(joints_.size());
  for (size_t i = 0; i < joints_.size(); ++i) {
    master[i] = joints_[i].master;
    a[i] = joints_[i].mimic_multiplier;
    b[i] = joints_[i].mimic_offset;
  }
  for (size_t i = 0; i < joints_.size(); ++i) {
    UrdfJoint& j = joints_[i];
    if (!j.mimic) continue;
    std::vector<int> chain{static_cast<int>(i)};
    double mult = a[i], off = b[i];
    for (int m = master[i]; joints_[m].mimic; m = master[m]) {
      if (std::find(chain.begin(), chain.end(), m) != chain.end()) {
        std::string names;
        for (int k : chain) names += joints_[k].name + " -> ";
        fail(j.mimic_line, "joint[" + j.name + "].mimic.joint",
             "the mimic joints form a cycle (" + names + joints_[m].name + "): one of them must move on its own");
      }
      chain.push_back(m);
      off = mult * b[m] + off;  // q_i = mult (a_m q' + b_m) + off
      mult *= a[m];
    }
    const int end = master[chain.back()];
    j.master = end;
    j.mimic_master = joints_[end].name;
    j.mimic_multiplier = mult;
    j.mimic_offset = off;
  }
}

bool UrdfReader::has_movable_subtree(int ji) const {
  return (joints_[ji].movable() && !locked_[ji]) || links_[joints_[ji].child].has_movable_below;
}

Transform UrdfReader::locked_transform(const UrdfJoint& j) const {
  Transform motion;
  const double at = j.mimic ? j.mimic_offset : 0.0;
  if (j.type == UrdfJointType::Prismatic) {
    for (int k = 0; k < 3; ++k) motion.p[k] = at * j.axis[k];
  } else if (j.movable() && at != 0.0) {
    // Rodrigues: R = c 1 + s [a]x + (1 - c) a a'.
    const double c = std::cos(at), s = std::sin(at);
    const Vec3& a = j.axis;
    const Mat3 K = {{{0, -a[2], a[1]}, {a[2], 0, -a[0]}, {-a[1], a[0], 0}}};
    for (int r = 0; r < 3; ++r)
      for (int q = 0; q < 3; ++q) motion.R[r][q] = (r == q ? c : 0.0) + s * K[r][q] + (1 - c) * a[r] * a[q];
  }
  return j.origin * motion;
}

void UrdfReader::lock(int ji, const std::string& why, RobotSpec& spec) {
  if (locked_[ji] || !joints_[ji].movable()) return;
  const UrdfJoint& j = joints_[ji];
  locked_[ji] = 1;
  spec.warnings.push_back(warning(j.line, "joint[" + j.name + "]",
                                  "joint " + j.name + " (" + j.type_name + ") is locked at " +
                                      (j.mimic ? "its mimic offset" : std::string("0")) + ": " + why));
}

void UrdfReader::visit(int link, int body, const Transform& T, RobotSpec& spec) {
  body_of_link_[link] = body;
  link_in_body_[link] = T;
  if (body >= 0) bodies_[body].push_back({link, T});
  Frame frame;
  frame.name = links_[link].name;
  frame.body = body;
  frame.placement.R = T.R;
  frame.placement.p = T.p;
  frame.leaf = links_[link].child_joints.empty();
  spec.frames.push_back(frame);
  // Children in the order of their joints' names: the order of Pinocchio's model.
  std::vector<int> children = links_[link].child_joints;
  std::sort(children.begin(), children.end(), [&](int a, int b) { return joints_[a].name < joints_[b].name; });
  for (int ji : children) {
    const UrdfJoint& j = joints_[ji];
    if (j.movable() && j.mimic && locked_[j.master])
      lock(ji, "its master joint " + j.mimic_master + " is locked", spec);
    if (!j.movable() || locked_[ji]) {
      visit(j.child, body, T * locked_transform(j), spec);
      continue;
    }
    const std::string field = "joint[" + j.name + "]";
    if (j.type == UrdfJointType::Floating)
      fail(j.line, field + ".type",
           "a " + j.type_name + " joint inside the tree (below " + links_[link].name +
               ") is not supported: only the root may float (--floating-base)");
    Joint sj;
    sj.name = j.name;
    sj.parent = body;
    sj.type = j.type == UrdfJointType::Prismatic ? JointType::Prismatic : JointType::Revolute;
    sj.origin = JointOrigin::XyzRpy;
    const Transform O = T * j.origin;
    sj.xyz = scalars(O.p, field + ".origin.xyz");
    sj.rpy = scalars(matrix_to_rpy(O.R), field + ".origin.rpy");
    sj.axis = j.axis;
    if (j.mimic) {
      sj.mimic_multiplier = j.mimic_multiplier;
      sj.mimic_offset = j.mimic_offset;
    }
    spec.joints.push_back(sj);
    bodies_.emplace_back();
    visit(j.child, spec.n() - 1, Transform{}, spec);
  }
}

Link UrdfReader::merged_body(int body, const std::string& name) const {
  // Total mass, combined CoM and inertia about it, in the body frame.
  const std::string field = "link[" + name + "].inertial";
  double mass = 0.0;
  Vec3 mc{0, 0, 0};
  for (const Body& b : bodies_[body]) {
    const UrdfInertial& in = links_[b.link].inertial;
    if (!in.present) continue;
    mass += in.mass;
    const Vec3 c = (b.T * Transform{identity3(), in.com}).p;
    for (int a = 0; a < 3; ++a) mc[a] += in.mass * c[a];
  }
  Vec3 com{0, 0, 0};
  if (mass != 0.0)
    for (int a = 0; a < 3; ++a) com[a] = mc[a] / mass;
  Mat3 I{};
  for (const Body& b : bodies_[body]) {
    const UrdfInertial& in = links_[b.link].inertial;
    if (!in.present) continue;
    const Mat3 Ib = mul(mul(b.T.R, in.inertia), transpose(b.T.R));
    const Vec3 c = (b.T * Transform{identity3(), in.com}).p;
    const Vec3 d{c[0] - com[0], c[1] - com[1], c[2] - com[2]};
    const double dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
    for (int r = 0; r < 3; ++r)
      for (int s = 0; s < 3; ++s) I[r][s] += Ib[r][s] + in.mass * ((r == s ? dd : 0.0) - d[r] * d[s]);
  }
  Link L;
  L.name = name;
  L.mass = Scalar{mass, false, field + ".mass"};
  L.com = scalars(com, field + ".origin.xyz");
  const char* names[6] = {"ixx", "ixy", "ixz", "iyy", "iyz", "izz"};
  const double vals[6] = {I[0][0], I[0][1], I[0][2], I[1][1], I[1][2], I[2][2]};
  for (int a = 0; a < 6; ++a) L.inertia[a] = Scalar{vals[a], false, field + ".inertia." + names[a]};
  return L;
}

RobotSpec UrdfReader::read() {
  {
    std::ifstream probe(file_);
    if (!probe) fail(0, "", "cannot open the URDF file (does it exist?)");
  }
  tinyxml2::XMLDocument doc;
  if (doc.LoadFile(file_.c_str()) != tinyxml2::XML_SUCCESS) {
    // tinyxml2 reports a mismatched element at the line of the tag left open; the user must edit
    // the closing tag that does not match (or add the missing one before it).
    if (doc.ErrorID() == tinyxml2::XML_ERROR_MISMATCHED_ELEMENT) {
      const auto [line, message] = mismatched_close(file_);
      if (line > 0) fail(line, "", "not a valid XML file: " + message);
    }
    fail(doc.ErrorLineNum(), "", std::string("not a valid XML file: ") + doc.ErrorName() +
                                     (doc.ErrorStr() ? std::string(" (") + doc.ErrorStr() + ")" : ""));
  }
  const tinyxml2::XMLElement* robot = doc.FirstChildElement("robot");
  if (!robot) {
    const tinyxml2::XMLElement* root = doc.RootElement();
    fail(root ? root->GetLineNum() : 0, "robot",
         std::string("expected a <robot> root element, found ") + (root ? "<" + std::string(root->Name()) + ">" : "none"));
  }
  parse(robot);
  for (UrdfJoint& j : joints_)
    if (j.mimic) j.master = find_joint(j.mimic_master, j.mimic_line, "joint[" + j.name + "].mimic.joint", j.name);
  resolve_mimic_chains();
  locked_.assign(joints_.size(), 0);

  RobotSpec spec;
  spec.name = !options_.name.empty() ? options_.name : robot_name_;
  if (spec.name.empty()) {
    std::string stem = file_.substr(file_.find_last_of('/') + 1);
    spec.name = stem.substr(0, stem.find_last_of('.'));
  }
  spec.source_file = file_;
  spec.format = "urdf";
  spec.gravity = {Scalar{0.0, false, "gravity[0]"}, Scalar{0.0, false, "gravity[1]"},
                  Scalar{-9.81, false, "gravity[2]"}};
  for (const std::string& name : options_.locked_joints) {
    const int ji = find_joint(name, 0, "--lock");
    if (!joints_[ji].movable()) fail(joints_[ji].line, "--lock", "joint " + name + " is fixed already");
    lock(ji, "--lock", spec);
  }
  check_tree();

  // Base: the root, the child of a floating root joint, or --base (the joints above it locked).
  bool floating = options_.floating_base;
  std::string floating_name = "root_joint";  // Pinocchio's name for an added free-flyer
  int base = options_.base_link.empty() ? root_ : find_link(options_.base_link, 0, "--base");
  if (options_.base_link.empty()) {
    const std::vector<int>& top = links_[root_].child_joints;
    if (top.size() == 1 && joints_[top[0]].type == UrdfJointType::Floating) {
      floating = true;
      floating_name = joints_[top[0]].name;
      base = joints_[top[0]].child;
    }
  }
  Transform T_root_base;
  for (int l = base; l != root_;) {
    const int ji = links_[l].parent_joint;
    const UrdfJoint& j = joints_[ji];
    if (j.type == UrdfJointType::Floating) {
      if (l != base || j.parent != root_)
        fail(j.line, "joint[" + j.name + "].type",
             "floating joint " + j.name + " above the base link " + links_[base].name +
                 " is not the root joint: choose --base " + links_[j.child].name);
      floating = true;
      floating_name = j.name;
    } else if (j.movable()) {
      lock(ji, "it lies above the base link " + links_[base].name, spec);
    }
    T_root_base = locked_transform(j) * T_root_base;
    l = j.parent;
  }
  // Which links have an unlocked movable joint below them (every lock is known by now).
  for (UrdfLink& l : links_) l.has_movable_below = false;
  {
    std::vector<int> order;  // pre-order from the base
    std::vector<int> stack{base};
    while (!stack.empty()) {
      const int l = stack.back();
      stack.pop_back();
      order.push_back(l);
      for (int ji : links_[l].child_joints) stack.push_back(joints_[ji].child);
    }
    for (auto it = order.rbegin(); it != order.rend(); ++it)
      for (int ji : links_[*it].child_joints)
        if ((joints_[ji].movable() && !locked_[ji]) || links_[joints_[ji].child].has_movable_below)
          links_[*it].has_movable_below = true;
  }

  // End effector: --ee (the chain base -> ee; every other joint locked), or the tip of an unbranched chain.
  int ee = -1;
  if (!options_.ee_link.empty()) {
    ee = find_link(options_.ee_link, 0, "--ee");
    int l = ee;
    while (l != base && links_[l].parent_joint >= 0) l = joints_[links_[l].parent_joint].parent;
    if (l != base)
      fail(links_[ee].line, "--ee", "the end-effector link " + links_[ee].name + " is not below the base link " +
                                        links_[base].name);
    // --ee means the serial chain base -> ee (thunder_dynamics' base_link/ee_link): every joint off
    // that path (side branches, the tool below ee) is locked at its neutral position, and the links
    // it carries stay as mass of the body they are welded to, as Pinocchio's buildReducedModel does.
    std::vector<char> on_path(links_.size(), 0);
    for (int k = ee;; k = joints_[links_[k].parent_joint].parent) {
      on_path[k] = 1;
      if (k == base || links_[k].parent_joint < 0) break;
    }
    // The master of a chain joint that mimics it keeps moving: locking it would freeze part of the
    // chain. (An off-chain joint that mimics a moving one cannot be locked: that stays an error.)
    std::vector<char> keep(joints_.size(), 0);
    for (int k = ee; k != base && links_[k].parent_joint >= 0; k = joints_[links_[k].parent_joint].parent) {
      const UrdfJoint& pj = joints_[links_[k].parent_joint];
      if (pj.mimic && pj.master >= 0) keep[pj.master] = 1;
    }
    std::vector<std::pair<int, bool>> stack{{base, false}};  // link, below ee
    while (!stack.empty()) {
      const auto [k, tool] = stack.back();
      stack.pop_back();
      std::vector<int> children = links_[k].child_joints;
      std::sort(children.begin(), children.end(), [&](int a, int b) { return joints_[a].name < joints_[b].name; });
      for (int ji : children) {
        const int c = joints_[ji].child;
        const bool below_ee = tool || k == ee;
        if (!on_path[c] && !keep[ji])
          lock(ji, below_ee ? "it is below the end effector " + links_[ee].name + " (part of the tool)"
                            : "it is off the chain " + links_[base].name + " -> " + links_[ee].name +
                                  " that --ee keeps (to move the whole tree, drop --ee and name frames with --frames)",
               spec);
        stack.push_back({c, below_ee});
      }
    }
  } else {
    int tip = base;
    for (;;) {
      int next = -1, count = 0;
      for (int ji : links_[tip].child_joints)
        if (has_movable_subtree(ji)) {
          ++count;
          next = joints_[ji].child;
        }
      if (count != 1) {
        if (count == 0 && tip != base) ee = tip;
        break;
      }
      tip = next;
    }
  }

  // A locked joint stays at its neutral position: a locked mimic joint whose master moves would not.
  for (size_t ji = 0; ji < joints_.size(); ++ji) {
    const UrdfJoint& j = joints_[ji];
    if (!locked_[ji] || !j.mimic) continue;
    if (joints_[j.master].movable() && !locked_[j.master])
      fail(j.line, "joint[" + j.name + "].mimic",
           "joint " + j.name + " is locked (off the chain to the end effector, or by --lock) but mimics joint " +
               j.mimic_master + ", which moves: lock " + j.mimic_master + " too, or choose --ee above " + j.name);
  }
  spec.base_link = links_[base].name;
  spec.base = make_pose(floating ? Transform{} : T_root_base, "base");
  body_of_link_.assign(links_.size(), -1);
  link_in_body_.assign(links_.size(), Transform{});
  if (floating) {
    Joint ff;
    ff.name = floating_name;
    ff.type = JointType::FreeFlyer;
    ff.parent = -1;
    ff.origin = JointOrigin::XyzRpy;
    ff.xyz = scalars({0, 0, 0}, "root_joint.origin.xyz");
    ff.rpy = scalars({0, 0, 0}, "root_joint.origin.rpy");
    spec.joints.push_back(ff);
    bodies_.emplace_back();
    visit(base, 0, Transform{}, spec);
  } else {
    visit(base, -1, Transform{}, spec);
  }
  for (Joint& sj : spec.joints) {
    if (sj.type == JointType::FreeFlyer) continue;
    const UrdfJoint& j = joints_[joint_index_.at(sj.name)];
    if (!j.mimic) continue;
    const std::string field = "joint[" + j.name + "].mimic.joint";
    int master = -1;
    for (int k = 0; k < spec.n(); ++k)
      if (spec.joints[k].name == j.mimic_master) master = k;
    const UrdfJoint& m = joints_[j.master];
    if (master < 0)
      fail(j.line, field, "the master joint " + m.name + " of mimic joint " + j.name +
                              " is not a movable joint of the model (fixed, locked or not below the base)");
    sj.mimic = master;  // m is not a mimic joint: resolve_mimic_chains followed every chain to its end
  }
  if (!floating && spec.n() == 0)
    fail(links_[base].line, "link[" + links_[base].name + "]",
         "no movable joint below the base link " + links_[base].name);
  for (int i = 0; i < spec.n(); ++i) {
    const int link = i == 0 && floating ? base : joints_[joint_index_.at(spec.joints[i].name)].child;
    spec.links.push_back(merged_body(i, links_[link].name));
    spec.links.back().inserted = links_[link].inserted && bodies_[i].size() == 1;
  }
  spec.has_ee = ee >= 0 && body_of_link_[ee] >= 0;
  if (spec.has_ee) {
    spec.ee_link = links_[ee].name;
    spec.ee_body = body_of_link_[ee];
    spec.ee = make_pose(link_in_body_[ee], "ee");
  } else {
    spec.ee_link.clear();
  }
  return spec;
}

}  // namespace

RobotSpec load_urdf(const std::string& path, const LoadOptions& options) {
  RobotSpec spec = UrdfReader(path, options).read();
  // The tree warnings (locked joints) are findings about the file, not physical ones:
  // finish_loading keeps them first and out of --strict.
  spec.file_warnings = std::move(spec.warnings);
  spec.warnings.clear();
  finish_loading(spec, options);
  return spec;
}

}  // namespace thunder
