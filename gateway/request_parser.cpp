#include "gateway/request_parser.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <optional>

namespace gw {
namespace http = boost::beast::http;
using boost::beast::string_view;
using error_code = boost::system::error_code;

namespace {

// Chunk extensions are parsed and dropped by Beast; their total per request is bounded here.
constexpr std::size_t max_extension_bytes = 4096;

bool same_name(string_view a, std::string_view b) {
  return a.size() == b.size() && boost::beast::iequals(a, string_view(b.data(), b.size()));
}

// Keeps the first occurrence of a field, at most `cap` bytes of it.
void keep_first(std::string& out, bool& seen, string_view value, std::size_t cap = std::string::npos) {
  if (seen) return;
  seen = true;
  out.assign(value.data(), std::min(value.size(), cap));
}

class parser final : public http::basic_parser<true> {
 public:
  explicit parser(const request_parser::limits& l) : restricted_name(l.restricted_header) {
    header_limit(l.header_bytes);
    body_limit(l.body_bytes);
  }

  request_head head;
  request_framing framing;
  std::string body;
  bool extensions_over = false;

 private:
  const std::string* restricted_name;
  std::size_t extension_bytes = 0;
  // Which of the kept fields were seen: the first occurrence wins, even when empty.
  bool seen_id = false, seen_priority = false, seen_restricted = false, seen_trace = false, seen_auth = false,
       seen_origin = false, seen_acrm = false, seen_acrh = false, seen_expect = false, seen_te = false;

  void on_request_impl(http::verb, string_view method, string_view target, int version, error_code&) override {
    head.method.assign(method.data(), method.size());
    head.target.assign(target.data(), target.size());
    head.version = static_cast<unsigned>(version);
    framing.version = static_cast<unsigned>(version);
    framing.target_bytes = target.size();
  }
  void on_response_impl(int, string_view, int, error_code&) override {}

  void on_field_impl(http::field f, string_view name, string_view value, error_code&) override {
    ++framing.field_count;
    switch (f) {
      case http::field::transfer_encoding:
        ++framing.transfer_encoding_count;
        keep_first(framing.transfer_encoding, seen_te, value);
        break;
      case http::field::content_length: ++framing.content_length_count; break;
      case http::field::authorization: keep_first(head.authorization, seen_auth, value); break;
      case http::field::origin: keep_first(head.origin, seen_origin, value, 512); break;
      case http::field::access_control_request_method: keep_first(head.cors_request_method, seen_acrm, value, 64); break;
      case http::field::access_control_request_headers:
        keep_first(head.cors_request_headers, seen_acrh, value, 2048);
        break;
      case http::field::expect:
        if (!seen_expect) head.expect_continue = value == "100-continue";
        seen_expect = true;
        break;
      default:
        if (same_name(name, "X-Request-Id")) keep_first(head.x_request_id, seen_id, value);
        else if (same_name(name, "X-Priority")) keep_first(head.x_priority, seen_priority, value);
        else if (same_name(name, "traceparent")) keep_first(head.traceparent, seen_trace, value);
        break;
    }
    // The restricted header is configured: it may be any name, a known field's too.
    if (!seen_restricted && restricted_name && same_name(name, *restricted_name))
      keep_first(head.restricted, seen_restricted, value);
  }

  void on_header_impl(error_code&) override { head.keep_alive = keep_alive(); }

  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    // Within body_limit: Beast refuses a larger Content-Length before this is called.
    if (length) body.reserve(static_cast<std::size_t>(*length));
  }
  std::size_t on_body_impl(string_view b, error_code&) override {
    body.append(b.data(), b.size());
    return b.size();
  }
  void on_chunk_header_impl(std::uint64_t, string_view ext, error_code& ec) override {
    extension_bytes += ext.size();
    if (extension_bytes > max_extension_bytes) {
      extensions_over = true;
      ec = http::error::bad_chunk_extension;
    }
  }
  std::size_t on_chunk_body_impl(std::uint64_t, string_view b, error_code& ec) override { return on_body_impl(b, ec); }
  void on_finish_impl(error_code&) override {}
};

}  // namespace

struct request_parser::impl {
  std::optional<parser> p;  // re-created in place for each request: basic_parser has no reset
};

request_parser::request_parser() : impl_(std::make_unique<impl>()) { reset(limits{}); }
request_parser::~request_parser() = default;

void request_parser::reset(const limits& l) {
  impl_->p.emplace(l);
  failure_ = failure::none;
}

request_parser::state request_parser::feed(std::string_view bytes, std::size_t& consumed) {
  consumed = 0;
  parser& p = *impl_->p;
  if (failure_ != failure::none) return state::failed;
  const bool had_head = p.is_header_done();
  while (!p.is_done()) {
    error_code ec;
    const std::size_t n = p.put(boost::asio::const_buffer(bytes.data() + consumed, bytes.size() - consumed), ec);
    consumed += n;
    if (ec == http::error::need_more) return state::more;
    if (ec) {
      if (ec == http::error::header_limit) failure_ = failure::header_limit;
      else if (ec == http::error::body_limit) failure_ = failure::body_limit;
      else if (p.extensions_over) failure_ = failure::chunk_extension;
      else failure_ = failure::malformed;
      return state::failed;
    }
    // Beast stops once after the head (the parser is not eager): the caller checks it first.
    if (!had_head && p.is_header_done()) return p.is_done() ? state::done : state::head_done;
    if (n == 0 && !p.is_done()) return state::more;
  }
  return state::done;
}

bool request_parser::got_some() const { return impl_->p->got_some(); }
const request_head& request_parser::head() const { return impl_->p->head; }
request_head& request_parser::head() { return impl_->p->head; }
const request_framing& request_parser::framing() const { return impl_->p->framing; }
std::string request_parser::take_body() { return std::move(impl_->p->body); }

}  // namespace gw
