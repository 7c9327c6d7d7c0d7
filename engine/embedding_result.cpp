#include "engine/embedding_result.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gw {

embedding_result::embedding_result(boost::asio::any_io_executor ex) : signal_(std::move(ex)) {
  signal_.expires_at(boost::asio::steady_timer::time_point::max());
}

void embedding_result::complete(embedding_output out) {
  if (done()) return;
  output_ = std::move(out);
  signal_.cancel();
}

void embedding_result::fail(engine_errc e, unsigned retry_after_s) {
  if (done()) return;
  error_ = e;
  retry_after_s_ = retry_after_s;
  signal_.cancel();
}

boost::asio::awaitable<void> embedding_result::wait() {
  while (!done()) {
    auto cs = co_await boost::asio::this_coro::cancellation_state;
    if (cs.cancelled() != boost::asio::cancellation_type::none) co_return;
    boost::system::error_code ec;
    signal_.expires_at(boost::asio::steady_timer::time_point::max());
    co_await signal_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
}

}  // namespace gw
