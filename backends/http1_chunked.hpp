#pragma once
// Decoder of HTTP/1.1's chunked transfer coding (RFC 9112 §7.1): chunk-size lines (extensions
// validated, then dropped), chunk data handed out in place, the trailer section's field lines
// validated and counted (never merged into the head: RFC 9110 §6.5.1). Shared by the request
// parser and the upstream response parser. Pure: bytes in, pieces out; nothing is buffered, so a
// line cut by a read is simply left unconsumed, to be given again with more bytes.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gw::http1 {

class chunked_decoder {
 public:
  struct limits {
    std::uint64_t body_bytes = UINT64_MAX;       // the chunks' sizes together
    std::uint64_t extension_bytes = UINT64_MAX;  // every chunk's extensions together
    std::size_t trailer_bytes = 64 * 1024;       // the trailer section
  };

  enum class step {
    data,             // `piece` holds body bytes (inside the given bytes); call again
    more,             // everything usable was consumed: give the rest again with more bytes
    done,             // the last chunk and the trailers are in; bytes after them are not consumed
    bad,              // not chunked coding
    body_limit,       // over limits.body_bytes
    extension_limit,  // over limits.extension_bytes
    trailer_limit,    // over limits.trailer_bytes
  };

  void reset(const limits& l);

  // Decodes from the start of `bytes`; `used` is how many bytes it consumed.
  step next(std::string_view bytes, std::size_t& used, std::string_view& piece);

  std::size_t trailer_fields() const { return trailer_fields_; }

 private:
  enum class phase { size_line, data, data_end, trailer, done, failed };

  step fail(step why);

  limits limits_;
  phase phase_ = phase::size_line;
  std::uint64_t left_ = 0;        // of the current chunk
  std::uint64_t body_ = 0;        // sizes so far
  std::uint64_t extensions_ = 0;  // extension bytes so far
  std::size_t trailer_bytes_ = 0;
  std::size_t trailer_fields_ = 0;
};

}  // namespace gw::http1
