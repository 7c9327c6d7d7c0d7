#include "gateway/messages_handler.hpp"

#include "backends/json_writer.hpp"
#include "engine/tokenizer.hpp"
#include "gateway/anthropic_request.hpp"
#include "gateway/completion_handler.hpp"
#include "gateway/error_reply.hpp"
#include "gateway/generation_request.hpp"
#include "gateway/key_policy.hpp"
#include "gateway/model_directory.hpp"
#include "gateway/request_validator.hpp"

namespace gw {
namespace {

header_list request_headers(const incoming_request& req) { return {{"x-request-id", req.request_id}}; }

// The prompt tokens of a translated chat body, counted as the route plan counts them; the
// validator's error when the chat pipeline would refuse the body.
std::variant<std::uint32_t, api_error> prompt_tokens(request_validator& validator, const std::string& chat_body) {
  auto v = validator.chat(chat_body);
  if (auto* e = std::get_if<api_error>(&v)) return std::move(*e);
  const auto& r = std::get<chat_request>(v);
  return count_tokens(render_chat_prompt(r.messages)) + r.extra_prompt_tokens;
}

}  // namespace

boost::asio::awaitable<void> serve_messages(request_context& cx, incoming_request& req, anthropic_sink& front,
                                            exchange_record& rec) {
  auto translated = to_chat_request(req.body);
  if (auto* e = std::get_if<api_error>(&translated)) return reply_error(front, rec, std::move(*e), request_headers(req));
  auto& t = std::get<messages_translation>(translated);
  rec.model = t.model;
  // message_start carries usage before the upstream reports any: the gateway's estimate. The
  // chat pipeline validates the body again; a refusal here is the same one it would give.
  std::uint32_t estimate = 0;
  if (t.stream) {
    auto counted = prompt_tokens(cx.validator, t.chat_body);
    if (auto* e = std::get_if<api_error>(&counted)) return reply_error(front, rec, std::move(*e), request_headers(req));
    estimate = std::get<std::uint32_t>(counted);
  }
  front.expect_completion(std::move(t.stop_sequences), estimate);
  // The chat job forwards req.body to chat upstreams: from here on it is the chat request. The
  // client's body stays for Messages-native providers.
  req.messages_body = std::move(req.body);
  req.body = std::move(t.chat_body);
  return serve_completion(cx, api_kind::chat, req, front, rec);
}

// A coroutine (its frame is short-lived): the answer's body and headers must outlive send().
boost::asio::awaitable<void> serve_count_tokens(request_context& cx, incoming_request& req, anthropic_sink& front,
                                                exchange_record& rec) {
  const header_list headers = request_headers(req);
  auto translated = to_chat_request(req.body, /*count_only=*/true);
  if (auto* e = std::get_if<api_error>(&translated)) {
    co_await send_error(front, rec, *e, headers);
    co_return;
  }
  const auto& t = std::get<messages_translation>(translated);
  rec.model = t.model;
  std::optional<api_error> refused = check_model_access(req, t.model);
  if (!refused && !cx.models.find(t.model).config)
    refused = api_error{api_errc::model_not_found,
                        "The model '" + t.model + "' does not exist. GET /v1/models lists the models served here.",
                        "model"};
  std::uint32_t tokens = 0;
  if (!refused) {
    auto counted = prompt_tokens(cx.validator, t.chat_body);
    if (auto* e = std::get_if<api_error>(&counted)) refused = std::move(*e);
    else tokens = std::get<std::uint32_t>(counted);
  }
  if (refused) {
    co_await send_error(front, rec, *refused, headers);
    co_return;
  }
  rec.prompt_tokens = tokens;
  rec.status = 200;
  std::string body = R"({"input_tokens":)";
  json::append_uint(body, tokens);
  body += '}';
  co_await front.send(200, "application/json", std::move(body), headers);
}

}  // namespace gw
