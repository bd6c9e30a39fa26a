#include "thunder/export/native/native_exporter.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "thunder/export/cpp/chunked_c.h"
#include "thunder/export/cpp/inline_trig.h"
#include "thunder/export/cpp/cpp_exporter.h"
#include "thunder/export/native/cuda_emitter.h"
#include "thunder/export/native/native_runtime_files.h"
#include "thunder/export/native/simd_emitter.h"
#include "thunder/functions/manifest.h"
#include "thunder/util/text_file.h"

namespace thunder {
namespace {

namespace fs_ = std::filesystem;
using casadi::Function;
using casadi::SX;

std::string read_file(const fs_::path& file) {
  std::ifstream is(file, std::ios::binary);
  std::ostringstream ss;
  ss << is.rdbuf();
  return ss.str();
}

std::string c_string(const std::string& s) {
  std::string r = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') r += '\\', r += c;
    else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", static_cast<unsigned char>(c));
      r += buf;
    } else r += c;
  }
  return r + "\"";
}

/// `f` with every input a dense vector holding the input's dense row-major values, and every
/// output the dense row-major values of the original output (structural zeros become 0).
Function flattened(const Function& f0, const std::string& symbol) {
  const Function f = f0.is_a("SXFunction") ? f0 : f0.expand();
  std::vector<SX> flat_in, mat_in, flat_out;
  for (casadi_int i = 0; i < f.n_in(); ++i) {
    const casadi_int r = f.size1_in(i), c = f.size2_in(i);
    SX x = SX::sym(f.name_in(i), r * c);
    flat_in.push_back(x);
    mat_in.push_back(SX::reshape(x, c, r).T());
  }
  for (const SX& y : f(mat_in)) {
    SX d = SX::densify(y);
    flat_out.push_back(SX::reshape(d.T(), d.numel(), 1));
  }
  return Function(symbol, flat_in, flat_out, f.name_in(), f.name_out());
}

/// CasADi's reverse-mode partner of the flattened `w`, with dense inputs (inputs, outputs, output
/// seeds) and dense outputs (input adjoints), whatever sparsities fn.reverse(1) chose.
Function dense_reverse(const Function& w, const std::string& symbol) {
  Function r = w.reverse(1);
  if (!r.is_a("SXFunction")) r = r.expand();
  const casadi_int n_in = w.n_in(), n_out = w.n_out();
  std::vector<SX> args, call;
  std::vector<std::string> names;
  for (casadi_int j = 0; j < n_in + 2 * n_out; ++j) {
    casadi_int n;
    std::string name;
    if (j < n_in) n = w.nnz_in(j), name = w.name_in(j);
    else if (j < n_in + n_out) n = w.nnz_out(j - n_in), name = w.name_out(j - n_in);
    else n = w.nnz_out(j - n_in - n_out), name = "adj_" + w.name_out(j - n_in - n_out);
    SX x = SX::sym(name, n);
    args.push_back(x);
    names.push_back(name);
    if (r.size1_in(j) == n && r.size2_in(j) == 1) call.push_back(SX::project(x, r.sparsity_in(j)));
    else call.push_back(SX(r.sparsity_in(j)));  // an input the adjoint does not use
  }
  std::vector<SX> res = r(call), outs;
  std::vector<std::string> out_names;
  for (casadi_int j = 0; j < n_in; ++j) {
    const casadi_int n = w.nnz_in(j);
    if (res[j].size1() == n && res[j].size2() == 1) outs.push_back(SX::densify(res[j]));
    else outs.push_back(SX::zeros(n, 1));
    out_names.push_back("adj_" + w.name_in(j));
  }
  return Function(symbol, args, outs, names, out_names);
}

struct Entry {
  std::string symbol;  ///< C symbol of the CasADi function; the batched entry is symbol + "_batch"
  Function fn;
};

struct FnCode {
  std::string name;
  std::string file;  ///< base name, no extension
  Entry fwd, rev;
};

