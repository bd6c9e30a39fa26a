// Runs every THUNDER_TEST registered by the tests/cpp/*.cpp files. Optional argument: a substring
// of the test names to run. `export-toy OUT` instead writes the exporters' toy output folder
// (export_toy.cpp) for tests/test_export_cpp.py. Exit status non-zero when any test fails.
#include <cstring>
#include <exception>
#include <iostream>
#include <string>

#include "test_registry.h"

int export_toy_main(const std::string& out);  // export_toy.cpp

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "export-toy") return export_toy_main(argv[2]);
  int passed = 0, failed = 0;
  for (const auto& t : thunder_test::registry()) {
    if (argc > 1 && !std::strstr(t.name, argv[1])) continue;
    thunder_test::current_failures() = 0;
    try {
      t.fn();
    } catch (const std::exception& e) {
      thunder_test::fail(t.name, 0, std::string("unexpected exception: ") + e.what());
    }
    if (thunder_test::current_failures() == 0) {
      ++passed;
    } else {
      ++failed;
      std::cerr << "FAILED " << t.name << "\n";
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}
