#include "thunder/export/torch/torch_exporter.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <type_traits>
#include <unordered_map>

#include "thunder/export/op_table.h"
#include "thunder/util/json.h"

namespace thunder {
namespace {

using casadi::Function;
using casadi::Sparsity;

// The operations and their names come from the shared table (export/op_table.h); kOpFma is
// the fused c + a * b step this exporter writes for a level's arithmetic.

/// A value of the expression DAG (SSA: CasADi reuses work slots, we do not until allocation).
struct Value {
  enum Kind { CONST, INPUT, OP } kind;
  int op = -1;
  int a = -1, b = -1, c = -1;  ///< operand value ids (c: third operand of fma)
  int level = 0;
  int index = 0;  ///< constant index (CONST) or input-block offset (INPUT)
};

/// A binary array blob with 8-byte aligned little-endian arrays.
class Blob {
 public:
  template <class T>
  void add(JsonWriter& js, const std::vector<T>& xs, const char* dtype) {
    static_assert(std::is_arithmetic<T>::value, "arrays of numbers");
    while (data_.size() % 8) data_.push_back(0);
    js.begin_object().key("dtype").value(dtype).key("offset").value(static_cast<long long>(data_.size()))
        .key("count").value(static_cast<long long>(xs.size())).end_object();
    const size_t n = xs.size() * sizeof(T);
    const size_t off = data_.size();
    data_.resize(off + n);
    if (n) std::memcpy(data_.data() + off, xs.data(), n);  // x86/ARM little-endian hosts
  }
  /// Slot index array: uint16 when every value fits (most schedules), else int32; the runtime
  /// widens it to int64 once at load.
  void add_slots(JsonWriter& js, const std::vector<int64_t>& xs, long long n_slots) {
    if (n_slots <= 65536) add(js, std::vector<uint16_t>(xs.begin(), xs.end()), "<u2");
    else add(js, std::vector<int32_t>(xs.begin(), xs.end()), "<i4");
  }
  const std::vector<char>& data() const { return data_; }

