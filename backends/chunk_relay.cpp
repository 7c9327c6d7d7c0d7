#include "backends/chunk_relay.hpp"

#include <charconv>

#include "backends/json_edit.hpp"
#include "backends/json_scan.hpp"
#include "gateway/json_writer.hpp"

namespace gw {
namespace {

std::optional<std::uint32_t> as_count(std::string_view v) {
  std::uint32_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
  return n;
}

std::optional<relayed_usage> read_usage(std::string_view value) {
  const json::object_scan u = json::members_of(value);
  if (u.close == 0) return std::nullopt;
  relayed_usage out;
  bool any = false;
  for (const auto& m : u.members) {
    if (json::key_is(m, "prompt_tokens")) {
      if (auto n = as_count(m.value)) out.prompt = *n, any = true;
    } else if (json::key_is(m, "completion_tokens")) {
      if (auto n = as_count(m.value)) out.completion = *n, any = true;
    }
  }
  if (!any) return std::nullopt;
  return out;
}

// A value that says nothing: null, "", [] or {}.
bool is_empty_value(std::string_view v) { return v == "null" || v == "\"\"" || v == "[]" || v == "{}"; }

// Reads one choice: its finish and whether it carries output.
void read_choice(std::string_view choice, chunk_facts& facts) {
  const json::object_scan c = json::members_of(choice);
  for (const auto& m : c.members) {
    if (json::key_is(m, "finish_reason")) {
      if (json::is_null(m.value)) continue;
      facts.output = true;
      const auto reason = json::string_value(m.value);
      const auto r = reason && *reason == "length" ? finish_reason::length : finish_reason::stop;
      if (!facts.finish) facts.finish = r;
    } else if (json::key_is(m, "delta")) {
      // A delta that only names the role opens the answer; anything else in it is output.
      for (const auto& d : json::members_of(m.value).members)
        if (!json::key_is(d, "role") && !is_empty_value(d.value)) facts.output = true;
    } else if (json::key_is(m, "text") || json::key_is(m, "message") || json::key_is(m, "logprobs")) {
      if (!is_empty_value(m.value)) facts.output = true;
    }
  }
}

}  // namespace

chunk_relay::chunk_relay(std::string_view public_model, bool client_usage) : client_usage_(client_usage) {
  json::append_string(model_, public_model);
}

bool chunk_relay::relay(std::string& out, std::string_view json_text, chunk_facts& facts) {
  facts = {};
  const auto scan = json::scan_object(json_text);
  if (!scan) return false;
  json::object_editor ed(json_text, *scan);
  bool empty_choices = false;
  bool has_choices = false;
  for (std::size_t i = 0; i < scan->members.size(); ++i) {
    const json::member& m = scan->members[i];
    if (json::key_is(m, "model")) {
      ed.replace_value(i, model_);
    } else if (json::key_is(m, "id")) {
      if (id_.empty()) id_.assign(m.value);
      else if (m.value != id_) ed.replace_value(i, id_);
    } else if (json::key_is(m, "choices")) {
      has_choices = true;
      const auto choices = json::elements_of(m.value);
      empty_choices = choices.empty();
      for (auto c : choices) read_choice(c, facts);
    } else if (json::key_is(m, "usage")) {
      if (json::is_null(m.value)) {
        if (!client_usage_) ed.drop(i);
      } else {
        facts.usage = read_usage(m.value);
      }
    } else if (json::key_is(m, "error")) {
      if (!json::is_null(m.value)) facts.error = true;
    }
  }
  if (facts.error) {
    facts.shown = false;
    return true;
  }
  // The usage chunk the gateway asked for in the client's place: accounted, not shown.
  if (!client_usage_ && facts.usage && (!has_choices || empty_choices)) {
    facts.shown = false;
    return true;
  }
  ed.write(out);
  return true;
}

}  // namespace gw
