// SHA-256 against the FIPS 180-4 example vectors (the checksums in manifest.json must be the ones
// Python's hashlib computes), and the JSON reader gen uses on a previous output's manifest.
#include <stdexcept>
#include <string>

#include "test_registry.h"
#include "thunder/functions/artifacts.h"
#include "thunder/util/json_read.h"
#include "thunder/util/sha256.h"

THUNDER_TEST(sha256_fips_vectors) {
  CHECK(thunder::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(thunder::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(thunder::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // one million 'a': many blocks, fed in uneven pieces
  thunder::Sha256 h;
  const std::string piece(997, 'a');
  size_t fed = 0;
  while (fed + piece.size() <= 1000000) h.update(piece.data(), piece.size()), fed += piece.size();
  h.update(piece.data(), 1000000 - fed);
  CHECK(h.hex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

THUNDER_TEST(json_read_values_and_errors) {
  const thunder::JsonValue v = thunder::parse_json(
      "{\"a\": [1, -2.5e3, true, null, \"x\\\"y\\u00e9\"], \"b\": {}, \"c\": []}");
  CHECK(v.kind == thunder::JsonValue::Object && v.members.size() == 3);
  const thunder::JsonValue* a = v.get("a");
  CHECK(a && a->items.size() == 5 && a->items[1].number == -2500 && a->items[2].boolean);
  CHECK(a && a->items[3].kind == thunder::JsonValue::Null && a->items[4].text == "x\"y\xc3\xa9");
  CHECK(v.get("missing") == nullptr);
  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "[1] x", "\"open"}) {
    bool threw = false;
    try {
      thunder::parse_json(bad);
    } catch (const std::runtime_error&) {
      threw = true;
    }
    CHECK(threw);
  }
  std::string deep(100, '[');  // hostile nesting stops at 64 levels, not at the stack's end
  bool threw = false;
  try {
    thunder::parse_json(deep);
  } catch (const std::runtime_error& e) {
    threw = std::string(e.what()).find("64 levels") != std::string::npos;
  }
  CHECK(threw);
}

THUNDER_TEST(artifacts_are_the_manifests_last_key) {
  const std::string base = "{\n  \"thunder_manifest\": 1\n}\n";
  const std::string m = thunder::manifest_with_artifacts(base, {{"cpp/a.c", 3, std::string(64, 'f')}});
  const thunder::JsonValue v = thunder::parse_json(m);
  bool found = false;
  const auto arts = thunder::read_artifacts(v, found);
  CHECK(found && arts.size() == 1 && arts[0].path == "cpp/a.c" && arts[0].size == 3);
  CHECK(m.compare(0, base.size() - 3, base, 0, base.size() - 3) == 0);  // the base is unchanged up to "}"
  // a manifest cannot point outside its folder
  for (const char* path : {"../x", "/etc/passwd", "a/../../b"}) {
    const thunder::JsonValue bad = thunder::parse_json(
        std::string("{\"artifacts\": [{\"path\": \"") + path + "\", \"size\": 1, \"sha256\": \"0\"}]}");
    bool threw = false;
    try {
      thunder::read_artifacts(bad, found);
    } catch (const std::runtime_error&) {
      threw = true;
    }
    CHECK(threw);
  }
}
