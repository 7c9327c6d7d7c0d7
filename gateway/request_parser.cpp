#include "gateway/request_parser.hpp"

#include <algorithm>

#include "backends/http1_chunked.hpp"
#include "backends/http1_syntax.hpp"

namespace gw {
namespace {

// Chunk extensions are validated and dropped; their total per request is bounded here.
constexpr std::uint64_t max_extension_bytes = 4096;

// Keeps the first occurrence of a field, at most `cap` bytes of it.
void keep_first(std::string& out, bool& seen, std::string_view value, std::size_t cap = std::string::npos) {
  if (seen) return;
  seen = true;
  out.assign(value.data(), std::min(value.size(), cap));
}

// Field names compared case-insensitively, both sides in any case.
bool same_name(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

}  // namespace

struct request_parser::impl {
  enum class phase { head, body, chunked, done };

  limits lim;
  phase at = phase::head;
  bool got_some = false;
  bool start_line_checked = false;
  std::size_t scanned = 0;  // head bytes already searched for its end
  request_head head;
  request_framing framing;
  std::string body;
  std::uint64_t body_left = 0;
  http1::chunked_decoder chunks;

  http1::message_framing framing_fields;  // as read from the head
  // Which of the kept fields were seen: the first occurrence wins, even when empty.
  bool seen_id = false, seen_priority = false, seen_restricted = false, seen_trace = false, seen_auth = false,
       seen_origin = false, seen_acrm = false, seen_acrh = false, seen_expect = false, seen_te = false;

