// A minimal unit-test registry: THUNDER_TEST(name) { ... } registers a test; CHECK(cond) and
// CHECK_NEAR(a, b, tol) record failures (the test goes on); tests/cpp/main.cpp runs them all.
#pragma once

#include <cmath>
#include <iostream>
#include <string>
#include <vector>

namespace thunder_test {

struct TestCase {
  const char* name;
  void (*fn)();
};

inline std::vector<TestCase>& registry() {
  static std::vector<TestCase> tests;
  return tests;
}

inline int& current_failures() {
  static int n = 0;
  return n;
}

struct Registrar {
  Registrar(const char* name, void (*fn)()) { registry().push_back({name, fn}); }
};

inline void fail(const char* file, int line, const std::string& what) {
  ++current_failures();
  std::cerr << file << ":" << line << ": check failed: " << what << "\n";
}

}  // namespace thunder_test

#define THUNDER_TEST(name)                                                        \
  static void thunder_test_##name();                                              \
  static const thunder_test::Registrar thunder_test_registrar_##name(#name, &thunder_test_##name); \
  static void thunder_test_##name()

#define CHECK(cond) \
  do {              \
    if (!(cond)) thunder_test::fail(__FILE__, __LINE__, #cond); \
  } while (0)

#define CHECK_NEAR(a, b, tol)                                                                     \
  do {                                                                                            \
    const double thunder_a_ = (a), thunder_b_ = (b);                                              \
    if (!(std::fabs(thunder_a_ - thunder_b_) <= (tol)))                                           \
      thunder_test::fail(__FILE__, __LINE__,                                                      \
                         std::string(#a " ~= " #b ": ") + std::to_string(thunder_a_) + " vs " +   \
                             std::to_string(thunder_b_));                                         \
  } while (0)
