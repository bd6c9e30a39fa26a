// One generated CasADi C function with its work arrays allocated once, for the C++ benchmarks
// (bench/cpp/bench_cpp.cpp, bench/dynamics/bench_dynamics.cpp). Include after the generated
// headers (they define casadi_real and casadi_int).
#pragma once

#include <algorithm>
#include <initializer_list>
#include <vector>

struct CasadiFn {
  using Eval = int (*)(const casadi_real**, casadi_real**, casadi_int*, casadi_real*, int);
  using Work = int (*)(casadi_int*, casadi_int*, casadi_int*, casadi_int*);
  Eval eval;
  std::vector<const casadi_real*> arg;
  std::vector<casadi_real*> res;
  std::vector<casadi_int> iw;
  std::vector<casadi_real> w;
  CasadiFn(Eval e, Work work) : eval(e) {
    casadi_int sa, sr, si, sw;
    work(&sa, &sr, &si, &sw);
    arg.resize(std::max<casadi_int>(sa, 1));
    res.resize(std::max<casadi_int>(sr, 1));
    iw.resize(std::max<casadi_int>(si, 1));
    w.resize(std::max<casadi_int>(sw, 1));
  }
  /// Outputs to consecutive buffers, one per output of the function.
  void operator()(std::initializer_list<const double*> in, std::initializer_list<double*> out) {
    int i = 0;
    for (auto p : in) arg[i++] = p;
    i = 0;
    for (auto p : out) res[i++] = p;
    eval(arg.data(), res.data(), iw.data(), w.data(), 0);
  }
  void operator()(std::initializer_list<const double*> in, double* out) { (*this)(in, {out}); }
};
