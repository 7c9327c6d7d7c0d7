#include "engine/token_stream.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gw {

token_stream::token_stream(boost::asio::any_io_executor ex, std::uint32_t prompt_tokens)
    : signal_(std::move(ex)), prompt_tokens_(prompt_tokens), created_at_(clock::now()) {
  signal_.expires_at(clock::time_point::max());
}

void token_stream::push(std::string_view text, std::uint32_t tokens,
                        std::optional<finish_reason> finish) {
  if (ended_ || overflowed_) return;
  if (tokens > 0 && !first_token_at_) first_token_at_ = clock::now();
  if (pending_limit_ && pending_.text.size() + text.size() > pending_limit_) {
    overflowed_ = true;
    notify();
    return;
  }
  pending_.text.append(text);
  pending_.tokens += tokens;
  completion_tokens_ += tokens;
  if (finish) {
    pending_.finish = finish;
    ended_ = true;
  }
  notify();
}

void token_stream::push(const sequence_output& o) {
  if (!framer_) {
    push(o.text, o.tokens, o.finish);
    return;
  }
  if (ended_ || overflowed_) return;
  if (o.tokens > 0 && !first_token_at_) first_token_at_ = clock::now();
  const std::size_t before = pending_.text.size();
  framer_->on_output(pending_.text, o);
  pending_.tokens += o.tokens;
  completion_tokens_ += o.tokens;
  if (o.finish) {
    framer_->on_end(pending_.text, *o.finish, prompt_tokens_, completion_tokens_);
    pending_.finish = o.finish;
    ended_ = true;
  }
  // The limit is checked after framing (the frames' size is known only then); what overflows is
  // taken back, and the producer sees cancelled().
  if (pending_limit_ && pending_.text.size() > pending_limit_ && !o.finish) {
    pending_.text.resize(before);
    overflowed_ = true;
  }
  notify();
}

void token_stream::fail(engine_errc e, unsigned retry_after_s, std::string message) {
  if (ended_) return;
  pending_.error = e;
  pending_.retry_after_s = retry_after_s;
  pending_.error_message = std::move(message);
  ended_ = true;
  notify();
}

void token_stream::notify() { signal_.cancel(); }

bool token_stream::has_pending() const {
  return pending_.tokens > 0 || !pending_.text.empty() || pending_.finish || pending_.error.has_value();
}

boost::asio::awaitable<void> token_stream::wait(clock::time_point deadline) {
  while (!has_pending() && !cancelled()) {
    // A cancelled consumer (its client went away) must not wait for tokens that may never come.
    auto cs = co_await boost::asio::this_coro::cancellation_state;
    if (cs.cancelled() != boost::asio::cancellation_type::none) co_return;
    boost::system::error_code ec;
    signal_.expires_at(deadline);
    co_await signal_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    if (!ec) co_return;  // the deadline passed (notify() cancels, which is an error here)
  }
}

stream_delta token_stream::take() { return std::exchange(pending_, {}); }

void token_stream::take_into(stream_delta& d) {
  d.text.clear();
  std::swap(d.text, pending_.text);
  d.tokens = std::exchange(pending_.tokens, 0);
  d.finish = std::exchange(pending_.finish, std::nullopt);
  d.error = std::exchange(pending_.error, std::nullopt);
  d.retry_after_s = std::exchange(pending_.retry_after_s, 0);
  d.error_message = std::exchange(pending_.error_message, {});
}

void token_stream::cancel() {
  if (cancelled_) return;
  cancelled_ = true;
  if (on_cancel_) std::exchange(on_cancel_, nullptr)();
  notify();
}

void token_stream::set_usage(std::uint32_t prompt_tokens, std::uint32_t completion_tokens) {
  prompt_tokens_ = prompt_tokens;
  completion_tokens_ = completion_tokens;
  usage_reported_ = true;
}

}  // namespace gw
