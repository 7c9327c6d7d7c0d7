#include "backends/http1_chunked.hpp"

#include <algorithm>
#include <cstring>

#include "backends/http1_syntax.hpp"

namespace gw::http1 {
namespace {

// A chunk-size line longer than this without its end is refused: sizes are at most 16 hex
// digits, so only extensions make a line long, and none needs more.
constexpr std::size_t max_size_line = 16 * 1024;

// The offset of the LF ending the line at the start of `bytes`, or npos.
std::size_t find_lf(std::string_view bytes, std::size_t cap) {
  const void* lf = std::memchr(bytes.data(), '\n', std::min(bytes.size(), cap));
  return lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - bytes.data()) : std::string_view::npos;
}

}  // namespace

void chunked_decoder::reset(const limits& l) {
  *this = chunked_decoder{};
  limits_ = l;
}

chunked_decoder::step chunked_decoder::fail(step why) {
  phase_ = phase::failed;
  return why;
}

chunked_decoder::step chunked_decoder::next(std::string_view bytes, std::size_t& used, std::string_view& piece) {
  used = 0;
  for (;;) {
    const std::string_view rest = bytes.substr(used);
    switch (phase_) {
      case phase::size_line: {
        const std::size_t lf = find_lf(rest, max_size_line + 1);
        if (lf == std::string_view::npos) {
          if (rest.size() <= max_size_line) return step::more;
          return fail(limits_.extension_bytes < max_size_line ? step::extension_limit : step::bad);
        }
        if (lf == 0 || rest[lf - 1] != '\r') return fail(step::bad);
        std::uint64_t size = 0;
        std::string_view extensions;
        if (!parse_chunk_size_line(rest.substr(0, lf - 1), size, extensions)) return fail(step::bad);
        extensions_ += extensions.size();
        if (extensions_ > limits_.extension_bytes) return fail(step::extension_limit);
        used += lf + 1;
        if (size == 0) {
          phase_ = phase::trailer;
          break;
        }
        if (size > limits_.body_bytes - body_) return fail(step::body_limit);
        body_ += size;
        left_ = size;
        phase_ = phase::data;
        break;
      }
      case phase::data: {
        if (rest.empty()) return step::more;
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left_, rest.size()));
        piece = rest.substr(0, n);
        used += n;
        left_ -= n;
        if (left_ == 0) phase_ = phase::data_end;
        return step::data;
      }
      case phase::data_end:
        if (rest.size() < 2) return rest.empty() || rest[0] == '\r' ? step::more : fail(step::bad);
        if (rest[0] != '\r' || rest[1] != '\n') return fail(step::bad);
        used += 2;
        phase_ = phase::size_line;
        break;
      case phase::trailer: {
        const std::size_t room = limits_.trailer_bytes - trailer_bytes_;
        const std::size_t lf = find_lf(rest, room);
        if (lf == std::string_view::npos) return rest.size() < room ? step::more : fail(step::trailer_limit);
        if (lf == 0 || rest[lf - 1] != '\r') return fail(step::bad);
        trailer_bytes_ += lf + 1;
        used += lf + 1;
        const std::string_view line = rest.substr(0, lf - 1);
        if (line.empty()) {
          phase_ = phase::done;
          return step::done;
        }
        std::string_view name, value;
        if (!parse_field_line(line, name, value)) return fail(step::bad);
        ++trailer_fields_;
        break;
      }
      case phase::done: return step::done;
      case phase::failed: return step::bad;
    }
  }
}

}  // namespace gw::http1
