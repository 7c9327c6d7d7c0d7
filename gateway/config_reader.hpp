#pragma once
// Shared by the config readers (config.cpp, config_routing.cpp): YAML access that turns every
// problem into "FILE:LINE: KEY: problem". Internal to config loading.

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdint>
#include <set>
#include <sstream>
#include <string>

#include "gateway/config.hpp"

namespace gw::config_detail {

// Thrown only inside config loading and turned into config_error at its boundary.
struct bad_key {
  std::string message;
};

class reader {
 public:
  reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const YAML::Node& n, const std::string& key, const std::string& what) const {
    std::ostringstream os;
    os << source_;
    if (n.IsDefined() && n.Mark().line >= 0) os << ':' << n.Mark().line + 1;
    os << ": " << key << ": " << what;
    throw bad_key{os.str()};
  }

  // Checks that `n` is a map whose keys are all in `allowed`.
  void expect_map(const YAML::Node& n, const std::string& key, std::set<std::string> allowed) const {
    if (!n.IsMap()) fail(n, key, "must be a mapping");
    for (const auto& kv : n) {
      const auto k = kv.first.as<std::string>();
      if (!allowed.count(k)) fail(kv.first, key.empty() ? k : key + "." + k, "unknown key");
    }
  }

  template <class T>
  T scalar(const YAML::Node& n, const std::string& key, const char* expected) const {
    if (!n.IsScalar()) fail(n, key, std::string("must be ") + expected);
    try {
      return n.as<T>();
    } catch (const YAML::Exception&) {
      fail(n, key, std::string("must be ") + expected);
    }
  }

  double number(const YAML::Node& n, const std::string& key, double lo, double hi) const {
    const double v = scalar<double>(n, key, "a number");
    if (!(v >= lo && v <= hi)) {
      std::ostringstream os;
      os << "must be between " << lo << " and " << hi;
      fail(n, key, os.str());
    }
    return v;
  }

  std::uint64_t integer(const YAML::Node& n, const std::string& key, std::uint64_t lo, std::uint64_t hi) const {
    const auto s = scalar<std::string>(n, key, "an integer");
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi)
      fail(n, key, "must be an integer between " + std::to_string(lo) + " and " + std::to_string(hi));
    return v;
  }

  std::chrono::milliseconds millis(const YAML::Node& n, const std::string& key, std::uint64_t lo,
                                   std::uint64_t hi) const {
    return std::chrono::milliseconds(integer(n, key, lo, hi));
  }

 private:
  std::string source_;
};


// Readers for the routing parts of the file (config_routing.cpp).
std::vector<std::pair<std::string, std::string>> read_headers(const reader& r, const YAML::Node& n,
                                                              const std::string& key);
// `continuation:` of a provider or an `openai` pool: how the target takes a prefill.
prefill_mode read_prefill_mode(const reader& r, const YAML::Node& n, const std::string& key);
upstream_timeouts read_timeouts(const reader& r, const YAML::Node& n, const std::string& key);
provider_config read_provider(const reader& r, const YAML::Node& n, const std::string& key);
void read_remote_and_routing(const reader& r, const YAML::Node& n, const std::string& key, model_config& m);
void read_restricted(const reader& r, const YAML::Node& n, restricted_config& c);
// The `auth:` and `cors:` blocks (config_auth.cpp).
void read_state(const reader& r, const YAML::Node& n, shared_state_config& c);
void read_auth(const reader& r, const YAML::Node& n, auth_config& c);
void read_cors(const reader& r, const YAML::Node& n, cors_config& c);
// The `tracing:` block (config_tracing.cpp).
tracing_config read_tracing(const reader& r, const YAML::Node& n);
// The `openai:` block of a model with `engine: openai` (config_servers.cpp).
void read_servers(const reader& r, const YAML::Node& n, const std::string& key, server_pool_config& c);

}  // namespace gw::config_detail
