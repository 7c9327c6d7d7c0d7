#include "gateway/request_parser.hpp"

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <optional>

#include "backends/http1_parser.hpp"
#include "backends/trace_context.hpp"

namespace gw {
namespace {

namespace http = boost::beast::http;
using boost::beast::iequals;
using sv = boost::beast::string_view;
using http1::error_code;

// Chunk extensions are validated and dropped; their total per request is bounded here.
constexpr std::uint64_t max_extension_bytes = 4096;

// Keeps the first occurrence of a field, at most `cap` bytes of it.
void keep_first(std::string& out, bool& seen, sv value, std::size_t cap = std::string::npos) {
  if (seen) return;
  seen = true;
  out.assign(value.data(), std::min(value.size(), cap));
}

// Joins a list-valued field sent on several lines with commas (RFC 9110 5.3), as tracestate
// must be read. Past `cap` bytes the rest is cut: the caller treats a value that reached the cap
// as too long.
void join_list(std::string& out, sv value, std::size_t cap) {
  if (out.size() >= cap) return;
  if (!out.empty()) out += ',';
  out.append(value.data(), std::min(value.size(), cap - std::min(cap, out.size())));
}

// One request: Beast parses, this keeps the fields request_head holds, counts what
// request_limits checks, and collects the body.
class request_reader final : public http1::framing_parser<true> {
 public:
  explicit request_reader(const request_parser::limits& l)
      : framing_parser({l.header_bytes, max_extension_bytes, l.header_bytes}), restricted_(l.restricted_header) {
    body_limit(l.body_bytes);
  }

  request_head head;
  request_framing framing;
  std::string body;

 private:
  void on_request_impl(http::verb, sv method, sv target, int version, error_code&) override {
    head.method.assign(method.data(), method.size());
    head.target.assign(target.data(), target.size());
    head.version = static_cast<unsigned>(version);
    framing.version = head.version;
    framing.target_bytes = target.size();
  }

  void on_field_impl(http::field f, sv name, sv value, error_code& ec) override {
    if (!field_allowed(name, ec)) return;
    ++framing.field_count;  // trailers too
    if (is_header_done()) return;  // a trailer is counted, never merged into the head
    switch (f) {
      case http::field::content_length: ++framing.content_length_count; break;
      case http::field::transfer_encoding:
        ++framing.transfer_encoding_count;
        keep_first(framing.transfer_encoding, seen_te_, value);
        break;
      case http::field::authorization: keep_first(head.authorization, seen_auth_, value); break;
      case http::field::origin: keep_first(head.origin, seen_origin_, value, 512); break;
      case http::field::access_control_request_method: keep_first(head.cors_request_method, seen_acrm_, value, 64); break;
      case http::field::access_control_request_headers:
        keep_first(head.cors_request_headers, seen_acrh_, value, 2048);
        break;
      case http::field::expect:
        if (!seen_expect_) head.expect_continue = value == "100-continue";
        seen_expect_ = true;
        break;
      case http::field::unknown:
        if (iequals(name, "x-request-id")) keep_first(head.x_request_id, seen_id_, value);
        else if (iequals(name, "x-priority")) keep_first(head.x_priority, seen_priority_, value);
        else if (iequals(name, "traceparent")) keep_first(head.traceparent, seen_trace_, value);
        else if (iequals(name, "tracestate")) join_list(head.tracestate, value, max_tracestate + 1);
        else if (iequals(name, "x-api-key")) keep_first(head.x_api_key, seen_api_key_, value);
        else if (iequals(name, "anthropic-version")) keep_first(head.anthropic_version, seen_version_, value, 64);
        else if (iequals(name, "anthropic-beta")) join_list(head.anthropic_beta, value, 1024);
        break;
      default: break;
    }
    // The restricted header is configured: it may be any name, a known field's too.
    if (!seen_restricted_ && restricted_ && iequals(name, *restricted_))
      keep_first(head.restricted, seen_restricted_, value);
  }

  void on_header_impl(error_code&) override { head.keep_alive = keep_alive(); }

  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    if (length) body.reserve(static_cast<std::size_t>(*length));  // within the body limit
  }

  std::size_t on_body_impl(sv bytes, error_code&) override {
    body.append(bytes.data(), bytes.size());
    return bytes.size();
  }

  std::size_t on_chunk_body_impl(std::uint64_t, sv bytes, error_code&) override {
    body.append(bytes.data(), bytes.size());
    return bytes.size();
  }

  void on_finish_impl(error_code&) override {}

  // Read while parsing, so that it points into the live config (a reload may change it
  // between two requests).
  const std::string* restricted_;
  // Which of the kept fields were seen: the first occurrence wins, even when empty.
  bool seen_id_ = false, seen_priority_ = false, seen_restricted_ = false, seen_trace_ = false, seen_auth_ = false,
       seen_api_key_ = false, seen_origin_ = false, seen_acrm_ = false, seen_acrh_ = false, seen_expect_ = false, seen_te_ = false,
       seen_version_ = false;
};

using request_failure = request_parser::failure;

request_failure failure_of(const request_reader& r, const error_code& ec) {
  using refusal = request_reader::refusal;
  switch (r.refused()) {
    case refusal::none: break;
    case refusal::extension_limit:
    case refusal::line_limit: return request_failure::chunk_extension;
    case refusal::trailer_limit: return request_failure::header_limit;
    case refusal::obs_fold:
    case refusal::bad_extension: return request_failure::malformed;
  }
  if (ec == http::error::body_limit) return request_failure::body_limit;
  if (ec == http::error::header_limit) return request_failure::header_limit;
  return request_failure::malformed;
}

}  // namespace

struct request_parser::impl {
  std::optional<request_reader> reader;  // a Beast parser reads one message: one per request
  std::uint32_t header_bytes = 0;
  bool got_some = false;
};

request_parser::request_parser() : impl_(std::make_unique<impl>()) { reset(limits{}); }
request_parser::~request_parser() = default;

void request_parser::reset(const limits& l) {
  impl_->reader.emplace(l);
  impl_->header_bytes = l.header_bytes;
  impl_->got_some = false;
  failure_ = failure::none;
}

request_parser::state request_parser::feed(std::string_view bytes, std::size_t& consumed) {
  consumed = 0;
  if (failure_ != failure::none) return state::failed;
  request_reader& r = *impl_->reader;
  if (r.is_done()) return state::done;
  auto fail = [&](failure why) {
    failure_ = why;
    return state::failed;
  };
  const bool in_head = !r.is_header_done();
  if (in_head && !bytes.empty()) impl_->got_some = true;
  error_code ec;
  consumed = r.parse(bytes, ec);
  // The header limit bounds the whole head; Beast's bounds the request line and the field lines
  // apart. Beast stops after the head (not eager yet), so `consumed` is the head.
  if (in_head && (r.is_header_done() ? consumed > impl_->header_bytes
                                     : ec == http::error::need_more && bytes.size() >= impl_->header_bytes))
    return fail(failure::header_limit);
  if (ec && ec != http::error::need_more) return fail(failure_of(r, ec));
  if (r.is_done()) return state::done;
  if (in_head && r.is_header_done()) {
    r.eager(true);  // the body is parsed as far as the bytes go
    return state::head_done;  // the caller checks the head before the body is read
  }
  return state::more;
}

bool request_parser::got_some() const { return impl_->got_some; }
const request_head& request_parser::head() const { return impl_->reader->head; }
request_head& request_parser::head() { return impl_->reader->head; }
const request_framing& request_parser::framing() const { return impl_->reader->framing; }
std::string request_parser::take_body() { return std::move(impl_->reader->body); }

}  // namespace gw
