#include "gateway/sim_features.hpp"

#include <simdjson.h>

#include <string>

namespace gw {
namespace {

using simdjson::SUCCESS;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

simdjson::dom::parser& parser() {
  thread_local simdjson::dom::parser p;  // keeps its buffers between requests
  return p;
}

api_error refuse(std::string param, std::string rest) {
  std::string message = "'" + param + "' " + std::move(rest);
  return api_error{api_errc::invalid_field, std::move(message), std::move(param)};
}

std::optional<element> field(object o, std::string_view key) {
  element e;
  if (o.at_key(key).get(e) != SUCCESS || e.is_null()) return std::nullopt;
  return e;
}

sim_json to_tree(element e) {
  switch (e.type()) {
    case element_type::OBJECT: {
      sim_json o = sim_json::object();
      for (auto [k, v] : object(e)) o.add(std::string(k), to_tree(v));
      return o;
    }
    case element_type::ARRAY: {
      sim_json a = sim_json::array();
      for (element v : array(e)) a.push(to_tree(v));
      return a;
    }
    case element_type::STRING: return sim_json::of_string(std::string(std::string_view(e)));
    case element_type::INT64: return sim_json::of_number(std::to_string(std::int64_t(e)));
    case element_type::UINT64: return sim_json::of_number(std::to_string(std::uint64_t(e)));
    case element_type::DOUBLE: return sim_json::of_number(simdjson::minify(e));
    case element_type::BOOL: return sim_json::of_bool(bool(e));
    case element_type::NULL_VALUE: return sim_json::null_value();
  }
  return {};
}

// An integer-typed JSON number in [lo, hi].
std::optional<std::int64_t> integer_in(element e, std::int64_t lo, std::int64_t hi) {
  std::int64_t v = 0;
  if ((e.type() != element_type::INT64 && e.type() != element_type::UINT64) || e.get(v) != SUCCESS) return std::nullopt;
  if (v < lo || v > hi) return std::nullopt;
  return v;
}

// Each reader below gets its member's value, parsed alone (null counts as absent, as OpenAI's
// clients send null for options they leave unset). The scan accepted the value, so a parse fails
// only on numbers past what a DOM holds (integers over 64 bits, 1e400).
std::optional<element> parse(std::string_view value) {
  element e;
  if (json::is_null(value) || parser().parse(value.data(), value.size()).get(e) != SUCCESS) return std::nullopt;
  return e;
}

// For the members whose content the sim must follow: unreadable is refused, not ignored.
std::optional<api_error> unreadable(std::string_view value, std::string param) {
  if (json::is_null(value)) return std::nullopt;
  return refuse(std::move(param), "holds a number the simulated engine cannot read (an integer over 64 bits or "
                                  "a number beyond double range)");
}

std::optional<api_error> read_tools(std::string_view value, sim_features& f) {
  auto tools = parse(value);
  if (!tools) return unreadable(value, "tools");
  array items;
  if (tools->get(items) != SUCCESS) return refuse("tools", "must be an array of tools");
  std::size_t i = 0;
  for (element item : items) {
    const std::string at = "tools[" + std::to_string(i++) + "]";
    object tool;
    if (item.get(tool) != SUCCESS) return refuse(at, "must be an object");
    std::string_view type;
    if (auto t = field(tool, "type"); t && (t->get(type) != SUCCESS || type != "function")) continue;
    object function;
    auto fn = field(tool, "function");
    if (!fn || fn->get(function) != SUCCESS) return refuse(at + ".function", "must be an object");
    std::string_view name;
    auto n = field(function, "name");
    if (!n || n->get(name) != SUCCESS || name.empty())
      return refuse(at + ".function.name", "must be a non-empty string");
    sim_tool t{std::string(name), std::nullopt};
    if (auto params = field(function, "parameters"); params && params->is_object()) t.parameters = to_tree(*params);
    f.tools.push_back(std::move(t));
  }
  return std::nullopt;
}

std::optional<api_error> read_tool_choice(std::string_view value, sim_features& f) {
  auto choice = parse(value);
  if (!choice) return unreadable(value, "tool_choice");
  std::string_view mode;
  object named;
  if (choice->get(mode) == SUCCESS) {
    if (mode == "none") f.tool_choice = tool_choice_mode::none;
    else if (mode == "auto") f.tool_choice = tool_choice_mode::automatic;
    else if (mode == "required") f.tool_choice = tool_choice_mode::required;
    else return refuse("tool_choice", "must be 'none', 'auto', 'required' or a named function");
  } else if (choice->get(named) == SUCCESS) {
    object function;
    std::string_view name;
    auto fn = field(named, "function");
    auto n = fn && fn->get(function) == SUCCESS ? field(function, "name") : std::nullopt;
    if (!n || n->get(name) != SUCCESS) return refuse("tool_choice.function.name", "must be a string");
    f.tool_choice = tool_choice_mode::named;
    f.tool_choice_name.assign(name);
    bool known = false;
    for (const auto& t : f.tools) known = known || t.name == name;
    if (!known) return refuse("tool_choice", "names the function '" + std::string(name) + "', which is not in 'tools'");
  } else {
    return refuse("tool_choice", "must be a string or an object");
  }
  return std::nullopt;
}

std::optional<api_error> read_response_format(std::string_view value, sim_features& f) {
  auto format = parse(value);
  if (!format) return unreadable(value, "response_format");
  object o;
  std::string_view type;
  auto t = format->get(o) == SUCCESS ? field(o, "type") : std::nullopt;
  if (!t || t->get(type) != SUCCESS)
    return refuse("response_format", "must be an object with a 'type'");
  if (type == "text") return std::nullopt;
  if (type == "json_object") {
    f.format = response_format_kind::json_object;
    return std::nullopt;
  }
  if (type != "json_schema")
    return refuse("response_format.type", "must be 'text', 'json_object' or 'json_schema'");
  f.format = response_format_kind::json_schema;
  object spec;
  auto js = field(o, "json_schema");
  if (!js || js->get(spec) != SUCCESS) return refuse("response_format.json_schema", "must be an object");
  if (auto schema = field(spec, "schema")) f.schema = to_tree(*schema);
  return std::nullopt;
}

// Legacy completions: `logprobs` is the number of alternatives per token.
std::optional<api_error> read_legacy_logprobs(std::string_view value, sim_features& f) {
  auto lp = parse(value);
  if (!lp) return std::nullopt;
  auto k = integer_in(*lp, 0, max_top_logprobs);
  if (!k) return refuse("logprobs", "must be an integer between 0 and 20");
  f.logprobs = true;
  f.top_logprobs = static_cast<std::uint32_t>(*k);
  return std::nullopt;
}

std::optional<api_error> read_top_logprobs(std::string_view value, std::uint32_t& out) {
  auto top = parse(value);
  if (!top) return std::nullopt;
  auto k = integer_in(*top, 0, max_top_logprobs);
  if (!k) return refuse("top_logprobs", "must be an integer between 0 and 20");
  out = static_cast<std::uint32_t>(*k);
  return std::nullopt;
}

// chat_template_kwargs {"enable_thinking": false} (vLLM, Qwen3) or {"thinking": false}
// (DeepSeek V3.1) turn reasoning off for this request.
bool thinking_turned_off(std::string_view value) {
  auto kwargs = parse(value);
  object o;
  if (!kwargs || kwargs->get(o) != SUCCESS) return false;
  for (const char* key : {"enable_thinking", "thinking"}) {
    bool on = true;
    if (auto v = field(o, key); v && v->get(on) == SUCCESS && !on) return true;
  }
  return false;
}

// The last message's role, read from the scan without parsing the conversation.
bool last_message_is_tool(std::string_view messages) {
  const auto items = json::elements_of(messages);
  if (items.empty()) return false;
  for (const auto& m : json::members_of(items.back()).members)
    if (json::key_is(m, "role")) return json::string_value(m.value) == std::optional<std::string>("tool");
  return false;
}

}  // namespace

std::variant<sim_features, api_error> read_sim_features(const json::object_scan& fields, api_kind kind,
                                                        bool reasoning_model) {
  sim_features f;
  f.chat = kind == api_kind::chat;
  f.reasoning = f.chat && reasoning_model;
  // The members this reader looks at; the first of a repeated key counts, as for the validator.
  std::optional<std::string_view> n, tools, tool_choice, response_format, logprobs, top_logprobs, kwargs, messages;
  for (const auto& m : fields.members) {
    std::optional<std::string_view>* slot = nullptr;
    if (json::key_is(m, "n")) slot = &n;
    else if (json::key_is(m, "tools")) slot = &tools;
    else if (json::key_is(m, "tool_choice")) slot = &tool_choice;
    else if (json::key_is(m, "response_format")) slot = &response_format;
    else if (json::key_is(m, "logprobs")) slot = &logprobs;
    else if (json::key_is(m, "top_logprobs")) slot = &top_logprobs;
    else if (json::key_is(m, "chat_template_kwargs")) slot = &kwargs;
    else if (json::key_is(m, "messages")) slot = &messages;
    if (slot && !*slot) *slot = m.value;
  }
  if (n) {
    auto e = parse(*n);
    auto v = e ? integer_in(*e, 1, max_choices) : std::optional<std::int64_t>(1);
    if (!v) return refuse("n", "must be an integer between 1 and " + std::to_string(max_choices));
    f.n = static_cast<std::uint32_t>(*v);
  }
  if (response_format)
    if (auto e = read_response_format(*response_format, f)) return *e;
  if (!f.chat) {
    if (logprobs)
      if (auto e = read_legacy_logprobs(*logprobs, f)) return *e;
    return f;
  }
  if (logprobs) {
    auto e = parse(*logprobs);
    bool on = false;
    f.logprobs = e && e->get(on) == SUCCESS && on;
  }
  if (top_logprobs) {
    std::uint32_t k = 0;
    if (auto e = read_top_logprobs(*top_logprobs, k)) return *e;
    if (f.logprobs) f.top_logprobs = k;
  }
  if (f.reasoning && kwargs && thinking_turned_off(*kwargs)) f.reasoning = false;
  if (tools)
    if (auto e = read_tools(*tools, f)) return *e;
  if (tool_choice) {
    if (auto e = read_tool_choice(*tool_choice, f)) return *e;
    if (f.tools.empty() && f.tool_choice != tool_choice_mode::none)
      return refuse("tool_choice", "is only allowed when 'tools' are specified");
  }
  if (!f.tools.empty() && messages) f.last_message_is_tool = last_message_is_tool(*messages);
  return f;
}

}  // namespace gw
