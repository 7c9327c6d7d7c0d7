#include "backends/stream_transcript.hpp"

#include "backends/json_scan.hpp"

namespace gw {
namespace {

bool says_nothing(std::string_view v) { return v == "null" || v == "\"\"" || v == "[]" || v == "{}"; }

}  // namespace

void stream_transcript::feed(std::string_view events) {
  while (!events.empty()) {
    const auto eol = events.find('\n');
    std::string_view line = events.substr(0, eol);
    events = eol == std::string_view::npos ? std::string_view() : events.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.substr(0, 5) != "data:") continue;  // blank separators, comments
    line.remove_prefix(5);
    if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (line == "[DONE]") continue;
    read_chunk(line);
  }
}

void stream_transcript::read_chunk(std::string_view json_text) {
  const auto scan = json::locate_object(json_text);
  if (!scan) {
    unreadable_ = true;
    return;
  }
  for (const auto& m : scan->members) {
    if (json::key_is(m, "id")) {
      if (id_.empty()) id_.assign(m.value);
    } else if (json::key_is(m, "created")) {
      if (created_.empty()) created_.assign(m.value);
    } else if (json::key_is(m, "choices")) {
      for (auto c : json::elements_of(m.value)) {
        const auto choice = json::members_of(c);
        for (const auto& f : choice.members) {
          if (json::key_is(f, "index")) {
            if (f.value != "0") other_choice_ = true;
          } else if (json::key_is(f, "finish_reason")) {
            if (!json::is_null(f.value)) finished_ = true;
          } else if (json::key_is(f, "logprobs")) {
            if (!says_nothing(f.value)) logprobs_ = true;
          } else if (json::key_is(f, "text")) {  // legacy completions
            auto t = json::string_value(f.value);
            if (!t) unreadable_ = unreadable_ || !json::is_null(f.value);
            else text_ += *t;
          } else if (json::key_is(f, "delta")) {
            for (const auto& d : json::members_of(f.value).members) {
              if (json::key_is(d, "role")) {
                role_sent_ = true;
              } else if (json::key_is(d, "content")) {
                auto t = json::string_value(d.value);
                if (!t) {
                  unreadable_ = unreadable_ || !json::is_null(d.value);
                } else if (!t->empty()) {
                  text_ += *t;
                  in_reasoning_ = false;
                }
              } else if (json::key_is(d, "reasoning_content") || json::key_is(d, "reasoning")) {
                if (!says_nothing(d.value)) in_reasoning_ = true;
              } else if (json::key_is(d, "tool_calls") || json::key_is(d, "function_call")) {
                if (!says_nothing(d.value)) tool_calls_ = true;
              }
            }
          }
        }
      }
    }
  }
}

const char* stream_transcript::refusal() const {
  if (unreadable_) return "unreadable_stream";
  if (tool_calls_) return "tool_calls";
  if (in_reasoning_) return "reasoning";
  if (logprobs_) return "logprobs";
  if (other_choice_) return "n";
  if (finished_) return "finished";
  return nullptr;
}

}  // namespace gw
