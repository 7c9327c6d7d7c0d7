#pragma once
// The response_sink of a Messages exchange: the chat pipeline (and the router's own refusals)
// answer through it in OpenAI's shapes, and it writes Anthropic's to the client's sink.
//   send(): an error status -> Anthropic's error envelope (status and headers kept); a 200 body
//     of a completion -> a `message` (only once serve_messages set it up; any other answer,
//     such as count_tokens' or a 204, passes as written).
//   start_events/send_events/end_events: the chunk stream -> Anthropic's events
//     (anthropic_stream), the gateway's keep-alive comment -> `event: ping`, its other
//     comments (a continued stream's) kept as they are.
//   answer_is_native(): a Messages-native provider answers; its message and events pass as
//     they are. The gateway's own additions still become Anthropic's: its error event (a stream
//     cut after the 200) an `error` event, its keep-alive a `ping`; the [DONE] that closes the
//     gateway's streams is left out.
// Lives in the frame of the coroutine that routes the exchange; not thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backends/sse_parser.hpp"
#include "gateway/anthropic_stream.hpp"
#include "gateway/http_exchange.hpp"

namespace gw {

class anthropic_sink final : public response_sink {
 public:
  explicit anthropic_sink(response_sink& client) : client_(client) {}

  // A completion follows: 200 bodies and chunk streams are translated from now on.
  void expect_completion(std::vector<std::string> stop_sequences, std::uint32_t input_tokens_estimate);

  response_sink& client() { return client_; }

  boost::asio::awaitable<bool> send(unsigned status, std::string_view content_type, std::string body,
                                    const header_list& extra) override;
  boost::asio::awaitable<bool> start_events(const header_list& extra) override;
  boost::asio::awaitable<bool> send_events(std::string_view sse) override;
  boost::asio::awaitable<bool> end_events() override;
  bool started() const override { return client_.started(); }
  void answer_is_native() override { native_ = true; }
  void drop() override { client_.drop(); }

 private:
  void keep_gateway_comments(std::string_view sse);

  response_sink& client_;
  bool completion_ = false;
  bool native_ = false;
  std::vector<std::string> stop_sequences_;
  std::optional<anthropic_stream> stream_;
  sse_parser parser_;
  std::string out_;  // events translated from one send_events call
};

}  // namespace gw
