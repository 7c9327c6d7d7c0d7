#include "engine/stop_matcher.hpp"

#include <algorithm>
#include <utility>

namespace gw {

stop_matcher::stop_matcher(std::vector<std::string> stops) : stops_(std::move(stops)) {
  std::erase_if(stops_, [](const std::string& s) { return s.empty(); });
}

stop_matcher::fed stop_matcher::feed(std::string_view text) {
  fed out;
  if (stops_.empty()) {
    out.emit.assign(text);
    return out;
  }
  held_.append(text);
  // The earliest stop occurrence wins, whichever string it is.
  std::size_t cut = std::string::npos;
  for (const auto& s : stops_) cut = std::min(cut, held_.find(s));
  if (cut != std::string::npos) {
    out.emit = held_.substr(0, cut);
    out.stopped = true;
    held_.clear();
    return out;
  }
  // Keep the longest suffix that is a proper prefix of some stop string.
  std::size_t keep = 0;
  for (const auto& s : stops_) {
    const std::size_t max_len = std::min(s.size() - 1, held_.size());
    for (std::size_t len = max_len; len > keep; --len) {
      if (std::string_view(held_).substr(held_.size() - len) == std::string_view(s).substr(0, len)) {
        keep = len;
        break;
      }
    }
  }
  out.emit = held_.substr(0, held_.size() - keep);
  held_.erase(0, held_.size() - keep);
  return out;
}

std::string stop_matcher::flush() { return std::exchange(held_, {}); }

}  // namespace gw
