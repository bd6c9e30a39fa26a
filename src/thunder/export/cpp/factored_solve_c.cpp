#include "thunder/export/cpp/factored_solve_c.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "thunder/export/cpp/chunked_c.h"
#include "thunder/export/cpp/isa_twin.h"

namespace thunder {

namespace {

/// `v` as a C initializer list, 16 numbers a line.
template <class V>
std::string table(const V& v) {
  std::ostringstream s;
  s << "{";
  for (size_t k = 0; k < v.size(); ++k) s << (k ? (k % 16 ? ", " : ",\n  ") : "") << v[k];
  s << "}";
  return s.str();
}

}  // namespace

casadi::Function factored_solve_frame(const casadi::Function& fn, const std::string& symbol) {
  std::vector<casadi::SX> in = fn.sx_in(), out;
  for (casadi_int o = 0; o < fn.n_out(); ++o) out.push_back(casadi::SX::zeros(fn.sparsity_out(o)));
  return casadi::Function(symbol, in, out, fn.name_in(), fn.name_out());
}

void emit_factored_solve(const casadi::Function& fn, const FactoredSolve& plan, const std::string& symbol,
                         const std::string& parts_symbol, long long parts_iw, long long parts_w, std::string& c_text) {
  const int n = static_cast<int>(plan.parent.size());
  const int S = plan.stride, U = S / 8;  // a row of X: S doubles, U units of 8
  std::vector<int> k_of, i_of;           // the factor's entries L_ki in plan.parts' order
  for (int k = 0; k < n; ++k)
    for (int i = plan.parent[k]; i >= 0; i = plan.parent[i]) {
      k_of.push_back(k);
      i_of.push_back(i);
    }
  const int n_l = static_cast<int>(k_of.size());
  const casadi_int n_parts = plan.parts.n_out();
  if (S % 8 != 0 || n_parts != fn.n_out() - static_cast<casadi_int>(plan.solved.size()) + 3 ||
      plan.parts.nnz_out(n_parts - 3) != n_l || plan.parts.nnz_out(n_parts - 2) != n ||
      plan.parts.size1_out(n_parts - 1) != S || plan.parts.size2_out(n_parts - 1) != n ||
      plan.pattern.size1() != S || plan.pattern.size2() != n)
    throw std::logic_error(symbol + ": the parts function does not match the factor");

  // Per solved output: its first column among B's columns and its width.
  std::vector<std::pair<size_t, size_t>> ranges;
  for (size_t o = 0, c0 = 0; o < plan.solved.size(); ++o) {
    const int out = plan.solved[o];
    const size_t w = static_cast<size_t>(fn.size2_out(out));
    if (fn.size1_out(out) != n || !fn.sparsity_out(out).is_dense() || c0 + w > plan.columns.size())
      throw std::logic_error(symbol + ": solved output " + fn.name_out(out) + " is not n x k dense");
    ranges.push_back({c0, w});
    c0 += w;
  }

  // Per row of X: L'y = b takes L_ki y_k from its descendants k; L x = z takes L_ki x_i from its
  // ancestors i (entries of L in plan.parts' order).
  std::vector<std::vector<int>> down_row(n), down_l(n);
  std::vector<int> up_start(n + 1, 0), down_start(n + 1, 0), down_rows, down_ls;
  for (int p = 0; p < n_l; ++p) {
    down_row[i_of[p]].push_back(k_of[p]);
    down_l[i_of[p]].push_back(p);
    up_start[k_of[p] + 1] = p + 1;
  }
  for (int k = 0; k < n; ++k) {
    up_start[k + 1] = std::max(up_start[k + 1], up_start[k]);
    down_rows.insert(down_rows.end(), down_row[k].begin(), down_row[k].end());
    down_ls.insert(down_ls.end(), down_l[k].begin(), down_l[k].end());
    down_start[k + 1] = static_cast<int>(down_rows.size());
  }
  // The units of each row that the first pass can make nonzero: B's own and its descendants'
  // (a column of the identity reaches only the dof's ancestors). Units that stay zero are skipped.
  std::vector<std::vector<bool>> live(n, std::vector<bool>(U, false));
  const std::vector<casadi_int> colind = plan.pattern.get_colind();
  const std::vector<casadi_int> rowind = plan.pattern.get_row();
  for (int k = 0; k < n; ++k)
    for (casadi_int e = colind[k]; e < colind[k + 1]; ++e) live[k][rowind[e] / 8] = true;
  for (int k = n - 1; k >= 0; --k)
    if (plan.parent[k] >= 0)
      for (int u = 0; u < U; ++u) live[plan.parent[k]][u] = live[plan.parent[k]][u] || live[k][u];
  std::vector<int> unit_start(1, 0), units;
  for (int k = 0; k < n; ++k) {
    for (int u = 0; u < U; ++u)
      if (live[k][u]) units.push_back(8 * u);
    unit_start.push_back(static_cast<int>(units.size()));
  }
  // The units each row needs in the second pass: a symmetric output's column c only in rows
  // k <= c (the copy mirrors the rest), so row k of M⁻¹'s block skips the units left of column k.
  // A row's ancestors need at least its units, so every value pulled is computed.
  std::vector<int> last_row(S, -1);  // per column of X: the last row that needs it
  for (size_t j = 0; j < plan.solved.size(); ++j) {
    const bool sym = std::find(plan.symmetric.begin(), plan.symmetric.end(), plan.solved[j]) != plan.symmetric.end();
    for (size_t c = 0; c < ranges[j].second; ++c) {
      const int r = plan.columns[ranges[j].first + c];
      if (r >= 0) last_row[r] = sym ? static_cast<int>(c) : n - 1;
    }
  }
  std::vector<int> up_unit_start(1, 0), up_units;
  for (int k = 0; k < n; ++k) {
    for (int u = 0; u < U; ++u) {
      bool needed = false;
      for (int c = 8 * u; c < 8 * u + 8; ++c) needed = needed || last_row[c] >= k;
      if (needed) up_units.push_back(8 * u);
    }
    up_unit_start.push_back(static_cast<int>(up_units.size()));
  }

  std::ostringstream s;
  s << "/* Thunder: " << symbol << " = " << parts_symbol << " (everything but the solve), then M X = B for "
    << "the " << plan.columns.size() << " columns of B at once with the tree factor M = L'DL. */\n"
    << "int " << parts_symbol << "(const casadi_real** arg, casadi_real** res, casadi_int* iw, casadi_real* w, int mem);\n";
  if (n_l > 0)  // no entry of L (every dof a root): the passes are the scaling alone
    s << "static const int thunder_up_start[" << n + 1 << "] = " << table(up_start) << ";\n"
      << "static const int thunder_up_row[" << n_l << "] = " << table(i_of) << ";\n"
      << "static const int thunder_down_start[" << n + 1 << "] = " << table(down_start) << ";\n"
      << "static const int thunder_down_row[" << n_l << "] = " << table(down_rows) << ";\n"
      << "static const int thunder_down_l[" << n_l << "] = " << table(down_ls) << ";\n"
      << "static const int thunder_unit_start[" << n + 1 << "] = " << table(unit_start) << ";\n"
      << "static const int thunder_units[" << std::max<size_t>(units.size(), 1) << "] = "
      << table(units.empty() ? std::vector<int>{0} : units) << ";\n"
      << "static const int thunder_up_unit_start[" << n + 1 << "] = " << table(up_unit_start) << ";\n"
      << "static const int thunder_up_units[" << std::max<size_t>(up_units.size(), 1) << "] = "
      << table(up_units.empty() ? std::vector<int>{0} : up_units) << ";\n";

  // The solve: both passes in pull form (Featherstone's loops turned around): row r of X less
  // Σ_j a_j X_row(j), some units of the row held in registers while the products accumulate, so
  // each row is stored once per pass (pushing each product into the row it changes, as Table 6.4
  // writes it, stores a row per product and measured 1.5x slower, bound by the stores). Four
  // vector accumulators at a time: independent chains that hide the FMA latency (one, on the
  // humanoid, left the passes latency-bound at the speed of the push form).
  const std::string Ss = std::to_string(S);
  const auto solve_fn = [&](const std::string& name, int width, const std::string& attr) {
    // Four accumulators of `w` doubles over the next 4w/8 units u[0], u[1], ... (accumulator j:
    // vector j % (8/w) of unit u[j / (8/w)]).
    const auto body = [&](int w) {
      const int per_unit = 8 / w;
      const std::string V = "thunder_v" + std::to_string(w);
      const auto at = [&](int j, const std::string& base) {
        return "(" + base + " + u[" + std::to_string(j / per_unit) + "] + " + std::to_string((j % per_unit) * w) + ")";
      };
      std::ostringstream b;
      b << "    " << V;
      for (int j = 0; j < 4; ++j) b << (j ? ", " : " ") << "a" << j << " = *(const " << V << "*)" << at(j, "y");
      b << ";\n    for (j = 0; j < m; ++j) {\n      const casadi_real* x = X + " << Ss
        << "*row[j];\n      const casadi_real s = a[j];\n";
      for (int q = 0; q < 4; ++q) b << "      a" << q << " -= s * *(const " << V << "*)" << at(q, "x") << ";\n";
      b << "    }\n";
      for (int q = 0; q < 4; ++q) b << "    *(" << V << "*)" << at(q, "y") << " = a" << q << ";\n";
      return b.str();
    };
    // Units four vectors at a time at this ISA's width, the rest at narrower ones: always four
    // chains (a single 8-wide chain waits out the FMA latency on every product).
    std::ostringstream f;
    if (n_l > 0) f << attr << "static void " << name << "_pull(casadi_real* y, const casadi_real* X, const casadi_real* a, "
      << "const int* row, int m, const int* u, int nu) {\n  int j;\n  const int* end = u + nu;\n";
    for (int w = width; w >= 2 && n_l > 0; w /= 2) {
      const int units = w / 2;  // 4 vectors of w doubles
      f << "  for (; u + " << units << " <= end; u += " << units << ") {\n" << body(w) << "  }\n";
    }
    if (n_l > 0) f << "}\n";
    f << attr << "static void " << name
      << "(const casadi_real* L, const casadi_real* inv_D, casadi_real* X) {\n  int k, c;\n  (void)L;\n";
    if (n_l > 0)
      f << "  casadi_real L_down[" << n_l << "];\n  for (k = 0; k < " << n_l
        << "; ++k) L_down[k] = L[thunder_down_l[k]];\n  /* L'y = b, leaves to root. */\n"
        << "  for (k = " << n - 1 << "; k >= 0; --k)\n    " << name << "_pull(X + " << Ss
        << "*k, X, L_down + thunder_down_start[k], thunder_down_row + thunder_down_start[k], "
        << "thunder_down_start[k + 1] - thunder_down_start[k], thunder_units + thunder_unit_start[k], "
        << "thunder_unit_start[k + 1] - thunder_unit_start[k]);\n";
    f << "  for (k = 0; k < " << n << "; ++k) {\n    const casadi_real d = inv_D[k];\n    for (c = 0; c < " << Ss
      << "; ++c) X[" << Ss << "*k + c] *= d;\n  }\n";
    if (n_l > 0)
      f << "  /* L x = z, root to leaves. */\n  for (k = 0; k < " << n << "; ++k)\n    " << name << "_pull(X + "
        << Ss << "*k, X, L + thunder_up_start[k], thunder_up_row + thunder_up_start[k], "
        << "thunder_up_start[k + 1] - thunder_up_start[k], thunder_up_units + thunder_up_unit_start[k], "
        << "thunder_up_unit_start[k + 1] - thunder_up_unit_start[k]);\n";
    f << "}\n";
    return f.str();
  };
  // The library is built for the baseline ISA by default (x86-64: SSE2, two doubles a vector),
  // so on x86-64 with GCC the solve also comes for x86-64-v3 (AVX2, FMA) and v4 (AVX-512),
  // chosen once at run time by the CPU (GNU C vectors give each its own vector width). Other
  // compilers get plain loops.
  s << "#if " << kDispatchCondition << "\n#define THUNDER_DISPATCH 1\n#endif\n"
    << "#if (defined(__GNUC__) || defined(__clang__)) && !defined(THUNDER_PLAIN_C)\n"
    << "typedef double thunder_v2 __attribute__((vector_size(16), aligned(8), may_alias));\n"
    << "#ifdef THUNDER_DISPATCH\n"
    << "typedef double thunder_v4 __attribute__((vector_size(32), aligned(8), may_alias));\n"
    << "typedef double thunder_v8 __attribute__((vector_size(64), aligned(8), may_alias));\n"
    << solve_fn("thunder_solve_v4", 8, "__attribute__((target(\"arch=x86-64-v4\"))) ")
    << solve_fn("thunder_solve_v3", 4, "__attribute__((target(\"arch=x86-64-v3\"))) ") << "#endif\n"
    << solve_fn("thunder_solve_v1", 2, "") << "#else\n"
    << "static void thunder_solve_v1(const casadi_real* L, const casadi_real* inv_D, casadi_real* X) {\n"
    << "  int k, j, u, c;\n  (void)L; (void)j; (void)u;\n";
  // The same passes in plain C, over the same units (8 columns each).
  const auto plain_pass = [&](const std::string& k_loop, const std::string& list, const std::string& a,
                              const std::string& unit_list) {
    s << "  for (" << k_loop << ")\n    for (j = thunder_" << list << "_start[k]; j < thunder_" << list
      << "_start[k + 1]; ++j) {\n      const casadi_real a = " << a << ";\n      const casadi_real* x = X + " << S
      << "*thunder_" << list << "_row[j];\n      for (u = thunder_" << unit_list << "_start[k]; u < thunder_"
      << unit_list << "_start[k + 1]; ++u)\n        for (c = thunder_" << unit_list << "s[u]; c < thunder_"
      << unit_list << "s[u] + 8; ++c) X[" << S << "*k + c] -= a * x[c];\n    }\n";
  };
  if (n_l > 0) plain_pass("k = " + std::to_string(n - 1) + "; k >= 0; --k", "down", "L[thunder_down_l[j]]", "unit");
  s << "  for (k = 0; k < " << n << "; ++k)\n    for (c = 0; c < " << S << "; ++c) X[" << S
    << "*k + c] *= inv_D[k];\n";
  if (n_l > 0) plain_pass("k = 0; k < " + std::to_string(n) + "; ++k", "up", "L[j]", "up_unit");
  s << "}\n#endif\n";
  // The copy into the column-major outputs is a transpose: 4x4 blocks in AVX2 registers where
  // the CPU has them (scalar, the strided loads were 1.6 of the humanoid's 16.4 us).
  s << "#ifdef THUNDER_DISPATCH\n"
    << kCpuLevelFunction
    << "typedef long long thunder_i4 __attribute__((vector_size(32)));\n"
    << "__attribute__((target(\"arch=x86-64-v3\"))) static void thunder_tcopy_v3(const casadi_real* x, int ldx, "
       "casadi_real* o, int ldo, int rows, int cols, casadi_real s) {\n"
    << "  int k, c, j;\n  for (c = 0; c + 4 <= cols; c += 4) {\n    for (k = 0; k + 4 <= rows; k += 4) {\n"
    << "      const thunder_v4 r0 = *(const thunder_v4*)(x + (k + 0) * ldx + c), r1 = *(const thunder_v4*)(x + (k + 1) * ldx + c);\n"
    << "      const thunder_v4 r2 = *(const thunder_v4*)(x + (k + 2) * ldx + c), r3 = *(const thunder_v4*)(x + (k + 3) * ldx + c);\n"
    << "      const thunder_v4 t0 = __builtin_shuffle(r0, r1, (thunder_i4){0, 4, 2, 6});\n"
    << "      const thunder_v4 t1 = __builtin_shuffle(r0, r1, (thunder_i4){1, 5, 3, 7});\n"
    << "      const thunder_v4 t2 = __builtin_shuffle(r2, r3, (thunder_i4){0, 4, 2, 6});\n"
    << "      const thunder_v4 t3 = __builtin_shuffle(r2, r3, (thunder_i4){1, 5, 3, 7});\n"
    << "      *(thunder_v4*)(o + (c + 0) * ldo + k) = s * __builtin_shuffle(t0, t2, (thunder_i4){0, 1, 4, 5});\n"
    << "      *(thunder_v4*)(o + (c + 1) * ldo + k) = s * __builtin_shuffle(t1, t3, (thunder_i4){0, 1, 4, 5});\n"
    << "      *(thunder_v4*)(o + (c + 2) * ldo + k) = s * __builtin_shuffle(t0, t2, (thunder_i4){2, 3, 6, 7});\n"
    << "      *(thunder_v4*)(o + (c + 3) * ldo + k) = s * __builtin_shuffle(t1, t3, (thunder_i4){2, 3, 6, 7});\n"
    << "    }\n    for (; k < rows; ++k)\n      for (j = 0; j < 4; ++j) o[(c + j) * ldo + k] = s * x[k * ldx + c + j];\n  }\n"
    << "  for (; c < cols; ++c)\n    for (k = 0; k < rows; ++k) o[c * ldo + k] = s * x[k * ldx + c];\n}\n#endif\n"
    << "/* o[c ldo + k] = s x[k ldx + c] for k < rows, c < cols. */\n"
    << "static void thunder_tcopy(const casadi_real* x, int ldx, casadi_real* o, int ldo, int rows, int cols, "
       "casadi_real s) {\n  int k, c;\n"
    << "#ifdef THUNDER_DISPATCH\n  if (thunder_level() >= 3) {\n    thunder_tcopy_v3(x, ldx, o, ldo, rows, cols, s);\n"
    << "    return;\n  }\n#endif\n"
    << "  for (c = 0; c < cols; ++c)\n    for (k = 0; k < rows; ++k) o[c * ldo + k] = s * x[k * ldx + c];\n}\n";
  s << "static void thunder_solve(const casadi_real* L, const casadi_real* inv_D, casadi_real* X) {\n"
    << "#ifdef THUNDER_DISPATCH\n  const int l = thunder_level();\n"
    << "  if (l == 4) thunder_solve_v4(L, inv_D, X);\n  else if (l == 3) thunder_solve_v3(L, inv_D, X);\n"
    << "  else thunder_solve_v1(L, inv_D, X);\n#else\n  thunder_solve_v1(L, inv_D, X);\n#endif\n}\n";

  s << kEvalSignature;
  s << "  casadi_real *L = w + " << parts_w << ", *inv_D = L + " << n_l << ", *X = inv_D + " << n << ";\n"
    << "  casadi_real* r[" << n_parts << "];\n  int k, c;\n  (void)mem; (void)k; (void)c;\n";
  int slot = 0;
  for (casadi_int o = 0; o < fn.n_out(); ++o)
    if (std::find(plan.solved.begin(), plan.solved.end(), o) == plan.solved.end())
      s << "  r[" << slot++ << "] = res[" << o << "];\n";
  s << "  r[" << slot << "] = L;\n  r[" << slot + 1 << "] = inv_D;\n  r[" << slot + 2 << "] = X;\n"
    << "  if (" << parts_symbol << "(arg, r, iw, w, 0)) return 1;\n  thunder_solve(L, inv_D, X);\n";
  const char* sign = plan.negated ? "-" : "";
  const std::string scale = plan.negated ? "-1." : "1.";
  for (size_t j = 0; j < plan.solved.size(); ++j) {
    const int o = plan.solved[j];
    const size_t c_first = ranges[j].first, width = ranges[j].second;
    if (std::find(plan.symmetric.begin(), plan.symmetric.end(), o) != plan.symmetric.end()) {
      // M⁻¹ itself (B = ±I: every column, in order), exactly symmetric: the blocks of 4 columns
      // down to their diagonal transposed (entries below the diagonal, perhaps never computed,
      // are overwritten next), then entry (k, c) below the diagonal from (c, k), a row of X.
      const int base = plan.columns[c_first];
      bool in_order = width == static_cast<size_t>(n) && base >= 0;
      for (size_t c = 0; c < width && in_order; ++c) in_order = plan.columns[c_first + c] == base + static_cast<int>(c);
      if (!in_order) throw std::logic_error(symbol + ": symmetric output " + fn.name_out(o) + " is not M⁻¹ ±I");
      s << "  if (res[" << o << "]) {\n    casadi_real* out = res[" << o << "];\n"
        << "    for (c = 0; c < " << n << "; c += 4)\n      thunder_tcopy(X + " << base << " + c, " << Ss
        << ", out + " << n << "*c, " << n << ", c + 4 < " << n << " ? c + 4 : " << n << ", c + 4 < " << n
        << " ? 4 : " << n << " - c, " << scale << ");\n"
        << "    for (c = 0; c < " << n << "; ++c)\n      for (k = c + 1; k < " << n << "; ++k) out[" << n
        << "*c + k] = " << sign << "X[" << Ss << "*c + " << base << " + k];\n  }\n";
      continue;
    }
    // Runs of columns whose rows of X follow each other, transposed; zero columns of B zeroed.
    s << "  if (res[" << o << "]) {\n";
    for (size_t c = 0; c < width;) {
      const int row = plan.columns[c_first + c];
      size_t e = c + 1;
      while (e < width && (row < 0 ? plan.columns[c_first + e] < 0
                                   : plan.columns[c_first + e] == row + static_cast<int>(e - c)))
        ++e;
      if (row < 0)
        s << "    for (k = 0; k < " << n * (e - c) << "; ++k) res[" << o << "][" << n * c << " + k] = 0;\n";
      else
        s << "    thunder_tcopy(X + " << row << ", " << Ss << ", res[" << o << "] + " << n * c << ", " << n << ", " << n
          << ", " << e - c << ", " << scale << ");\n";
      c = e;
    }
    s << "  }\n";
  }
  s << "  return 0;\n}\n";
  replace_eval(c_text, symbol, s.str());
  set_work(c_text, symbol, parts_iw, parts_w + n_l + n + static_cast<long long>(S) * n);
}

}  // namespace thunder
