// The ABI-neutral YAML tree: kinds, keys in file order, aliases, line numbers, parse errors;
// and the 3x3 inertia helpers the loaders use.
#include <string>

#include "test_registry.h"
#include "thunder/description/inertia_math.h"
#include "thunder/description/yaml_tree.h"

THUNDER_TEST(yaml_tree_kinds_keys_lines) {
  const char* text =
      "# comment\n"
      "a: &x 1.5\n"
      "b: [1, *x, 3]\n"
      "c:\n"
      "  z: hello\n"
      "  y: ~\n";
  const auto r = thunder::parse_yaml_text(text);
  CHECK(r.ok);
  CHECK(r.root.kind == thunder::YamlNode::Map);
  CHECK(r.root.keys.size() == 3);
  CHECK(r.root.key(0) == "a" && r.root.key(1) == "b" && r.root.key(2) == "c");
  const thunder::YamlNode* a = r.root.find("a");
  CHECK(a && a->kind == thunder::YamlNode::Scalar && a->str() == "1.5" && a->line == 2);
  const thunder::YamlNode* b = r.root.find(std::string("b"));
  CHECK(b && b->kind == thunder::YamlNode::Sequence && b->children.size() == 3);
  CHECK(b && b->children[1].str() == "1.5");  // alias resolved
  CHECK(b && b->line == 3);
  const thunder::YamlNode* c = r.root.find("c");
  CHECK(c && c->kind == thunder::YamlNode::Map && c->key(0) == "z" && c->key(1) == "y");
  CHECK(c && c->find("z")->line == 5);
  CHECK(c && c->find("y")->kind == thunder::YamlNode::Null);
  CHECK(r.root.find("missing") == nullptr);
}

THUNDER_TEST(yaml_tree_parse_error_line) {
  const auto r = thunder::parse_yaml_text("a: 1\nb: [1, 2\nc: 3\n");
  CHECK(!r.ok);
  CHECK(!r.error.empty());
  CHECK(r.error_line >= 2);
}

THUNDER_TEST(yaml_tree_missing_file) {
  const auto r = thunder::parse_yaml_file("/nonexistent/robot.yaml");
  CHECK(!r.ok);
  CHECK(!r.error.empty());
}

THUNDER_TEST(inertia_eigenvalues_and_rotation) {
  using thunder::Mat3;
  // diag(1, 2, 3) rotated: same eigenvalues.
  const Mat3 D{{{1, 0, 0}, {0, 2, 0}, {0, 0, 3}}};
  const Mat3 R = thunder::rot_zyx(0.3, -0.7, 1.1);
  const Mat3 I = thunder::rotate_inertia(R, D);
  const auto ev = thunder::symmetric_eigenvalues(I);
  CHECK_NEAR(ev[0], 1.0, 1e-12);
  CHECK_NEAR(ev[1], 2.0, 1e-12);
  CHECK_NEAR(ev[2], 3.0, 1e-12);
  // All-ones matrix: eigenvalues 0, 0, 3.
  const Mat3 ones{{{1, 1, 1}, {1, 1, 1}, {1, 1, 1}}};
  const auto e1 = thunder::symmetric_eigenvalues(ones);
  CHECK_NEAR(e1[0], 0.0, 1e-12);
  CHECK_NEAR(e1[2], 3.0, 1e-12);
  // R is a rotation: R R^T = 1; Rz(yaw) first column for pitch = roll = 0.
  const Mat3 RRt = thunder::mul(R, thunder::transpose(R));
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) CHECK_NEAR(RRt[i][j], i == j ? 1.0 : 0.0, 1e-12);
  const Mat3 Rz = thunder::rot_zyx(0.5, 0, 0);
  CHECK_NEAR(Rz[1][0], std::sin(0.5), 1e-15);
}

THUNDER_TEST(yaml_tree_limits_and_duplicate_keys) {
  const auto cyclic = thunder::parse_yaml_text("a: &L [1, *L]\n");
  CHECK(!cyclic.ok && !cyclic.syntax);
  CHECK(std::string(cyclic.error.begin(), cyclic.error.end()).find("nested more than 64") != std::string::npos);
  const auto dup = thunder::parse_yaml_text("x: 1\ny:\n  m: 1\n  m: 2\n");
  CHECK(!dup.ok && dup.error_line == 4);
  CHECK(std::string(dup.error.begin(), dup.error.end()) == "duplicate key 'm' (first on line 3, again on line 4)");
  const auto anchored = thunder::parse_yaml_text("PI: &PI 3.14\nv: [*PI]\n");
  CHECK(anchored.ok && anchored.root.find("PI")->anchored && !anchored.root.find("v")->anchored);
  CHECK(anchored.root.key_lines.size() == 2 && anchored.root.key_lines[1] == 2);
}
