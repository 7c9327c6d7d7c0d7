#include "backends/http1_response.hpp"

#include <algorithm>
#include <optional>

#include "backends/http1_parser.hpp"

namespace gw {
namespace {

namespace http = boost::beast::http;
using sv = boost::beast::string_view;
using http1::error_code;

// One response (an interim 1xx one included): Beast parses, this hands the final head's status
// and Retry-After and the body's pieces to the events as they come.
class response_reader final : public http1::framing_parser<false> {
 public:
  // The head and trailer limits are far past any real upstream's; they only stop a broken one.
  response_reader() : framing_parser(limits{}) {
    body_limit(boost::none);  // the consumer bounds what it takes
    eager(true);
  }

  http1_response::events* events = nullptr;
  int status = 0;
  bool stopped = false;  // on_body returned false

 private:
  void on_response_impl(int code, sv, int, error_code& ec) override {
    status = code;
    if (code < 100) ec = http::error::bad_status;  // no such class; it would pass as interim
  }

  void on_field_impl(http::field f, sv name, sv value, error_code& ec) override {
    if (!field_allowed(name, ec)) return;
    if (f == http::field::retry_after && !is_header_done() && retry_after_.empty())
      retry_after_.assign(value.data(), value.size());
  }

  void on_header_impl(error_code&) override {
    if (status >= 200) events->on_head(status, retry_after_);  // 1xx: the real one follows
  }

  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}

  std::size_t on_body_impl(sv bytes, error_code& ec) override {
    if (!events->on_body(std::string_view(bytes.data(), bytes.size()))) {
      stopped = true;
      ec = http::error::end_of_stream;
    }
    return bytes.size();
  }

  std::size_t on_chunk_body_impl(std::uint64_t, sv bytes, error_code& ec) override { return on_body_impl(bytes, ec); }

  void on_finish_impl(error_code&) override {}

  std::string retry_after_;
};

}  // namespace

struct http1_response::impl {
  std::optional<response_reader> reader;  // a Beast parser reads one message
  bool got_some = false;
};

http1_response::http1_response() : impl_(std::make_unique<impl>()) { reset(); }
http1_response::~http1_response() = default;

void http1_response::reset() {
  impl_->reader.emplace();
  impl_->got_some = false;
  error_.clear();
}

http1_response::state http1_response::feed(std::string_view bytes, events& ev, std::size_t& consumed) {
  consumed = 0;
  if (!error_.empty()) return state::failed;
  for (;;) {
    response_reader& r = *impl_->reader;
    if (r.is_done()) return state::done;
    const std::string_view rest = bytes.substr(consumed);
    if (rest.empty()) return state::more;
    // Not HTTP at all fails at once, not after a status line's worth of it.
    const std::size_t k = std::min<std::size_t>(rest.size(), 5);
    if (!r.got_some() && rest.substr(0, k) != std::string_view("HTTP/").substr(0, k)) {
      error_ = "not an HTTP/1 response";
      return state::failed;
    }
    impl_->got_some = true;
    r.events = &ev;
    error_code ec;
    consumed += r.parse(rest, ec);
    if (r.stopped) return state::stopped;
    if (ec == http::error::need_more) return state::more;
    if (ec) {
      using refusal = response_reader::refusal;
      switch (r.refused()) {
        case refusal::none: error_ = ec.message(); break;
        case refusal::obs_fold: error_ = "obsolete line folding"; break;
        case refusal::bad_extension: error_ = "a control character in a chunk extension"; break;
        default: error_ = "a chunk line or trailers over the limit"; break;
      }
      return state::failed;
    }
    if (!r.is_done()) return state::more;  // a body read until the close
    if (r.status >= 200) return state::done;
    impl_->reader.emplace();  // after an interim response, the real one on the connection
  }
}

http1_response::state http1_response::feed_eof(events& ev) {
  response_reader& r = *impl_->reader;
  if (r.is_done()) return state::done;
  if (!r.got_some()) {
    error_ = impl_->got_some ? "the connection closed inside the response head"
                             : "the connection closed before a response";
    return state::failed;
  }
  r.events = &ev;
  error_code ec;
  r.put_eof(ec);
  if (!ec && r.is_done()) return state::done;  // a body delimited by the close
  error_ = r.is_header_done() ? "the connection closed inside the response body"
                              : "the connection closed inside the response head";
  return state::failed;
}

bool http1_response::got_some() const { return impl_->got_some; }
bool http1_response::keep_alive() const { return impl_->reader->is_done() && impl_->reader->keep_alive(); }

}  // namespace gw
