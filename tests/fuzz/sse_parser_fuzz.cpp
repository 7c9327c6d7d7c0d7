// The SSE parser must give the same events, and the same final status, however the stream is cut:
// upstream bytes arrive split at arbitrary TCP boundaries, even inside a CRLF.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "backends/sse_parser.hpp"

namespace {

struct outcome {
  std::vector<gw::sse_event> events;
  gw::sse_parser::status status = gw::sse_parser::status::ok;
};

bool same(const gw::sse_event& a, const gw::sse_event& b) {
  return a.event == b.event && a.data == b.data && a.id == b.id && a.done == b.done;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // The first byte picks the event limit (small ones reach too_large), the second seeds the cuts,
  // so the fuzzer can move both and every input replays the same way.
  const std::size_t max_event_bytes = data[0] < 128 ? 1 + data[0] : std::size_t{1} << 20;
  std::uint32_t cut_state = data[1] * 2654435761u + 1;
  const std::string_view stream(reinterpret_cast<const char*>(data + 2), size - 2);

  outcome whole;
  {
    gw::sse_parser p(max_event_bytes);
    whole.status = p.feed(stream, [&](gw::sse_event&& e) { whole.events.push_back(std::move(e)); });
  }
  outcome split;
  {
    gw::sse_parser p(max_event_bytes);
    for (std::size_t at = 0; at < stream.size();) {
      cut_state = cut_state * 1103515245u + 12345u;
      // Mostly tiny pieces (0 included: an empty read must be harmless), sometimes long ones.
      const std::size_t piece = (cut_state >> 16) % 8 == 0 ? (cut_state >> 8) % 256 : (cut_state >> 16) % 4;
      split.status = p.feed(stream.substr(at, piece), [&](gw::sse_event&& e) { split.events.push_back(std::move(e)); });
      at += piece;
    }
  }

  bool equal = whole.status == split.status && whole.events.size() == split.events.size();
  for (std::size_t i = 0; equal && i < whole.events.size(); ++i) equal = same(whole.events[i], split.events[i]);
  if (!equal) {
    std::fprintf(stderr, "sse_parser_fuzz: split feed differs: %zu vs %zu events, status %d vs %d\n",
                 whole.events.size(), split.events.size(), static_cast<int>(whole.status),
                 static_cast<int>(split.status));
    std::abort();
  }
  return 0;
}
