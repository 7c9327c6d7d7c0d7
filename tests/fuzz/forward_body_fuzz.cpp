// Any bytes as a client's body: when they are one JSON object, the body forward_body writes must
// be one too, equal to the original member by member (raw text) but for the documented edits:
// `model`, stream_options.include_usage, and a rename. The first byte picks the edits.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "backends/forward_body.hpp"

namespace {

[[noreturn]] void broken(const char* what, std::string_view in, const std::string& out) {
  std::fprintf(stderr, "forward_body_fuzz: %s\n in: %.*s\nout: %s\n", what, static_cast<int>(in.size()), in.data(),
               out.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool stream = data[0] & 1;
  const bool rename = data[0] & 2;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto scan = gw::json::scan_object(in);
  if (!scan) return 0;
  const std::vector<gw::field_rename> renames{{"max_completion_tokens", "max_tokens"}};
  gw::forward_edits e;
  e.model = "target\"model";
  e.include_usage = stream;
  e.renames = rename ? &renames : nullptr;
  const std::string out = gw::forward_body(in, *scan, e);
  const auto got = gw::json::scan_object(out);
  if (!got) broken("output is not a JSON object", in, out);
  bool has_max_tokens = false;
  for (const auto& m : scan->members) has_max_tokens = has_max_tokens || gw::json::key_is(m, "max_tokens");
  // Each original member, in order, is in the output unchanged unless edited.
  std::size_t j = 0;
  bool saw_options = false;
  for (const auto& m : scan->members) {
    const bool renamed = rename && gw::json::key_is(m, "max_completion_tokens");
    if (renamed && has_max_tokens) continue;  // left out: the client's max_tokens wins
    if (j >= got->members.size()) broken("a member went missing", in, out);
    const auto& g = got->members[j++];
    if (gw::json::key_is(m, "model")) {
      if (!gw::json::key_is(g, "model") || g.value != R"("target\"model")") broken("model not replaced", in, out);
    } else if (stream && gw::json::key_is(m, "stream_options")) {
      saw_options = true;
      bool usage = false;
      for (const auto& o : gw::json::members_of(g.value).members)
        usage = usage || (gw::json::key_is(o, "include_usage") && o.value == "true");
      if (!usage) broken("stream_options without include_usage", in, out);
    } else if (renamed) {
      if (!gw::json::key_is(g, "max_tokens") || g.value != m.value) broken("rename lost the value", in, out);
    } else if (g.key != m.key || g.value != m.value) {
      broken("a member changed", in, out);
    }
  }
  if (stream && !saw_options) {
    if (j + 1 != got->members.size() || !gw::json::key_is(got->members[j], "stream_options"))
      broken("stream_options not added", in, out);
  } else if (j != got->members.size()) {
    broken("a member was added", in, out);
  }
  return 0;
}
