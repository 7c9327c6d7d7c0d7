#include "backends/continuation_body.hpp"

#include <vector>

#include "backends/json_edit.hpp"
#include "backends/json_number.hpp"
#include "backends/json_writer.hpp"

namespace gw {
namespace {

bool is_true(std::string_view v) { return v == "true"; }

// The messages array with one more element before its closing bracket.
std::optional<std::string> with_message(std::string_view array, std::string_view message) {
  const auto close = array.rfind(']');
  if (array.empty() || array.front() != '[' || close == std::string_view::npos) return std::nullopt;
  if (json::elements_of(array).empty()) return std::nullopt;  // nothing to continue after
  std::string out(array.substr(0, close));
  out += ',';
  out += message;
  out += array.substr(close);
  return out;
}

}  // namespace

std::optional<prefill_mode> prefill_mode_from(std::string_view name) {
  if (name == "none") return prefill_mode::none;
  if (name == "continue_final_message") return prefill_mode::continue_final_message;
  if (name == "prefix") return prefill_mode::prefix;
  return std::nullopt;
}

std::optional<std::string> continuation_body(std::string_view forwarded, const continuation_input& in,
                                             const char** why) {
  auto refuse = [&](const char* reason) -> std::optional<std::string> {
    if (why) *why = reason;
    return std::nullopt;
  };
  if (in.mode == prefill_mode::none) return refuse("no_prefill_support");
  const auto scan = json::scan_object(forwarded);
  if (!scan) return refuse("malformed_body");
  json::object_editor ed(forwarded, *scan);
  // Replacement values, alive until write(); reserved so that views stay valid.
  std::vector<std::string> values;
  values.reserve(scan->members.size() + 1);
  bool edited_text = false;
  for (std::size_t i = 0; i < scan->members.size(); ++i) {
    const json::member& m = scan->members[i];
    if (json::key_is(m, "max_tokens") || json::key_is(m, "max_completion_tokens")) {
      const auto limit = json::uint_value(m.value);
      if (!limit) continue;  // null: no limit
      if (*limit <= in.tokens_done) return refuse("max_tokens_reached");
      values.emplace_back(std::to_string(*limit - in.tokens_done));
      ed.replace_value(i, values.back());
    } else if (in.chat && json::key_is(m, "messages")) {
      std::string message = "{\"role\":\"assistant\",\"content\":";
      json::append_string(message, in.partial);
      if (in.mode == prefill_mode::prefix) message += ",\"prefix\":true";
      message += '}';
      auto messages = with_message(m.value, message);
      if (!messages) return refuse("malformed_body");
      values.push_back(std::move(*messages));
      ed.replace_value(i, values.back());
      edited_text = true;
    } else if (in.chat && in.mode == prefill_mode::continue_final_message &&
               (json::key_is(m, "continue_final_message") || json::key_is(m, "add_generation_prompt"))) {
      ed.drop(i);  // the gateway's values are appended below
    } else if (!in.chat && json::key_is(m, "prompt")) {
      auto prompt = json::string_value(m.value);
      if (!prompt) return refuse("prompt_not_a_string");
      *prompt += in.partial;
      std::string value;
      json::append_string(value, *prompt);
      values.push_back(std::move(value));
      ed.replace_value(i, values.back());
      edited_text = true;
    }
  }
  if (!edited_text) return refuse(in.chat ? "no_messages" : "no_prompt");
  if (in.chat && in.mode == prefill_mode::continue_final_message) {
    ed.append("\"continue_final_message\":true");
    ed.append("\"add_generation_prompt\":false");
  }
  std::string out;
  ed.write(out);
  return out;
}

const char* request_refuses_continuation(const json::object_scan& fields, bool chat) {
  for (const auto& m : fields.members) {
    if (json::key_is(m, "n") || json::key_is(m, "best_of")) {
      const auto n = json::uint_value(m.value);
      if (n && *n > 1) return "n";
    } else if (json::key_is(m, "logprobs")) {
      // chat: true asks for them; legacy: a number does (null or absent does not)
      if (chat ? is_true(m.value) : json::uint_value(m.value).has_value()) return "logprobs";
    } else if (!chat && json::key_is(m, "echo")) {
      if (is_true(m.value)) return "echo";
    } else if (!chat && json::key_is(m, "suffix")) {
      if (!json::is_null(m.value)) return "suffix";
    }
  }
  return nullptr;
}

}  // namespace gw
