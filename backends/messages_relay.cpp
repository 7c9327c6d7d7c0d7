#include "backends/messages_relay.hpp"

#include <algorithm>

#include "backends/json_edit.hpp"
#include "backends/json_number.hpp"
#include "backends/json_scan.hpp"
#include "backends/json_writer.hpp"
#include "backends/sse_parser.hpp"

namespace gw {
namespace {

std::optional<std::uint32_t> as_count(std::string_view v) {
  const auto n = json::uint_value(v);
  if (!n) return std::nullopt;
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(*n, UINT32_MAX));
}

std::uint32_t saturating_add(std::uint32_t a, std::uint32_t b) { return b > UINT32_MAX - a ? UINT32_MAX : a + b; }

}  // namespace

messages_relay::messages_relay(std::string_view public_model) { json::append_string(model_, public_model); }

void messages_relay::read_stop(std::string_view stop_reason, chunk_facts& facts) {
  if (json::is_null(stop_reason)) return;
  const auto r = json::string_value(stop_reason);
  facts.finish = r && *r == "max_tokens" ? finish_reason::length : finish_reason::stop;
}

void messages_relay::read_usage(std::string_view usage, chunk_facts& facts) {
  const json::object_scan u = json::members_of(usage);
  if (u.close == 0) return;
  // A message_delta's usage names the counts that changed; each one read replaces the earlier.
  std::optional<std::uint32_t> input, cache_creation, cache_read, output;
  for (const auto& m : u.members) {
    if (json::key_is(m, "input_tokens")) input = as_count(m.value);
    else if (json::key_is(m, "cache_creation_input_tokens")) cache_creation = as_count(m.value);
    else if (json::key_is(m, "cache_read_input_tokens")) cache_read = as_count(m.value);
    else if (json::key_is(m, "output_tokens")) output = as_count(m.value);
  }
  if (!input && !output) return;
  if (input) usage_.prompt = saturating_add(saturating_add(*input, cache_creation.value_or(0)), cache_read.value_or(0));
  if (output) usage_.completion = *output;
  has_usage_ = true;
  facts.usage = usage_;
}

void messages_relay::relay_message_object(std::string& out, std::string_view message, chunk_facts& facts) {
  const json::object_scan o = json::members_of(message);
  if (o.close == 0) {  // not an object: relayed as it is
    out += message;
    return;
  }
  json::object_editor ed(message, o);
  for (std::size_t i = 0; i < o.members.size(); ++i) {
    const json::member& m = o.members[i];
    if (json::key_is(m, "model")) ed.replace_value(i, model_);
    else if (json::key_is(m, "usage")) read_usage(m.value, facts);
    else if (json::key_is(m, "stop_reason")) read_stop(m.value, facts);
  }
  ed.write(out);
}

bool messages_relay::relay_event(std::string& out, std::string_view event, std::string_view data, chunk_facts& facts) {
  facts = {};
  // The upstream's bytes are relayed, not judged: only their structure is located.
  const auto scan = json::locate_object(data);
  if (!scan) return false;
  // Every event passes here: a type without escapes (all of Anthropic's) is read in place; only
  // an escaped one is decoded.
  // With duplicates, the last `type` counts.
  std::optional<std::string_view> raw;
  for (const auto& m : scan->members)
    if (json::key_is(m, "type")) raw = m.value;
  std::optional<std::string> decoded;
  std::string_view t = event;
  if (raw && raw->size() >= 2 && raw->front() == '"' && raw->back() == '"' &&
      raw->find('\\') == std::string_view::npos) {
    t = raw->substr(1, raw->size() - 2);
  } else if (raw && (decoded = json::string_value(*raw))) {
    t = *decoded;
  }
  if (t == "error") {
    facts.error = true;
    facts.shown = false;
    return true;
  }
  std::string edited;  // message_start's data with its message's model edited
  std::string_view written = data;
  if (t == "message_start") {
    json::object_editor ed(data, *scan);
    std::string message;
    for (std::size_t i = 0; i < scan->members.size(); ++i) {
      if (!json::key_is(scan->members[i], "message")) continue;
      relay_message_object(message, scan->members[i].value, facts);
      ed.replace_value(i, message);
      break;
    }
    facts.finish.reset();  // a stop_reason in message_start is null; none is taken from it
    ed.write(edited);
    written = edited;
  } else if (t == "message_delta") {
    facts.output = true;
    for (const auto& m : scan->members) {
      if (json::key_is(m, "usage")) {
        read_usage(m.value, facts);
      } else if (json::key_is(m, "delta")) {
        const json::object_scan d = json::members_of(m.value);
        for (const auto& dm : d.members)
          if (json::key_is(dm, "stop_reason")) read_stop(dm.value, facts);
      }
    }
  } else if (t == "content_block_delta") {
    facts.output = true;
  } else if (t == "message_stop") {
    facts.end = true;
  }
  // An unnamed event is named by its type, when that is a name a line can hold.
  const bool nameable = !t.empty() && std::all_of(t.begin(), t.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  append_sse_event(out, !event.empty() ? event : nameable ? t : std::string_view("message"), written);
  return true;
}

bool messages_relay::relay_message(std::string& out, std::string_view json_text, chunk_facts& facts) {
  facts = {};
  const auto scan = json::locate_object(json_text);
  if (!scan) return false;
  for (const auto& m : scan->members) {
    if (!json::key_is(m, "type")) continue;
    if (json::string_value(m.value) == std::optional<std::string>("error")) {
      facts.error = true;
      facts.shown = false;
      return true;
    }
  }
  facts.output = true;
  relay_message_object(out, json_text, facts);
  return true;
}

}  // namespace gw
