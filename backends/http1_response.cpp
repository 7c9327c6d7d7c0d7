#include "backends/http1_response.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <optional>

namespace gw {
namespace http = boost::beast::http;
using boost::beast::string_view;
using error_code = boost::system::error_code;

namespace {

// A head this size is far past any real upstream's; the limit only stops a broken one.
constexpr std::uint32_t max_head_bytes = 64 * 1024;

class parser final : public http::basic_parser<false> {
 public:
  parser() {
    eager(true);  // one put() goes on from the head into the body
    header_limit(max_head_bytes);
    // A long stream is bounded by the transfer's deadlines, not by its size.
    body_limit(boost::none);
  }

  http1_response::events* ev = nullptr;
  int status = 0;
  std::string retry_after;
  bool stopped = false;

 private:
  void on_request_impl(http::verb, string_view, string_view, int, error_code&) override {}
  void on_response_impl(int code, string_view, int, error_code&) override { status = code; }
  void on_field_impl(http::field name, string_view, string_view value, error_code&) override {
    if (name == http::field::retry_after) retry_after.assign(value.data(), value.size());
  }
  void on_header_impl(error_code&) override {
    if (status >= 200) ev->on_head(status, retry_after);
  }
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  std::size_t on_body_impl(string_view body, error_code& ec) override { return deliver(body, ec); }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override {
    return deliver(body, ec);
  }
  void on_finish_impl(error_code&) override {}

  std::size_t deliver(string_view body, error_code& ec) {
    if (ev->on_body(std::string_view(body.data(), body.size()))) return body.size();
    stopped = true;
    ec = boost::asio::error::operation_aborted;
    return 0;
  }
};

}  // namespace

struct http1_response::impl {
  std::optional<parser> p;  // re-created in place for each response: basic_parser has no reset
};

http1_response::http1_response() : impl_(std::make_unique<impl>()) { reset(); }
http1_response::~http1_response() = default;

void http1_response::reset() {
  impl_->p.emplace();
  error_.clear();
}

http1_response::state http1_response::feed(std::string_view bytes, events& ev, std::size_t& consumed) {
  consumed = 0;
  for (;;) {
    parser& p = *impl_->p;
    p.ev = &ev;
    error_code ec;
    const std::size_t n = p.put(boost::asio::const_buffer(bytes.data() + consumed, bytes.size() - consumed), ec);
    consumed += n;
    if (p.stopped) return state::stopped;
    if (ec == http::error::need_more) return state::more;
    if (ec) {
      error_ = ec.message();
      return state::failed;
    }
    if (p.is_done()) {
      if (p.status >= 200) return state::done;
      reset();  // an interim (1xx) response: the real one follows on the same connection
      if (consumed == bytes.size()) return state::more;
      continue;
    }
    if (consumed == bytes.size() || n == 0) return state::more;
  }
}

http1_response::state http1_response::feed_eof(events& ev) {
  parser& p = *impl_->p;
  p.ev = &ev;
  if (!p.is_header_done()) {
    error_ = p.got_some() ? "the connection closed inside the response head" : "the connection closed before a response";
    return state::failed;
  }
  error_code ec;
  p.put_eof(ec);
  if (p.stopped) return state::stopped;
  if (ec) {
    error_ = "the connection closed inside the response body (" + ec.message() + ")";
    return state::failed;
  }
  return p.is_done() ? state::done : state::failed;
}

bool http1_response::got_some() const { return impl_->p->got_some(); }
bool http1_response::keep_alive() const { return impl_->p->is_done() && impl_->p->keep_alive(); }

}  // namespace gw
