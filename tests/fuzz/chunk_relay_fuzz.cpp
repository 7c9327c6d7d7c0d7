// Any bytes as an upstream's chunks, one per line, relayed by one chunk_relay (a stream): every
// chunk it shows must keep the original's structure (and be valid JSON when the original was),
// equal to the original member by member (raw text) but
// for the documented edits: `model` (the public id), `id` (the stream's first), `"usage": null`
// left out when the client did not ask for usage. The first byte says whether it did.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "backends/chunk_relay.hpp"
#include "backends/json_scan.hpp"

namespace {

[[noreturn]] void broken(const char* what, std::string_view in, const std::string& out) {
  std::fprintf(stderr, "chunk_relay_fuzz: %s\n in: %.*s\nout: %s\n", what, static_cast<int>(in.size()), in.data(),
               out.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool client_usage = data[0] & 1;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  gw::chunk_relay relay("public\\model", client_usage);
  std::string first_id;
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    std::string out;
    gw::chunk_facts facts;
    const bool ok = relay.relay(out, line, facts);
    const auto scan = gw::json::locate_object(line);
    if (ok != scan.has_value()) broken("relayed iff it has an object's structure", line, out);
    if (gw::json::scan_object(line) && !ok) broken("a JSON object was refused", line, out);
    if (!ok) continue;
    const auto string_id = [](std::string_view v) {
      if (v.size() < 2 || v.front() != '"' || v.back() != '"') return false;
      for (unsigned char c : v.substr(1, v.size() - 2))
        if (c == '"' || c == '\\' || c < 0x20) return false;
      return simdjson::validate_utf8(v.data(), v.size());
    };
    for (const auto& m : scan->members)
      if (first_id.empty() && gw::json::key_is(m, "id") && string_id(m.value)) first_id = std::string(m.value);
    if (!facts.shown) {
      if (!out.empty()) broken("a chunk not shown was written", line, out);
      continue;
    }
    const auto got = gw::json::locate_object(out);
    if (!got) broken("output lost the object's structure", line, out);
    if (gw::json::scan_object(line) && !gw::json::scan_object(out)) broken("a JSON object became invalid", line, out);
    std::size_t j = 0;
    for (const auto& m : scan->members) {
      if (!client_usage && gw::json::key_is(m, "usage") && m.value == "null") continue;
      if (j >= got->members.size()) broken("a member went missing", line, out);
      const auto& g = got->members[j++];
      if (g.key != m.key) broken("a key changed", line, out);
      if (gw::json::key_is(m, "model")) {
        if (g.value != R"("public\\model")") broken("model not replaced", line, out);
      } else if (gw::json::key_is(m, "id") && string_id(m.value)) {
        if (g.value != first_id) broken("id not the stream's first", line, out);
      } else if (g.value != m.value) {
        broken("a member changed", line, out);
      }
    }
    if (j != got->members.size()) broken("a member was added", line, out);
  }
  return 0;
}
