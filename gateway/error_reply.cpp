#include "gateway/error_reply.hpp"

#include "gateway/openai_json.hpp"

namespace gw {

api_error to_api_error(engine_errc e, unsigned retry_after_s, const std::string& detail) {
  switch (e) {
    case engine_errc::upstream_rate_limited:
      return {api_errc::upstream_rate_limited, "The model's provider is rate limiting requests. Please retry later.", "",
              retry_after_s};
    case engine_errc::upstream_rejected:
      return {api_errc::upstream_rejected,
              detail.empty() ? "The model's provider refused the request." : "The model's provider refused the request: " + detail,
              ""};
    case engine_errc::upstream_failed:
      return {api_errc::upstream_failed, "The model's provider failed to answer.", "", retry_after_s};
    case engine_errc::queue_full:
      return {api_errc::queue_full, "The model's request queue is full. Please retry after " +
                                        std::to_string(retry_after_s) + " seconds.",
              "", retry_after_s};
    case engine_errc::queue_timeout:
      return {api_errc::queue_timeout,
              "The request waited too long in the model's queue. Please retry after " +
                  std::to_string(retry_after_s) + " seconds.",
              "", retry_after_s};
    case engine_errc::engine_failed:
      return {api_errc::engine_failed, "The model's engine failed while serving the request.", "", 1};
    case engine_errc::shutting_down:
      return {api_errc::draining, "The gateway is shutting down. Please retry on another instance.", "", 1};
  }
  return {api_errc::internal, "Internal error.", "", 0};
}

boost::asio::awaitable<bool> send_error(response_sink& sink, exchange_record& rec, const api_error& e,
                                        const header_list& extra) {
  const auto cls = classify(e.code);
  rec.status = cls.status;
  rec.error = cls.code;
  header_list headers = extra;
  if (e.retry_after_s > 0) headers.emplace_back("Retry-After", std::to_string(e.retry_after_s));
  co_return co_await sink.send(cls.status, "application/json", error_envelope(e), headers);
}

boost::asio::awaitable<void> reply_error(response_sink& sink, exchange_record& rec, api_error e, header_list extra) {
  co_await send_error(sink, rec, e, extra);
}

std::string error_event(const api_error& e) {
  std::string out;
  append_sse_event(out, error_envelope(e));
  return out;
}

}  // namespace gw
