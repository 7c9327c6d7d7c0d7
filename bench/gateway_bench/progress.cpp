#include "bench/gateway_bench/progress.hpp"

#include <cstdio>

namespace gw::bench {

void progress_line::tick(std::int64_t now_ns) {
  if (!enabled_ || now_ns - last_ns_ < 1'000'000'000) return;
  const std::uint64_t done = counters_.done.load(std::memory_order_relaxed);
  const double rate = static_cast<double>(done - last_done_) * 1e9 / static_cast<double>(now_ns - last_ns_);
  std::fprintf(stderr, "\r%s%7.1f s  done %llu  in flight %lld  errors %llu  req/s %.1f   ",
               now_ns < warmup_end_ns_ ? "[warm-up] " : "", static_cast<double>(now_ns) / 1e9,
               static_cast<unsigned long long>(done),
               static_cast<long long>(counters_.inflight.load(std::memory_order_relaxed)),
               static_cast<unsigned long long>(counters_.errors.load(std::memory_order_relaxed)), rate);
  std::fflush(stderr);
  printed_ = true;
  last_ns_ = now_ns;
  last_done_ = done;
}

void progress_line::finish() {
  if (!printed_) return;
  std::fputc('\n', stderr);
  std::fflush(stderr);
  printed_ = false;
}

}  // namespace gw::bench
