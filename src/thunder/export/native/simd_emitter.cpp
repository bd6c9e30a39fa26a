#include "thunder/export/native/simd_emitter.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "thunder/export/op_table.h"
#include "thunder/util/env.h"

namespace thunder {
namespace {

/// Operations that thunder_simd.h implements as a function call (libmvec or libm lane by lane).
const std::set<std::string> kCalls = {"exp", "log", "pow", "constpow", "sin", "cos", "tan", "asin",
                                      "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
                                      "atan2", "erf", "erfinv", "log1p", "expm1", "hypot", "fmod",
                                      "remainder"};

}  // namespace

std::string c_literal(double v, const std::string& type) {
  if (std::isnan(v)) return type + "(NAN)";
  if (std::isinf(v)) return v > 0 ? type + "(INFINITY)" : "(-" + type + "(INFINITY))";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".";
  return type + "(" + s + ")";
}

long long simd_chunk_threshold() { return env_count("THUNDER_NATIVE_CHUNK_ABOVE", 100000); }
long long simd_reverse_chunk_threshold() {
  return std::min(simd_chunk_threshold(), env_count("THUNDER_NATIVE_REVERSE_CHUNK_ABOVE", 10000));
}
long long simd_chunk_size() { return std::max(1LL, env_count("THUNDER_NATIVE_CHUNK_SIZE", 6000)); }

void emit_simd_kernel(std::ostream& os, const casadi::Function& fn, const std::string& symbol,
                      std::vector<std::pair<std::string, std::string>>* chunks, long long chunk_above) {
  if (chunk_above < 0) chunk_above = simd_chunk_threshold();
  using namespace casadi;
  if (!fn.is_a("SXFunction")) throw std::runtime_error("SIMD kernel of " + fn.name() + ": not an SX function");
  const casadi_int n_in = fn.n_in(), n_out = fn.n_out(), n_instr = fn.n_instructions();
  std::vector<casadi_int> in_off(n_in + 1, 0), out_off(n_out + 1, 0);
  for (casadi_int j = 0; j < n_in; ++j) in_off[j + 1] = in_off[j] + fn.nnz_in(j);
  for (casadi_int j = 0; j < n_out; ++j) out_off[j + 1] = out_off[j] + fn.nnz_out(j);

  casadi_int n_work = 0;
  std::vector<char> written(out_off[n_out], 0);
  for (casadi_int k = 0; k < n_instr; ++k) {
    const std::vector<casadi_int> out = fn.instruction_output(k);
    if (fn.instruction_id(k) == OP_OUTPUT) written.at(out_off.at(out.at(0)) + out.at(1)) = 1;
    else if (!out.empty()) n_work = std::max(n_work, out[0] + 1);
  }

  // Every value gets its own name (SSA; CasADi's slot reuse only mattered for its work array),
  // which frees the order: the calls to libmvec (sin, cos, ...: every vector register is
  // caller-saved in the vector ABI, so each call spills whatever is live) and what they depend on
  // go first, the rest follows in CasADi's order. In robot functions the calls take the joint
  // angles only, so they run back to back and nothing but their results is live across them.
  // sin and cos of one value share their argument reduction: the first of the pair writes both
  // through th_sincos, the second writes nothing.
  std::vector<casadi_int> partner(n_instr, -1);
  {
    std::vector<casadi_int> prod(n_work, -1);
    std::map<casadi_int, casadi_int> sin_of, cos_of;  // operand value -> instruction
    for (casadi_int k = 0; k < n_instr; ++k) {
      const casadi_int op = fn.instruction_id(k);
      const std::vector<casadi_int> out = fn.instruction_output(k);
      if (op == OP_SIN || op == OP_COS) {
        const casadi_int a = prod.at(fn.instruction_input(k).at(0));
        auto& mine = op == OP_SIN ? sin_of : cos_of;
        auto& other = op == OP_SIN ? cos_of : sin_of;
        auto it = other.find(a);
        if (it != other.end() && partner[it->second] < 0 && !mine.count(a)) {
          partner[it->second] = k;
          partner[k] = it->second;
        }
        mine.emplace(a, k);
      }
      if (op != OP_OUTPUT && !out.empty()) prod.at(out[0]) = k;
    }
  }
  std::vector<std::string> line(n_instr);
  std::vector<std::vector<casadi_int>> deps(n_instr);
  std::vector<char> is_call(n_instr, 0);
  std::vector<casadi_int> producer(n_work, -1);
  auto v = [&](casadi_int k, casadi_int slot) {
    const casadi_int p = producer.at(slot);
    if (p < 0) throw std::runtime_error("SIMD kernel of " + fn.name() + ": instruction " + std::to_string(k) +
                                        " reads work slot " + std::to_string(slot) + " before it is written");
    deps[k].push_back(p);
    return "v" + std::to_string(p);
  };
  for (casadi_int k = 0; k < n_instr; ++k) {
    const casadi_int op = fn.instruction_id(k);
    const std::vector<casadi_int> in = fn.instruction_input(k);
    const std::vector<casadi_int> out = fn.instruction_output(k);
    std::ostringstream os_k;
    const std::string def = "  const th_v v" + std::to_string(k) + " = ";
    switch (op) {
      case OP_CONST: os_k << def << "th_c(" << c_literal(fn.instruction_constant(k), "th_t") << ");"; break;
      case OP_INPUT: os_k << def << "x[" << in_off.at(in[0]) + in[1] << "];"; break;
      case OP_OUTPUT: (void)v(k, in[0]); break;   // emitted after its value (below)
      case OP_ASSIGN:
      case OP_LIFT:
      case OP_PRINTME: os_k << def << v(k, in[0]) << ";"; break;
      default: {
        const OpInfo* info = find_op(static_cast<int>(op));
        if (partner[k] >= 0) {   // sin/cos pair
          is_call[k] = 1;
          if (partner[k] < k) break;
          const casadi_int ks = op == OP_SIN ? k : partner[k], kc = op == OP_SIN ? partner[k] : k;
          os_k << "  th_v v" << ks << ", v" << kc << ";\n  th_sincos(" << v(k, in[0]) << ", v" << ks << ", v"
               << kc << ");";
          break;
        }
        if (!info || info->nargs > 2)
          throw std::runtime_error("SIMD kernel of " + fn.name() + ": unsupported CasADi operation " +
                                   std::to_string(op) + " at instruction " + std::to_string(k));
        os_k << def;
        if (info->infix && info->nargs == 2) os_k << v(k, in[0]) << " " << info->infix << " " << v(k, in[1]);
        else if (info->infix) os_k << info->infix << v(k, in[0]);
        else if (info->nargs == 2) os_k << "th_" << info->name << "(" << v(k, in[0]) << ", " << v(k, in[1]) << ")";
        else os_k << "th_" << info->name << "(" << v(k, in[0]) << ")";
        os_k << ";";
        is_call[k] = kCalls.count(info->name) > 0;
      }
    }
    line[k] = os_k.str();
    if (op != OP_OUTPUT && !out.empty()) producer.at(out[0]) = k;
  }
  std::vector<char> early(n_instr, 0);
  for (casadi_int k = n_instr - 1; k >= 0; --k) {
    if (is_call[k]) early[k] = 1;
    if (early[k]) {
      for (casadi_int d : deps[k]) early[d] = 1;
      if (partner[k] >= 0) early[partner[k]] = 1;  // the pair is defined by its first
    }
  }

  std::vector<casadi_int> order;  // emitted lines in order
  for (int pass = 1; pass >= 0; --pass)
    for (casadi_int k = 0; k < n_instr; ++k)
      if (early[k] == pass && !line[k].empty()) order.push_back(k);

  // Outputs are stored as soon as the tile has them (th_out: straight to the caller's rows with
  // streaming stores in a large call), so that the stores leave the core spread over the tile
  // instead of as one burst at its end: each right after the line defining its value, the
  // constant ones (and the structural zeros, which nothing writes) spread evenly over the lines.
  // after[i]: the stores following order[i] (the last entry: after every line).
  std::vector<std::vector<std::string>> after(order.size() + 1);
  {
    std::vector<long long> pos(n_instr, -1);
    for (size_t i = 0; i < order.size(); ++i) {
      pos[order[i]] = static_cast<long long>(i);
      if (partner[order[i]] >= 0) pos[partner[order[i]]] = static_cast<long long>(i);  // defined by the pair
    }
    std::vector<std::pair<casadi_int, std::string>> spread;  // (output element, value)
    for (casadi_int k = 0; k < n_instr; ++k) {
      if (fn.instruction_id(k) != OP_OUTPUT) continue;
      const std::vector<casadi_int> out = fn.instruction_output(k);
      const casadi_int e = out_off.at(out[0]) + out[1], p = deps[k].at(0);
      if (fn.instruction_id(p) == OP_CONST) {
        spread.emplace_back(e, "th_c(" + c_literal(fn.instruction_constant(p), "th_t") + ")");
      } else {
        if (pos[p] < 0) throw std::runtime_error("SIMD kernel of " + fn.name() + ": output " + std::to_string(e) +
                                                 " reads a value no line defines");
        after[pos[p]].push_back("  th_out(y, th_row, th_b0, " + std::to_string(e) + ", v" + std::to_string(p) + ");");
      }
    }
    for (size_t e = 0; e < written.size(); ++e)
      if (!written[e]) spread.emplace_back(static_cast<casadi_int>(e), "th_c(0)");
    for (size_t i = 0; i < spread.size(); ++i) {
      const size_t at = order.empty() ? 0 : (2 * i + 1) * order.size() / (2 * spread.size());
      after[order.empty() ? 0 : std::min(at, order.size() - 1)].push_back(
          "  th_out(y, th_row, th_b0, " + std::to_string(spread[i].first) + ", " + spread[i].second + ");");
    }
  }
  auto emit_after = [&](std::ostream& o, size_t i) {
    for (const std::string& st : after[i]) o << st << "\n";
  };

  if (chunks && static_cast<long long>(order.size()) > chunk_above) {
    // Chunks of consecutive lines. A value read in a later chunk than the one defining it goes
    // through the spill array S (one slot per such value); the lines themselves are unchanged.
    // Chunks of equal length (at most simd_chunk_size() lines each).
    const long long max_size = simd_chunk_size();
    const size_t n_chunks = (order.size() + max_size - 1) / max_size;
    const size_t size = (order.size() + n_chunks - 1) / n_chunks;
    std::vector<long long> chunk_of(n_instr, -1);  // chunk defining value k
    for (size_t i = 0; i < order.size(); ++i) {
      const casadi_int k = order[i];
      chunk_of[k] = static_cast<long long>(i / size);
      if (partner[k] >= 0) chunk_of[partner[k]] = chunk_of[k];  // the pair is defined by its first
    }
    std::vector<long long> slot(n_instr, -1);
    long long n_spill = 0;
    std::vector<std::set<casadi_int>> live_in(n_chunks), live_out(n_chunks);
    for (size_t i = 0; i < order.size(); ++i) {
      const long long c = static_cast<long long>(i / size);
      for (casadi_int d : deps[order[i]]) {
        if (chunk_of[d] < 0) throw std::runtime_error("SIMD kernel of " + fn.name() + ": a value read before it is defined");
        if (chunk_of[d] == c) continue;
        if (slot[d] < 0) slot[d] = n_spill++;
        live_in[c].insert(d);
        live_out[chunk_of[d]].insert(d);
      }
    }
    for (size_t c = 0; c < n_chunks; ++c) {
      std::ostringstream cs;
      const std::string name = symbol + "_g" + std::to_string(c);
      cs << "/* Thunder SIMD tile chunk " << c << " of " << symbol << " (generated; do not edit). */\n"
         << "#include \"thunder_simd.h\"\n"
         << "__attribute__((noinline)) void " << name
         << "(const th_v* __restrict x, th_v* __restrict y, th_v* __restrict S, const th_direct* d) {\n"
            "  (void)x; (void)y; (void)S;\n  TH_DIRECT_LOCALS(d)\n";
      // A live-in is loaded just before its first reader and a live-out stored right after its
      // definition: loading them all first and storing them all last kept every one of them live
      // through the whole chunk (register pressure, spills; C_dot reverse at 8000 lines ran 35 %
      // slower than unchunked).
      std::set<casadi_int> loaded;
      for (size_t i = c * size; i < std::min<size_t>(order.size(), (c + 1) * size); ++i) {
        const casadi_int k = order[i];
        for (casadi_int d : deps[k])
          if (live_in[c].count(d) && loaded.insert(d).second)
            cs << "  const th_v v" << d << " = S[" << slot[d] << "];\n";
        cs << line[k] << "\n";
        for (casadi_int w : {k, partner[k] > k ? partner[k] : casadi_int(-1)})
          if (w >= 0 && live_out[c].count(w)) cs << "  S[" << slot[w] << "] = v" << w << ";\n";
        emit_after(cs, i);
      }
      cs << "}\n";
      chunks->emplace_back(name + ".cpp", cs.str());
    }
    for (size_t c = 0; c < n_chunks; ++c)
      os << "void " << symbol << "_g" << c
         << "(const th_v* __restrict x, th_v* __restrict y, th_v* __restrict S, const th_direct* d);\n";
    // The spill array: per thread, allocated once (a tile runs on one thread at a time).
    os << "\nstatic __attribute__((noinline)) void " << symbol
       << "_tile(const th_v* __restrict x, th_v* __restrict y, const th_direct* d) {\n"
       << "  static thread_local th_v* S = 0;\n"
       << "  if (!S) { void* m = 0; if (posix_memalign(&m, 64, sizeof(th_v) * " << std::max(1LL, n_spill)
       << ")) abort(); S = (th_v*)m; }\n";
    for (size_t c = 0; c < n_chunks; ++c) os << "  " << symbol << "_g" << c << "(x, y, S, d);\n";
    if (!after[order.size()].empty()) os << "  {\n  TH_DIRECT_LOCALS(d)\n";
    emit_after(os, order.size());
    if (!after[order.size()].empty()) os << "  }\n";
  } else {
    // noinline: one frame per tile function keeps GCC's register allocation per function, and the
    // driver's gather/scatter loops out of the straight-line block.
    os << "\nstatic __attribute__((noinline)) void " << symbol
       << "_tile(const th_v* __restrict x, th_v* __restrict y, const th_direct* d) {\n  TH_DIRECT_LOCALS(d)\n";
    for (size_t i = 0; i < order.size(); ++i) {
      os << line[order[i]] << "\n";
      emit_after(os, i);
    }
    emit_after(os, order.size());
  }
  os << "}\n\n";

  auto table = [&](const char* what, casadi_int n, auto nnz) {
    os << "static const long long " << symbol << "_" << what << "[] = {";
    for (casadi_int j = 0; j < n; ++j) os << (j ? ", " : "") << nnz(j);
    if (n == 0) os << "0";
    os << "};\n";
  };
  table("in_size", n_in, [&](casadi_int j) { return fn.nnz_in(j); });
  table("out_size", n_out, [&](casadi_int j) { return fn.nnz_out(j); });
  os << "extern \"C\" int " << symbol
     << "_batch(const void* const* in, const long long* in_stride, void* const* out, "
        "const long long* out_stride, long long batch, void* stream) {\n  (void)stream;\n"
     << "  return th_tile_batch(" << symbol << "_tile, " << n_instr << "LL, " << n_in << ", " << symbol << "_in_size, " << n_out
     << ", " << symbol << "_out_size, in, in_stride, out, out_stride, batch);\n}\n";
}

}  // namespace thunder
