#pragma once
// The gateway's configuration: one YAML file (conf/gateway.yaml documents every key). Loading
// validates everything up front; an error names the key and its line, and the process does not
// start. Unknown keys are errors too, so a typo never silently falls back to a default.

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "backends/provider.hpp"
#include "engine/engine_pool.hpp"
#include "policy/route_plan.hpp"

namespace gw {

struct server_config {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::size_t max_body_bytes = 16u << 20;
  std::size_t max_header_bytes = 16u << 10;
  std::chrono::seconds read_timeout{30};   // to read one request once its first byte arrived
  std::chrono::seconds idle_timeout{60};   // keep-alive: wait for the next request
  std::chrono::seconds write_timeout{30};  // one write (a response, or one SSE chunk)
};

struct log_config {
  std::string level = "info";  // trace, debug, info, warn, error, off
  bool access_log = true;
};

struct model_config {
  std::string id;                           // the public model id clients send
  bool local = true;                        // false: `engine: none`, remote targets only
  std::uint32_t max_model_len = 32768;      // prompt + completion tokens
  std::uint32_t default_max_tokens = 1024;  // when the request sets none
  engine_pool_config pool;
  std::vector<remote_target> remote;        // in order of preference
  model_routing routing;                    // has_local and remotes are derived from the above
};

// Restricted data: a request carrying `header` with `value` (case-insensitive) stays local.
struct restricted_config {
  std::string header = "X-Data-Classification";
  std::string value = "restricted";
};

struct gateway_config {
  server_config server;
  log_config log;
  restricted_config restricted;
  std::vector<provider_config> providers;
  std::vector<model_config> models;
};

struct config_error {
  std::string message;  // "FILE:LINE: KEY: problem"
};

std::variant<gateway_config, config_error> load_config_file(const std::string& path);
std::variant<gateway_config, config_error> load_config_text(const std::string& yaml,
                                                            const std::string& source = "<text>");

// Parses "HOST:PORT" ("[::1]:8080" for IPv6); false if malformed.
bool parse_listen(const std::string& s, std::string& host, std::uint16_t& port);

}  // namespace gw
