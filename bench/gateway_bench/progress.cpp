#include "bench/gateway_bench/progress.hpp"

#include <string>

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

void sample_writer::tick(std::int64_t now_ns) {
  if (now_ns >= next_ns_) write(now_ns);
}

void sample_writer::write(std::int64_t now_ns) {
  next_ns_ = now_ns + interval_ns_;
  timeline_sample ts;
  ts.t_s = static_cast<double>(now_ns) / 1e9;
  ts.in_flight = counters_.inflight.load(std::memory_order_relaxed);
  ts.done = counters_.done.load(std::memory_order_relaxed);
  ts.errors = counters_.errors.load(std::memory_order_relaxed);
  ts.output_tokens = counters_.output_tokens.load(std::memory_order_relaxed);
  if (!timeline_.empty() && ts.t_s > timeline_.back().t_s) {
    const timeline_sample& prev = timeline_.back();
    const double dt = ts.t_s - prev.t_s;
    ts.requests_per_s = static_cast<double>(ts.done - prev.done) / dt;
    ts.tokens_per_s = static_cast<double>(ts.output_tokens - prev.output_tokens) / dt;
  }
  timeline_.push_back(ts);
  if (!out_) return;
  const auto u = [](const std::atomic<std::uint64_t>& a) { return std::to_string(a.load(std::memory_order_relaxed)); };
  const auto i = [](const std::atomic<std::int64_t>& a) { return std::to_string(a.load(std::memory_order_relaxed)); };
  char t[32];
  std::snprintf(t, sizeof t, "%.3f", static_cast<double>(now_ns) / 1e9);
  std::string line = std::string("{\"t_s\":") + t + ",\"connections\":" + i(counters_.connections) +
                     ",\"idle\":" + i(counters_.idle_held) + ",\"in_flight\":" + i(counters_.inflight) +
                     ",\"done\":" + u(counters_.done) + ",\"chunks\":" + u(counters_.chunks) +
                     ",\"output_tokens\":" + u(counters_.output_tokens) + ",\"errors\":{";
  for (std::size_t k = 1; k < error_kind_count; ++k) {
    if (k > 1) line += ',';
    line += '"' + std::string(to_string(static_cast<error_kind>(k))) + "\":" + u(counters_.errors_by_kind[k]);
  }
  line += "},\"idle_failed\":" + u(counters_.idle_failed) + ",\"idle_closed\":" + u(counters_.idle_closed) + "}\n";
  std::fputs(line.c_str(), out_);
  std::fflush(out_);
}

}  // namespace gw::bench
