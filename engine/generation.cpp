#include "engine/generation.hpp"

namespace gw {

const char* to_string(engine_errc e) {
  switch (e) {
    case engine_errc::queue_full: return "queue_full";
    case engine_errc::queue_timeout: return "queue_timeout";
    case engine_errc::engine_failed: return "engine_failed";
    case engine_errc::shutting_down: return "shutting_down";
    case engine_errc::upstream_rate_limited: return "upstream_rate_limited";
    case engine_errc::upstream_rejected: return "upstream_rejected";
    case engine_errc::upstream_failed: return "upstream_failed";
  }
  return "unknown";
}

}  // namespace gw
