#pragma once
// The gateway's configuration: one YAML file (conf/gateway.yaml documents every key). Loading
// validates everything up front; an error names the key and its line, and the process does not
// start. Unknown keys are errors too, so a typo never silently falls back to a default.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "backends/redis_url.hpp"
#include "engine/provider.hpp"
#include "engine/engine_pool.hpp"
#include "policy/budget.hpp"
#include "policy/rate_limiter.hpp"
#include "policy/route_plan.hpp"

namespace gw {

// The limits every client connection lives under (README "Security and limits").
struct server_config {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::size_t max_body_bytes = 16u << 20;
  std::size_t max_header_bytes = 16u << 10;  // request line + headers (and chunked trailers)
  std::size_t max_header_count = 100;        // header fields (and trailer fields)
  std::size_t max_target_bytes = 8u << 10;   // the request target (URL); longer gets 414
  std::size_t max_connections = 10000;       // open client connections; more get 503 and close
  std::chrono::seconds header_timeout{10};   // to read the headers once the first byte arrived
  std::chrono::seconds read_timeout{30};     // to read the body once the headers are in
  std::chrono::seconds idle_timeout{60};     // keep-alive: wait for the next request
  std::chrono::seconds write_timeout{30};    // one write (a response, or one SSE chunk)
  std::chrono::seconds sse_keepalive{15};    // comment line on a silent stream; 0 = never
  std::size_t max_stream_buffer_bytes = 1u << 20;  // SSE bytes held for a slow reader
  std::chrono::seconds drain_timeout{30};    // SIGTERM: how long open requests may finish
  // After a refusal (413, 408, ...) the rest of the request is read and thrown away before the
  // close, so that the client reads the answer instead of a reset (nginx's lingering close):
  std::chrono::seconds lingering_time{30};    // for this long in all,
  std::chrono::seconds lingering_timeout{5};  // and while bytes come no further apart than this
};

// One client key. The key itself is never stored: only its SHA-256.
struct api_key_config {
  std::string name;                      // in logs and metrics instead of the key
  std::array<unsigned char, 32> sha256{};
  std::vector<std::string> models;       // models it may use; empty: all
  int priority = 0;                      // its requests' batcher priority (X-Priority may lower it)
  bool restricted = false;               // its requests never leave the machine
  rate_limits limits;
  budget_config budget;                  // USD per day or month; usd 0: none
};

// Where rate-limit buckets and budget spend live (`state:`): this process (the default), or a
// Redis shared by every replica (key_limits.hpp, shared_limits.hpp). Needs a restart to change.
struct shared_state_config {
  bool enabled = false;                       // state.redis is set
  std::string url;                            // as written, for logs
  redis_endpoint endpoint;
  std::string password_env;                   // the password from this environment variable
  std::string key_prefix = "inference-gateway:";
  std::chrono::milliseconds timeout{50};      // longest a request waits for Redis
  // While Redis cannot answer: open = this replica's own buckets / its view of spend decide,
  // closed = requests of keys with such a limit get 503.
  bool rate_limits_fail_open = true;
  bool budgets_fail_open = true;
};

struct auth_config {
  std::vector<api_key_config> keys;  // none: no authentication (loopback only, unless opted in)
  bool allow_unauthenticated = false;  // the opt-in to serve a non-loopback address with no keys
};

// Browser frontends: origins allowed to call the API from a page (none by default).
struct cors_config {
  std::vector<std::string> allowed_origins;  // exact origins, or "*" for any
  std::chrono::seconds max_age{600};          // how long a browser may cache a preflight
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
  // What a request served by the local engine costs (budgets and gateway_cost_usd_total);
  // remote routes cost their provider's price.
  double price_input_per_million = 0;
  double price_output_per_million = 0;
  model_routing routing;                    // has_local and remotes are derived from the above
};

// Restricted data: a request carrying `header` with `value` (case-insensitive) stays local.
struct restricted_config {
  std::string header = "X-Data-Classification";
  std::string value = "restricted";
};

// Distributed traces (gateway/tracer, README "Traces"): a span per API request and one per
// upstream attempt, exported as OTLP/HTTP JSON. Absent from the file: no spans, and the client's
// trace headers are passed on unchanged. Not reloadable (a change needs a restart).
struct tracing_config {
  std::string otlp_endpoint;  // the collector's base URL, http(s)://host:port; spans go to /v1/traces
  std::string service_name = "inference-gateway";  // the service.name resource attribute
  double sample_ratio = 1.0;  // of the traces the gateway starts; a client's sampled flag is obeyed
  std::chrono::milliseconds batch_timeout{5000};   // the longest a span waits to be sent
  std::size_t max_batch_spans = 512;               // spans per export (and a full batch goes at once)
  std::size_t max_queue_spans = 2048;              // spans waiting; more are dropped and counted
  std::chrono::milliseconds export_timeout{10000}; // one export, connect to answer
  std::vector<std::pair<std::string, std::string>> headers;  // sent with each export
  std::string ca_file;  // CA bundle for an https collector; empty: the system's
};

struct gateway_config {
  server_config server;
  log_config log;
  auth_config auth;
  cors_config cors;
  restricted_config restricted;
  shared_state_config state;
  std::vector<provider_config> providers;
  std::vector<model_config> models;
  std::optional<tracing_config> tracing;
};

struct config_error {
  std::string message;  // "FILE:LINE: KEY: problem"
};

std::variant<gateway_config, config_error> load_config_file(const std::string& path);
std::variant<gateway_config, config_error> load_config_text(const std::string& yaml,
                                                            const std::string& source = "<text>");

// What a SIGHUP reload cannot change (providers, models and their engines; everything but each
// model's `routing:`; tracing), as canonical text: a reload whose file differs here is refused, since
// applying half of it would be worse than applying none. Empty on a YAML error.
std::string restart_fingerprint(const std::string& yaml);

struct listen_address {
  std::string host;  // without the brackets of an IPv6 address
  std::uint16_t port = 0;
};
// Parses "HOST:PORT" ("[::1]:8080" for IPv6); nullopt if malformed.
std::optional<listen_address> parse_listen(std::string_view s);

}  // namespace gw
