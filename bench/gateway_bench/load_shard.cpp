#include "bench/gateway_bench/load_shard.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
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
                       progress_counters& progress, progress_line* printer, sample_writer* sampler)
    : options_(o),
      target_(t),
      clock_(clock),
      progress_(progress),
      printer_(printer),
      sampler_(sampler),
      workload_(o, std::move(dataset), index, count),
      concurrency_(static_cast<std::uint32_t>(share_of(o.concurrency, count, index))),
      idle_count_(static_cast<std::uint32_t>(share_of(o.idle_connections, count, index))),
      hold_end_ns_(seconds_to_ns(o.idle_phase_s)),
      held_(idle_count_ + (o.idle_phase_s > 0 ? concurrency_ : 0)),
      warmup_end_ns_(seconds_to_ns(o.idle_phase_s + o.warmup_s)),
      issue_end_ns_(o.duration_s ? seconds_to_ns(o.idle_phase_s + o.warmup_s + *o.duration_s)
                                 : std::numeric_limits<std::int64_t>::max()) {
  std::seed_seq seq{static_cast<std::uint32_t>(o.seed), static_cast<std::uint32_t>(o.seed >> 32), index, 0xa77u};
  arrival_rng_.seed(seq);
  if (o.rate) rate_ = std::isinf(*o.rate) ? *o.rate : *o.rate / count;
  if (o.requests) budget_ = share_of(*o.requests, count, index);
}

void load_shard::run() {
  for (std::uint32_t i = 0; i < idle_count_; ++i) asio::co_spawn(ioc_, idle_holder(i), rethrow);
  if (options_.open_loop()) {
    asio::co_spawn(ioc_, arrivals(), rethrow);
  } else {
    for (std::uint32_t i = 0; i < concurrency_; ++i) asio::co_spawn(ioc_, closed_worker(idle_count_ + i), rethrow);
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
    progress_.errors_by_kind[static_cast<std::size_t>(rec.error)].fetch_add(1, std::memory_order_relaxed);
    auto& first = results_.first_error[static_cast<std::size_t>(rec.error)];
    if (first.empty()) first = c.error_detail().empty() ? std::string(to_string(rec.error)) : c.error_detail();
  }
  progress_.done.fetch_add(1, std::memory_order_relaxed);
}

asio::awaitable<void> load_shard::closed_worker(std::uint32_t index) {
  connection& c = new_connection();
  asio::steady_timer backoff(ioc_);
  ++issuers_;
  if (hold_end_ns_ > 0) {
    if (co_await prime(c, index)) co_await hold(c, hold_end_ns_);
    // Its request failed or the server closed it early (counted): the load still starts with
    // the others, at the end of the idle phase (a bounded wait).
    const std::int64_t left = hold_end_ns_ - clock_.now_ns();
    if (left > 0 && !stopping_) {
      backoff.expires_after(std::chrono::nanoseconds(left));
      co_await backoff.async_wait(use_tuple);
    }
  }
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
      progress_.errors_by_kind[static_cast<std::size_t>(error_kind::dropped)].fetch_add(1, std::memory_order_relaxed);
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

void load_shard::idle_lost(std::uint64_t& count, std::atomic<std::uint64_t>& live, const std::string& why) {
  ++count;
  live.fetch_add(1, std::memory_order_relaxed);
  if (results_.idle_error.empty()) results_.idle_error = why;
}

// One request of one token, so that the server has seen the connection in use before it idles;
// held connection `index` of held_ starts index/held_ of the way into --idle-ramp-s.
asio::awaitable<bool> load_shard::prime(connection& c, std::uint32_t index) {
  const auto at = static_cast<std::int64_t>(options_.idle_ramp_s * 1e9 * index / std::max<std::uint32_t>(held_, 1));
  if (const std::int64_t left = at - clock_.now_ns(); left > 0 && !stopping_) {
    asio::steady_timer ramp(ioc_);
    ramp.expires_after(std::chrono::nanoseconds(left));
    co_await ramp.async_wait(use_tuple);
  }
  if (stopping_) co_return false;  // the run ended first (the ticker may be gone): not a failure
  workload_.next(c.scratch(), 1);
  request_record rec;
  rec.start_ns = clock_.now_ns();
  ++inflight_;
  progress_.inflight.fetch_add(1, std::memory_order_relaxed);
  co_await c.run(c.scratch(), rec);
  --inflight_;
  progress_.inflight.fetch_sub(1, std::memory_order_relaxed);
  if (rec.error == error_kind::none) co_return true;
  const std::string why = "the request of a held connection failed (" + std::string(to_string(rec.error)) + "): " +
                          c.error_detail();
  idle_lost(results_.idle_failed, progress_.idle_failed, why);
  co_return false;
}

asio::awaitable<void> load_shard::hold(connection& c, std::int64_t until_ns) {
  progress_.idle_held.fetch_add(1, std::memory_order_relaxed);
  const bool closed_by_server = co_await c.hold(until_ns);
  progress_.idle_held.fetch_sub(1, std::memory_order_relaxed);
  if (closed_by_server) idle_lost(results_.idle_closed, progress_.idle_closed, c.error_detail());
}

// Held until the ticker closes every connection at the end of the run.
asio::awaitable<void> load_shard::idle_holder(std::uint32_t index) {
  connection& c = new_connection();
  if (co_await prime(c, index)) co_await hold(c, std::numeric_limits<std::int64_t>::max());
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
      // The workers' holds end with the idle phase, or when the run stops early.
      const std::int64_t held = c->holding_until();
      if (held != 0 && held != std::numeric_limits<std::int64_t>::max() && (now >= held || stopping_)) c->release();
      if (!c->busy()) continue;
      if (drain_over) c->abort(error_kind::timeout);
      else if (c->deadline_ns() != 0 && now >= c->deadline_ns())
        c->abort(c->connecting() ? error_kind::connect : error_kind::timeout);
    }
    if (printer_) printer_->tick(now);
    if (sampler_) sampler_->tick(now);
  }
  for (auto& c : connections_) c->close();
}

}  // namespace gw::bench
