// Reads the text model written by bench/trees/pin_tree_model.py into a pinocchio::Model, with
// Pinocchio's headers only (no boost::serialization, so that it builds with either std::string
// ABI; see pin_tree_model.py). Returns the index of the one frame in the file via `frame_id`.
#pragma once
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <pinocchio/multibody.hpp>

namespace bench {

inline pinocchio::SE3 read_se3(std::istream& in) {
  Eigen::Matrix3d R;
  Eigen::Vector3d p;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) in >> R(i, j);
  in >> p[0] >> p[1] >> p[2];
  return pinocchio::SE3(R, p);
}

inline pinocchio::Model::JointModel joint_model(const std::string& t, const Eigen::Vector3d& ax) {
  namespace pin = pinocchio;
  if (t == "FF") return pin::JointModelFreeFlyer();
  if (t == "RX") return pin::JointModelRX();
  if (t == "RY") return pin::JointModelRY();
  if (t == "RZ") return pin::JointModelRZ();
  if (t == "PX") return pin::JointModelPX();
  if (t == "PY") return pin::JointModelPY();
  if (t == "PZ") return pin::JointModelPZ();
  if (t == "RU") return pin::JointModelRevoluteUnaligned(ax);
  if (t == "PU") return pin::JointModelPrismaticUnaligned(ax);
  throw std::runtime_error("model_io: joint type " + t);
}

inline pinocchio::Model load_model(const std::string& file, pinocchio::FrameIndex& frame_id) {
  namespace pin = pinocchio;
  std::ifstream f(file);
  if (!f) throw std::runtime_error("model_io: cannot read " + file);
  pin::Model model;
  frame_id = 0;
  std::string line;
  while (std::getline(f, line)) {
    std::istringstream in(line);
    std::string kind, name;
    in >> kind >> name;
    if (kind == "joint") {
      int parent;
      std::string type;
      Eigen::Vector3d ax;
      in >> parent >> type >> ax[0] >> ax[1] >> ax[2];
      const pin::SE3 placement = read_se3(in);
      double m, I[6];
      Eigen::Vector3d c;
      in >> m >> c[0] >> c[1] >> c[2];
      for (double& x : I) in >> x;
      int nlim;
      in >> nlim;
      Eigen::VectorXd lo(nlim), hi(nlim);
      for (int i = 0; i < nlim; ++i) in >> lo[i];
      for (int i = 0; i < nlim; ++i) in >> hi[i];
      const pin::JointIndex j = model.addJoint(parent, joint_model(type, ax), placement, name);
      model.inertias[j] = pin::Inertia(m, c, pin::Symmetric3(I[0], I[1], I[2], I[3], I[4], I[5]));
      const int iq = model.idx_qs[j];
      model.lowerPositionLimit.segment(iq, nlim) = lo;
      model.upperPositionLimit.segment(iq, nlim) = hi;
    } else if (kind == "frame") {
      int parent;
      in >> parent;
      frame_id = model.addFrame(pin::Frame(name, parent, read_se3(in), pin::OP_FRAME));
    }
    if (!kind.empty() && in.fail()) throw std::runtime_error("model_io: bad line: " + line);
  }
  return model;
}

}  // namespace bench
