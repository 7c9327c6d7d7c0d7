#include "bench/gateway_bench/load_shard.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cmath>
#include <exception>
#include <limits>

namespace gw::bench {
namespace asio = boost::asio;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr auto tick = std::chrono::milliseconds(50);
constexpr auto connect_backoff = std::chrono::milliseconds(50);  // closed loop, after a refused connect

// Bugs surface: an exception escaping a coroutine ends io_context::run() with it.
void rethrow(std::exception_ptr e) {
  if (e) std::rethrow_exception(e);
}

std::int64_t seconds_to_ns(double s) {
  const double ns = s * 1e9;
  return ns >= 9e18 ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(ns);
}

}  // namespace

std::uint64_t share_of(std::uint64_t total, unsigned parts, unsigned i) {
  return total / parts + (i < total % parts ? 1 : 0);
}

load_shard::load_shard(unsigned index, unsigned count, const bench_options& o, const target& t,
                       std::shared_ptr<const std::vector<dataset_entry>> dataset, const run_clock& clock,
                       progress_counters& progress, progress_line* printer)
    : options_(o),
      target_(t),
      clock_(clock),
      progress_(progress),
      printer_(printer),
      workload_(o, std::move(dataset), index, count),
      concurrency_(static_cast<std::uint32_t>(share_of(o.concurrency, count, index))),
      warmup_end_ns_(seconds_to_ns(o.warmup_s)),
      issue_end_ns_(o.duration_s ? seconds_to_ns(o.warmup_s + *o.duration_s) : std::numeric_limits<std::int64_t>::max()) {
  std::seed_seq seq{static_cast<std::uint32_t>(o.seed), static_cast<std::uint32_t>(o.seed >> 32), index, 0xa77u};
  arrival_rng_.seed(seq);
  if (o.rate) rate_ = std::isinf(*o.rate) ? *o.rate : *o.rate / count;
  if (o.requests) budget_ = share_of(*o.requests, count, index);
}

void load_shard::run() {
  if (options_.open_loop()) {
    asio::co_spawn(ioc_, arrivals(), rethrow);
  } else {
    for (std::uint32_t i = 0; i < concurrency_; ++i) asio::co_spawn(ioc_, closed_worker(), rethrow);
  }
  asio::co_spawn(ioc_, ticker(), rethrow);
  ioc_.run();
}

bool load_shard::may_issue(std::int64_t now_ns) {
  if (stopping_ || now_ns >= issue_end_ns_ || progress_.stop.load(std::memory_order_relaxed)) return false;
  if (now_ns < warmup_end_ns_) return true;
  if (budget_ && measured_issued_ >= *budget_) return false;
  ++measured_issued_;
  return true;
}

void load_shard::begin_stop(std::int64_t now_ns) {
  if (stopping_) return;
  stopping_ = true;
  drain_deadline_ns_ = now_ns + seconds_to_ns(options_.drain_timeout_s);
  arrival_timer_.cancel();
}

connection& load_shard::new_connection() {
  connections_.push_back(std::make_unique<connection>(ioc_.get_executor(), target_, clock_));
  results_.connections = connections_.size();
  return *connections_.back();
}

void load_shard::record(const request_record& rec, const connection& c) {
  results_.records.push_back(rec);
  const bool measured = rec.start_ns >= warmup_end_ns_;
  if (rec.error == error_kind::none) {
    if (measured) results_.itl_ms.insert(results_.itl_ms.end(), c.itl_ms().begin(), c.itl_ms().end());
  } else {
    progress_.errors.fetch_add(1, std::memory_order_relaxed);
    auto& first = results_.first_error[static_cast<std::size_t>(rec.error)];
    if (first.empty()) first = c.error_detail().empty() ? std::string(to_string(rec.error)) : c.error_detail();
  }
  progress_.done.fetch_add(1, std::memory_order_relaxed);
}

