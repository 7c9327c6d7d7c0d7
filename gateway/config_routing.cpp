// Config readers for hybrid routing: providers, a model's remote targets and routing rules,
// and the restricted-data marker.
#include "gateway/config_reader.hpp"

namespace gw::config_detail {

std::vector<std::pair<std::string, std::string>> read_headers(const reader& r, const YAML::Node& h,
                                                              const std::string& key) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!h.IsMap()) r.fail(h, key, "must be a mapping of header names to values");
  for (const auto& kv : h) {
    const auto name = kv.first.as<std::string>();
    const auto value = r.scalar<std::string>(kv.second, key + "." + name, "a string");
    if (name.empty() || name.find_first_of(":\r\n ") != std::string::npos || value.find_first_of("\r\n") != std::string::npos)
      r.fail(kv.first, key + "." + name, "is not a valid header");
    out.emplace_back(name, value);
  }
  return out;
}

prefill_mode read_prefill_mode(const reader& r, const YAML::Node& n, const std::string& key) {
  const auto mode = prefill_mode_from(r.scalar<std::string>(n, key, "a string"));
  if (!mode) r.fail(n, key, "must be none, continue_final_message or prefix");
  return *mode;
}

upstream_timeouts read_timeouts(const reader& r, const YAML::Node& t, const std::string& k) {
  upstream_timeouts out;
  r.expect_map(t, k, {"connect_ms", "first_byte_ms", "idle_ms", "total_ms"});
  if (t["connect_ms"]) out.connect = r.millis(t["connect_ms"], k + ".connect_ms", 1, 600000);
  if (t["first_byte_ms"]) out.first_byte = r.millis(t["first_byte_ms"], k + ".first_byte_ms", 1, 3600000);
  if (t["idle_ms"]) out.idle = r.millis(t["idle_ms"], k + ".idle_ms", 1, 3600000);
  if (t["total_ms"]) out.total = r.millis(t["total_ms"], k + ".total_ms", 1, 86400000);
  return out;
}

provider_config read_provider(const reader& r, const YAML::Node& n, const std::string& key) {
  r.expect_map(n, key, {"name", "api", "base_url", "api_key_env", "headers", "ca_file", "timeouts", "price",
                        "retries", "retry_budget", "breaker", "rename_fields", "continuation"});
  provider_config p;
  if (!n["name"]) r.fail(n, key + ".name", "is required");
  p.name = r.scalar<std::string>(n["name"], key + ".name", "a string");
  if (p.name.empty()) r.fail(n["name"], key + ".name", "must not be empty");
  if (!n["base_url"]) r.fail(n, key + ".base_url", "is required");
  p.base_url = r.scalar<std::string>(n["base_url"], key + ".base_url", "a string");
  // Remote providers see prompts: they are reached over verified TLS only. Plain http is allowed
  // to this host alone (an egress sidecar that does the TLS, or a benchmark's upstream), where
  // nothing crosses a network.
  const bool loopback = p.base_url.rfind("http://127.0.0.1:", 0) == 0 || p.base_url.rfind("http://[::1]:", 0) == 0 ||
                        p.base_url.rfind("http://localhost:", 0) == 0;
  if (p.base_url.rfind("https://", 0) != 0 && !loopback)
    r.fail(n["base_url"], key + ".base_url", "must start with https:// (http:// only to 127.0.0.1, [::1] or localhost)");
  while (!p.base_url.empty() && p.base_url.back() == '/') p.base_url.pop_back();
  if (n["api_key_env"]) p.api_key_env = r.scalar<std::string>(n["api_key_env"], key + ".api_key_env", "a string");
  if (const auto h = n["headers"]) p.headers = read_headers(r, h, key + ".headers");
  if (n["ca_file"]) p.ca_file = r.scalar<std::string>(n["ca_file"], key + ".ca_file", "a path");
  if (const auto rf = n["rename_fields"]) {
    // Names are written into the body as they are, so only plain ones are taken.
    const auto plain = [](const std::string& s) {
      if (s.empty()) return false;
      for (unsigned char c : s)
        if (c < 0x20 || c == '"' || c == '\\') return false;
      return true;
    };
    const std::string k = key + ".rename_fields";
    if (!rf.IsMap()) r.fail(rf, k, "must be a map of field names to the names this provider knows");
    for (const auto& kv : rf) {
      field_rename f;
      f.from = r.scalar<std::string>(kv.first, k, "a field name");
      f.to = r.scalar<std::string>(kv.second, k + "." + f.from, "a field name");
      if (!plain(f.from) || !plain(f.to) || f.from == "model" || f.to == "model")
        r.fail(kv.second, k + "." + f.from, "must rename one plain field name (not model) to another");
      p.rename_fields.push_back(std::move(f));
    }
  }
  if (const auto t = n["timeouts"]) p.timeouts = read_timeouts(r, t, key + ".timeouts");
  if (n["continuation"]) p.continuation = read_prefill_mode(r, n["continuation"], key + ".continuation");
  if (const auto a = n["api"]) {
    const auto api = r.scalar<std::string>(a, key + ".api", "a string");
    if (api == "anthropic") p.api = provider_api::anthropic;
    else if (api != "openai") r.fail(a, key + ".api", "must be openai or anthropic");
  }
  // A continuation's prefill is written in the chat protocol (backends/continuation_body).
  if (p.api == provider_api::anthropic && p.continuation != prefill_mode::none)
    r.fail(n["continuation"], key + ".continuation", "must be none for a provider with api: anthropic");
  if (p.api == provider_api::anthropic && !p.rename_fields.empty())
    r.fail(n["rename_fields"], key + ".rename_fields", "applies to OpenAI bodies only, not to api: anthropic");
  if (const auto pr = n["price"]) {
    const std::string k = key + ".price";
    r.expect_map(pr, k, {"input_per_million", "output_per_million"});
    if (pr["input_per_million"]) p.price_input_per_million = r.number(pr["input_per_million"], k + ".input_per_million", 0, 1e6);
    if (pr["output_per_million"])
      p.price_output_per_million = r.number(pr["output_per_million"], k + ".output_per_million", 0, 1e6);
  }
  if (const auto rt = n["retries"]) {
    const std::string k = key + ".retries";
    r.expect_map(rt, k, {"max_retries", "base_ms", "cap_ms", "max_retry_after_ms"});
    if (rt["max_retries"]) p.retries.max_retries = r.integer(rt["max_retries"], k + ".max_retries", 0, 10);
    if (rt["base_ms"]) p.retries.base = r.millis(rt["base_ms"], k + ".base_ms", 1, 60000);
    if (rt["cap_ms"]) p.retries.cap = r.millis(rt["cap_ms"], k + ".cap_ms", 1, 600000);
    if (rt["max_retry_after_ms"]) p.retries.max_retry_after = r.millis(rt["max_retry_after_ms"], k + ".max_retry_after_ms", 0, 3600000);
  }
  if (const auto rb = n["retry_budget"]) {
    const std::string k = key + ".retry_budget";
    r.expect_map(rb, k, {"ratio", "min_retries_per_s", "window_ms"});
    if (rb["ratio"]) p.retry_budget.ratio = r.number(rb["ratio"], k + ".ratio", 0, 100);
    if (rb["min_retries_per_s"])
      p.retry_budget.min_retries_per_s = r.number(rb["min_retries_per_s"], k + ".min_retries_per_s", 0, 100000);
    if (rb["window_ms"]) p.retry_budget.window = r.millis(rb["window_ms"], k + ".window_ms", 100, 3600000);
  }
  if (const auto b = n["breaker"]) {
    const std::string k = key + ".breaker";
    r.expect_map(b, k, {"consecutive_failures", "failure_rate", "window", "open_ms", "half_open_probes"});
    if (b["consecutive_failures"])
      p.breaker.consecutive_failures = r.integer(b["consecutive_failures"], k + ".consecutive_failures", 0, 10000);
    if (b["failure_rate"]) p.breaker.failure_rate = r.number(b["failure_rate"], k + ".failure_rate", 0, 1);
    if (b["window"]) p.breaker.rate_window = r.integer(b["window"], k + ".window", 0, 10000);
    if (b["open_ms"]) p.breaker.open_for = r.millis(b["open_ms"], k + ".open_ms", 1, 3600000);
    if (b["half_open_probes"]) p.breaker.half_open_probes = r.integer(b["half_open_probes"], k + ".half_open_probes", 1, 1000);
  }
  return p;
}

