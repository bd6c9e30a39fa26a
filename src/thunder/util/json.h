// A small streaming JSON writer for manifests and spec dumps (json_read.h reads a previous
// output's manifest back).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace thunder {

class JsonWriter {
 public:
  explicit JsonWriter(std::ostream& os, int indent = 2) : os_(os), indent_(indent) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(const std::string& k);  ///< next value belongs to this key
  JsonWriter& value(const std::string& s);
  JsonWriter& value(const char* s) { return value(std::string(s)); }
  JsonWriter& value(double v);  ///< full precision (%.17g); NaN/inf written as null
  JsonWriter& value(long long v);
  JsonWriter& value(int v) { return value(static_cast<long long>(v)); }
  JsonWriter& value(bool b);
  JsonWriter& null();
  template <class T>
  JsonWriter& array(const std::vector<T>& xs) {
    begin_array();
    for (const auto& x : xs) value(x);
    return end_array();
  }
  JsonWriter& array(const std::vector<bool>& xs);

  static std::string escape(const std::string& s);

 private:
  void before_value();
  void newline();
  std::ostream& os_;
  int indent_;
  std::vector<bool> first_;  ///< per open container: no element written yet
  bool after_key_ = false;
};

}  // namespace thunder
