// A RobotSpec as JSON (for `thunder check --json`, tests and tools).
//
// Schema (S = {"value": number, "symbolic": bool, "field": string}):
//   {"name", "source_file", "format", "n", "base_link", "ee_link",
//    "joints": [{"name", "type": "R"|"P", "elastic": bool, "origin": "DH"|"xyz_rpy",
//                "dh": [S a, S alpha, S d, S theta]          (origin "DH" only),
//                "xyz": [S,S,S], "rpy": [S,S,S]              (origin "xyz_rpy" only),
//                "axis": [x, y, z]}],
//    "links": [{"name", "mass": S, "com": [S,S,S],
//               "inertia": [S Ixx, S Ixy, S Ixz, S Iyy, S Iyz, S Izz], "friction": [S...]}],
//    "base": {"tr": [S,S,S], "ypr": [S,S,S]}, "ee": {"tr", "ypr"}, "gravity": [S,S,S],
//    "Dl_order", "elastic_model", "K_order", "D_order", "Dm_order",
//    "elastic": [{"joint": 0-based index into "joints", "K": [S], "D": [S], "Dm": [S], "Mm": S}],
//    "warnings": [string]}
#pragma once

#include <ostream>

#include "thunder/description/robot_spec.h"

namespace thunder {

void write_spec_json(const RobotSpec& spec, std::ostream& os);

}  // namespace thunder