void read_remote_and_routing(const reader& r, const YAML::Node& n, const std::string& key, model_config& m) {
  if (const auto remote = n["remote"]) {
    if (!remote.IsSequence()) r.fail(remote, key + ".remote", "must be a list");
    for (std::size_t i = 0; i < remote.size(); ++i) {
      const std::string k = key + ".remote[" + std::to_string(i) + "]";
      r.expect_map(remote[i], k, {"provider", "model"});
      if (!remote[i]["provider"]) r.fail(remote[i], k + ".provider", "is required");
      remote_target t;
      t.provider = r.scalar<std::string>(remote[i]["provider"], k + ".provider", "a string");
      // The provider's name for the model; by default the public id.
      t.model = remote[i]["model"] ? r.scalar<std::string>(remote[i]["model"], k + ".model", "a string") : m.id;
      m.remote.push_back(std::move(t));
    }
  }
  model_routing& rt = m.routing;
  if (const auto ro = n["routing"]) {
    const std::string k = key + ".routing";
    r.expect_map(ro, k, {"restricted", "long_prompt_tokens", "ttft_target_ms", "overflow", "fallback",
                           "continue_on_failure"});
    if (ro["restricted"]) rt.restricted = r.scalar<bool>(ro["restricted"], k + ".restricted", "true or false");
    if (ro["long_prompt_tokens"])
      rt.long_prompt_tokens = r.integer(ro["long_prompt_tokens"], k + ".long_prompt_tokens", 0, 1u << 24);
    if (ro["ttft_target_ms"]) rt.ttft_target_s = r.number(ro["ttft_target_ms"], k + ".ttft_target_ms", 0, 3600000) / 1000;
    if (ro["overflow"]) rt.overflow = r.scalar<bool>(ro["overflow"], k + ".overflow", "true or false");
    if (ro["fallback"]) rt.fallback = r.scalar<bool>(ro["fallback"], k + ".fallback", "true or false");
    if (ro["continue_on_failure"])
      rt.continue_on_failure = r.scalar<bool>(ro["continue_on_failure"], k + ".continue_on_failure", "true or false");
  }
  rt.has_local = m.local;
  rt.remotes = m.remote.size();
}

void read_restricted(const reader& r, const YAML::Node& n, restricted_config& c) {
  r.expect_map(n, "restricted", {"header", "value"});
  if (n["header"]) c.header = r.scalar<std::string>(n["header"], "restricted.header", "a string");
  if (n["value"]) c.value = r.scalar<std::string>(n["value"], "restricted.value", "a string");
  if (c.header.empty() || c.value.empty()) r.fail(n, "restricted", "header and value must not be empty");
}

}  // namespace gw::config_detail
