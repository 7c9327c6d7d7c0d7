#pragma once
// The deciding half of a completion request, in two steps around the key's admission (which
// waits for Redis when the limits are shared): prepare_completion validates and checks the key's
// model access; plan_completion applies the admission and makes the route plan and what the
// dispatcher needs. They leave behind one heap object for the rest of the exchange, so that what
// is only needed to decide (errors, snapshots, intermediate variants) never sits in a coroutine
// frame for the length of a stream.

#include <memory>
#include <string>
#include <variant>

#include "gateway/api_types.hpp"
#include "gateway/continuation.hpp"
#include "gateway/dispatcher.hpp"
#include "gateway/model_directory.hpp"
#include "gateway/request_context.hpp"
#include "gateway/http_exchange.hpp"
#include "gateway/key_policy.hpp"
#include "gateway/openai_json.hpp"

namespace gw {

// What the validator produced, reduced to what serving needs from either API.
struct parsed {
  std::string model;
  bool stream = false;
  bool include_usage = false;
  std::string echo_prompt;  // legacy echo: text to prepend to the completion
  std::variant<chat_request, completion_request> request;
};

// Everything an admitted completion needs until its end. Built in place and never moved:
// `dr` points at `target` and `plan`, and its body builders refer to `p`.
struct completion_job {
  explicit completion_job(key_limits& limits) : settlement{limits, nullptr, {}} {}
  completion_job(const completion_job&) = delete;
  completion_job& operator=(const completion_job&) = delete;

  api_kind kind = api_kind::chat;
  parsed p;
  response_meta meta;  // the id, creation time and model every chunk of the answer carries
  const model_target* target = nullptr;  // the gateway's entry for the model
  std::uint32_t prompt_tokens = 0;        // counted as the engines count them
  int priority = 0;                       // X-Priority (0 when absent)
  route_plan plan;
  dispatch_request dr;
  header_list headers;  // x-request-id and the rate-limit headers, then the route headers
  // The key's limits and budget: the prompt is charged at admission, the completion and the
  // cost when the job ends.
  rate_settlement settlement;
  // A streamed request whose model has routing.continue_on_failure (gateway/continuation).
  std::unique_ptr<continuation_state> cont;
};

// A request that is answered at once with an error.
struct completion_refusal {
  api_error error;
  header_list headers;
};

std::variant<std::unique_ptr<completion_job>, completion_refusal> prepare_completion(request_context& cx, api_kind kind,
                                                                                     const incoming_request& req,
                                                                                     exchange_record& rec);
// `admission`: the key's, or null when the request has no key.
std::optional<completion_refusal> plan_completion(request_context& cx, completion_job& job,
                                                  const incoming_request& req, const key_admission* admission);

}  // namespace gw
