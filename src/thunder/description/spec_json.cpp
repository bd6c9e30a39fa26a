#include "thunder/description/spec_json.h"

#include "thunder/util/json.h"

namespace thunder {
namespace {

void scalar(JsonWriter& w, const Scalar& s) {
  w.begin_object();
  w.key("value").value(s.value);
  w.key("symbolic").value(s.symbolic);
  w.key("field").value(s.field);
  w.end_object();
}

template <class Container>
void scalars(JsonWriter& w, const Container& xs) {
  w.begin_array();
  for (const Scalar& s : xs) scalar(w, s);
  w.end_array();
}

void pose(JsonWriter& w, const Pose& p) {
  w.begin_object();
  w.key("tr");
  scalars(w, p.tr);
  w.key("ypr");
  scalars(w, p.ypr);
  if (p.rpy_xyz) w.key("rpy_xyz").value(true);  // R = Rx(roll) Ry(pitch) Rz(yaw) (thunder 1.0 rpy)
  w.end_object();
}

}  // namespace

void write_spec_json(const RobotSpec& spec, std::ostream& os) {
  JsonWriter w(os);
  w.begin_object();
  w.key("name").value(spec.name);
  w.key("source_file").value(spec.source_file);
  w.key("format").value(spec.format);
  w.key("n").value(spec.n());
  w.key("nq").value(spec.nq());
  w.key("nv").value(spec.nv());
  w.key("floating_base").value(spec.floating_base());
  w.key("base_link").value(spec.base_link);
  w.key("ee_link").value(spec.ee_link);
  w.key("has_ee").value(spec.has_ee);
  w.key("ee_body").value(spec.has_ee ? spec.end_effector_body() : -1);

  w.key("joints").begin_array();
  for (const Joint& j : spec.joints) {
    w.begin_object();
    w.key("name").value(j.name);
    w.key("type").value(j.type == JointType::Revolute ? "R" : j.type == JointType::Prismatic ? "P" : "free");
    w.key("parent").value(j.parent);
    if (j.mimic >= 0) {
      w.key("mimic").value(j.mimic);
      w.key("mimic_multiplier").value(j.mimic_multiplier);
      w.key("mimic_offset").value(j.mimic_offset);
    }
    w.key("elastic").value(j.elastic);
    if (j.origin == JointOrigin::DH) {
      w.key("origin").value("DH");
      w.key("dh");
      scalars(w, j.dh);
    } else {
      w.key("origin").value("xyz_rpy");
      w.key("xyz");
      scalars(w, j.xyz);
      w.key("rpy");
      scalars(w, j.rpy);
      if (j.rpy_xyz) w.key("rpy_xyz").value(true);  // R = Rx(roll) Ry(pitch) Rz(yaw) (thunder 1.0 rpy)
    }
    w.key("axis").begin_array();
    for (double a : j.axis) w.value(a);
    w.end_array();
    w.end_object();
  }
  w.end_array();

  w.key("links").begin_array();
  for (const Link& l : spec.links) {
    w.begin_object();
    w.key("name").value(l.name);
    w.key("mass");
    scalar(w, l.mass);
    w.key("com");
    scalars(w, l.com);
    w.key("inertia");
    scalars(w, l.inertia);
    w.key("friction");
    scalars(w, l.friction);
    w.key("coulomb");
    scalar(w, l.coulomb);
    w.end_object();
  }
  w.end_array();

  w.key("base");
  pose(w, spec.base);
  w.key("ee");
  pose(w, spec.ee);
  w.key("gravity");
  scalars(w, spec.gravity);
  w.key("Dl_order").value(spec.Dl_order);
  w.key("coulomb_friction").value(spec.coulomb_friction);
  w.key("coulomb_smoothing").value(spec.coulomb_smoothing);
  w.key("elastic_model").value(spec.elastic_model);
  w.key("K_order").value(spec.K_order);
  w.key("D_order").value(spec.D_order);
  w.key("Dm_order").value(spec.Dm_order);
  w.key("elastic").begin_array();
  for (const ElasticJoint& e : spec.elastic) {
    w.begin_object();
    w.key("joint").value(e.joint);
    w.key("K");
    scalars(w, e.K);
    w.key("D");
    scalars(w, e.D);
    w.key("Dm");
    scalars(w, e.Dm);
    w.key("Mm");
    scalar(w, e.Mm);
    w.end_object();
  }
  w.end_array();
  w.key("warnings").begin_array();
  for (const auto& s : spec.warnings) w.value(s);
  w.end_array();
  w.end_object();
  os << "\n";
}

}  // namespace thunder
