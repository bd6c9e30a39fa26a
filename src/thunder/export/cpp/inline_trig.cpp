#include "thunder/export/cpp/inline_trig.h"

#include <cctype>

namespace thunder {
namespace {

bool ident(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

/// Replaces every call `name(` (not part of a longer identifier) by `to(`.
int replace_calls(std::string& text, const std::string& name, const std::string& to) {
  int n = 0;
  const std::string call = name + "(";
  for (size_t p = 0; (p = text.find(call, p)) != std::string::npos;) {
    if (p > 0 && ident(text[p - 1])) {
      p += call.size();
      continue;
    }
    text.replace(p, name.size(), to);
    p += to.size() + 1;
    ++n;
  }
  return n;
}

}  // namespace

const std::string& inline_trig_prelude() {
  // No branch calls the C library: a call anywhere in the function, even on a path never taken,
  // makes GCC spill around it (tau of the simple humanoid: 0.97 of libm's time with a fallback for
  // large |x|, 0.89 without), and a second reduction stage for large |x| cost 9 %. Kernels: the
  // coefficients of fdlibm's __kernel_sin and __kernel_cos.
  static const std::string text =
      "/* thunder: inline sin/cos */\n"
      "#include <math.h>\n"
      "#include <string.h>\n"
      "static inline double th_ksin(double x) {\n"
      "  const double z = x * x, v = z * x;\n"
      "  const double r = 8.33333333332248946124e-03 + z * (-1.98412698298579493134e-04 +\n"
      "      z * (2.75573137070700676789e-06 + z * (-2.50507602534068634195e-08 + z * 1.58969099521155010221e-10)));\n"
      "  return x + v * (-1.66666666666666324348e-01 + z * r);\n"
      "}\n"
      "static inline double th_kcos(double x) {\n"
      "  const double z = x * x;\n"
      "  const double r = z * (4.16666666666666019037e-02 + z * (-1.38888888888741095749e-03 +\n"
      "      z * (2.48015872894767294178e-05 + z * (-2.75573143513906633035e-07 +\n"
      "      z * (2.08757232129817482790e-09 + z * -1.13596475577881948265e-11)))));\n"
      "  const double hz = 0.5 * z, w = 1.0 - hz;\n"
      "  return w + (((1.0 - w) - hz) + z * r);\n"
      "}\n"
      "/* x = k pi/2 + r: k to the nearest integer by adding 1.5 * 2^52 (its low bits are then k's),\n"
      "   pi/2 in three parts of 33 bits (Cody & Waite): for |k| < 2^20 the products are exact, and so\n"
      "   is r; beyond, the one rounding of k p1 makes r that of a number within half an ulp of x\n"
      "   (backward stable). From |x| = 2^50 (1.1e15 rad, doubles 0.125 rad apart) on: nan. */\n"
      "static inline double th_reduce(double x, long long* n) {\n"
      "  const double big = 6755399441055744.0, t = x * 6.36619772367581382433e-01 + big, k = t - big;\n"
      "  memcpy(n, &t, sizeof *n);\n"
      "  const double r = ((x - k * 1.57079632673412561417e+00) - k * 6.07710050630396597660e-11) -\n"
      "                   k * 2.02226624879595063154e-21;\n"
      "  return fabs(x) < 1125899906842624.0 ? r : NAN;\n"
      "}\n"
      "/* Reassociating compilers would fold k = (x c + big) - big to x c: -ffast-math (GCC, Clang),\n"
      "   /fp:fast (MSVC), and Intel's compilers, whose default floating-point model is fast. */\n"
      "#if defined(__FAST_MATH__) || defined(_M_FP_FAST) || defined(__INTEL_COMPILER) || defined(__INTEL_LLVM_COMPILER)\n"
      "#define th_sin sin\n"
      "#define th_cos cos\n"
      "#else\n"
      "static inline double th_sin(double x) {\n"
      "  long long n;\n"
      "  const double r = th_reduce(x, &n), s = th_ksin(r), c = th_kcos(r);\n"
      "  const double m = (n & 1) ? c : s;\n"
      "  return x == 0 ? x : (n & 2) ? -m : m; /* sin(-0) = -0 */\n"
      "}\n"
      "static inline double th_cos(double x) {\n"
      "  long long n;\n"
      "  const double r = th_reduce(x, &n), s = th_ksin(r), c = th_kcos(r);\n"
      "  const double m = (n & 1) ? s : c;\n"
      "  return ((n + 1) & 2) ? -m : m;\n"
      "}\n"
      "#endif\n"
      "/* thunder: end inline sin/cos */\n";
  return text;
}

int inline_trig(std::string& c_text) {
  if (c_text.find("#define casadi_real double") == std::string::npos) return 0;
  if (c_text.find("/* thunder: inline sin/cos */") != std::string::npos) return 0;  // done already
  std::string body = c_text;
  const int n = replace_calls(body, "sin", "th_sin") + replace_calls(body, "cos", "th_cos");
  if (n == 0) return 0;
  // after the last #include at the start of a line, else at the top
  size_t at = 0;
  for (size_t p = 0; (p = body.find("#include", p)) != std::string::npos; p += 8)
    if (p == 0 || body[p - 1] == '\n') at = body.find('\n', p) + 1;
  body.insert(at, inline_trig_prelude());
  c_text.swap(body);
  return n;
}

}  // namespace thunder
