// PLACEHOLDER run_gen: replaced by the code-generation implementation.
#include "thunder/cli/gen.h"

#include <iostream>

#include "thunder/cli/summary.h"

namespace thunder {

int run_gen(const RobotSpec& spec, const GenOptions&) {
  print_summary(spec, std::cout);
  std::cerr << "thunder: error: code generation not yet available\n";
  return 1;
}

}  // namespace thunder