asio::awaitable<void> load_shard::closed_worker() {
  connection& c = new_connection();
  asio::steady_timer backoff(ioc_);
  ++issuers_;
  for (;;) {
    workload_.next(c.scratch());
    request_record rec;
    rec.start_ns = clock_.now_ns();
    if (!may_issue(rec.start_ns)) break;
    ++inflight_;
    progress_.inflight.fetch_add(1, std::memory_order_relaxed);
    co_await c.run(c.scratch(), rec);
    --inflight_;
    progress_.inflight.fetch_sub(1, std::memory_order_relaxed);
    record(rec, c);
    if (rec.error == error_kind::connect && !stopping_) {
      // Nothing listens: do not spin on refused connects.
      backoff.expires_after(connect_backoff);
      co_await backoff.async_wait(use_tuple);
    }
  }
  c.close();
  --issuers_;
}

asio::awaitable<void> load_shard::arrivals() {
  ++issuers_;
  arrival_gaps gaps(rate_, options_.burstiness);
  std::int64_t next = clock_.now_ns();
  int without_yield = 0;
  for (;;) {
    std::int64_t now = clock_.now_ns();
    if (next > now && !stopping_) {
      without_yield = 0;
      arrival_timer_.expires_after(std::chrono::nanoseconds(next - now));
      co_await arrival_timer_.async_wait(use_tuple);
      now = clock_.now_ns();
      if (now < next && !stopping_) continue;  // woken early
    } else if (++without_yield == 64) {
      // Behind schedule (or --rate inf): let the responses and the ticker run meanwhile.
      without_yield = 0;
      co_await asio::post(ioc_, asio::use_awaitable);
      now = clock_.now_ns();
    }
    if (inflight_ >= static_cast<std::int64_t>(options_.max_inflight)) {
      if (!may_issue(now)) break;
      request_record rec;
      rec.start_ns = rec.end_ns = now;
      rec.error = error_kind::dropped;
      progress_.errors.fetch_add(1, std::memory_order_relaxed);
      progress_.done.fetch_add(1, std::memory_order_relaxed);
      results_.records.push_back(rec);
      auto& first = results_.first_error[static_cast<std::size_t>(error_kind::dropped)];
      if (first.empty()) first = "--max-inflight requests were in flight";
    } else {
      connection* c = nullptr;
      if (!idle_.empty()) {
        c = idle_.back();
        idle_.pop_back();
      } else {
        c = &new_connection();
      }
      workload_.next(c->scratch());  // before the clock starts
      const std::int64_t start = clock_.now_ns();
      if (!may_issue(start)) {
        idle_.push_back(c);
        break;
      }
      const double lag_ms = static_cast<double>(start - next) / 1e6;
      if (lag_ms > results_.max_issue_lag_ms) results_.max_issue_lag_ms = lag_ms;
      ++inflight_;
      progress_.inflight.fetch_add(1, std::memory_order_relaxed);
      asio::co_spawn(ioc_, open_request(c, start), rethrow);
    }
    next += static_cast<std::int64_t>(gaps.next_s(arrival_rng_) * 1e9);
  }
  --issuers_;
}

asio::awaitable<void> load_shard::open_request(connection* c, std::int64_t start_ns) {
  request_record rec;
  rec.start_ns = start_ns;
  co_await c->run(c->scratch(), rec);
  --inflight_;
  progress_.inflight.fetch_sub(1, std::memory_order_relaxed);
  record(rec, *c);
  if (stopping_) c->close();
  idle_.push_back(c);
}

asio::awaitable<void> load_shard::ticker() {
  asio::steady_timer timer(ioc_);
  for (;;) {
    timer.expires_after(tick);
    co_await timer.async_wait(use_tuple);
    const std::int64_t now = clock_.now_ns();
    if (!stopping_ && (now >= issue_end_ns_ || progress_.stop.load(std::memory_order_relaxed) ||
                       (budget_ && measured_issued_ >= *budget_) || issuers_ == 0))
      begin_stop(now);
    if (stopping_ && issuers_ == 0 && inflight_ == 0) break;
    const bool drain_over = stopping_ && now >= drain_deadline_ns_;
    for (auto& c : connections_) {
      if (!c->busy()) continue;
      if (drain_over) c->abort(error_kind::timeout);
      else if (c->deadline_ns() != 0 && now >= c->deadline_ns())
        c->abort(c->connecting() ? error_kind::connect : error_kind::timeout);
    }
    if (printer_) printer_->tick(now);
  }
  for (auto& c : connections_) c->close();
}

}  // namespace gw::bench
