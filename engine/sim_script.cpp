#include "engine/sim_script.hpp"

#include "engine/sim_schema.hpp"
#include "engine/sim_text.hpp"

namespace gw {
namespace {

std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Salts that give each decision its own draw from a choice's seed.
constexpr std::uint64_t reasoning_salt = 0x7265617368696e6bULL;
constexpr std::uint64_t tool_salt = 0x746f6f6c63616c6cULL;
constexpr std::uint64_t id_salt = 0x63616c6c5f696421ULL;
constexpr std::uint64_t json_salt = 0x6a736f6e616e7377ULL;

constexpr std::uint32_t max_reasoning_tokens = 400;

// 24..151 tokens of the choice's own thinking text, carried on to the end of a sentence (the
// thinking reads as finished, not cut off).
std::vector<std::string> reasoning_pieces(std::uint64_t seed) {
  sim_text text(seed ^ reasoning_salt);
  const std::uint32_t least = 24 + static_cast<std::uint32_t>(mix(seed ^ reasoning_salt) % 128);
  std::vector<std::string> pieces;
  pieces.reserve(least + 24);
  while (pieces.size() < max_reasoning_tokens) {
    pieces.push_back(text.next_token());
    if (pieces.size() >= least && pieces.back().front() == '.') break;
  }
  return pieces;
}

std::string call_id(std::uint64_t seed) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string id = "call_";
  std::uint64_t r = mix(seed ^ id_salt);
  for (int i = 0; i < 24; ++i) {
    if (i % 8 == 0) r = mix(r);
    id += alphabet[r % 62];
    r /= 62;
  }
  return id;
}

// The tool a choice calls, or none.
const sim_tool* tool_for(const sim_features& f, std::uint64_t seed) {
  if (!f.chat || f.tools.empty()) return nullptr;
  const std::uint64_t draw = mix(seed ^ tool_salt);
  switch (f.tool_choice) {
    case tool_choice_mode::none: return nullptr;
    case tool_choice_mode::named:
      for (const auto& t : f.tools)
        if (t.name == f.tool_choice_name) return &t;
      return nullptr;  // the gateway refuses an unknown name before planning
    case tool_choice_mode::automatic:
      // After a tool's result the model answers in text; otherwise it calls 3 times in 4.
      if (f.last_message_is_tool || draw % 4 == 0) return nullptr;
      [[fallthrough]];
    case tool_choice_mode::required:
      return &f.tools[(draw >> 8) % f.tools.size()];
  }
  return nullptr;
}

choice_script plan_choice(const sim_features& f, std::uint32_t i) {
  choice_script c;
  c.seed = choice_seed(f.seed, i);
  if (f.chat && f.reasoning) {
    script_segment s{output_channel::reasoning, false, reasoning_pieces(c.seed)};
    c.reasoning_tokens = static_cast<std::uint32_t>(s.pieces.size());
    c.segments.push_back(std::move(s));
  }
  if (const sim_tool* tool = tool_for(f, c.seed)) {
    c.tool_call = tool_call_plan{call_id(c.seed), tool->name};
    const std::string args = tool->parameters ? schema_instance(*tool->parameters, c.seed ^ json_salt) : "{}";
    c.segments.push_back({output_channel::tool_arguments, false, token_pieces(args)});
    c.finish = finish_reason::tool_calls;
  } else if (f.format == response_format_kind::json_schema && f.schema) {
    c.segments.push_back({output_channel::content, false, token_pieces(schema_instance(*f.schema, c.seed ^ json_salt))});
  } else if (f.format != response_format_kind::text) {
    c.segments.push_back({output_channel::content, false, token_pieces(default_json_object(c.seed ^ json_salt))});
  } else {
    c.segments.push_back({output_channel::content, true, {}});
  }
  return c;
}

enum char_class { word, space, other };

char_class class_of(unsigned char c) {
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return space;
  if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c >= 0x80) return word;
  return other;
}

bool continuation(unsigned char c) { return (c & 0xc0) == 0x80; }

}  // namespace

std::uint64_t choice_seed(std::uint64_t seed, std::uint32_t i) {
  return i == 0 ? seed : mix(seed ^ (0x63686f6963650000ULL + i));  // "choice"
}

bool needs_script(const sim_features& f) {
  return f.n > 1 || f.logprobs || f.format != response_format_kind::text ||
         (f.chat && (f.reasoning || (!f.tools.empty() && f.tool_choice != tool_choice_mode::none)));
}

sim_script plan_script(const sim_features& f) {
  sim_script s;
  s.logprobs = f.logprobs;
  s.top_logprobs = f.top_logprobs;
  const std::uint32_t n = f.n == 0 ? 1 : f.n;
  s.choices.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) s.choices.push_back(plan_choice(f, i));
  return s;
}

std::vector<std::string> token_pieces(std::string_view text) {
  std::vector<std::string> pieces;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t start = i;
    // A single space before a word joins it, as BPE vocabularies do (" word").
    if (text[i] == ' ' && i + 1 < text.size() && class_of(static_cast<unsigned char>(text[i + 1])) == word) ++i;
    const char_class k = class_of(static_cast<unsigned char>(text[i]));
    ++i;
    while (i < text.size() && (continuation(static_cast<unsigned char>(text[i])) ||
                               (i - start < 4 && class_of(static_cast<unsigned char>(text[i])) == k)))
      ++i;
    pieces.emplace_back(text.substr(start, i - start));
  }
  return pieces;
}

}  // namespace gw
