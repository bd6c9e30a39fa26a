// RobotSpec: a robot description after loading and validation, the same for every file format.
//
// Conventions (they match thunder_dynamics, so that its users' files carry over):
//  - Joint i moves link frame i relative to link frame i-1 (frame 0 is link 0, the base link).
//    Its fixed part is either a modified (Craig) DH row, T = Tx(a) Rx(alpha) Tz(d) Rz(theta),
//    with q added to theta (revolute) or d (prismatic) and the axis z; or, from URDF, an
//    origin xyz + rpy followed by a motion about/along a unit axis given in the joint frame.
//  - Poses (Base_to_L0, Ln_to_EE) are tr + ypr, R = Rz(yaw) Ry(pitch) Rx(roll).
//  - Link inertial data is in link frame i: mass, centre of mass, inertia tensor entries
//    (Ixx, Ixy, Ixz, Iyy, Iyz, Izz) about the centre of mass.
//  - Every number that may become a generated function's input is a Scalar with a `symbolic`
//    flag and the dotted field path it came from (used in error messages and element names).
#pragma once

#include <array>
#include <string>
#include <vector>

namespace thunder {

struct Scalar {
  double value = 0.0;
  bool symbolic = false;
  std::string field;  ///< where it came from, e.g. "dynamics.link3.inertial.Ixx"
};

enum class JointType { Revolute, Prismatic };

enum class JointOrigin {
  DH,      ///< `dh` holds a, alpha, d, theta; axis is z
  XyzRpy,  ///< `xyz`, `rpy` hold the fixed origin; `axis` the motion direction
};

struct Joint {
  std::string name;
  JointType type = JointType::Revolute;
  bool elastic = false;  ///< R_SEA / P_SEA: a motor coupled through a spring
  JointOrigin origin = JointOrigin::DH;
  std::array<Scalar, 4> dh;             ///< a, alpha, d, theta
  std::array<Scalar, 3> xyz, rpy;       ///< URDF origin
  std::array<double, 3> axis{0, 0, 1};  ///< unit vector in the joint frame
};

struct Link {
  std::string name;
  Scalar mass;
  std::array<Scalar, 3> com;      ///< CoM_x, CoM_y, CoM_z
  std::array<Scalar, 6> inertia;  ///< Ixx, Ixy, Ixz, Iyy, Iyz, Izz about the CoM
  std::vector<Scalar> friction;   ///< Dl coefficients, Dl_order of them
};

struct Pose {
  std::array<Scalar, 3> tr;   ///< x, y, z
  std::array<Scalar, 3> ypr;  ///< yaw, pitch, roll
};

/// Series-elastic actuator data of one elastic joint.
struct ElasticJoint {
  int joint = 0;                 ///< index into RobotSpec::joints
  std::vector<Scalar> K;         ///< K_order stiffness coefficients
  std::vector<Scalar> D;         ///< D_order coupling damping coefficients
  std::vector<Scalar> Dm;        ///< Dm_order motor damping coefficients
  Scalar Mm;                     ///< motor inertia
};

struct RobotSpec {
  std::string name;         ///< robot name (file stem by default)
  std::string source_file;  ///< the description it was loaded from
  std::string format;       ///< "thunder-yaml" or "urdf"

  std::vector<Joint> joints;  ///< n joints, base to tip
  std::vector<Link> links;    ///< n links; links[i] is moved by joints[i]
  std::string base_link = "link0";
  std::string ee_link = "ee";

  Pose base;  ///< world -> link 0 (Base_to_L0)
  Pose ee;    ///< link n -> end effector (Ln_to_EE)
  std::array<Scalar, 3> gravity;  ///< world frame

  int Dl_order = 0;
  bool elastic_model = false;
  int K_order = 0, D_order = 0, Dm_order = 0;
  std::vector<ElasticJoint> elastic;  ///< one per elastic joint, in joint order

  /// Findings about the file itself (unknown keys, a sanitised name, locked tool joints), found
  /// while reading; kept when finish_loading recomputes the physical ones.
  std::vector<std::string> file_warnings;
  std::vector<std::string> warnings;  ///< file_warnings, then physical findings (errors with --strict)

  int n() const { return static_cast<int>(joints.size()); }
};

/// Physical-consistency findings per link (mass <= 0, inertia not positive definite,
/// triangle inequality violated). Returned as one-line messages naming file and field.
std::vector<std::string> physical_warnings(const RobotSpec& spec);

}  // namespace thunder
