#include "thunder/functions/manifest.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "thunder/util/json.h"
#include "thunder/util/sha256.h"

#ifndef THUNDER_VERSION
#define THUNDER_VERSION "0.0.0"
#endif

namespace thunder {

namespace {

void write_shape(JsonWriter& w, const casadi::Sparsity& sp) {
  w.key("shape").begin_array().value(static_cast<long long>(sp.size1()))
      .value(static_cast<long long>(sp.size2())).end_array();
}

}  // namespace

void write_manifest(const FunctionSet& fs, std::ostream& os) {
  JsonWriter w(os);
  w.begin_object();
  w.key("thunder_manifest").value(1);
  w.key("generator").value(std::string("thunder ") + THUNDER_VERSION);
  w.key("robot").value(fs.robot);
  // The description's file name and content hash, not its path: the same robot generated on
  // another machine or from another folder gives the same manifest (and native library hash).
  {
    const std::filesystem::path source(fs.source);
    std::error_code ec;
    w.key("source").value(source.filename().string());
    if (!fs.source.empty() && std::filesystem::is_regular_file(source, ec))
      w.key("source_sha256").value(sha256_file(source));
  }
  w.key("n_joints").value(fs.n_joints);
  w.key("nq").value(fs.nq);
  w.key("nv").value(fs.nv);
  w.key("floating_base").value(fs.floating_base);
  w.key("joints").array(fs.joints);
  w.key("frames").begin_array();
  for (const auto& f : fs.frames) {
    w.begin_object();
    w.key("name").value(f.name);
    w.key("id").value(f.id);
    w.end_object();
  }
  w.end_array();
  w.key("contacts").begin_array();
  for (const auto& c : fs.contacts) {
    w.begin_object();
    w.key("name").value(c.name);
    w.key("dim").value(c.dim);
    w.end_object();
  }
  w.end_array();

  w.key("params").begin_array();
  for (const auto& p : fs.params) {
    w.begin_object();
    w.key("name").value(p.name);
    w.key("description").value(p.description);
    w.key("elements").array(p.elements);
    if (!p.aliases.empty()) w.key("aliases").array(p.aliases);
    w.key("values").array(p.values);
    w.key("symbolic").array(p.symbolic);
    w.end_object();
  }
  w.end_array();

  w.key("functions").begin_array();
  for (const auto& f : fs.functions) {
    const casadi::Function& fn = f.fn;
    w.begin_object();
    w.key("name").value(fn.name());
    w.key("description").value(f.description);
    w.key("file").value("casadi/" + fn.name() + ".casadi");
    w.key("n_instructions").value(static_cast<long long>(fn.n_instructions()));
    w.key("inputs").begin_array();
    for (casadi_int i = 0; i < fn.n_in(); ++i) {
      w.begin_object();
      w.key("name").value(fn.name_in(i));
      write_shape(w, fn.sparsity_in(i));
      w.key("param").value(fs.is_param_input(fn.name_in(i)));
      w.end_object();
    }
    w.end_array();
    w.key("outputs").begin_array();
    for (casadi_int i = 0; i < fn.n_out(); ++i) {
      w.begin_object();
      w.key("name").value(fn.name_out(i));
      write_shape(w, fn.sparsity_out(i));
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.end_object();
  os << '\n';
}

void write_manifest(const FunctionSet& fs, const std::filesystem::path& out_dir) {
  std::filesystem::create_directories(out_dir);
  const auto file = out_dir / "manifest.json";
  std::ofstream os(file);
  if (!os) throw std::runtime_error("cannot write " + file.string());
  write_manifest(fs, os);
  if (!os) throw std::runtime_error("error while writing " + file.string());
}

}  // namespace thunder
