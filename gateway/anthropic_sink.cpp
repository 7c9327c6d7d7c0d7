#include "gateway/anthropic_sink.hpp"

#include "gateway/anthropic_response.hpp"
#include "gateway/sse_keepalive.hpp"

namespace gw {

void anthropic_sink::expect_completion(std::vector<std::string> stop_sequences, std::uint32_t input_tokens_estimate) {
  completion_ = true;
  stop_sequences_ = stop_sequences;
  stream_.emplace(std::move(stop_sequences), input_tokens_estimate);
}

boost::asio::awaitable<bool> anthropic_sink::send(unsigned status, std::string_view content_type, std::string body,
                                                  const header_list& extra) {
  if (status >= 400) {
    std::string error = anthropic_error_from_openai(status, body);
    co_return co_await client_.send(status, "application/json", std::move(error), extra);
  }
  if (status == 200 && completion_ && !native_) {
    auto message = to_message(body, stop_sequences_);
    if (!message) {
      // A 200 that is not a completion: a bug or an upstream out of protocol, not the client's fault.
      std::string error = anthropic_error_json("api_error", "The model's answer could not be read.");
      co_return co_await client_.send(502, "application/json", std::move(error), extra);
    }
    co_return co_await client_.send(200, "application/json", std::move(*message), extra);
  }
  co_return co_await client_.send(status, content_type, std::move(body), extra);
}

boost::asio::awaitable<bool> anthropic_sink::start_events(const header_list& extra) {
  co_return co_await client_.start_events(extra);
}

// The gateway's own comments (": gateway-continued ..." when a stream moved to another target)
// reach Messages clients too, after the events of the same write; SSE clients skip comments.
// The gateway writes each one whole, in one call.
void anthropic_sink::keep_gateway_comments(std::string_view sse) {
  constexpr std::string_view mark = ": gateway-";
  for (std::size_t at = 0; (at = sse.find(mark, at)) != std::string_view::npos; ++at) {
    if (at > 0 && sse[at - 1] != '\n') continue;
    const auto end = sse.find('\n', at);
    if (end == std::string_view::npos) break;
    out_.append(sse.substr(at, end - at)).append("\n\n");
  }
}

boost::asio::awaitable<bool> anthropic_sink::send_events(std::string_view sse) {
  out_.clear();
  if (sse == sse_keepalive_comment) {
    anthropic_stream::ping(out_);
  } else {
    // Events before expect_completion (none are written today) get a stream without stop
    // sequences or estimate rather than being dropped.
    if (!stream_) stream_.emplace(std::vector<std::string>{}, 0);
    const auto status = parser_.feed(sse, [this](sse_event&& e) {
      if (native_) {
        // Named events are the provider's; unnamed ones the gateway's (its error event).
        if (!e.event.empty()) append_sse_event(out_, e.event, e.data);
        else if (!e.done && !e.data.empty()) stream_->on_data(e.data, out_);
      } else if (e.done) {
        stream_->on_done(out_);
      } else if (!e.data.empty()) {
        stream_->on_data(e.data, out_);
      }
    });
    if (status == sse_parser::status::too_large && !stream_->finished())
      stream_->on_data(R"({"error":{"message":"The model's answer could not be read.","type":"server_error"}})", out_);
    keep_gateway_comments(sse);
  }
  if (out_.empty()) co_return true;
  co_return co_await client_.send_events(out_);
}

boost::asio::awaitable<bool> anthropic_sink::end_events() { co_return co_await client_.end_events(); }

}  // namespace gw
