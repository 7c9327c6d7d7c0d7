#pragma once
// The live progress line on stderr (only when it is a terminal): rewritten in place with '\r'
// once a second: elapsed time, requests done, in flight, errors, and the request rate over the
// last second. The counters are shared by every shard's thread (relaxed atomics); one shard's
// ticker prints.

#include <atomic>
#include <cstdint>

namespace gw::bench {

struct progress_counters {
  std::atomic<std::uint64_t> done{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::int64_t> inflight{0};
  std::atomic<bool> stop{false};  // SIGINT: stop issuing and drain
};

class progress_line {
 public:
  progress_line(const progress_counters& c, bool enabled, std::int64_t warmup_end_ns)
      : counters_(c), enabled_(enabled), warmup_end_ns_(warmup_end_ns) {}
  void tick(std::int64_t now_ns);  // prints when a second has passed since the last line
  void finish();                   // ends the line so that the summary starts on its own

 private:
  const progress_counters& counters_;
  bool enabled_;
  bool printed_ = false;
  std::int64_t warmup_end_ns_;
  std::int64_t last_ns_ = 0;
  std::uint64_t last_done_ = 0;
};

}  // namespace gw::bench
