#include "thunder/cli/presets.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "thunder/model/function_builder.h"
#include "thunder/util/env.h"

namespace thunder {
namespace {

bool starts(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }
bool ends(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}
bool numbered(const std::string& s, const std::string& p) {  // p followed by digits only
  return s.size() > p.size() && starts(s, p) &&
         std::all_of(s.begin() + p.size(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

bool is_time_derivative(const std::string& n) { return ends(n, "_dot") || ends(n, "_ddot"); }

bool is_regressor(const std::string& n) {
  return n == "Y" || n == "Yr" || starts(n, "reg_") || n == "dyn2reg" || n == "reg2dyn" ||
         n == "par_DYN_to_REG" || n == "par_REG_to_DYN";
}

bool is_derivative(const std::string& n) {
  static const std::set<std::string> names = {"dtau_dq", "dtau_ddq", "dFD_dq", "dFD_ddq", "tau_derivatives",
                                              "FD_derivatives", "dFD_dq_ad", "dFD_ddq_id"};
  return names.count(n) > 0;
}

/// The functions of --contacts (generated only with contact frames).
bool is_contact(const std::string& n) { return contact_function_names().count(n) > 0; }

bool is_kinematics(const std::string& n) {
  if (is_time_derivative(n) || is_regressor(n)) return false;
  return starts(n, "T_") || starts(n, "J_") || n == "com" || n == "integrate" || n == "difference";
}

bool is_dynamics(const std::string& n) {
  static const std::set<std::string> names = {"M", "C", "C_std", "Cdq", "G", "tau", "FD", "M_inv", "dl", "dc",
                                              "k", "d", "dm", "Mm", "Dl_jac", "K_jac", "D_jac", "Dm_jac", "FD_sea",
                                              "sea_link_torque", "sea_motor_torque", "A_G"};
  return names.count(n) > 0 || numbered(n, "Dl") || numbered(n, "K") || numbered(n, "D") || numbered(n, "Dm");
}

/// thunder_dynamics' names (v0.x and 1.0; docs/FUNCTIONS.md), so a thunder file gets every name it had.
bool is_thunder(const std::string& n) {
  static const std::set<std::string> names = {
      "T_0",   "T_0_0", "T_i",   "T_0_i",  "T_0_ee", "J_i",    "J_ee",   "J_ee_dot", "J_ee_ddot", "J_ee_pinv",
      "J_cm_i", "M",    "C",     "C_std",  "G",      "M_dot",  "M_ddot", "C_dot",    "C_ddot",    "G_dot",
      "G_ddot", "dl",   "k",     "d",      "dm",     "Mm",     "Yr",     "reg_M",    "reg_C",     "reg_G",
      "reg_Jdq", "reg_JTw", "reg_dl", "reg_k", "reg_d", "reg_dm", "reg_Mm", "Cdq",    "Y",         "dyn2reg",
      "reg2dyn"};
  if (names.count(n) || numbered(n, "Dl") || numbered(n, "K") || numbered(n, "D") || numbered(n, "Dm")) return true;
  return starts(n, "T_w_") || (starts(n, "J_") && !is_regressor(n) && n != "J_com" && !is_contact(n));
}

struct Preset {
  const char* name;
  const char* what;
  bool (*select)(const std::string&);
};

const std::vector<Preset>& presets() {
  static const std::vector<Preset> p = {
      {"kinematics", "placements and Jacobians: T_*, J_* (and _pinv), com, J_com, integrate, difference",
       is_kinematics},
      {"dynamics", "M, C, C_std, Cdq, G, tau, FD, M_inv, A_G, friction and elastic terms", is_dynamics},
      {"derivatives", "dtau_dq, dtau_ddq, dFD_dq, dFD_ddq, tau_derivatives, FD_derivatives", is_derivative},
      {"regressors", "Y, Yr, reg_*, dyn2reg, reg2dyn, par_DYN_to_REG, par_REG_to_DYN", is_regressor},
      {"time-derivatives", "every *_dot and *_ddot (M_dot, C_ddot, J_ee_dot, ...)", is_time_derivative},
      {"contacts", "p_contact, J_contact, gamma_contact, FD_contact, impulse_contact, step_contact, "
       "FD_contact_derivatives (with --contacts)",
       is_contact},
      {"thunder", "every thunder_dynamics name (v0.x and 1.0)", is_thunder},
      {"all", "every function (the default)", [](const std::string&) { return true; }},
  };
  return p;
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& function_presets() {
  static const std::vector<std::pair<std::string, std::string>> out = [] {
    std::vector<std::pair<std::string, std::string>> v;
    for (const Preset& p : presets()) v.emplace_back(p.name, p.what);
    return v;
  }();
  return out;
}

std::string function_names_help() {
  return "                   kinematics: T_0 T_i T_0_i T_0_ee T_w_<frame> J_i J_ee J_ee_pinv J_cm_i\n"
         "                     J_<frame> J_<frame>_pinv com J_com integrate difference\n"
         "                   dynamics: M C C_std Cdq G tau FD M_inv A_G dl Dl<o> Dl_jac dc k K<o> K_jac d D<o>\n"
         "                     D_jac dm Dm<o> Dm_jac Mm FD_sea sea_link_torque sea_motor_torque\n"
         "                   derivatives: dtau_dq dtau_ddq dFD_dq dFD_ddq tau_derivatives FD_derivatives\n"
         "                     dFD_dq_ad dFD_ddq_id\n"
         "                   regressors: Y Yr reg_M reg_C reg_G reg_Jdq reg_JTw reg_Jdq_<frame>\n"
         "                     reg_JTw_<frame> reg_dl reg_dc reg_k reg_d reg_dm reg_Mm dyn2reg reg2dyn\n"
         "                     par_DYN_to_REG par_REG_to_DYN\n"
         "                   time-derivatives: M_dot M_ddot C_dot C_ddot G_dot G_ddot J_ee_dot J_ee_ddot\n"
         "                     J_<frame>_dot J_<frame>_ddot\n"
         "                   contacts (with --contacts): p_contact J_contact gamma_contact FD_contact\n"
         "                     impulse_contact step_contact FD_contact_derivatives\n";
}

std::function<bool(const std::string&)> preset_selector(std::vector<std::string>& names) {
  std::vector<bool (*)(const std::string&)> chosen;
  std::vector<std::string> rest;
  for (const std::string& n : names) {
    auto it = std::find_if(presets().begin(), presets().end(), [&](const Preset& p) { return n == p.name; });
    if (it != presets().end()) chosen.push_back(it->select);
    else rest.push_back(n);
  }
  names = rest;
  if (chosen.empty()) return {};
  return [chosen](const std::string& n) {
    return std::any_of(chosen.begin(), chosen.end(), [&](auto f) { return f(n); });
  };
}

long long large_model_pairs() { return env_count("THUNDER_LARGE_MODEL_PAIRS", 900); }

bool in_large_model_default(const std::string& name) {
  return !is_regressor(name) && !is_time_derivative(name);
}

std::vector<std::string> control_frames(const std::vector<std::string>& frames) {
  static const char* const kNotControl[] = {"imu",   "camera", "cam_",  "_cam",  "d435",   "realsense", "lidar",
                                            "mid360", "laser", "logo",  "rotor", "sensor", "optical",   "depth",
                                            "kinect", "hokuyo", "velodyne", "head_link_cam"};
  std::vector<std::string> out;
  for (const std::string& f : frames) {
    std::string low = f;
    std::transform(low.begin(), low.end(), low.begin(), [](unsigned char c) { return std::tolower(c); });
    bool skip = false;
    for (const char* w : kNotControl) skip = skip || low.find(w) != std::string::npos;
    if (!skip) out.push_back(f);
  }
  return out;
}

}  // namespace thunder
