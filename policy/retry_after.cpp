#include "policy/retry_after.hpp"

#include <algorithm>
#include <cmath>

namespace gw {

unsigned retry_after_seconds(std::size_t queued, double completions_per_s) {
  constexpr double min_s = 1, max_s = 60;
  if (!(completions_per_s > 0)) return static_cast<unsigned>(min_s);
  const double s = std::ceil(static_cast<double>(queued) / completions_per_s);
  return static_cast<unsigned>(std::clamp(s, min_s, max_s));
}

}  // namespace gw