/// Entry point of the scalar kernels: CasADi's function once per instance (thunder_native_scalar.h).
std::string batch_wrapper(const Entry& e) {
  std::ostringstream s;
  const Function& f = e.fn;
  s << "static const long long " << e.symbol << "_in_size[] = {";
  for (casadi_int j = 0; j < f.n_in(); ++j) s << (j ? ", " : "") << f.nnz_in(j);
  if (f.n_in() == 0) s << "0";
  s << "};\n";
  s << "static const long long " << e.symbol << "_out_size[] = {";
  for (casadi_int j = 0; j < f.n_out(); ++j) s << (j ? ", " : "") << f.nnz_out(j);
  if (f.n_out() == 0) s << "0";
  s << "};\n";
  s << "int " << e.symbol
    << "_batch(const void* const* in, const long long* in_stride, void* const* out, "
       "const long long* out_stride, long long batch, void* stream) {\n  (void)stream;\n  return thunder_batch("
    << e.symbol << ", " << e.symbol << "_work, " << f.n_instructions() << "LL, " << f.n_in() << ", " << f.n_out() << ", " << e.symbol
    << "_in_size, " << e.symbol << "_out_size, in, in_stride, out, out_stride, batch);\n}\n";
  return s.str();
}

/// The registry of one library; `kernels` is "simd", "scalar" or "cuda" (thunder_native_kernels()).
std::string registry_text(const FunctionSet& set, const std::vector<FnCode>& fns, const std::string& hash,
                          const std::string& kernels) {
  const bool cuda = kernels == "cuda", simd = kernels == "simd";
  std::ostringstream s;
  s << "/* Thunder native registry of " << set.robot << " (generated; do not edit). */\n";
  s << "#include \"" << (cuda ? "../" : "") << "thunder_native.h\"\n";
  s << "#ifdef _OPENMP\n#include <omp.h>\n#endif\n";
  if (simd)
    s << "#include \"thunder_simd.h\"  /* TH_W */\n#include \"thunder_pool.h\"  /* thunder_native_parallel */\n"
         "#include <thread>\n#define casadi_real th_t\n";
  s << "#ifndef casadi_real\n#define casadi_real double\n#endif\n";
  s << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  for (const auto& f : fns)
    for (const Entry* e : {&f.fwd, &f.rev})
      s << "extern int " << e->symbol
        << "_batch(const void* const*, const long long*, void* const*, const long long*, long long, void*);\n";
  s << "\nstatic const char* const kNames[] = {";
  for (size_t i = 0; i < fns.size(); ++i) s << (i ? ", " : "") << c_string(fns[i].name);
  if (fns.empty()) s << "0";
  s << "};\nstatic const thunder_native_fn kTable[] = {";
  for (size_t i = 0; i < fns.size(); ++i)
    s << (i ? ",\n    " : "\n    ") << fns[i].fwd.symbol << "_batch, " << fns[i].rev.symbol << "_batch";
  if (fns.empty()) s << "0";
  s << "};\n";
  // Sizes: per entry, offsets into one flat table.
  std::vector<long long> n_in, n_out, off_in, off_out, sizes_in, sizes_out;
  for (const auto& f : fns)
    for (const Entry* e : {&f.fwd, &f.rev}) {
      n_in.push_back(e->fn.n_in());
      n_out.push_back(e->fn.n_out());
      off_in.push_back(static_cast<long long>(sizes_in.size()));
      off_out.push_back(static_cast<long long>(sizes_out.size()));
      for (casadi_int j = 0; j < e->fn.n_in(); ++j) sizes_in.push_back(e->fn.nnz_in(j));
      for (casadi_int j = 0; j < e->fn.n_out(); ++j) sizes_out.push_back(e->fn.nnz_out(j));
    }
  auto table = [&](const char* type, const char* name, const std::vector<long long>& v) {
    s << "static const " << type << " " << name << "[] = {";
    for (size_t i = 0; i < v.size(); ++i) s << (i ? ", " : "") << v[i];
    if (v.empty()) s << "0";
    s << "};\n";
  };
  table("int", "kNIn", n_in);
  table("int", "kNOut", n_out);
  table("int", "kOffIn", off_in);
  table("int", "kOffOut", off_out);
  table("long long", "kSizeIn", sizes_in);
  table("long long", "kSizeOut", sizes_out);
  const int n_entries = static_cast<int>(2 * fns.size());
  s << "#define N_FNS " << fns.size() << "\n#define N_ENTRIES " << n_entries << "\n\n";
  s << "int thunder_native_abi(void) { return THUNDER_NATIVE_ABI; }\n";
  s << "const char* thunder_native_robot(void) { return " << c_string(set.robot) << "; }\n";
  s << "const char* thunder_native_hash(void) { return " << c_string(hash) << "; }\n";
  s << "const char* thunder_native_dtype(void) { return sizeof(casadi_real) == 4 ? \"float32\" : "
       "\"float64\"; }\n";
  s << "const char* thunder_native_device(void) { return \"" << (cuda ? "cuda" : "cpu") << "\"; }\n";
  s << "const char* thunder_native_kernels(void) { return \"" << kernels << "\"; }\n";
  s << "int thunder_native_lanes(void) { return " << (simd ? "TH_W" : cuda ? "0" : "1") << "; }\n";
  // Tiles and CUDA threads write slot-major outputs with whole vectors / coalesced; CasADi's
  // scalar code writes one instance's contiguous output.
  s << "int thunder_native_out_layout(void) { return " << (kernels == "scalar" ? 0 : 1) << "; }\n";
  s << "int thunder_native_n_functions(void) { return N_FNS; }\n";
  s << "const char* thunder_native_name(int i) { return i >= 0 && i < N_FNS ? kNames[i] : 0; }\n";
  s << "int thunder_native_n_in(int e) { return e >= 0 && e < N_ENTRIES ? kNIn[e] : -1; }\n";
  s << "int thunder_native_n_out(int e) { return e >= 0 && e < N_ENTRIES ? kNOut[e] : -1; }\n";
  s << "long long thunder_native_size_in(int e, int j) {\n"
       "  return e >= 0 && e < N_ENTRIES && j >= 0 && j < kNIn[e] ? kSizeIn[kOffIn[e] + j] : -1;\n}\n";
  s << "long long thunder_native_size_out(int e, int j) {\n"
       "  return e >= 0 && e < N_ENTRIES && j >= 0 && j < kNOut[e] ? kSizeOut[kOffOut[e] + j] : -1;\n}\n";
  s << "thunder_native_fn thunder_native_entry(int e) { return e >= 0 && e < N_ENTRIES ? kTable[e] : 0; }\n";
  // The threads a CPU call may use (thunder_torch passes torch.get_num_threads()): read by the
  // batch drivers of thunder_simd.h and thunder_native_scalar.h.
  s << "int thunder_native_threads_ = 0;\n"
       "void thunder_native_set_threads(int n) { thunder_native_threads_ = n; }\n";
  if (cuda)
    s << "int thunder_native_max_threads(void) { return 0; }\n";
  else if (simd)
    s << "int thunder_native_max_threads(void) {\n  return thunder_native_threads_ > 0 ? thunder_native_threads_ "
         ": (int)std::thread::hardware_concurrency();\n}\n";
  else
    s << "int thunder_native_max_threads(void) {\n#ifdef _OPENMP\n  return omp_get_max_threads();\n"
         "#else\n  return 1;\n#endif\n}\n";
  s << "#ifdef __cplusplus\n}\n#endif\n";
  return s.str();
}

