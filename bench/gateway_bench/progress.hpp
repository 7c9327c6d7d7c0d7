#pragma once
// Live figures of a run, shared by every shard's thread (relaxed atomics), and their two
// readers, both ticked by one shard's ticker: the progress line on stderr (only when it is a
// terminal), rewritten in place with '\r' once a second (elapsed time, requests done, in
// flight, errors, the request rate over the last second); and --samples, one JSON line per
// --sample-interval-s with the counters as they stand (a soak watches them over time).

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "bench/gateway_bench/metrics.hpp"

namespace gw::bench {

struct progress_counters {
  std::atomic<std::uint64_t> done{0};
  std::atomic<std::uint64_t> errors{0};
  std::array<std::atomic<std::uint64_t>, error_kind_count> errors_by_kind{};  // [none] unused
  std::atomic<std::int64_t> inflight{0};
  std::atomic<std::int64_t> connections{0};   // TCP connections open now
  std::atomic<std::uint64_t> chunks{0};       // SSE chunks with content received
  // Output tokens as they arrive: a stream's content chunks (one token each from vLLM, SGLang
  // and the gateway), a whole answer's usage when it completes.
  std::atomic<std::uint64_t> output_tokens{0};
  std::atomic<std::int64_t> idle_held{0};     // connections held idle now (--idle-connections, --idle-phase-s)
  std::atomic<std::uint64_t> idle_failed{0};  // their one request failed
  std::atomic<std::uint64_t> idle_closed{0};  // the server closed one while it was held
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

// One point of the run's timeline (the JSON report's "timeline", the HTML report's time series):
// the counters at t_s, and the rates since the sample before.
struct timeline_sample {
  double t_s = 0;
  std::int64_t in_flight = 0;
  std::uint64_t done = 0;
  std::uint64_t errors = 0;
  std::uint64_t output_tokens = 0;
  double requests_per_s = 0;
  double tokens_per_s = 0;
};

// Samples the counters every interval into the timeline, and writes {"t_s", "connections",
// "idle", "in_flight", "done", "chunks", "output_tokens", "errors": {kind: n}, "idle_failed",
// "idle_closed"} lines to `out` (null: none), flushed at once so that a script can read the
// latest line while the run goes on. Counts are cumulative since the start.
class sample_writer {
 public:
  sample_writer(const progress_counters& c, std::FILE* out, std::int64_t interval_ns)
      : counters_(c), out_(out), interval_ns_(interval_ns) {}
  void tick(std::int64_t now_ns);    // samples when an interval has passed since the last one
  void write(std::int64_t now_ns);  // samples now (the run's last one)
  const std::vector<timeline_sample>& timeline() const { return timeline_; }

 private:
  const progress_counters& counters_;
  std::FILE* out_;
  std::int64_t interval_ns_;
  std::int64_t next_ns_ = 0;
  std::vector<timeline_sample> timeline_;
};

}  // namespace gw::bench