 private:
  std::vector<char> data_;
};

struct Schedule {
  TorchScheduleStats stats;
  std::vector<double> consts;
  std::vector<int> step_op, step_n, step_out0, args, out_slots;
};

/// Builds the level schedule of `f`. `input_offset(j, nz)` places input j's nonzero nz in the
/// input block (size n_in); `outputs` lists, in the order the caller wants them, (output, nz)
/// pairs, nz = -1 for a structural zero.
Schedule build_schedule(const Function& f, const std::string& fname,
                        const std::function<int(int, int)>& input_offset, int n_in,
                        const std::vector<std::pair<int, int>>& outputs) {
  Schedule s;
  const auto& ops = op_table();
  const casadi_int n_instr = f.n_instructions();
  s.stats.n_instructions = n_instr;

  std::vector<Value> vals;
  std::vector<int> work;  // CasADi work slot -> value id
  std::unordered_map<uint64_t, int> const_index;
  auto add_const = [&](double c) {
    uint64_t bits;
    std::memcpy(&bits, &c, sizeof bits);
    auto it = const_index.find(bits);
    if (it != const_index.end()) return it->second;
    int idx = static_cast<int>(s.consts.size());
    s.consts.push_back(c);
    const_index[bits] = idx;
    return idx;
  };
  add_const(0.0);  // slot 0: the zero of structural zeros
  std::unordered_map<uint64_t, int> const_value_of;
  auto const_value = [&](double c) {  // a CONST value (id) for the operands of fma rewrites
    uint64_t bits;
    std::memcpy(&bits, &c, sizeof bits);
    auto it = const_value_of.find(bits);
    if (it != const_value_of.end()) return it->second;
    Value v{Value::CONST};
    v.index = add_const(c);
    vals.push_back(v);
    return const_value_of[bits] = static_cast<int>(vals.size()) - 1;
  };
  std::vector<std::vector<int>> out_val(f.n_out());
  for (casadi_int j = 0; j < f.n_out(); ++j) out_val[j].assign(f.nnz_out(j), -1);
  auto set_work = [&](casadi_int w, int v) {
    if (w >= static_cast<casadi_int>(work.size())) work.resize(w + 1, -1);
    work[w] = v;
  };
  auto get_work = [&](casadi_int w) {
    if (w < 0 || w >= static_cast<casadi_int>(work.size()) || work[w] < 0)
      throw std::runtime_error("torch export of " + fname + ": instruction reads an unset work slot");
    return work[w];
  };

  for (casadi_int k = 0; k < n_instr; ++k) {
    const casadi_int op = f.instruction_id(k);
    const std::vector<casadi_int> in = f.instruction_input(k);
    const std::vector<casadi_int> out = f.instruction_output(k);
    if (op == casadi::OP_CONST) {
      Value v{Value::CONST};
      v.index = add_const(f.instruction_constant(k));
      vals.push_back(v);
      set_work(out.at(0), static_cast<int>(vals.size()) - 1);
    } else if (op == casadi::OP_INPUT) {
      Value v{Value::INPUT};
      v.index = input_offset(static_cast<int>(in.at(0)), static_cast<int>(in.at(1)));
      vals.push_back(v);
      set_work(out.at(0), static_cast<int>(vals.size()) - 1);
    } else if (op == casadi::OP_OUTPUT) {
      out_val.at(out.at(0)).at(out.at(1)) = get_work(in.at(0));
    } else if (op == casadi::OP_ASSIGN || op == casadi::OP_PRINTME || op == casadi::OP_LIFT) {
      set_work(out.at(0), get_work(in.at(0)));  // value of the first operand
    } else {
      auto it = ops.find(static_cast<int>(op));
      if (it == ops.end()) {
        std::string opname = "?";
        try {
          opname = casadi::casadi_math<double>::print(static_cast<unsigned char>(op), "x", "y");
        } catch (...) {
        }
        throw std::runtime_error("torch export of " + fname + ": unsupported CasADi operation " +
                                 std::to_string(op) + " (" + opname + ") at instruction " +
                                 std::to_string(k));
      }
      Value v{Value::OP};
      v.op = static_cast<int>(op);
      v.a = get_work(in.at(0));
      if (it->second.nargs == 2) v.b = get_work(in.at(1));
      const int x = v.a, y = v.b;
      auto is_const = [&](int u) { return u >= 0 && vals[u].kind == Value::CONST; };
      auto const_of = [&](int u) { return s.consts[vals[u].index]; };
      // Rewrite as fma(c, a, b) = c + a * b, each with exactly one rounding. A constant operand
      // goes to c or b and the variable to a (x + k = k + x*1, x - k = (-k) + x*1, k*x = -0 + x*k,
      // 2x = -0 + x*2), so that a step's rows fall into few constant patterns: (x, y, ±1),
      // (-0, x, y) and (k, x, k'). Rows of one pattern form a run whose constant operands the
      // CPU runtime reads as broadcast columns instead of gathered rows.
      switch (op) {
        case casadi::OP_ADD:
          if (is_const(x) && !is_const(y)) v.c = x, v.a = y, v.b = const_value(1.0);
          else if (is_const(y) && !is_const(x)) v.c = y, v.a = x, v.b = const_value(1.0);
          else v.c = x, v.a = y, v.b = const_value(1.0);
          break;
        case casadi::OP_SUB:
          if (is_const(y) && !is_const(x)) v.c = const_value(-const_of(y)), v.a = x, v.b = const_value(1.0);
          else v.c = x, v.a = y, v.b = const_value(-1.0);
          break;
        case casadi::OP_MUL:
          if (is_const(x) && !is_const(y)) v.c = const_value(-0.0), v.a = y, v.b = x;
          else v.c = const_value(-0.0), v.a = x, v.b = y;
          break;
        case casadi::OP_NEG: v.c = const_value(-0.0), v.a = x, v.b = const_value(-1.0); break;
        case casadi::OP_TWICE: v.c = const_value(-0.0), v.a = x, v.b = const_value(2.0); break;
        case casadi::OP_SQ: v.c = const_value(-0.0), v.a = x, v.b = x; break;
        default: break;
      }
      if (v.c >= 0) v.op = kOpFma;
      v.level = 0;
      for (int u : {v.a, v.b, v.c})
        if (u >= 0) v.level = std::max(v.level, vals[u].level + 1);
      vals.push_back(v);
      set_work(out.at(0), static_cast<int>(vals.size()) - 1);
    }
  }

  // Output values that CasADi never wrote are structural zeros of the sparsity: keep them 0.
  std::vector<int> requested;
  for (auto [j, nz] : outputs) requested.push_back(nz < 0 ? -1 : out_val.at(j).at(nz));

  // Reachability from the requested outputs.
  const int nv = static_cast<int>(vals.size());
  std::vector<char> live(nv, 0);
  for (int v : requested)
    if (v >= 0) live[v] = 1;
  for (int v = nv - 1; v >= 0; --v)
    if (live[v] && vals[v].kind == Value::OP)
      for (int u : {vals[v].a, vals[v].b, vals[v].c})
        if (u >= 0) live[u] = 1;

  // Group by (level, op), in level order.
  std::map<std::pair<int, int>, std::vector<int>> groups;
  int max_level = 0;
  for (int v = 0; v < nv; ++v)
    if (live[v] && vals[v].kind == Value::OP) {
      groups[{vals[v].level, vals[v].op}].push_back(v);
      max_level = std::max(max_level, vals[v].level);
      ++s.stats.n_ops;
    }
  // Within a step, results ordered by which operands are constants (stable: CasADi's order
  // otherwise): the fused fma step mixes x + y (b = 1), x * y (c = -0) and true fma rows, and a
  // run whose operand is only constants reads a broadcast column instead of gathering a
  // batch-wide copy of a constant row (the runtime splits a step into such runs on the CPU).
  auto const_key = [&](int v) {
    auto k = [&](int u) { return u >= 0 && vals[u].kind == Value::CONST ? 1 : 0; };
    return 4 * k(vals[v].c) + 2 * k(vals[v].a) + k(vals[v].b);
  };
  for (auto& [key, members] : groups)
    std::stable_sort(members.begin(), members.end(),
                     [&](int x, int y) { return const_key(x) < const_key(y); });
  std::vector<int> step_of(nv, -1);
  std::vector<const std::vector<int>*> steps;
  for (auto& [key, members] : groups) {
    for (int v : members) step_of[v] = static_cast<int>(steps.size());
    steps.push_back(&members);
  }
  // Last step reading each value (INT_MAX for outputs: never freed).
  std::vector<int> last_use(nv, -1);
  for (size_t st = 0; st < steps.size(); ++st)
    for (int v : *steps[st])
      for (int u : {vals[v].a, vals[v].b, vals[v].c})
        if (u >= 0) last_use[u] = std::max(last_use[u], static_cast<int>(st));
  for (int v : requested)
    if (v >= 0) last_use[v] = INT32_MAX;

  // Slots: [constants | input block | work region]. Each step's results get a contiguous run of
  // free work slots (first fit); operands are released after the step's results are placed, so
  // results never alias operands of the same step.
  const int n_const = static_cast<int>(s.consts.size());
  const int base = n_const + n_in;
  std::vector<int> slot(nv, -1);
  for (int v = 0; v < nv; ++v) {
    if (vals[v].kind == Value::CONST) slot[v] = vals[v].index;
    if (vals[v].kind == Value::INPUT) slot[v] = n_const + vals[v].index;
  }
  std::vector<char> used;     // work region occupancy
  std::vector<int> freed_at;  // step that last freed each work slot (-1: never used)
  for (size_t st = 0; st < steps.size(); ++st) {
    const auto& members = *steps[st];
    const int n = static_cast<int>(members.size());
    // Of the runs of n free slots, take one freed most recently (the largest minimum of
    // freed_at over the window, among the windows at either end of each free stretch; the
    // lowest on ties): its rows were read or written a few steps ago and are still in the
    // CPU's cache, where writing into a slot freed long ago first reads its cold line from
    // memory. No such run: extend the region (its free tail first).
    const int region = static_cast<int>(used.size());
    int start = -1, best = -2;
    auto consider = [&](int w0) {
      int m = INT32_MAX;
      for (int i = w0; i < w0 + n && m > best; ++i) m = std::min(m, freed_at[i]);
      if (m > best) best = m, start = w0;
    };
    for (int r0 = 0; r0 < region;) {
      if (used[r0]) {
        ++r0;
        continue;
      }
      int r1 = r0;
      while (r1 < region && !used[r1]) ++r1;
      if (r1 - r0 >= n) {
        consider(r0);
        if (r1 - n > r0) consider(r1 - n);
      }
      r0 = r1;
    }
    if (start < 0) {
      int tail = region;
      while (tail > 0 && !used[tail - 1]) --tail;
      start = tail;
      if (start + n > region) {
        used.resize(start + n, 0);
        freed_at.resize(start + n, -1);
      }
    }
    for (int i = 0; i < n; ++i) {
      used[start + i] = 1;
      slot[members[i]] = base + start + i;
    }
    s.step_op.push_back(vals[members[0]].op);
    s.step_n.push_back(n);
    s.step_out0.push_back(base + start);
    if (vals[members[0]].op == kOpFma)
      for (int v : members) s.args.push_back(slot[vals[v].c]);
    for (int v : members) s.args.push_back(slot[vals[v].a]);
    if (ops.at(vals[members[0]].op).nargs >= 2)
      for (int v : members) s.args.push_back(slot[vals[v].b]);
    auto release = [&](int u) {
      if (vals[u].kind == Value::OP && last_use[u] == static_cast<int>(st)) {
        int w = slot[u] - base;
        if (used[w]) {
          used[w] = 0;
          freed_at[w] = static_cast<int>(st);
        }
      }
    };
    for (int v : members)
      for (int u : {vals[v].a, vals[v].b, vals[v].c})
        if (u >= 0) release(u);
    // Results nobody reads (cannot happen after reachability, but keep the region tidy).
    for (int v : members)
      if (last_use[v] < 0) {
        used[slot[v] - base] = 0;
        freed_at[slot[v] - base] = static_cast<int>(st);
      }
  }
  for (int v : requested) s.out_slots.push_back(v >= 0 ? slot[v] : 0);

  s.stats.n_levels = max_level;
  s.stats.n_steps = static_cast<int>(steps.size());
  s.stats.n_const = n_const;
  s.stats.n_in = n_in;
  s.stats.n_slots = base + static_cast<int>(used.size());
  return s;
}

void write_shape(JsonWriter& js, const std::string& name, const Sparsity& sp) {
  js.begin_object().key("name").value(name).key("rows").value(static_cast<long long>(sp.size1()))
      .key("cols").value(static_cast<long long>(sp.size2())).key("nnz")
      .value(static_cast<long long>(sp.nnz())).end_object();
}

/// Row-major dense position (r * cols + c) of each nonzero of `sp`, in CasADi's (column-major)
/// nonzero order.
std::vector<int> dense_positions(const Sparsity& sp) {
  std::vector<int> pos;
  const auto& ci = sp.get_colind();
  const auto& row = sp.get_row();
  for (casadi_int c = 0; c < sp.size2(); ++c)
    for (casadi_int k = ci[c]; k < ci[c + 1]; ++k)
      pos.push_back(static_cast<int>(row[k] * sp.size2() + c));
  return pos;
}

/// The schedule as the runtime executes it (docs/TORCH_ARTIFACT.md, version 2): one row of
/// `steps` per step (op, out0, n, operand 0..2), an operand being the first slot of a run of n
/// consecutive slots (>= 0) or -(1 + offset) of its n slot indices in `gather`. Everything the
/// runtime would otherwise derive at load (which operands are slices, the dense output gather) is
/// decided here, once.
void write_schedule(JsonWriter& js, Blob& blob, const Schedule& s) {
  const auto& ops = op_table();
  js.begin_object();
  const auto& st = s.stats;
  js.key("n_instructions").value(st.n_instructions).key("n_ops").value(st.n_ops)
      .key("n_levels").value(st.n_levels).key("n_steps").value(st.n_steps)
      .key("n_const").value(st.n_const).key("n_in").value(st.n_in)
      .key("n_slots").value(st.n_slots).key("n_out").value(static_cast<int>(s.out_slots.size()));
  std::vector<std::string> names;  // the operations this schedule uses; steps index them
  std::map<int, int> code;
  for (int op : s.step_op)
    if (code.emplace(op, static_cast<int>(names.size())).second) names.push_back(ops.at(op).name);
  js.key("ops").array(names);
  js.key("consts");
  blob.add(js, s.consts, "<f8");
  std::vector<int32_t> steps;
  std::vector<int64_t> gather;
  size_t pos = 0;
  for (size_t k = 0; k < s.step_op.size(); ++k) {
    const int n = s.step_n[k];
    const int nargs = s.step_op[k] == kOpFma ? 3 : ops.at(s.step_op[k]).nargs;
    steps.push_back(code.at(s.step_op[k]));
    steps.push_back(s.step_out0[k]);
    steps.push_back(n);
    for (int a = 0; a < 3; ++a) {
      if (a >= nargs) {
        steps.push_back(0);
        continue;
      }
      bool run = true;
      for (int i = 1; i < n && run; ++i) run = s.args[pos + i] == s.args[pos] + i;
      if (run) {
        steps.push_back(s.args[pos]);
      } else {
        steps.push_back(-1 - static_cast<int32_t>(gather.size()));
        gather.insert(gather.end(), s.args.begin() + pos, s.args.begin() + pos + n);
      }
      pos += n;
    }
  }
  js.key("steps");
  blob.add(js, steps, "<i4");
  js.key("gather");
  blob.add_slots(js, gather, st.n_slots);
  std::vector<int64_t> out(s.out_slots.begin(), s.out_slots.end());
  js.key("out_index");
  blob.add_slots(js, out, st.n_slots);
  js.end_object();
}

std::string stats_line(const TorchScheduleStats& s) {
  std::ostringstream os;
  os << s.n_instructions << " instructions, " << s.n_ops << " ops in " << s.n_levels
     << " levels, " << s.n_steps << " steps, " << s.n_slots << " slots";
  return os.str();
}

}  // namespace

void export_torch(const FunctionSet& set, const std::filesystem::path& out_dir,
                  std::function<void(const std::string&)> progress) {
  namespace fs = std::filesystem;
  auto say = [&](const std::string& m) {
    if (progress) progress(m);
  };
  const fs::path dir = out_dir / "torch";
  fs::create_directories(dir);
  Blob blob;
  std::ostringstream header;
  JsonWriter js(header, 0);  // compact: the index is data, not for reading
  js.begin_object();
  js.key("format").value("thunder-torch").key("version").value(2)
      .key("generator").value(std::string("thunder ") + THUNDER_VERSION)
      .key("robot").value(set.robot).key("blob").value("thunder_torch.bin")
      .key("endianness").value("little");
  js.key("functions").begin_array();
  for (const auto& info : set.functions) {
    Function f = info.fn;
    const std::string name = f.name();
    if (!f.is_a("SXFunction")) f = f.expand();
    const int n_in = static_cast<int>(f.n_in()), n_out = static_cast<int>(f.n_out());

    // Forward: the input block holds every input's dense row-major values (the caller's
    // tensors, copied as they are); the result is every output's dense row-major values, a
    // structural zero reading slot 0 (the constant 0.0).
    std::vector<int> in_dense(n_in + 1, 0), out_dense(n_out + 1, 0);
    std::vector<std::vector<int>> in_pos(n_in), out_pos(n_out);
    for (int j = 0; j < n_in; ++j) {
      in_dense[j + 1] = in_dense[j] + static_cast<int>(f.numel_in(j));
      in_pos[j] = dense_positions(f.sparsity_in(j));
    }
    for (int j = 0; j < n_out; ++j) {
      out_dense[j + 1] = out_dense[j] + static_cast<int>(f.numel_out(j));
      out_pos[j] = dense_positions(f.sparsity_out(j));
    }
    const int D = in_dense[n_in], DO = out_dense[n_out];
    std::vector<std::pair<int, int>> fwd_out;
    for (int j = 0; j < n_out; ++j) {
      std::vector<int> nz_at(f.numel_out(j), -1);
      for (size_t k = 0; k < out_pos[j].size(); ++k) nz_at[out_pos[j][k]] = static_cast<int>(k);
      for (int nz : nz_at) fwd_out.emplace_back(j, nz);
    }
    Schedule fwd = build_schedule(
        f, name, [&](int j, int nz) { return in_dense.at(j) + in_pos.at(j).at(nz); }, D, fwd_out);

    // Reverse: CasADi's adjoint with inputs (inputs, outputs, output seeds) and outputs the input
    // adjoints. Its sparsities may be smaller (unused outputs are emptied): place each of its
    // input nonzeros by (row, col) in the caller's dense vector [X; Y; dY].
    Function r = f.reverse(1);
    if (!r.is_a("SXFunction")) r = r.expand();
    auto rev_in = [&](int j, int nz) -> int {
      const Sparsity& sp = r.sparsity_in(j);
      casadi_int row = sp.row(nz);
      casadi_int col = 0;
      const auto& ci = sp.get_colind();
      while (ci[col + 1] <= nz) ++col;
      int base;
      Sparsity fsp;
      if (j < n_in) {
        base = in_dense[j];
        fsp = f.sparsity_in(j);
      } else if (j < n_in + n_out) {
        base = D + out_dense[j - n_in];
        fsp = f.sparsity_out(j - n_in);
      } else {
        base = D + DO + out_dense[j - n_in - n_out];
        fsp = f.sparsity_out(j - n_in - n_out);
      }
      if (fsp.get_nz(row, col) < 0)
        throw std::runtime_error("torch export of " + name +
                                 ": reverse-mode input nonzero outside the forward sparsity");
      return base + static_cast<int>(row * fsp.size2() + col);
    };
    std::vector<std::pair<int, int>> rev_out;  // dense row-major adjoint of every input
    for (int j = 0; j < n_in; ++j) {
      const Sparsity& fsp = f.sparsity_in(j);
      const Sparsity& rsp = r.sparsity_out(j);
      for (casadi_int row = 0; row < fsp.size1(); ++row)
        for (casadi_int c = 0; c < fsp.size2(); ++c)
          rev_out.emplace_back(j, fsp.get_nz(row, c) < 0 ? -1 : static_cast<int>(rsp.get_nz(row, c)));
    }
    Schedule rev = build_schedule(r, name + " (reverse)", rev_in, D + 2 * DO, rev_out);

    js.begin_object().key("name").value(name).key("description").value(info.description);
    js.key("inputs").begin_array();
    for (int j = 0; j < n_in; ++j) write_shape(js, f.name_in(j), f.sparsity_in(j));
    js.end_array().key("outputs").begin_array();
    for (int j = 0; j < n_out; ++j) write_shape(js, f.name_out(j), f.sparsity_out(j));
    js.end_array();
    js.key("forward");
    write_schedule(js, blob, fwd);
    js.key("reverse");
    write_schedule(js, blob, rev);
    js.end_object();
    say("torch: " + name + ": " + stats_line(fwd.stats) + "; reverse " + stats_line(rev.stats));
  }
  js.end_array();
  js.key("blob_size").value(static_cast<long long>(blob.data().size()));
  js.end_object();

  {
    std::ofstream os(dir / "thunder_torch.bin", std::ios::binary);
    os.write(blob.data().data(), static_cast<std::streamsize>(blob.data().size()));
    if (!os) throw std::runtime_error("cannot write " + (dir / "thunder_torch.bin").string());
  }
  {
    std::ofstream os(dir / "thunder_torch.json");
    os << header.str() << "\n";
    if (!os) throw std::runtime_error("cannot write " + (dir / "thunder_torch.json").string());
  }
  say("torch: wrote " + dir.string() + " (" + std::to_string(blob.data().size()) + " bytes of data)");
}

}  // namespace thunder
