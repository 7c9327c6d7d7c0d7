#include "backends/chunk_relay.hpp"

#include <simdjson.h>

#include "backends/json_edit.hpp"
#include "backends/json_number.hpp"
#include "backends/json_scan.hpp"
#include "backends/json_writer.hpp"

namespace gw {
namespace {

std::optional<std::uint32_t> as_count(std::string_view v) {
  const auto n = json::uint_value(v);
  if (!n || *n > UINT32_MAX) return std::nullopt;
  return static_cast<std::uint32_t>(*n);
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

// Text that can stand between two quotes as it is: no quote, backslash or control byte, and
// valid UTF-8.
bool plain_text(std::string_view s) {
  for (unsigned char c : s)
    if (c == '"' || c == '\\' || c < 0x20) return false;
  return simdjson::validate_utf8(s.data(), s.size());
}

// A value that says nothing: null, "", [] or {}.
bool is_empty_value(std::string_view v) { return v == "null" || v == "\"\"" || v == "[]" || v == "{}"; }

// Reads one choice: its finish and whether it carries output. `only_text`, if given, receives
// the characters (inside the quotes) of its one plain text, when its delta holds nothing else
// (or it is a legacy choice with a text), and it carries no finish.
void read_choice(std::string_view choice, chunk_facts& facts, std::string_view* only_text) {
  const json::object_scan c = json::members_of(choice);
  std::string_view text;
  bool other = false;
  for (const auto& m : c.members) {
    if (json::key_is(m, "finish_reason")) {
      if (json::is_null(m.value)) continue;
      facts.output = true;
      const auto reason = json::string_value(m.value);
      const auto r = reason && *reason == "length" ? finish_reason::length : finish_reason::stop;
      if (!facts.finish) facts.finish = r;
    } else if (json::key_is(m, "delta")) {
      // A delta that only names the role opens the answer; anything else in it is output.
      const auto delta = json::members_of(m.value);
      for (const auto& d : delta.members)
        if (!json::key_is(d, "role") && !is_empty_value(d.value)) facts.output = true;
      if (delta.members.size() == 1 && json::key_is(delta.members[0], "content")) text = delta.members[0].value;
      else other = true;
    } else if (json::key_is(m, "text")) {
      if (!is_empty_value(m.value)) facts.output = true;
      text = m.value;
    } else if (json::key_is(m, "message") || json::key_is(m, "logprobs")) {
      if (!is_empty_value(m.value)) facts.output = true;
      other = other || !json::is_null(m.value);
    }
  }
  if (only_text && !other && text.size() >= 2 && text.front() == '"' && plain_text(text.substr(1, text.size() - 2)))
    *only_text = text.substr(1, text.size() - 2);
}

// `usage` with the carried tokens moved from prompt to completion (see continue_stream).
void carry_usage(std::string& out, std::string_view usage, std::uint32_t carried) {
  const json::object_scan u = json::members_of(usage);
  if (u.close == 0) {
    out.assign(usage);
    return;
  }
  json::object_editor ed(usage, u);
  std::string prompt, completion;
  for (std::size_t i = 0; i < u.members.size(); ++i) {
    const auto n = as_count(u.members[i].value);
    if (!n) continue;
    if (json::key_is(u.members[i], "prompt_tokens")) {
      prompt = std::to_string(*n > carried ? *n - carried : 0);
      ed.replace_value(i, prompt);
    } else if (json::key_is(u.members[i], "completion_tokens")) {
      completion = std::to_string(static_cast<std::uint64_t>(*n) + carried);
      ed.replace_value(i, completion);
    }
  }
  out.clear();
  ed.write(out);
}

}  // namespace

void chunk_relay::continue_stream(const relay_continuation& c) {
  id_ = c.id;
  created_ = c.created;
  carried_ = c.carried;
  continuing_ = true;
}

chunk_relay::chunk_relay(std::string_view public_model, bool client_usage) : client_usage_(client_usage) {
  json::append_string(model_, public_model);
}

bool chunk_relay::relay(std::string& out, std::string_view json_text, chunk_facts& facts) {
  if (!in_before_.empty() && json_text.size() >= in_before_.size() + in_after_.size() &&
      json_text.compare(0, in_before_.size(), in_before_) == 0 &&
      json_text.compare(json_text.size() - in_after_.size(), in_after_.size(), in_after_) == 0) {
    const auto text = json_text.substr(in_before_.size(), json_text.size() - in_before_.size() - in_after_.size());
    if (plain_text(text)) {
      facts = {};
      facts.output = !text.empty();
      out.reserve(out.size() + out_before_.size() + text.size() + out_after_.size());
      out += out_before_;
      out += text;
      out += out_after_;
      ++reused_;
      return true;
    }
  }
  return relay_scanned(out, json_text, facts);
}

bool chunk_relay::relay_scanned(std::string& out, std::string_view json_text, chunk_facts& facts) {
  facts = {};
  // The upstream's bytes are relayed, not judged: only their structure is located (the client
  // gets what a byte-level proxy would give it), and a text that is not an object breaks the
  // stream.
  const auto scan = json::locate_object(json_text);
  if (!scan) return false;
  json::object_editor ed(json_text, *scan);
  bool empty_choices = false;
  bool has_choices = false;
  std::size_t choices_at = SIZE_MAX;
  std::string_view only_text;  // the one plain text of a chunk that has just that
  for (std::size_t i = 0; i < scan->members.size(); ++i) {
    const json::member& m = scan->members[i];
    if (json::key_is(m, "model")) {
      ed.replace_value(i, model_);
    } else if (continuing_ && json::key_is(m, "created")) {
      if (!created_.empty()) ed.replace_value(i, created_);
    } else if (json::key_is(m, "id")) {
      // Only a plain string id (no escapes, valid UTF-8) is taken as the stream's: relayed bytes
      // are not judged, and a broken id is left where it is rather than copied into every chunk.
      const bool string_id = m.value.size() >= 2 && m.value.front() == '"' && m.value.back() == '"' &&
                             plain_text(m.value.substr(1, m.value.size() - 2));
      if (!string_id) continue;
      if (id_.empty()) id_.assign(m.value);
      else if (m.value != id_) ed.replace_value(i, id_);
    } else if (json::key_is(m, "choices")) {
      // A repeated `choices` keeps no shape: which copy the text came from would be unclear.
      only_text = {};
      const auto choices = json::elements_of(m.value);
      empty_choices = choices.empty();
      for (auto c : choices) read_choice(c, facts, choices.size() == 1 && !has_choices ? &only_text : nullptr);
      has_choices = true;
      choices_at = i;
    } else if (json::key_is(m, "usage")) {
      if (json::is_null(m.value)) {
        if (!client_usage_) ed.drop(i);
      } else {
        facts.usage = read_usage(m.value);
        if (continuing_ && facts.usage) {
          carry_usage(usage_out_, m.value, carried_);
          ed.replace_value(i, usage_out_);
        }
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
  // A continuation's opening (its role chunk): the client had one already.
  if (continuing_ && !facts.output && !facts.usage) {
    facts.shown = false;
    return true;
  }
  const std::size_t from = out.size();
  std::size_t choices_out = SIZE_MAX;
  ed.write(out, choices_at, &choices_out);
  if (only_text.data() && !facts.finish && !facts.usage && choices_out != SIZE_MAX) {
    const auto choices = scan->members[choices_at].value;
    const std::size_t choices_in = static_cast<std::size_t>(choices.data() - json_text.data());
    const std::size_t text_in = static_cast<std::size_t>(only_text.data() - json_text.data());
    // The text lies in the one `choices`, which was copied as it was.
    if (text_in >= choices_in && text_in + only_text.size() <= choices_in + choices.size())
      keep_shape(json_text, out, from, text_in, choices_out + (text_in - choices_in), only_text.size());
  }
  return true;
}

void chunk_relay::keep_shape(std::string_view json, const std::string& out, std::size_t from, std::size_t text_in,
                             std::size_t text_out, std::size_t text_size) {
  // text_in / text_out: where the text's characters (inside its quotes) begin.
  in_before_.assign(json.substr(0, text_in));
  in_after_.assign(json.substr(text_in + text_size));
  out_before_.assign(out, from, text_out - from);
  out_after_.assign(out, text_out + text_size, std::string::npos);
}

}  // namespace gw