  bool parse_head(std::string_view bytes);
  bool on_field(std::string_view name, std::string_view value);
  void keep(std::string_view name, std::string_view value);  // the fields request_head holds
};

// Conflicting framing fails here, before request_limits' checks (http1::message_framing).
bool request_parser::impl::on_field(std::string_view name, std::string_view value) {
  ++framing.field_count;
  using kind = http1::message_framing::field;
  kind k;
  const bool framing_ok = framing_fields.read(name, value, k);
  if (k == kind::content_length) ++framing.content_length_count;
  if (k == kind::transfer_encoding) {
    ++framing.transfer_encoding_count;
    keep_first(framing.transfer_encoding, seen_te, value);
  }
  if (!framing_ok) return false;
  if (k == kind::other) keep(name, value);
  // The restricted header is configured: it may be any name, a known field's too.
  if (!seen_restricted && lim.restricted_header && same_name(name, *lim.restricted_header))
    keep_first(head.restricted, seen_restricted, value);
  return true;
}

void request_parser::impl::keep(std::string_view name, std::string_view value) {
  using http1::iequals;
  if (iequals(name, "authorization")) {
    keep_first(head.authorization, seen_auth, value);
  } else if (iequals(name, "x-request-id")) {
    keep_first(head.x_request_id, seen_id, value);
  } else if (iequals(name, "x-priority")) {
    keep_first(head.x_priority, seen_priority, value);
  } else if (iequals(name, "traceparent")) {
    keep_first(head.traceparent, seen_trace, value);
  } else if (iequals(name, "origin")) {
    keep_first(head.origin, seen_origin, value, 512);
  } else if (iequals(name, "access-control-request-method")) {
    keep_first(head.cors_request_method, seen_acrm, value, 64);
  } else if (iequals(name, "access-control-request-headers")) {
    keep_first(head.cors_request_headers, seen_acrh, value, 2048);
  } else if (iequals(name, "expect")) {
    if (!seen_expect) head.expect_continue = value == "100-continue";
    seen_expect = true;
  }
}

bool request_parser::impl::parse_head(std::string_view bytes) {
  std::size_t pos = 0;
  std::string_view line;
  bool bad = false;
  http1::request_line start;
  if (!http1::valid_head_bytes(bytes) || !http1::next_line(bytes, pos, line, bad) ||
      !http1::parse_request_line(line, start))
    return false;
  head.method.assign(start.method);
  head.target.assign(start.target);
  head.version = start.version;
  framing.version = start.version;
  framing.target_bytes = start.target.size();
  std::string_view name, value;
  while (http1::next_field(bytes, pos, name, value, bad))
    if (!on_field(name, value)) return false;
  if (bad) return false;
  head.keep_alive = framing_fields.keep_alive(start.version);
  return true;
}

request_parser::request_parser() : impl_(std::make_unique<impl>()) { reset(limits{}); }
request_parser::~request_parser() = default;

void request_parser::reset(const limits& l) {
  *impl_ = impl{};
  impl_->lim = l;
  failure_ = failure::none;
}

request_parser::state request_parser::feed(std::string_view bytes, std::size_t& consumed) {
  consumed = 0;
  if (failure_ != failure::none) return state::failed;
  impl& p = *impl_;
  auto fail = [&](failure why) {
    failure_ = why;
    return state::failed;
  };
  if (p.at == impl::phase::head) {
    if (!bytes.empty()) p.got_some = true;
    const std::size_t end = http1::find_head_end(bytes, p.scanned);
    if (end == std::string_view::npos) {
      p.scanned = bytes.size();
      if (bytes.size() >= p.lim.header_bytes) return fail(failure::header_limit);
      // Garbage fails at its first line, not after a head's worth of it or the read deadline.
      if (!p.start_line_checked) {
        const std::size_t eol = bytes.find("\r\n");
        http1::request_line start;
        if (eol == std::string_view::npos ? !http1::plausible_request_prefix(bytes)
                                          : !http1::parse_request_line(bytes.substr(0, eol), start))
          return fail(failure::malformed);
        p.start_line_checked = eol != std::string_view::npos;
      }
      return state::more;
    }
    if (end > p.lim.header_bytes) return fail(failure::header_limit);
    if (!p.parse_head(bytes.substr(0, end))) return fail(failure::malformed);
    consumed = end;
    const http1::message_framing& f = p.framing_fields;
    if (f.chunked) {
      p.chunks.reset({p.lim.body_bytes, max_extension_bytes, p.lim.header_bytes});
      p.at = impl::phase::chunked;
    } else if (f.has_length && f.length > p.lim.body_bytes) {
      return fail(failure::body_limit);
    } else if (f.has_length && f.length > 0) {
      p.body.reserve(static_cast<std::size_t>(f.length));
      p.body_left = f.length;
      p.at = impl::phase::body;
    } else {
      p.at = impl::phase::done;
      return state::done;
    }
    return state::head_done;  // the caller checks the head before the body is read
  }
  if (p.at == impl::phase::body) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(p.body_left, bytes.size()));
    p.body.append(bytes.data(), n);
    consumed += n;
    p.body_left -= n;
    if (p.body_left > 0) return state::more;
    p.at = impl::phase::done;
    return state::done;
  }
  if (p.at == impl::phase::chunked) {
    for (;;) {
      std::size_t used = 0;
      std::string_view piece;
      const auto step = p.chunks.next(bytes.substr(consumed), used, piece);
      consumed += used;
      using s = http1::chunked_decoder::step;
      switch (step) {
        case s::data: p.body.append(piece); continue;
        case s::more: return state::more;
        case s::done:
          p.framing.field_count += p.chunks.trailer_fields();
          p.at = impl::phase::done;
          return state::done;
        case s::body_limit: return fail(failure::body_limit);
        case s::extension_limit: return fail(failure::chunk_extension);
        case s::trailer_limit: return fail(failure::header_limit);
        case s::bad: return fail(failure::malformed);
      }
    }
  }
  return state::done;
}

bool request_parser::got_some() const { return impl_->got_some; }
const request_head& request_parser::head() const { return impl_->head; }
request_head& request_parser::head() { return impl_->head; }
const request_framing& request_parser::framing() const { return impl_->framing; }
std::string request_parser::take_body() { return std::move(impl_->body); }

}  // namespace gw