/// Runs shell commands on a pool of threads; the first failure is rethrown by run().
class JobPool {
 public:
  struct Job {
    std::string command;  ///< sh command; stdout+stderr go to `log`
    std::string what;     ///< progress text
    fs_::path log;
  };
  void add(Job j) { jobs_.push_back(std::move(j)); }
  void run(int n_threads, const std::function<void(const std::string&)>& say) {
    std::atomic<size_t> next{0};
    std::mutex mu;
    std::string error;
    size_t done = 0;
    auto worker = [&]() {
      for (;;) {
        const size_t k = next++;
        if (k >= jobs_.size()) return;
        {
          std::lock_guard<std::mutex> lock(mu);
          if (!error.empty()) return;
        }
        const Job& j = jobs_[k];
        const std::string cmd = j.command + " > \"" + j.log.string() + "\" 2>&1";
        const int rc = std::system(cmd.c_str());
        std::lock_guard<std::mutex> lock(mu);
        ++done;
        if (rc != 0 && error.empty()) {
          std::string log = read_file(j.log);
          if (log.size() > 3000) log = "..." + log.substr(log.size() - 3000);
          error = "native: command failed (" + std::to_string(rc) + "): " + j.command + "\n" + log;
        } else if (rc == 0 && say) {
          say("native: [" + std::to_string(done) + "/" + std::to_string(jobs_.size()) + "] " + j.what);
        }
      }
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < std::max(1, n_threads); ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
    jobs_.clear();
    if (!error.empty()) throw std::runtime_error(error);
  }

 private:
  std::vector<Job> jobs_;
};

/// $env if set ("none": no program, e.g. NVCC=none writes the CUDA sources without compiling
/// them), else the first candidate found on PATH (or as an absolute path).
std::string find_program(const std::string& env, const std::vector<std::string>& candidates) {
  if (const char* e = std::getenv(env.c_str()); e && *e) return std::string(e) == "none" ? "" : e;
  const char* path = std::getenv("PATH");
  std::vector<std::string> dirs;
  if (path) {
    std::stringstream ss(path);
    std::string d;
    while (std::getline(ss, d, ':'))
      if (!d.empty()) dirs.push_back(d);
  }
  for (const auto& c : candidates) {
    if (c.find('/') != std::string::npos) {
      if (fs_::exists(c)) return c;
      continue;
    }
    for (const auto& d : dirs)
      if (fs_::exists(fs_::path(d) / c)) return (fs_::path(d) / c).string();
  }
  return "";
}

std::string sh_quote(const std::string& s) {
  std::string r = "'";
  for (char c : s) r += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return r + "'";
}

}  // namespace

