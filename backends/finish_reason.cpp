#include "backends/finish_reason.hpp"

namespace gw {

const char* to_string(finish_reason r) {
  switch (r) {
    case finish_reason::stop: return "stop";
    case finish_reason::length: return "length";
    case finish_reason::tool_calls: return "tool_calls";
    case finish_reason::content_filter: return "content_filter";
  }
  return "stop";
}

}  // namespace gw
