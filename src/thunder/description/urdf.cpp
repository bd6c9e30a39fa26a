// URDF serial chains -> RobotSpec.
//
// What is modelled: the chain of joints from the base link to the end-effector link.
//  - Movable joints (revolute, continuous, prismatic) become RobotSpec joints with an xyz/rpy
//    origin and a unit axis. Fixed joints on the chain are composed into the next movable
//    joint's origin (or, after the last one, into Ln_to_EE).
//  - Link i of the spec is the child link of movable joint i together with every body rigidly
//    attached to it (fixed-joint descendants, and for the last link the whole tool below the
//    end effector, its joints locked at 0). Their inertials are merged in link frame i.
//  - The base link must hang from the root by fixed joints only; that transform is Base_to_L0.
//    Bodies that do not move (before the first movable joint) are ignored.
//  - A movable joint branching off the chain before the end effector is an error: Thunder
//    models serial chains and would otherwise mis-model the robot.
#include <tinyxml2.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "thunder/description/load.h"
#include "thunder/util/error.h"
#include "thunder/util/format.h"

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
  bool has_movable_below = false;  ///< a non-fixed joint somewhere in its subtree
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
  // <mimic joint= multiplier= offset=>: q = multiplier * q_master + offset (not an own DOF).
  std::string mimic;
  int master = -1, mimic_line = 0;
  double multiplier = 1.0, offset = 0.0;
  bool movable() const { return type != UrdfJointType::Fixed; }
};

