#include "gateway/config.hpp"

#include "gateway/config_reader.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

namespace gw {
namespace {

using namespace config_detail;

void read_server(const reader& r, const YAML::Node& n, server_config& s) {
  r.expect_map(n, "server", {"listen", "max_body_bytes", "max_header_bytes", "max_header_count",
                             "max_target_bytes", "max_connections", "header_timeout_s", "read_timeout_s",
                             "idle_timeout_s", "write_timeout_s", "sse_keepalive_s", "max_stream_buffer_bytes",
                             "drain_timeout_s", "lingering_time_s", "lingering_timeout_s"});
  if (n["listen"]) {
    const auto v = r.scalar<std::string>(n["listen"], "server.listen", "a string");
    auto a = parse_listen(v);
    if (!a) r.fail(n["listen"], "server.listen", "must be HOST:PORT");
    s.host = std::move(a->host);
    s.port = a->port;
  }
  if (n["max_body_bytes"])
    s.max_body_bytes = r.integer(n["max_body_bytes"], "server.max_body_bytes", 1024, 1ull << 30);
  if (n["max_header_bytes"])
    s.max_header_bytes = r.integer(n["max_header_bytes"], "server.max_header_bytes", 1024, 1u << 20);
  if (n["max_header_count"])
    s.max_header_count = r.integer(n["max_header_count"], "server.max_header_count", 8, 10000);
  if (n["max_target_bytes"])
    s.max_target_bytes = r.integer(n["max_target_bytes"], "server.max_target_bytes", 256, 1u << 20);
  if (n["max_connections"])
    s.max_connections = r.integer(n["max_connections"], "server.max_connections", 1, 1000000);
  if (n["header_timeout_s"])
    s.header_timeout = std::chrono::seconds(r.integer(n["header_timeout_s"], "server.header_timeout_s", 1, 3600));
  if (n["sse_keepalive_s"])
    s.sse_keepalive = std::chrono::seconds(r.integer(n["sse_keepalive_s"], "server.sse_keepalive_s", 0, 3600));
  if (n["max_stream_buffer_bytes"])
    s.max_stream_buffer_bytes =
        r.integer(n["max_stream_buffer_bytes"], "server.max_stream_buffer_bytes", 4096, 1u << 30);
  if (n["drain_timeout_s"])
    s.drain_timeout = std::chrono::seconds(r.integer(n["drain_timeout_s"], "server.drain_timeout_s", 0, 3600));
  if (n["read_timeout_s"])
    s.read_timeout = std::chrono::seconds(r.integer(n["read_timeout_s"], "server.read_timeout_s", 1, 3600));
  if (n["idle_timeout_s"])
    s.idle_timeout = std::chrono::seconds(r.integer(n["idle_timeout_s"], "server.idle_timeout_s", 1, 3600));
  if (n["write_timeout_s"])
    s.write_timeout = std::chrono::seconds(r.integer(n["write_timeout_s"], "server.write_timeout_s", 1, 3600));
  if (n["lingering_time_s"])
    s.lingering_time = std::chrono::seconds(r.integer(n["lingering_time_s"], "server.lingering_time_s", 0, 3600));
  if (n["lingering_timeout_s"])
    s.lingering_timeout =
        std::chrono::seconds(r.integer(n["lingering_timeout_s"], "server.lingering_timeout_s", 1, 3600));
}

void read_log(const reader& r, const YAML::Node& n, log_config& l) {
  r.expect_map(n, "log", {"level", "access_log"});
  if (n["level"]) {
    l.level = r.scalar<std::string>(n["level"], "log.level", "a string");
    static const std::set<std::string> levels{"trace", "debug", "info", "warn", "error", "off"};
    if (!levels.count(l.level)) r.fail(n["level"], "log.level", "must be one of trace, debug, info, warn, error, off");
  }
  if (n["access_log"]) l.access_log = r.scalar<bool>(n["access_log"], "log.access_log", "true or false");
}

void read_sim(const reader& r, const YAML::Node& n, const std::string& key, sim_timing& t) {
  r.expect_map(n, key, {"prefill_tokens_per_s", "prefill_latency_ms", "decode_base_ms",
                        "decode_per_sequence_ms", "kv_token_capacity", "time_scale",
                        "embedding_dimensions", "reasoning"});
  if (n["prefill_tokens_per_s"])
    t.prefill_tokens_per_s = r.number(n["prefill_tokens_per_s"], key + ".prefill_tokens_per_s", 1, 1e9);
  if (n["prefill_latency_ms"])
    t.prefill_latency_s = r.number(n["prefill_latency_ms"], key + ".prefill_latency_ms", 0, 600000) / 1000;
  if (n["decode_base_ms"]) t.decode_base_s = r.number(n["decode_base_ms"], key + ".decode_base_ms", 0, 60000) / 1000;
  if (n["decode_per_sequence_ms"])
    t.decode_per_sequence_s = r.number(n["decode_per_sequence_ms"], key + ".decode_per_sequence_ms", 0, 60000) / 1000;
  if (n["kv_token_capacity"])
    t.kv_token_capacity = r.integer(n["kv_token_capacity"], key + ".kv_token_capacity", 16, 1ull << 40);
  if (n["time_scale"]) t.time_scale = r.number(n["time_scale"], key + ".time_scale", 0, 1000);
  if (n["embedding_dimensions"])
    t.embedding_dimensions = r.integer(n["embedding_dimensions"], key + ".embedding_dimensions", 1, 65536);
}

void read_batching(const reader& r, const YAML::Node& n, const std::string& key, batcher_config& b,
                   bool& budget_set) {
  r.expect_map(n, key, {"max_batch_size", "token_budget", "max_queued", "max_queue_wait_ms",
                        "max_embedding_inputs"});
  if (n["max_batch_size"])
    b.limits.max_batch_size = r.integer(n["max_batch_size"], key + ".max_batch_size", 1, 65536);
  if (n["token_budget"]) {
    b.limits.token_budget = r.integer(n["token_budget"], key + ".token_budget", 16, 1ull << 40);
    budget_set = true;
  }
  if (n["max_queued"]) b.max_queued = r.integer(n["max_queued"], key + ".max_queued", 0, 1u << 24);
  if (n["max_embedding_inputs"])
    b.max_embedding_inputs = r.integer(n["max_embedding_inputs"], key + ".max_embedding_inputs", 1, 1u << 20);
  if (n["max_queue_wait_ms"])
    b.max_queue_wait = std::chrono::milliseconds(r.integer(n["max_queue_wait_ms"], key + ".max_queue_wait_ms", 1, 3600000));
}

model_config read_model(const reader& r, const YAML::Node& n, const std::string& key) {
  r.expect_map(n, key, {"id", "engine", "preset", "replicas", "max_model_len", "default_max_tokens",
                        "sim", "openai", "batching", "remote", "routing", "price"});
  model_config m;
  if (!n["id"]) r.fail(n, key + ".id", "is required");
  m.id = r.scalar<std::string>(n["id"], key + ".id", "a string");
  if (m.id.empty() || m.id.size() > 256) r.fail(n["id"], key + ".id", "must be 1 to 256 characters");
  if (n["engine"]) {
    m.pool.kind = r.scalar<std::string>(n["engine"], key + ".engine", "a string");
    if (m.pool.kind == "none") m.local = false;
    else if (m.pool.kind != "sim" && m.pool.kind != "openai")
      r.fail(n["engine"], key + ".engine", "unknown engine kind (known: sim, openai, none)");
  }
  if (n["preset"]) {
    m.pool.preset = r.scalar<std::string>(n["preset"], key + ".preset", "a string");
    const sim_timing* p = find_sim_preset(m.pool.preset);
    if (!p) {
      std::string known;
      for (const auto& name : sim_preset_names()) known += (known.empty() ? "" : ", ") + name;
      r.fail(n["preset"], key + ".preset", "unknown preset (known: " + known + ")");
    }
    m.pool.sim = *p;
    m.pool.reasoning = sim_preset_reasons(m.pool.preset);
  }
  const bool servers = m.pool.kind == "openai";
  // Options of the other engine kind would be silently ignored: refuse them instead.
  for (const char* k : {"preset", "sim", "replicas"})
    if (servers && n[k]) r.fail(n[k], key + "." + k, "applies to sim engines only (this model has engine: openai)");
  if (!servers && n["openai"]) r.fail(n["openai"], key + ".openai", "applies to engine: openai only");
  if (servers) {
    if (!n["openai"]) r.fail(n, key + ".openai", "is required with engine: openai (it lists the servers)");
    read_servers(r, n["openai"], key + ".openai", m.pool.servers);
  }
  if (n["sim"]) read_sim(r, n["sim"], key + ".sim", m.pool.sim);
  if (n["sim"] && n["sim"]["reasoning"])
    m.pool.reasoning = r.scalar<bool>(n["sim"]["reasoning"], key + ".sim.reasoning", "true or false");
  if (n["replicas"]) m.pool.replicas = r.integer(n["replicas"], key + ".replicas", 1, 64);
  if (n["max_model_len"]) m.max_model_len = r.integer(n["max_model_len"], key + ".max_model_len", 16, 1u << 24);
  if (n["default_max_tokens"])
    m.default_max_tokens = r.integer(n["default_max_tokens"], key + ".default_max_tokens", 1, 1u << 24);
  bool budget_set = false;
  if (n["batching"]) {
    if (servers)
      for (const char* k : {"max_batch_size", "token_budget"})
        if (n["batching"][k])
          r.fail(n["batching"][k], key + ".batching." + k, "applies to sim engines only (servers batch internally)");
    read_batching(r, n["batching"], key + ".batching", m.pool.batching, budget_set);
  }
  // The token budget defaults to the engine's KV capacity, and a budget larger than the
  // capacity would admit sequences the engine cannot hold.
  if (!budget_set) m.pool.batching.limits.token_budget = m.pool.sim.kv_token_capacity;
  if (m.pool.batching.limits.token_budget > m.pool.sim.kv_token_capacity)
    r.fail(n["batching"]["token_budget"], key + ".batching.token_budget", "exceeds sim.kv_token_capacity");
  if (m.local && !servers && m.max_model_len > m.pool.batching.limits.token_budget)
    r.fail(n["max_model_len"] ? n["max_model_len"] : n, key + ".max_model_len",
           "exceeds the token budget, so a full-length request could never be admitted");
  read_remote_and_routing(r, n, key, m);
  if (const auto pr = n["price"]) {
    const std::string k = key + ".price";
    r.expect_map(pr, k, {"input_per_million", "output_per_million"});
    if (!m.local) r.fail(pr, k, "prices local serving; this model has `engine: none` (providers carry their own price)");
    if (pr["input_per_million"]) m.price_input_per_million = r.number(pr["input_per_million"], k + ".input_per_million", 0, 1e6);
    if (pr["output_per_million"])
      m.price_output_per_million = r.number(pr["output_per_million"], k + ".output_per_million", 0, 1e6);
  }
  if (!m.local && m.remote.empty()) r.fail(n, key + ".remote", "a model with `engine: none` needs remote targets");
  return m;
}

gateway_config read_root(const reader& r, const YAML::Node& root) {
  gateway_config c;
  if (!root.IsDefined() || root.IsNull()) r.fail(root, "(root)", "the file is empty");
  r.expect_map(root, "", {"server", "log", "auth", "cors", "restricted", "state", "providers", "models", "tracing"});
  if (root["server"]) read_server(r, root["server"], c.server);
  if (root["log"]) read_log(r, root["log"], c.log);
  if (root["auth"]) read_auth(r, root["auth"], c.auth);
  if (root["cors"]) read_cors(r, root["cors"], c.cors);
  if (root["state"]) read_state(r, root["state"], c.state);
  if (root["restricted"]) read_restricted(r, root["restricted"], c.restricted);
  if (root["tracing"]) c.tracing = read_tracing(r, root["tracing"]);
  if (const auto providers = root["providers"]) {
    if (!providers.IsSequence()) r.fail(providers, "providers", "must be a list");
    std::set<std::string> names;
    for (std::size_t i = 0; i < providers.size(); ++i) {
      const std::string key = "providers[" + std::to_string(i) + "]";
      auto p = read_provider(r, providers[i], key);
      if (!names.insert(p.name).second) r.fail(providers[i]["name"], key + ".name", "duplicate provider '" + p.name + "'");
      c.providers.push_back(std::move(p));
    }
  }
  const auto models = root["models"];
  if (!models || !models.IsSequence() || models.size() == 0)
    r.fail(models ? models : root, "models", "must be a non-empty list");
  std::set<std::string> ids;
  for (std::size_t i = 0; i < models.size(); ++i) {
    const std::string key = "models[" + std::to_string(i) + "]";
    auto m = read_model(r, models[i], key);
    if (!ids.insert(m.id).second) r.fail(models[i]["id"], key + ".id", "duplicate model id '" + m.id + "'");
    for (std::size_t j = 0; j < m.remote.size(); ++j) {
      bool known = false;
      for (const auto& p : c.providers) known = known || p.name == m.remote[j].provider;
      if (!known)
        r.fail(models[i]["remote"][j]["provider"], key + ".remote[" + std::to_string(j) + "].provider",
               "no provider named '" + m.remote[j].provider + "' in providers");
    }
    c.models.push_back(std::move(m));
  }
  // A key naming a model nobody serves is a typo that would lock its client out.
  for (std::size_t i = 0; i < c.auth.keys.size(); ++i)
    for (std::size_t j = 0; j < c.auth.keys[i].models.size(); ++j)
      if (!ids.count(c.auth.keys[i].models[j]))
        r.fail(root["auth"]["keys"][i]["models"][j], "auth.keys[" + std::to_string(i) + "].models",
               "no model with id '" + c.auth.keys[i].models[j] + "'");
  return c;
}

}  // namespace

std::optional<listen_address> parse_listen(std::string_view s) {
  const auto colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view h = s.substr(0, colon);
  if (h.front() == '[') {
    if (h.size() < 3 || h.back() != ']') return std::nullopt;
    h = h.substr(1, h.size() - 2);
  }
  unsigned p = 0;
  const char* b = s.data() + colon + 1;
  const char* e = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(b, e, p);
  if (b == e || ec != std::errc() || ptr != e || p > 65535) return std::nullopt;
  return listen_address{std::string(h), static_cast<std::uint16_t>(p)};
}

std::variant<gateway_config, config_error> load_config_text(const std::string& yaml, const std::string& source) {
  reader r(source);
  try {
    return read_root(r, YAML::Load(yaml));
  } catch (const bad_key& e) {
    return config_error{e.message};
  } catch (const YAML::Exception& e) {
    return config_error{source + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg};
  }
}

std::string restart_fingerprint(const std::string& yaml) {
  try {
    YAML::Node root = YAML::Load(yaml);
    if (!root.IsMap()) return {};
    for (const char* reloadable : {"server", "log", "auth", "cors", "restricted"}) root.remove(reloadable);
    if (auto models = root["models"]; models && models.IsSequence())
      for (std::size_t i = 0; i < models.size(); ++i)
        if (models[i].IsMap()) models[i].remove("routing");
    return YAML::Dump(root);
  } catch (const YAML::Exception&) {
    return {};
  }
}

std::variant<gateway_config, config_error> load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return config_error{path + ": cannot open the file"};
  std::ostringstream os;
  os << in.rdbuf();
  return load_config_text(os.str(), path);
}

}  // namespace gw
