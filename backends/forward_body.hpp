#pragma once
// The body an OpenAI-compatible upstream receives for a client's request: the client's own
// bytes, with only these edits (README, "What is forwarded"):
//  - every `model` member's value becomes the target's model name;
//  - a streamed request gets `stream_options.include_usage: true` (the client's other
//    stream_options members kept), so that usage, and with it tokens and cost, is known;
//  - a provider's declared renames (e.g. max_completion_tokens -> max_tokens for an API that
//    only knows the older name); none by default.
// Nothing is added that the client did not send; nothing is re-serialised. Pure.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backends/json_scan.hpp"

namespace gw {

// A top-level member renamed on the way to one provider. If the new name is taken already, the
// client's member of the new name wins and the old one is left out.
struct field_rename {
  std::string from;
  std::string to;
};

struct forward_edits {
  std::string_view model;              // the target's model name
  bool include_usage = false;          // a streamed request
  const std::vector<field_rename>* renames = nullptr;
};

// `scan` must be scan_object(original).
std::string forward_body(std::string_view original, const json::object_scan& scan, const forward_edits& e);

}  // namespace gw
