#pragma once
// When a refused client should come back: the time the queue ahead of it needs to drain at the
// recently observed completion rate, rounded up to whole seconds and kept within [1, 60] so a
// cold pool (no rate yet) or a stalled one never tells clients "now" or "in an hour".

#include <cstddef>

namespace gw {

unsigned retry_after_seconds(std::size_t queued, double completions_per_s);

}  // namespace gw
