// Every body goes to the sim's feature reader for chat and legacy completions, and what it
// accepts is planned. Nothing may crash or blow up; refusals must be 4xx; every planned choice
// must have segments; the fixed answers (tool-call arguments, JSON content) must be valid JSON
// whatever schema the client sent.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "backends/json_scan.hpp"
#include "engine/sim_text.hpp"
#include "gateway/sim_features.hpp"

namespace {

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "sim_features_fuzz: %s\n", what);
  std::abort();
}

simdjson::dom::parser parser;

void check_plan(const gw::sim_features& f) {
  const gw::sim_script s = gw::plan_script(f);
  check(s.choices.size() == f.n, "choice count");
  for (const auto& c : s.choices) {
    check(!c.segments.empty(), "a choice without segments");
    for (const auto& seg : c.segments) {
      check(seg.open || !seg.pieces.empty(), "an empty fixed segment");
      if (seg.open || seg.channel == gw::output_channel::reasoning) continue;
      std::string text;
      for (const auto& p : seg.pieces) text += p;
      check(text.size() < (8u << 20), "a fixed answer over 8 MiB");
      simdjson::dom::element e;
      check(parser.parse(text).get(e) == simdjson::SUCCESS, "a generated answer is not valid JSON");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto scan = gw::json::scan_object(body);  // the validator refuses anything else first
  if (!scan) return 0;
  for (auto kind : {gw::api_kind::chat, gw::api_kind::completion}) {
    auto r = gw::read_sim_features(*scan, kind, true);
    if (auto* e = std::get_if<gw::api_error>(&r)) {
      const unsigned status = gw::classify(e->code).status;
      check(status >= 400 && status < 500 && !e->message.empty(), "a refusal that is not a 4xx with a message");
      continue;
    }
    auto& f = std::get<gw::sim_features>(r);
    check(f.n >= 1 && f.n <= gw::max_choices, "n out of range");
    check(f.top_logprobs <= gw::max_top_logprobs, "top_logprobs out of range");
    f.seed = gw::text_hash(body);
    check_plan(f);
  }
  return 0;
}