std::string fnv1a64_hex(const std::string& text) {
  unsigned long long h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", h);
  return buf;
}

void export_native(const FunctionSet& set, const std::filesystem::path& out_dir, const NativeOptions& options,
                   std::function<void(const std::string&)> progress) {
  auto say = [&](const std::string& line) {
    if (progress) progress(line);
  };
  const std::string id = cpp_robot_identifier(set.robot);
  const fs_::path dir = out_dir / "native";
  const fs_::path obj = dir / "obj";
  fs_::create_directories(obj);

  std::ostringstream manifest;
  write_manifest(set, manifest);
  const std::string hash = fnv1a64_hex(manifest.str());

  if (options.kernels != "simd" && options.kernels != "scalar")
    throw std::runtime_error("native: unknown kernels '" + options.kernels + "' (simd or scalar)");
  const bool simd = options.kernels == "simd";
  write_file(dir / "thunder_native.h", native_runtime::thunder_native_h);
  write_file(dir / (simd ? "thunder_simd.h" : "thunder_native_scalar.h"),
             simd ? native_runtime::thunder_simd_h : native_runtime::thunder_native_scalar_h);
  if (simd) write_file(dir / "thunder_pool.h", native_runtime::thunder_pool_h);

  // One C++ file per function and per reverse partner (simd: balances the compiler jobs), or one
  // C file per function with CasADi's code of both (scalar).
  std::vector<FnCode> fns;
  std::vector<std::string> sources;  // file names in dir
  casadi::Dict opts = {{"with_header", false}, {"casadi_int", "long long int"}, {"verbose", false}};
  for (const auto& info : set.functions) {
    FnCode fc;
    fc.name = info.fn.name();
    fc.file = "thunder_" + id + "_" + fc.name;
    fc.fwd = {fc.file, flattened(info.fn, fc.file)};
    fc.rev = {fc.file + "_rev", dense_reverse(fc.fwd.fn, fc.file + "_rev")};
    say("native: " + options.kernels + " kernels of " + fc.name + " (" +
        std::to_string(fc.fwd.fn.n_instructions()) + " instructions, reverse " +
        std::to_string(fc.rev.fn.n_instructions()) + ")");
    if (simd) {
      for (const Entry* e : {&fc.fwd, &fc.rev}) {
        std::ostringstream os;
        os << "/* Thunder SIMD tile kernel " << e->symbol << " (generated; do not edit). */\n"
           << "#include \"thunder_simd.h\"\n";
        std::vector<std::pair<std::string, std::string>> chunks;  // a large tile's pieces
        emit_simd_kernel(os, e->fn, e->symbol, &chunks,
                         e == &fc.rev ? simd_reverse_chunk_threshold() : simd_chunk_threshold());
        write_file(dir / (e->symbol + ".cpp"), os.str());
        sources.push_back(e->symbol + ".cpp");
        for (const auto& [file, text] : chunks) {
          write_file(dir / file, text);
          sources.push_back(file);
        }
        if (!chunks.empty())
          say("native: " + e->symbol + " in " + std::to_string(chunks.size()) + " chunks of up to " +
              std::to_string(simd_chunk_size()) + " lines");
      }
    } else {
      try {
        casadi::CodeGenerator gen(fc.file + ".c", opts);
        gen.add(fc.fwd.fn);
        gen.add(fc.rev.fn);
        gen.generate(dir.string() + "/");
      } catch (const std::exception& e) {
        throw std::runtime_error("native: C code generation of " + fc.name + " failed: " + e.what());
      }
      const fs_::path file = dir / (fc.file + ".c");
      std::string text = read_text(file);
      localize_casadi_helpers(text);
      inline_trig(text);
      write_file(file, text + "\n/* ---- Thunder batched entry points */\n#include \"thunder_native_scalar.h\"\n" +
                           batch_wrapper(fc.fwd) + batch_wrapper(fc.rev));
      sources.push_back(fc.file + ".c");
    }
    fns.push_back(std::move(fc));
  }
  // simd: the registry includes thunder_simd.h (for TH_W) and is compiled as C++ with the kernels.
  const std::string registry = "thunder_" + id + "_registry" + (simd ? ".cpp" : ".c");
  write_file(dir / registry, registry_text(set, fns, hash, options.kernels));

  // CUDA sources.
  const fs_::path cdir = dir / "cuda";
  if (options.cuda) {
    fs_::create_directories(cdir / "obj");
    for (const auto& fc : fns) {
      std::ostringstream cu;
      cu << "/* Thunder CUDA kernels of " << fc.name << " (generated; do not edit). */\n"
         << native_runtime::thunder_cuda_h;
      emit_cuda_kernel(cu, fc.fwd.fn, fc.fwd.symbol);
      emit_cuda_kernel(cu, fc.rev.fn, fc.rev.symbol);
      write_file(cdir / (fc.file + ".cu"), cu.str());
    }
    write_file(cdir / ("thunder_" + id + "_registry.c"), registry_text(set, fns, hash, "cuda"));
  }

  // Compile: the largest files first so that the pool stays busy. The SIMD width follows the
  // target architecture: -march=native by default (these libraries are built where they run),
  // $THUNDER_NATIVE_ARCH to build for another machine (e.g. "-march=x86-64-v3").
  const std::string cc = find_program("CC", {"cc", "gcc", "clang"});
  const std::string cxx = find_program("CXX", {"c++", "g++", "clang++"});
  const std::string compiler = simd ? cxx : cc;
  if (compiler.empty())
    throw std::runtime_error(std::string("native: no ") + (simd ? "C++ compiler found (set $CXX or install c++)"
                                                               : "C compiler found (set $CC or install cc)"));
  const int jobs = options.jobs > 0 ? options.jobs
                                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const std::string opt = "-O" + std::to_string(options.opt_level);
  const char* arch_env = std::getenv("THUNDER_NATIVE_ARCH");
  const std::string arch = (arch_env && *arch_env) ? arch_env : "-march=native";
  // SIMD kernels run on the library's own blocking pool (thunder_pool.h), not OpenMP.
  const std::string flags = simd ? opt + " " + arch + " -std=gnu++17 -fno-math-errno -fPIC -pthread -w"
                                 : opt + " -fPIC -fopenmp -w";
  std::sort(sources.begin(), sources.end(), [&](const std::string& a, const std::string& b) {
    return fs_::file_size(dir / a) > fs_::file_size(dir / b);
  });
  if (simd) {
    // The C++ compiler's start-up (math.h, omp.h) costs more than a small kernel: compile the
    // tile files as 2 * jobs unity files balanced by size (largest first, each to the lightest).
    const size_t n_units = std::max<size_t>(1, std::min<size_t>(sources.size(), 2 * static_cast<size_t>(jobs)));
    std::vector<std::uintmax_t> unit_size(n_units, 0);
    std::vector<std::string> unit_text(n_units);
    for (const auto& src : sources) {
      const size_t u = std::min_element(unit_size.begin(), unit_size.end()) - unit_size.begin();
      unit_size[u] += fs_::file_size(dir / src);
      unit_text[u] += "#include \"" + src + "\"\n";
    }
    sources.clear();
    for (size_t u = 0; u < n_units; ++u) {
      const std::string name = "thunder_" + id + "_unit" + std::to_string(u) + ".cpp";
      write_file(dir / name, "/* Thunder SIMD unity file (generated; do not edit). */\n" + unit_text[u]);
      sources.push_back(name);
    }
  }
  sources.push_back(registry);

  struct Variant {
    const char* tag;
    const char* define;
  };
  const Variant variants[] = {{"f64", ""}, {"f32", " -DTH_F32 -Dcasadi_real=float"}};
  JobPool pool;
  for (const Variant& v : variants)
    for (const auto& src : sources)
      pool.add({sh_quote(compiler) + " " + flags + v.define + " -I" + sh_quote(dir.string()) + " -c " +
                    sh_quote((dir / src).string()) + " -o " + sh_quote((obj / (src + "_" + v.tag + ".o")).string()),
                "compiled " + src + " (" + v.tag + ")", obj / (src + "_" + v.tag + ".log")});
  say("native: compiling " + std::to_string(2 * sources.size()) + " files with " + compiler + " " + flags + " (" +
      std::to_string(jobs) + " jobs)");
  pool.run(jobs, say);
#if defined(__x86_64__) && defined(__linux__)
  const std::string libs = simd ? " -Wl,--as-needed -lmvec -lm" : " -lm";  // libmvec: thunder_simd.h
#else
  const std::string libs = " -lm";
#endif
  for (const Variant& v : variants) {
    std::string objs;
    for (const auto& src : sources) objs += " " + sh_quote((obj / (src + "_" + v.tag + ".o")).string());
    const fs_::path lib = dir / ("libthunder_" + id + "_" + v.tag + ".so");
    pool.add({sh_quote(compiler) + (simd ? " -shared -pthread -o " : " -shared -fopenmp -o ") + sh_quote(lib.string()) +
                  objs + libs,
              "linked " + lib.filename().string(), obj / (std::string("link_") + v.tag + ".log")});
  }
  pool.run(jobs, say);
  fs_::remove_all(obj);

  if (!options.cuda) return;
  const std::string nvcc = find_program("NVCC", {"nvcc", "/usr/local/cuda/bin/nvcc"});
  if (nvcc.empty()) {
    say("native: nvcc not found (or NVCC=none; set $NVCC or put it on PATH): CUDA kernels written to " + cdir.string() +
        " but not compiled");
    fs_::remove_all(cdir / "obj");
    return;
  }
  const char* cuda_arch_env = std::getenv("THUNDER_CUDA_ARCH");
  // Default: SASS for sm_80 plus PTX that the driver compiles for newer GPUs (sm_90, ...).
  const std::string cuda_arch = (cuda_arch_env && *cuda_arch_env) ? cuda_arch_env : "-gencode arch=compute_80,code=[sm_80,compute_80]";
  const fs_::path cobj = cdir / "obj";
  // nvcc's start-up cost dominates small files: compile the kernels as `jobs` unity files (each
  // #includes some of the per-function .cu files, balanced by size), per dtype.
  std::vector<std::pair<std::uintmax_t, std::string>> by_size;
  for (const auto& fc : fns) by_size.emplace_back(fs_::file_size(cdir / (fc.file + ".cu")), fc.file);
  std::sort(by_size.rbegin(), by_size.rend());
  const size_t n_units = std::max<size_t>(1, std::min<size_t>(static_cast<size_t>(jobs), by_size.size()));
  std::vector<std::uintmax_t> unit_size(n_units, 0);
  std::vector<std::string> unit_text(n_units);
  for (const auto& [size, file] : by_size) {
    const size_t u = std::min_element(unit_size.begin(), unit_size.end()) - unit_size.begin();
    unit_size[u] += size;
    unit_text[u] += "#include \"" + file + ".cu\"\n";
  }
  std::vector<std::string> cu_sources;
  for (size_t u = 0; u < n_units; ++u) {
    const std::string name = "thunder_" + id + "_unit" + std::to_string(u);
    write_file(cdir / (name + ".cu"), "/* Thunder CUDA unity file (generated; do not edit). */\n" + unit_text[u]);
    cu_sources.push_back(name);
  }
  for (const Variant& v : variants) {
    for (const auto& src : cu_sources)
      pool.add({sh_quote(nvcc) + " " + opt + " " + cuda_arch + " -Xcompiler -fPIC -w" + v.define + " -c " +
                    sh_quote((cdir / (src + ".cu")).string()) + " -o " +
                    sh_quote((cobj / (src + "_" + v.tag + ".o")).string()),
                "nvcc " + src + ".cu (" + v.tag + ")", cobj / (src + "_" + v.tag + ".log")});
    const std::string reg = "thunder_" + id + "_registry";
    pool.add({sh_quote(cc.empty() ? cxx : cc) + " -O2 -fPIC -w" + std::string(v.define) + " -I" + sh_quote(dir.string()) + " -c " +
                  sh_quote((cdir / (reg + ".c")).string()) + " -o " +
                  sh_quote((cobj / (reg + "_" + v.tag + ".o")).string()),
              "compiled cuda/" + reg + ".c (" + v.tag + ")", cobj / (reg + "_" + v.tag + ".log")});
  }
  say("native: compiling " + std::to_string(2 * cu_sources.size()) + " CUDA files with " + nvcc + " " + opt);
  pool.run(jobs, say);
  for (const Variant& v : variants) {
    std::string objs;
    for (const auto& src : cu_sources) objs += " " + sh_quote((cobj / (src + "_" + v.tag + ".o")).string());
    objs += " " + sh_quote((cobj / ("thunder_" + id + "_registry_" + v.tag + ".o")).string());
    const fs_::path lib = cdir / ("libthunder_" + id + "_cuda_" + v.tag + ".so");
    pool.add({sh_quote(nvcc) + " -shared " + cuda_arch + " -Xcompiler -fPIC -o " + sh_quote(lib.string()) + objs,
              "linked cuda/" + lib.filename().string(), cobj / (std::string("link_") + v.tag + ".log")});
  }
  pool.run(jobs, say);
  fs_::remove_all(cobj);
}

}  // namespace thunder
