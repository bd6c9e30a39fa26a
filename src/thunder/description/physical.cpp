// Physical-consistency checks of link inertial data, and the end of loading common to all formats.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string>

#include "thunder/description/inertia_math.h"
#include "thunder/description/load.h"
#include "thunder/util/error.h"

#include "thunder/util/format.h"

namespace thunder {
namespace {

std::string num(double v) { return short_number(v); }

/// "dynamics.link3.inertial" from "dynamics.link3.inertial.mass"; the link name if unknown.
std::string link_field(const Link& link) {
  const std::string& f = link.mass.field;
  const std::string suffix = ".mass";
  if (f.size() > suffix.size() && f.compare(f.size() - suffix.size(), suffix.size(), suffix) == 0)
    return f.substr(0, f.size() - suffix.size());
  return f.empty() ? link.name : f;
}

}  // namespace

std::vector<std::string> physical_warnings(const RobotSpec& spec) {
  std::vector<std::string> out;
  const std::string file = spec.source_file.empty() ? spec.name : spec.source_file;
  for (const Link& link : spec.links) {
    if (link.inserted) continue;
    const std::string where = file + ": " + link_field(link) + ": ";
    if (!(link.mass.value > 0))
      out.push_back(file + ": " + (link.mass.field.empty() ? link.name + ".mass" : link.mass.field) +
                    ": mass must be positive, got " + num(link.mass.value));
    const Mat3 I = inertia_matrix(link.inertia);
    const std::array<double, 3> ev = symmetric_eigenvalues(I);  // ascending
    const double scale = std::max({std::fabs(ev[0]), std::fabs(ev[2]), 1e-300});
    const std::string evs = num(ev[0]) + ", " + num(ev[1]) + ", " + num(ev[2]);
    if (ev[0] <= 1e-12 * scale) {
      out.push_back(where + "inertia not positive definite (eigenvalues " + evs + ")");
      continue;
    }
    const double tol = 1e-12 * scale;
    if (ev[2] > ev[0] + ev[1] + tol)
      out.push_back(where + "inertia violates the triangle inequality (principal moments " + evs +
                    ": the largest exceeds the sum of the other two)");
  }
  // Elastic joints: a motor inertia or a linear stiffness that is not positive is as unphysical as
  // a mass that is not. Higher stiffness orders (K[1], K[2], ...) may be negative (a softening
  // spring), so only K[0] is checked.
  for (const ElasticJoint& e : spec.elastic) {
    const std::string joint = e.joint >= 0 && e.joint < spec.n() ? spec.joints[e.joint].name : "?";
    if (!(e.Mm.value > 0))
      out.push_back(file + ": " + (e.Mm.field.empty() ? joint + ".Mm" : e.Mm.field) +
                    ": motor inertia Mm must be positive, got " + num(e.Mm.value));
    if (!e.K.empty() && !(e.K[0].value > 0))
      out.push_back(file + ": " + (e.K[0].field.empty() ? joint + ".K[0]" : e.K[0].field) +
                    ": stiffness K must be positive, got " + num(e.K[0].value));
  }
  return out;
}

void finish_loading(RobotSpec& spec, const LoadOptions& options) {
  const std::vector<std::string> physical = physical_warnings(spec);
  spec.warnings = spec.file_warnings;
  spec.warnings.insert(spec.warnings.end(), physical.begin(), physical.end());
  if (options.strict && !options.defer_physical_checks && !physical.empty()) {
    std::string msg = physical.front();
    if (physical.size() > 1) msg += " (and " + std::to_string(physical.size() - 1) + " more findings)";
    throw InputError("", 0, "", msg + " [--strict]");
  }
}

}  // namespace thunder
