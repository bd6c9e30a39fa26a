#include <iostream>
#include <string>
#include "thunder/spec/yaml_tree.h"
#include <casadi/casadi.hpp>

int export_toy_main(const std::string& out);  // export_toy.cpp

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "export-toy") return export_toy_main(argv[2]);
  auto r = thunder::parse_yaml_file(argc > 1 ? argv[1] : "robots/franka.yaml");
  std::cout << r.ok << " " << r.root.keys.size() << std::endl;
  casadi::SX x = casadi::SX::sym("x");
  casadi::Function f("f", {x}, {sin(x)});
  std::cout << f << std::endl;
}
