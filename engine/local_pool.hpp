#pragma once
// A model's local capacity as the dispatcher sees it, whatever runs it: in-process engines
// stepped by the continuous batcher (sim_pool), or local inference servers reached over HTTP
// behind an admission controller (server_pool). Both queue by priority with a deadline, hand
// back a token_stream at once, and free their capacity however the request ends.
// Reactor thread only.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "backends/chunk_relay.hpp"
#include "engine/embedding_result.hpp"
#include "engine/generation.hpp"
#include "engine/stream_framer.hpp"
#include "engine/token_stream.hpp"
#include "engine/upstream_trace.hpp"

namespace gw {

// Why a pool did not queue a request, and when a retry may succeed.
struct submit_refusal {
  engine_errc error;
  unsigned retry_after_s = 1;
};

// One generation, in the two forms the pool kinds need.
struct local_request {
  generation_params params;  // what an in-process engine runs
  std::unique_ptr<stream_framer> framer;  // how an in-process engine's output is written
  // What a local inference server is sent: the path under its base URL ("/chat/completions" or
  // "/completions") and the body, built for the model name the server knows.
  std::string_view upstream_path;  // a static path
  std::function<std::string(std::string_view server_model)> upstream_body;
  bool stream = true;  // that body asks for a stream (else one JSON answer)
  // A local server's answer is relayed as written but for the model (the client's name for it)
  // and the usage the gateway asked for in the client's place (backends/chunk_relay).
  std::string_view public_model;  // the request's, which outlives the call
  bool client_usage = false;
  std::string affinity_key;  // the prompt's leading text, for prefix affinity among servers
  std::string request_id;
  upstream_trace trace;  // for a local server's call
  // A continuation of a stream another server began (gateway/continuation): relayed with the
  // client's id (backends/chunk_relay), and never sent to `avoid_server`, the one that failed.
  std::optional<relay_continuation> continues;
  std::string avoid_server;
};

// How a local server receives an embeddings request: as the client sent it (but for the model),
// its answer relayed as written; or, when `coalescable` (nothing beyond model, input strings,
// encoding_format and dimensions) and others wait with it, in one call with their inputs, the
// reply split back by input position (a documented rewrite).
struct embedding_forward {
  bool coalescable = false;
  // The client's body for that model. Owns what it needs: the request may wait in the pool's
  // queue after its client has gone.
  std::function<std::string(std::string_view server_model)> body;
  std::string public_model;
};

struct pool_load {
  bool available = true;        // some engine can take work (false: every server is ejected)
  bool queue_full = false;      // a new request would be refused
  double estimated_wait_s = 0;  // how long a request queued now would wait for admission
  std::size_t queued = 0;
  std::size_t active = 0;       // requests running (sequences, or upstream calls in flight)
};

// One engine's health as /metrics shows it ("local:<model>/<server>").
struct engine_health {
  std::string name;
  bool healthy = true;
};

class local_pool {
 public:
  virtual ~local_pool() = default;

  template <class T>
  using outcome = std::variant<std::shared_ptr<T>, submit_refusal>;

  virtual outcome<token_stream> submit(local_request r, int priority) = 0;
  // Embeds `inputs`; requests waiting together are computed together.
  // `forward`: only pools of local servers use it; in-process engines embed `inputs`.
  virtual outcome<embedding_result> submit_embedding(std::vector<std::string> inputs, std::uint32_t dimensions,
                                                     std::optional<embedding_forward> forward = {}) = 0;
  virtual pool_load load() const = 0;
  virtual std::vector<engine_health> health() const { return {}; }
  // Refuse new work; queued and running work fails with shutting_down.
  virtual void shut_down() = 0;
};

}  // namespace gw
