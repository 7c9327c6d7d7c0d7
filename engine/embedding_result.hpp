#pragma once
// The hand-off of one embeddings request from the batcher to the waiting session, on the
// reactor thread: completed once, with vectors or an error.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>

#include "engine/generation.hpp"

namespace gw {

class embedding_result {
 public:
  explicit embedding_result(boost::asio::any_io_executor ex);

  // Producer side (the batcher).
  void complete(embedding_output out);
  void fail(engine_errc e, unsigned retry_after_s = 0);

  // Consumer side: wait() returns once completed or failed (or the awaiting coroutine is cancelled).
  boost::asio::awaitable<void> wait();
  bool done() const { return output_.has_value() || error_.has_value(); }
  const std::optional<embedding_output>& output() const { return output_; }
  std::optional<engine_errc> error() const { return error_; }
  unsigned retry_after_s() const { return retry_after_s_; }

 private:
  boost::asio::steady_timer signal_;
  std::optional<embedding_output> output_;
  std::optional<engine_errc> error_;
  unsigned retry_after_s_ = 0;
};

}  // namespace gw
