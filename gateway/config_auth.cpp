// Config readers for client keys (`auth:`), where their limits live (`state:`) and browser
// origins (`cors:`).
#include "gateway/config_reader.hpp"

#include <set>

namespace gw::config_detail {
namespace {

bool parse_sha256_hex(const std::string& hex, std::array<unsigned char, 32>& out) {
  if (hex.size() != 64) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < 32; ++i) {
    const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return true;
}

api_key_config read_key(const reader& r, const YAML::Node& n, const std::string& key) {
  r.expect_map(n, key, {"name", "sha256", "models", "priority", "restricted", "requests_per_minute",
                        "tokens_per_minute", "budget"});
  api_key_config k;
  if (!n["name"]) r.fail(n, key + ".name", "is required");
  k.name = r.scalar<std::string>(n["name"], key + ".name", "a string");
  if (k.name.empty() || k.name.size() > 64) r.fail(n["name"], key + ".name", "must be 1 to 64 characters");
  for (char c : k.name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      r.fail(n["name"], key + ".name", "may hold only letters, digits, '-', '_' and '.' (it appears in logs)");
  // The key itself must never sit in a file that is copied around, only its digest.
  if (!n["sha256"])
    r.fail(n, key + ".sha256", "is required (the key's SHA-256 in hex: inference-gateway --hash-key)");
  if (!parse_sha256_hex(r.scalar<std::string>(n["sha256"], key + ".sha256", "a string"), k.sha256))
    r.fail(n["sha256"], key + ".sha256", "must be 64 hex digits (inference-gateway --hash-key prints them)");
  if (const auto models = n["models"]) {
    if (!models.IsSequence()) r.fail(models, key + ".models", "must be a list of model ids");
    for (std::size_t i = 0; i < models.size(); ++i)
      k.models.push_back(r.scalar<std::string>(models[i], key + ".models[" + std::to_string(i) + "]", "a model id"));
  }
  if (n["priority"]) {
    const auto p = r.scalar<long>(n["priority"], key + ".priority", "an integer");
    if (p < -1000 || p > 1000) r.fail(n["priority"], key + ".priority", "must be between -1000 and 1000");
    k.priority = static_cast<int>(p);
  }
  if (n["restricted"]) k.restricted = r.scalar<bool>(n["restricted"], key + ".restricted", "true or false");
  if (n["requests_per_minute"])
    k.limits.requests_per_minute = r.integer(n["requests_per_minute"], key + ".requests_per_minute", 0, 100000000);
  if (n["tokens_per_minute"])
    k.limits.tokens_per_minute = r.integer(n["tokens_per_minute"], key + ".tokens_per_minute", 0, 1ull << 40);
  if (const auto b = n["budget"]) {
    const std::string bk = key + ".budget";
    r.expect_map(b, bk, {"usd", "period"});
    if (!b["usd"]) r.fail(b, bk + ".usd", "is required (USD the key may spend per period)");
    k.budget.usd = r.number(b["usd"], bk + ".usd", 0.000001, 1e9);
    if (b["period"]) {
      const auto p = r.scalar<std::string>(b["period"], bk + ".period", "day or month");
      if (p == "day") k.budget.period = budget_period::day;
      else if (p == "month") k.budget.period = budget_period::month;
      else r.fail(b["period"], bk + ".period", "must be day or month");
    }
  }
  return k;
}

}  // namespace

void read_auth(const reader& r, const YAML::Node& n, auth_config& c) {
  r.expect_map(n, "auth", {"keys", "allow_unauthenticated"});
  if (n["allow_unauthenticated"])
    c.allow_unauthenticated = r.scalar<bool>(n["allow_unauthenticated"], "auth.allow_unauthenticated", "true or false");
  const auto keys = n["keys"];
  if (!keys) return;
  if (!keys.IsSequence()) r.fail(keys, "auth.keys", "must be a list");
  std::set<std::string> names;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::string key = "auth.keys[" + std::to_string(i) + "]";
    auto k = read_key(r, keys[i], key);
    if (!names.insert(k.name).second) r.fail(keys[i]["name"], key + ".name", "repeats the name '" + k.name + "'");
    for (const auto& other : c.keys)
      if (other.sha256 == k.sha256) r.fail(keys[i]["sha256"], key + ".sha256", "is the same key as '" + other.name + "'");
    c.keys.push_back(std::move(k));
  }
}

void read_state(const reader& r, const YAML::Node& n, shared_state_config& c) {
  r.expect_map(n, "state", {"redis"});
  const auto redis = n["redis"];
  if (!redis) return;
  r.expect_map(redis, "state.redis", {"url", "key_prefix", "timeout_ms", "on_unavailable", "password_env"});
  if (!redis["url"]) r.fail(redis, "state.redis.url", "is required (redis://host:port/db or unix:///path)");
  c.url = r.scalar<std::string>(redis["url"], "state.redis.url", "a URL");
  std::string why;
  auto ep = parse_redis_url(c.url, why);
  if (!ep) r.fail(redis["url"], "state.redis.url", why);
  c.endpoint = std::move(*ep);
  c.enabled = true;
  if (redis["password_env"])
    c.password_env = r.scalar<std::string>(redis["password_env"], "state.redis.password_env", "a variable name");
  if (redis["key_prefix"]) c.key_prefix = r.scalar<std::string>(redis["key_prefix"], "state.redis.key_prefix", "a string");
  if (redis["timeout_ms"]) c.timeout = r.millis(redis["timeout_ms"], "state.redis.timeout_ms", 1, 10000);
  if (const auto u = redis["on_unavailable"]) {
    r.expect_map(u, "state.redis.on_unavailable", {"rate_limits", "budgets"});
    auto mode = [&](const char* k, bool& open) {
      if (!u[k]) return;
      const std::string key = std::string("state.redis.on_unavailable.") + k;
      const auto v = r.scalar<std::string>(u[k], key, "open or closed");
      if (v != "open" && v != "closed") r.fail(u[k], key, "must be open or closed");
      open = v == "open";
    };
    mode("rate_limits", c.rate_limits_fail_open);
    mode("budgets", c.budgets_fail_open);
  }
}

void read_cors(const reader& r, const YAML::Node& n, cors_config& c) {
  r.expect_map(n, "cors", {"allowed_origins", "max_age_s"});
  if (const auto list = n["allowed_origins"]) {
    if (!list.IsSequence()) r.fail(list, "cors.allowed_origins", "must be a list of origins");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string key = "cors.allowed_origins[" + std::to_string(i) + "]";
      auto o = r.scalar<std::string>(list[i], key, "an origin");
      while (!o.empty() && o.back() == '/') o.pop_back();
      // An origin is scheme://host[:port], exactly what a browser sends in Origin.
      const bool ok = o == "*" || ((o.rfind("http://", 0) == 0 || o.rfind("https://", 0) == 0) &&
                                   o.find('/', o.find("//") + 2) == std::string::npos);
      if (!ok) r.fail(list[i], key, "must be \"*\" or scheme://host[:port] with no path");
      c.allowed_origins.push_back(std::move(o));
    }
  }
  if (n["max_age_s"]) c.max_age = std::chrono::seconds(r.integer(n["max_age_s"], "cors.max_age_s", 0, 86400));
}

}  // namespace gw::config_detail
