#include <iostream>
#include "thunder/spec/yaml_tree.h"
#include <casadi/casadi.hpp>
int main(int argc, char** argv) {
  auto r = thunder::parse_yaml_file(argc > 1 ? argv[1] : "robots/franka.yaml");
  std::cout << r.ok << " " << r.root.keys.size() << std::endl;
  casadi::SX x = casadi::SX::sym("x");
  casadi::Function f("f", {x}, {sin(x)});
  std::cout << f << std::endl;
}
