// thunder._core: the C++ core for Python (thunder.load_robot, thunder.generate in
// python/thunder/__init__.py). It runs the CLI's own functions (cli/main.cpp), so options,
// validation, messages and outputs are the CLI's; what the CLI prints is captured and returned,
// and its errors become Python exceptions instead of exit codes.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "thunder/functions/function_set.h"
#include "thunder/util/error.h"

namespace thunder {
int cli_run(const std::vector<std::string>& args);
bool cli_is_usage_error(const std::exception& e);
std::vector<ParamSet> cli_parameter_sets(const std::vector<std::string>& args);
}  // namespace thunder

namespace py = pybind11;

namespace {

// std::cout and std::cerr into strings for the duration of one call (the CLI writes to them).
struct Capture {
  std::ostringstream out, err;
  std::streambuf* old_out;
  std::streambuf* old_err;
  Capture() : old_out(std::cout.rdbuf(out.rdbuf())), old_err(std::cerr.rdbuf(err.rdbuf())) {}
  ~Capture() {
    std::cout.rdbuf(old_out);
    std::cerr.rdbuf(old_err);
  }
};

py::object g_usage_error, g_input_error, g_error;

// One CLI call at a time: Capture swaps the process-wide std::cout / std::cerr buffers, and two
// threads doing that at once lose output, mix it or crash (SIGSEGV from four threads). Generation
// runs with the GIL released, so Python threads that do not call thunder keep running.
std::mutex g_cli_mutex;

// The Python exception type of a CLI error: UsageError (exit status 2), InputError (a bad file),
// ThunderError (anything else).
PyObject* error_type(const std::exception& e) {
  if (thunder::cli_is_usage_error(e)) return g_usage_error.ptr();
  if (dynamic_cast<const thunder::InputError*>(&e) != nullptr) return g_input_error.ptr();
  return g_error.ptr();
}

// Runs `body` with the GIL released and std::cout / std::cerr captured; a C++ exception becomes
// the Python one with the CLI's message, and with what was printed before (warnings) as
// its `output` attribute.
template <class Body>
std::pair<std::string, std::string> call_cli(Body body) {
  PyObject* type = nullptr;
  std::string what, out, err;
  {
    py::gil_scoped_release release;  // generation takes seconds to minutes
    std::lock_guard<std::mutex> serial(g_cli_mutex);  // after releasing the GIL: no lock-order deadlock
    Capture cap;
    try {
      body();
    } catch (const std::exception& e) {
      type = error_type(e);
      what = e.what();
    }
    out = cap.out.str();
    err = cap.err.str();
  }
  if (type != nullptr) {
    py::object exc = py::reinterpret_borrow<py::object>(type)(what);
    exc.attr("output") = err;
    PyErr_SetObject(type, exc.ptr());
    throw py::error_already_set();
  }
  return {out, err};
}

std::tuple<int, std::string, std::string> run(const std::vector<std::string>& args) {
  int rc = 0;
  auto [out, err] = call_cli([&] { rc = thunder::cli_run(args); });
  return {rc, out, err};
}

py::list parameter_sets(const std::vector<std::string>& args) {
  std::vector<thunder::ParamSet> sets;
  call_cli([&] { sets = thunder::cli_parameter_sets(args); });
  py::list out;
  for (const auto& s : sets) {
    py::dict d;
    d["name"] = s.name;
    d["description"] = s.description;
    d["elements"] = s.elements;
    d["aliases"] = s.aliases;
    d["values"] = s.values;
    d["symbolic"] = s.symbolic;
    out.append(d);
  }
  return out;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "The C++ core of thunder (see the thunder package for the documented API).";
  py::module_ errors = py::module_::import("thunder._errors");
  g_usage_error = errors.attr("UsageError");
  g_input_error = errors.attr("InputError");
  g_error = errors.attr("ThunderError");
  m.def("run", &run, py::arg("args"),
        "Runs the thunder CLI with `args` (without the program name); returns (exit code, "
        "stdout, stderr). Errors raise UsageError, InputError or ThunderError.");
  m.def("parameter_sets", &parameter_sets, py::arg("args"),
        "The parameter sets of the robot that `thunder check ARGS` loads, as dicts.");
}
