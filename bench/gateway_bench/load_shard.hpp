#pragma once
// One reactor's share of the load: its own io_context (run by one thread, no locks), its
// connections, its workload stream and its records. A closed loop runs `concurrency` workers,
// each sending its next request when the last one ended, on its own connection. An open loop
// issues requests at gamma/Poisson arrival times on pooled idle connections, dropping arrivals
// while --max-inflight are in flight. Both stop issuing at the end of the duration or request
// budget (or on SIGINT), then wait at most the drain timeout and abort what still runs.
// Held connections (--idle-connections, and the workers' during --idle-phase-s) send one
// one-token request, then stay open and silent; one the server closes counts as idle_closed.
// They start spread evenly over --idle-ramp-s (the idle holders first, then the workers).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/gateway_bench/connection.hpp"
#include "bench/gateway_bench/metrics.hpp"
#include "bench/gateway_bench/options.hpp"
#include "bench/gateway_bench/progress.hpp"
#include "bench/gateway_bench/sampling.hpp"
#include "bench/gateway_bench/workload.hpp"

namespace gw::bench {

struct shard_results {
  std::vector<request_record> records;  // every request issued, warm-up included
  std::vector<float> itl_ms;            // gaps of measured, succeeded requests
  std::array<std::string, error_kind_count> first_error;  // the first failure's detail, by kind
  double max_issue_lag_ms = 0;          // open loop: latest an arrival was issued after its time
  std::size_t connections = 0;          // connections the shard opened at most at once
  std::uint64_t idle_failed = 0;        // held connections whose one request failed
  std::uint64_t idle_closed = 0;        // held connections the server closed
  std::string idle_error;               // the first of either, in words
};

// Splits `total` into `parts` shares that differ by at most one; share `i` of them.
std::uint64_t share_of(std::uint64_t total, unsigned parts, unsigned i);

class load_shard {
 public:
  // `printer` and `sampler` (or null) are ticked by this shard. Everything passed must outlive
  // run().
  load_shard(unsigned index, unsigned count, const bench_options& o, const target& t,
             std::shared_ptr<const std::vector<dataset_entry>> dataset, const run_clock& clock,
             progress_counters& progress, progress_line* printer, sample_writer* sampler = nullptr);

  void run();  // runs the load to its end on the calling thread
  shard_results& results() { return results_; }

 private:
  boost::asio::awaitable<void> closed_worker(std::uint32_t index);
  boost::asio::awaitable<void> arrivals();
  boost::asio::awaitable<void> open_request(connection* c, std::int64_t start_ns);
  boost::asio::awaitable<void> ticker();
  boost::asio::awaitable<void> idle_holder(std::uint32_t index);
  boost::asio::awaitable<bool> prime(connection& c, std::uint32_t index);
  boost::asio::awaitable<void> hold(connection& c, std::int64_t until_ns);
  void idle_lost(std::uint64_t& count, std::atomic<std::uint64_t>& live, const std::string& why);
  bool may_issue(std::int64_t now_ns);
  void begin_stop(std::int64_t now_ns);
  void record(const request_record& rec, const connection& c);
  connection& new_connection();

  boost::asio::io_context ioc_{1};
  const bench_options& options_;
  const target& target_;
  const run_clock& clock_;
  progress_counters& progress_;
  progress_line* printer_;
  sample_writer* sampler_;
  workload workload_;
  rng arrival_rng_;
  std::uint32_t concurrency_;            // closed loop
  double rate_ = 0;                       // open loop, this shard's share
  std::optional<std::uint64_t> budget_;   // measured requests to issue
  std::uint32_t idle_count_;              // --idle-connections, this shard's share
  std::int64_t hold_end_ns_;              // end of --idle-phase-s
  std::uint32_t held_;                    // connections opened over --idle-ramp-s
  std::int64_t warmup_end_ns_;
  std::int64_t issue_end_ns_;             // INT64_MAX without a duration
  std::int64_t drain_deadline_ns_ = 0;
  std::uint64_t measured_issued_ = 0;
  std::vector<std::unique_ptr<connection>> connections_;
  std::vector<connection*> idle_;         // open loop: connections free for the next arrival
  boost::asio::steady_timer arrival_timer_{ioc_};
  std::int64_t inflight_ = 0;
  int issuers_ = 0;                       // closed-loop workers or the arrival loop still issuing
  bool stopping_ = false;
  shard_results results_;
};

}  // namespace gw::bench