/// The motion of joint `j` at position q (rotation about, or translation along, its axis).
Transform joint_motion(const UrdfJoint& j, double q) {
  Transform M;
  if (q == 0.0) return M;
  const Vec3& a = j.axis;
  if (j.type == UrdfJointType::Prismatic) {
    M.p = {a[0] * q, a[1] * q, a[2] * q};
    return M;
  }
  // Rodrigues: R = I + sin(q) [a]x + (1 - cos(q)) [a]x^2 for a unit axis a.
  const double s = std::sin(q), c = 1.0 - std::cos(q);
  const Mat3 K{{{0, -a[2], a[1]}, {a[2], 0, -a[0]}, {-a[1], a[0], 0}}};
  const Mat3 K2 = mul(K, K);
  for (int r = 0; r < 3; ++r)
    for (int k = 0; k < 3; ++k) M.R[r][k] = (r == k ? 1.0 : 0.0) + s * K[r][k] + c * K2[r][k];
  return M;
}

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
  void check_tree();
  int find_link(const std::string& name, int line, const std::string& field) const;
  int first_movable_joint_in(int link) const;
  void add_body(int link, const Transform& T_k_link, int k);
  void add_fixed_subtree(int link, const Transform& T_k_link, int k);
  void add_tool_subtree(int link, const Transform& T_k_link, int k, const std::string& ee_name, RobotSpec& spec);
  double locked_position(int joint, size_t depth = 0) const;

  std::string file_;
  LoadOptions options_;
  std::string robot_name_;
  std::vector<UrdfLink> links_;
  std::vector<UrdfJoint> joints_;
  std::map<std::string, int> link_index_, joint_index_;
  std::vector<char> on_chain_;  ///< per joint: on the modelled chain from base to ee
  int root_ = -1;

  struct Body {
    int link;
    Transform T;  ///< spec link frame k -> URDF link frame
  };
  std::vector<std::vector<Body>> bodies_;  ///< per spec link k (index 0: ignored, does not move)
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
               text + "' ('" + token + "' is not a finite number)");
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
  link_index_[link.name] = static_cast<int>(links_.size());
  links_.push_back(std::move(link));
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
         "unknown joint type '" + j.type_name + "' (expected revolute, continuous, prismatic or fixed)");
  j.type = it->second;
  read_origin(e, field, j.xyz, j.rpy);
  j.origin.R = rpy_to_matrix(j.rpy);
  j.origin.p = j.xyz;
  if (j.type == UrdfJointType::Revolute || j.type == UrdfJointType::Continuous ||
      j.type == UrdfJointType::Prismatic) {
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
  for (const char* role : {"parent", "child"}) {
    const tinyxml2::XMLElement* r = e->FirstChildElement(role);
    const std::string f = field + "." + role;
    if (!r) fail(j.line, f, std::string("missing <") + role + " link=...>");
    const std::string name = required_attribute(r, "link", f + ".link");
    (std::string(role) == "parent" ? j.parent : j.child) = find_link(name, r->GetLineNum(), f + ".link");
  }
  if (const tinyxml2::XMLElement* m = e->FirstChildElement("mimic")) {
    j.mimic = required_attribute(m, "joint", field + ".mimic.joint");
    j.mimic_line = m->GetLineNum();
    if (m->Attribute("multiplier")) j.multiplier = number(m, "multiplier", field + ".mimic.multiplier");
    if (m->Attribute("offset")) j.offset = number(m, "offset", field + ".mimic.offset");
  }
  joint_index_[j.name] = static_cast<int>(joints_.size());
  joints_.push_back(std::move(j));
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
  for (UrdfJoint& j : joints_) {
    if (j.mimic.empty() || !j.movable()) continue;
    auto it = joint_index_.find(j.mimic);
    if (it == joint_index_.end() || joints_[it->second].name == j.name)
      fail(j.mimic_line, "joint[" + j.name + "].mimic.joint",
           it == joint_index_.end() ? "mimics joint '" + j.mimic + "', which is not in the URDF"
                                    : "a joint cannot mimic itself");
    j.master = it->second;
  }
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
  std::vector<int> order;  // pre-order from the roots
  for (int r : roots) {
    std::vector<int> stack{r};
    while (!stack.empty()) {
      const int l = stack.back();
      stack.pop_back();
      seen[l] = 1;
      order.push_back(l);
      for (int ji : links_[l].child_joints) stack.push_back(joints_[ji].child);
    }
  }
  for (size_t i = 0; i < links_.size(); ++i)
    if (!seen[i]) {
      const UrdfJoint& j = joints_[links_[i].parent_joint];
      fail(j.line, "joint[" + j.name + "]",
           "link '" + links_[i].name + "' is part of a cycle of joints: the links form a loop, not a tree");
    }
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    UrdfLink& l = links_[*it];
    for (int ji : l.child_joints)
      if (joints_[ji].movable() || links_[joints_[ji].child].has_movable_below) l.has_movable_below = true;
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

int UrdfReader::first_movable_joint_in(int link) const {
  for (int ji : links_[link].child_joints) {
    if (joints_[ji].movable()) return ji;
    const int below = first_movable_joint_in(joints_[ji].child);
    if (below >= 0) return below;
  }
  return -1;
}

void UrdfReader::add_body(int link, const Transform& T_k_link, int k) {
  bodies_[k].push_back({link, T_k_link});
}

void UrdfReader::add_fixed_subtree(int link, const Transform& T, int k) {
  add_body(link, T, k);
  for (int ji : links_[link].child_joints) add_fixed_subtree(joints_[ji].child, T * joints_[ji].origin, k);
}

/// Where a locked tool joint stays: 0, or for a mimic joint multiplier * (its master's locked
/// position) + offset. A tool joint that mimics a joint of the modelled chain would move with it.
double UrdfReader::locked_position(int ji, size_t depth) const {
  const UrdfJoint& j = joints_[ji];
  if (j.master < 0) return 0.0;
  const UrdfJoint& m = joints_[j.master];
  const std::string field = "joint[" + j.name + "].mimic";
  if (on_chain_[j.master] && m.movable())
    fail(j.mimic_line, field,
         "joint " + j.name + " in the tool mimics joint " + m.name + " of the modelled chain: it would move with " +
             m.name + ", but tool joints are locked; mimic joints are not supported yet (choose --ee below " +
             j.name + " or remove the <mimic>)");
  if (depth > joints_.size()) fail(j.mimic_line, field, "the <mimic> joints form a cycle");
  return j.multiplier * locked_position(j.master, depth + 1) + j.offset;
}

void UrdfReader::add_tool_subtree(int link, const Transform& T, int k, const std::string& ee_name, RobotSpec& spec) {
  add_body(link, T, k);
  for (int ji : links_[link].child_joints) {
    const UrdfJoint& j = joints_[ji];
    const double q = j.movable() ? locked_position(ji) : 0.0;
    if (j.movable())
      spec.warnings.push_back(warning(
          j.line, "joint[" + j.name + "]",
          "joint " + j.name + " (" + j.type_name + ") below the end effector " + ee_name + " is locked at " +
              (j.master >= 0 ? short_number(q) + " (mimic of " + joints_[j.master].name + ")" : std::string("0")) +
              " and its body merged into link " + std::to_string(k) + "; pass --ee to choose another end effector"));
    add_tool_subtree(j.child, T * j.origin * joint_motion(j, q), k, ee_name, spec);
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

RobotSpec UrdfReader::read() {
  {
    std::ifstream probe(file_);
    if (!probe) fail(0, "", "cannot open the URDF file (does it exist?)");
  }
  // URDFs are tens of kB (meshes live in other files): a huge file is a mistake, not a robot.
  constexpr std::uintmax_t kMaxBytes = 64u << 20;
  std::error_code ec;
  const std::uintmax_t bytes = std::filesystem::file_size(file_, ec);
  if (!ec && bytes > kMaxBytes)
    fail(0, "", "the file is " + std::to_string(bytes >> 20) + " MiB; URDF files over " +
                    std::to_string(kMaxBytes >> 20) + " MiB are refused");
  tinyxml2::XMLDocument doc;
  if (doc.LoadFile(file_.c_str()) != tinyxml2::XML_SUCCESS)
    fail(doc.ErrorLineNum(), "", std::string("not a valid XML file: ") + doc.ErrorName() +
                                     (doc.ErrorStr() ? std::string(" (") + doc.ErrorStr() + ")" : ""));
  const tinyxml2::XMLElement* robot = doc.FirstChildElement("robot");
  if (!robot) {
    const tinyxml2::XMLElement* root = doc.RootElement();
    fail(root ? root->GetLineNum() : 0, "robot",
         std::string("expected a <robot> root element, found ") + (root ? "<" + std::string(root->Name()) + ">" : "none"));
  }
  parse(robot);
  check_tree();

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

  // Base: fixed to the root.
  const int base = options_.base_link.empty() ? root_ : find_link(options_.base_link, 0, "--base");
  Transform T_root_base;
  for (int l = base; l != root_;) {
    const UrdfJoint& j = joints_[links_[l].parent_joint];
    if (j.movable()) {
      const bool floating = j.type == UrdfJointType::Floating || j.type == UrdfJointType::Planar;
      fail(j.line, "joint[" + j.name + "].type",
           floating ? "floating base not supported yet: joint " + j.name + " (" + j.type_name +
                          ") lies between the root link " + links_[root_].name + " and the base link " +
                          links_[base].name
                    : "joint " + j.name + " (" + j.type_name + ") lies between the root link " +
                          links_[root_].name + " and the base link " + links_[base].name +
                          ": the base must be fixed to the root; choose another --base");
    }
    T_root_base = j.origin * T_root_base;
    l = j.parent;
  }

  // End effector: the given link, or the end of the unbranched chain of movable joints.
  int ee = base;
  if (!options_.ee_link.empty()) {
    ee = find_link(options_.ee_link, 0, "--ee");
    int l = ee;
    while (l != base && links_[l].parent_joint >= 0) l = joints_[links_[l].parent_joint].parent;
    if (l != base)
      fail(links_[ee].line, "--ee", "the end-effector link " + links_[ee].name + " is not below the base link " +
                                        links_[base].name);
  } else {
    for (;;) {
      int next = -1, count = 0;
      for (int ji : links_[ee].child_joints)
        if (joints_[ji].movable() || links_[joints_[ji].child].has_movable_below) {
          ++count;
          next = joints_[ji].child;
        }
      if (count != 1) break;
      ee = next;
    }
  }

  // The chain: joints from base to ee.
  std::vector<int> path;
  for (int l = ee; l != base; l = joints_[links_[l].parent_joint].parent) path.push_back(links_[l].parent_joint);
  std::reverse(path.begin(), path.end());
  on_chain_.assign(joints_.size(), 0);
  for (int ji : path) on_chain_[ji] = 1;
  int n_movable = 0;
  for (int ji : path) {
    const UrdfJoint& j = joints_[ji];
    if (j.type == UrdfJointType::Floating || j.type == UrdfJointType::Planar)
      fail(j.line, "joint[" + j.name + "].type",
           "floating base not supported yet: a " + j.type_name + " joint on the chain from " + links_[base].name +
               " to " + links_[ee].name + "; Thunder models fixed-base serial chains (choose --base below it)");
    if (j.movable()) ++n_movable;
    if (j.movable() && j.master >= 0)
      fail(j.mimic_line, "joint[" + j.name + "].mimic",
           "joint " + j.name + " mimics joint " + joints_[j.master].name + " (q = " + short_number(j.multiplier) +
               " * q_" + joints_[j.master].name + " + " + short_number(j.offset) +
               "): it is on the modelled chain from " + links_[base].name + " to " + links_[ee].name +
               ", and mimic joints are not supported yet (they are not independent joints); choose --ee above it "
               "so that it is locked in the tool, or remove the <mimic>");
  }
  if (n_movable == 0)
    fail(links_[ee].line, "link[" + links_[ee].name + "]",
         "no movable joint between the base link " + links_[base].name + " and the end-effector link " +
             links_[ee].name +
             (options_.ee_link.empty() && links_[ee].has_movable_below
                  ? " (the chain branches there into several movable subtrees; choose --ee)"
                  : ""));

  spec.base_link = links_[base].name;
  spec.ee_link = links_[ee].name;
  spec.base = make_pose(T_root_base, "base");
  bodies_.assign(n_movable + 1, {});

  // Walk the chain. T: spec link frame k -> current URDF link; `composed`: fixed joints were folded in.
  Transform T;
  bool composed = false;
  int k = 0;
  int link = base;
  std::vector<Link> spec_links;
  for (size_t step = 0; step <= path.size(); ++step) {
    // Side branches of the current chain link (children not on the chain).
    const int on_chain = step < path.size() ? path[step] : -1;
    if (link == ee) {  // everything below the end effector is a tool rigidly attached to link n
      add_tool_subtree(link, T, k, links_[ee].name, spec);
      break;
    }
    add_body(link, T, k);
    for (int ji : links_[link].child_joints) {
      if (ji == on_chain) continue;
      const UrdfJoint& j = joints_[ji];
      const int movable = j.movable() ? ji : first_movable_joint_in(j.child);
      if (movable >= 0) {
        const UrdfJoint& m = joints_[movable];
        if (k == 0) {
          spec.warnings.push_back(warning(
              m.line, "joint[" + m.name + "]",
              "joint " + m.name + " (" + m.type_name + ") is not on the chain from " + links_[base].name + " to " +
                  links_[ee].name + " and hangs from the fixed base: it is ignored"));
          continue;
        }
        if (k == n_movable) {
          // Past the last movable joint everything is tool (e.g. gripper fingers beside a TCP
          // frame chosen as end effector): lock it like the subtree below the end effector.
          const double q = j.movable() ? locked_position(ji) : 0.0;
          if (j.movable())
            spec.warnings.push_back(warning(
                j.line, "joint[" + j.name + "]",
                "joint " + j.name + " (" + j.type_name + ") hangs off the tool after the last movable joint and is "
                "locked at " + (j.master >= 0 ? short_number(q) + " (mimic of " + joints_[j.master].name + ")"
                                              : std::string("0")) +
                "; its body is merged into link " + std::to_string(k)));
          add_tool_subtree(j.child, T * j.origin * joint_motion(j, q), k, links_[ee].name, spec);
          continue;
        }
        fail(m.line, "joint[" + m.name + "]",
             "branching tree: joint " + m.name + " (" + m.type_name + ") branches off the chain at link " +
                 links_[link].name + " before the end effector " + links_[ee].name +
                 "; branching trees are not supported yet (Thunder models serial chains); choose --base/--ee so "
                 "that no movable joint branches off the chain");
      }
      if (k > 0) add_fixed_subtree(j.child, T * j.origin, k);
    }
    const UrdfJoint& j = joints_[on_chain];
    if (!j.movable()) {
      T = T * j.origin;
      composed = true;
    } else {
      const std::string field = "joint[" + j.name + "]";
      Joint sj;
      sj.name = j.name;
      sj.type = j.type == UrdfJointType::Prismatic ? JointType::Prismatic : JointType::Revolute;
      sj.origin = JointOrigin::XyzRpy;
      Vec3 xyz = j.xyz, rpy = j.rpy;
      if (composed) {
        const Transform O = T * j.origin;
        xyz = O.p;
        rpy = matrix_to_rpy(O.R);
      }
      sj.xyz = scalars(xyz, field + ".origin.xyz");
      sj.rpy = scalars(rpy, field + ".origin.rpy");
      sj.axis = j.axis;
      spec.joints.push_back(sj);
      T = Transform{};
      composed = false;
      ++k;
    }
    link = j.child;
  }
  spec.ee = make_pose(T, "ee");

  // Merge the bodies of each spec link in its frame: total mass, combined CoM, inertia about it.
  for (int i = 1; i <= n_movable; ++i) {
    const UrdfJoint& j = joints_[joint_index_.at(spec.joints[i - 1].name)];
    const std::string name = links_[j.child].name;
    const std::string field = "link[" + name + "].inertial";
    double mass = 0.0;
    Vec3 mc{0, 0, 0};
    for (const Body& b : bodies_[i]) {
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
    for (const Body& b : bodies_[i]) {
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
    spec.links.push_back(L);
  }
  return spec;
}

}  // namespace

RobotSpec load_urdf(const std::string& path, const LoadOptions& options) {
  RobotSpec spec = UrdfReader(path, options).read();
  // The chain warnings (locked tool joints, ignored branches) are findings about the file, not
  // physical ones: finish_loading keeps them first and out of --strict.
  spec.file_warnings = std::move(spec.warnings);
  spec.warnings.clear();
  finish_loading(spec, options);
  return spec;
}

}  // namespace thunder
