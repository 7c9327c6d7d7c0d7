#pragma once
// Beast's HTTP/1 parser (basic_parser) with the framing policy both sides of the gateway keep on
// top of it: the client's requests (gateway/request_parser.cpp) and the upstream's responses
// (backends/http1_response.cpp). Beast does the syntax (RFC 9112): start line, field lines,
// Content-Length and Transfer-Encoding, chunked coding. What it leaves open, this closes:
//
// - Obsolete line folding is refused (RFC 9112 §5.2 lets a recipient reject it; Beast joins the
//   lines), in the head and in the trailers.
// - Chunk extensions are bounded in total per message, and a control character in one (Beast
//   takes any byte between quotes, a bare LF too) is refused (RFC 9112 §7.1.1).
// - The trailer section is bounded (Beast reads it whole, however long), as is a chunk-size line
//   that never ends.
//
// Included only by the two .cpp files that parse: it brings Beast's parser templates, which are
// compiled once (backends/lib_beast.cpp).

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace gw::http1 {

namespace http = boost::beast::http;
using error_code = boost::system::error_code;

template <bool isRequest>
class framing_parser : public http::basic_parser<isRequest> {
 public:
  struct limits {
    std::uint32_t head_bytes = 64 * 1024;       // Beast's header limit
    std::uint64_t extension_bytes = UINT64_MAX;  // every chunk's extensions together
    std::size_t trailer_bytes = 64 * 1024;      // the trailer section's field lines
  };
  // Why the policy refused a message; Beast's own errors come as its error codes.
  enum class refusal { none, obs_fold, bad_extension, extension_limit, trailer_limit, line_limit };

  explicit framing_parser(const limits& l) : limits_(l) { this->header_limit(l.head_bytes); }

  // Beast's put() over `bytes`, which must start where the previous call's unconsumed bytes
  // did. Returns how many bytes were consumed; ec is Beast's (need_more: give the rest again,
  // followed by more), or bad_value with refused() set when the policy refused.
  std::size_t parse(std::string_view bytes, error_code& ec) {
    end_ = bytes.data() + bytes.size();
    const std::size_t used = this->put(boost::asio::const_buffer(bytes.data(), bytes.size()), ec);
    // Only a chunk-size line or the trailer section stays unconsumed in a chunked body: a size
    // line is bounded by max_line (on_chunk_header_impl), the trailers by their own limit.
    if (ec == http::error::need_more && refused_ == refusal::none && this->is_header_done() && this->chunked() &&
        bytes.size() - used > max_line + limits_.trailer_bytes)
      refuse(refusal::line_limit, ec);
    return used;
  }

  refusal refused() const { return refused_; }

 protected:
  // Subclasses call this first in on_field_impl: the field line starting at `name` (inside the
  // bytes given to parse()) must not be folded, and a trailer counts against the trailer bound.
  bool field_allowed(std::string_view name, error_code& ec) {
    const auto* line = name.data();
    const auto* cr = static_cast<const char*>(std::memchr(line, '\r', static_cast<std::size_t>(end_ - line)));
    // Beast has seen the line's CRLF and the byte after it, which starts a folded continuation.
    if (cr && cr + 2 < end_ && (cr[2] == ' ' || cr[2] == '\t')) return refuse(refusal::obs_fold, ec), false;
    if (cr && this->is_header_done()) {
      trailer_bytes_ += static_cast<std::size_t>(cr + 2 - line);
      if (trailer_bytes_ > limits_.trailer_bytes) return refuse(refusal::trailer_limit, ec), false;
    }
    return true;
  }

  void on_chunk_header_impl(std::uint64_t, boost::beast::string_view extensions, error_code& ec) final {
    for (const char ch : extensions) {
      const auto c = static_cast<unsigned char>(ch);
      if ((c < 0x20 && c != '\t') || c == 0x7f) return refuse(refusal::bad_extension, ec);
    }
    // One line over the bound fails however it arrives: whole here, or cut in parse().
    if (extensions.size() > max_line - 32) return refuse(refusal::line_limit, ec);
    extension_bytes_ += extensions.size();
    if (extension_bytes_ > limits_.extension_bytes) refuse(refusal::extension_limit, ec);
  }

  // A side implements the start line it parses; the other is never called.
  void on_request_impl(http::verb, boost::beast::string_view, boost::beast::string_view, int, error_code&) override {}
  void on_response_impl(int, boost::beast::string_view, int, error_code&) override {}

 private:
  // The longest chunk-size line not refused for its extensions, with the previous chunk's CRLF.
  static constexpr std::size_t max_line = 16 * 1024;

  void refuse(refusal why, error_code& ec) {
    refused_ = why;
    ec = http::error::bad_value;
  }

  limits limits_;
  const char* end_ = nullptr;  // of the bytes the current parse() was given
  std::uint64_t extension_bytes_ = 0;
  std::size_t trailer_bytes_ = 0;
  refusal refused_ = refusal::none;
};

}  // namespace gw::http1
