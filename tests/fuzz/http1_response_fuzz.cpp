// The upstream HTTP/1.1 response parser must report the same head, the same body bytes, the same
// end and the same end offset however the response is cut: upstream bytes arrive split at
// arbitrary TCP boundaries. Input: one byte seeding the cuts, then the upstream's bytes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "backends/http1_response.hpp"

namespace {

struct recorder : gw::http1_response::events {
  std::string heads;  // "status retry-after;" per head
  std::string body;
  void on_head(int status, std::string_view retry_after) override {
    heads += std::to_string(status) + ' ' + std::string(retry_after) + ';';
  }
  bool on_body(std::string_view b) override {
    body.append(b);
    return true;
  }
};

struct outcome {
  recorder r;
  gw::http1_response::state state = gw::http1_response::state::more;
  std::size_t end = 0;  // offset just past the response, when done
  bool keep_alive = false;
};

// Feeds `wire` in pieces as the client does (unconsumed bytes are given again with the next
// piece); at the end of the input, the connection closes.
outcome run(std::string_view wire, std::uint32_t cut_state, bool whole) {
  outcome o;
  gw::http1_response p;
  std::string pending;
  std::size_t base = 0;  // offset of pending's first byte
  for (std::size_t at = 0; at < wire.size() && o.state == gw::http1_response::state::more;) {
    std::size_t piece = wire.size() - at;
    if (!whole) {
      cut_state = cut_state * 1103515245u + 12345u;
      piece = (cut_state >> 16) % 8 == 0 ? (cut_state >> 8) % 512 : 1 + (cut_state >> 16) % 5;
      piece = std::min(piece, wire.size() - at);
    }
    pending.append(wire.substr(at, piece));
    at += piece;
    std::size_t used = 0;
    o.state = p.feed(pending, o.r, used);
    if (o.state == gw::http1_response::state::done) o.end = base + used;
    pending.erase(0, used);
    base += used;
  }
  if (o.state == gw::http1_response::state::more) {
    o.state = p.feed_eof(o.r);
    if (o.state == gw::http1_response::state::done) o.end = wire.size();
  }
  if (o.state == gw::http1_response::state::done) o.keep_alive = p.keep_alive();
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view wire(reinterpret_cast<const char*>(data + 1), size - 1);
  const outcome whole = run(wire, 0, true);
  const outcome split = run(wire, data[0] * 2654435761u + 1, false);
  if (whole.state != split.state || whole.r.heads != split.r.heads || whole.r.body != split.r.body ||
      whole.end != split.end || whole.keep_alive != split.keep_alive) {
    std::fprintf(stderr, "http1_response_fuzz: split feed differs: state %d/%d heads '%s'/'%s' body %zu/%zu end %zu/%zu\n",
                 static_cast<int>(whole.state), static_cast<int>(split.state), whole.r.heads.c_str(),
                 split.r.heads.c_str(), whole.r.body.size(), split.r.body.size(), whole.end, split.end);
    std::abort();
  }
  return 0;
}
