// Config reader for `engine: openai` models: the local inference servers and how the pool
// admits, balances and health-checks them.
#include "gateway/config_reader.hpp"

namespace gw::config_detail {
namespace {

std::string read_url(const reader& r, const YAML::Node& n, const std::string& key) {
  auto url = r.scalar<std::string>(n, key, "a URL");
  // Local servers sit on the cluster's network: plain http is allowed here (unlike providers).
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    r.fail(n, key, "must start with http:// or https://");
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

void read_servers(const reader& r, const YAML::Node& n, const std::string& key, server_pool_config& c) {
  r.expect_map(n, key, {"servers", "model", "api_key_env", "headers", "ca_file", "timeouts", "max_in_flight",
                        "health", "affinity", "embedding_delay_ms", "continuation"});
  const auto list = n["servers"];
  if (!list || !list.IsSequence() || list.size() == 0)
    r.fail(list ? list : n, key + ".servers", "must list at least one server (a URL, or {name, url})");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string k = key + ".servers[" + std::to_string(i) + "]";
    server_endpoint s;
    s.name = "server-" + std::to_string(i);
    if (list[i].IsScalar()) {
      s.base_url = read_url(r, list[i], k);
    } else {
      r.expect_map(list[i], k, {"name", "url"});
      if (!list[i]["url"]) r.fail(list[i], k + ".url", "is required");
      s.base_url = read_url(r, list[i]["url"], k + ".url");
      if (list[i]["name"]) s.name = r.scalar<std::string>(list[i]["name"], k + ".name", "a string");
      if (s.name.empty() || s.name.size() > 64) r.fail(list[i]["name"], k + ".name", "must be 1 to 64 characters");
    }
    for (const auto& other : c.servers)
      if (other.name == s.name) r.fail(list[i], k + ".name", "repeats the name '" + s.name + "'");
    c.servers.push_back(std::move(s));
  }
  if (n["model"]) c.model = r.scalar<std::string>(n["model"], key + ".model", "a string");
  if (n["api_key_env"]) c.api_key_env = r.scalar<std::string>(n["api_key_env"], key + ".api_key_env", "a string");
  if (n["headers"]) c.headers = read_headers(r, n["headers"], key + ".headers");
  if (n["ca_file"]) c.ca_file = r.scalar<std::string>(n["ca_file"], key + ".ca_file", "a path");
  if (n["timeouts"]) c.timeouts = read_timeouts(r, n["timeouts"], key + ".timeouts");
  if (n["continuation"]) c.continuation = read_prefill_mode(r, n["continuation"], key + ".continuation");
  if (n["max_in_flight"]) c.max_in_flight = r.integer(n["max_in_flight"], key + ".max_in_flight", 1, 1u << 20);
  if (const auto h = n["health"]) {
    const std::string k = key + ".health";
    r.expect_map(h, k, {"path", "interval_ms", "timeout_ms", "unhealthy_after", "healthy_after"});
    if (h["path"]) {
      c.health_path = r.scalar<std::string>(h["path"], k + ".path", "a path");
      if (c.health_path.empty() || c.health_path[0] != '/') r.fail(h["path"], k + ".path", "must start with /");
    }
    if (h["interval_ms"]) c.health_interval = r.millis(h["interval_ms"], k + ".interval_ms", 10, 3600000);
    if (h["timeout_ms"]) c.health_timeout = r.millis(h["timeout_ms"], k + ".timeout_ms", 1, 600000);
    if (h["unhealthy_after"]) c.health.unhealthy_after = r.integer(h["unhealthy_after"], k + ".unhealthy_after", 1, 100);
    if (h["healthy_after"]) c.health.healthy_after = r.integer(h["healthy_after"], k + ".healthy_after", 1, 100);
  }
  if (const auto a = n["affinity"]) {
    const std::string k = key + ".affinity";
    r.expect_map(a, k, {"prefix_chars", "load_factor"});
    if (a["prefix_chars"]) c.affinity_prefix_chars = r.integer(a["prefix_chars"], k + ".prefix_chars", 1, 1u << 20);
    if (a["load_factor"]) c.load_factor = r.number(a["load_factor"], k + ".load_factor", 1, 100);
  }
  if (n["embedding_delay_ms"]) c.embedding_delay = r.millis(n["embedding_delay_ms"], key + ".embedding_delay_ms", 0, 10000);
}

}  // namespace gw::config_detail
