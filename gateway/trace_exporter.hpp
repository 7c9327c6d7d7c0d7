#pragma once
// Sends finished spans to an OTLP collector off the request path: submit() only queues. The
// queue is bounded (max_queue_spans); a batch leaves when max_batch_spans are waiting or
// batch_timeout after the first one waited, one export in flight at a time. A span that finds
// the queue full is dropped, and so is a batch whose export fails (the collector down, an error
// status, a timeout): both counted by reason, never retried, so a collector that is down costs
// the gateway no memory beyond the queue and no request any latency. Spans still queued when the
// process stops are lost.
//
// Reactor thread only. The transport is a function so that tests can stand in for the collector.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "backends/span_record.hpp"
#include "backends/upstream_client.hpp"
#include "gateway/config.hpp"

namespace gw {

// Sends one OTLP/JSON body. `done` runs exactly once, on the reactor:
// true when the collector accepted the batch (2xx).
using otlp_transport = std::function<void(std::string body, std::function<void(bool accepted)> done)>;

// POST {otlp_endpoint}/v1/traces through the gateway's upstream client.
otlp_transport otlp_http_transport(upstream_client& client, const tracing_config& cfg);

class trace_exporter final : public span_sink {
 public:
  trace_exporter(boost::asio::any_io_executor reactor, const tracing_config& cfg, otlp_transport transport);
  ~trace_exporter();
  trace_exporter(const trace_exporter&) = delete;
  trace_exporter& operator=(const trace_exporter&) = delete;

  void submit(span_record&& span) override;

  std::uint64_t exported() const { return exported_; }            // accepted by the collector
  std::uint64_t dropped_queue_full() const { return dropped_full_; }
  std::uint64_t dropped_export_failed() const { return dropped_failed_; }
  std::size_t queued() const { return queue_.size(); }

 private:
  void export_batch();
  void arm_timer();
  void exported(std::size_t n, bool accepted);

  std::string service_name_;
  std::size_t max_batch_;
  std::size_t max_queue_;
  std::chrono::milliseconds batch_timeout_;
  otlp_transport transport_;
  boost::asio::steady_timer timer_;
  std::deque<span_record> queue_;
  bool timer_armed_ = false;
  bool in_flight_ = false;
  bool failing_ = false;  // the last export failed: logged once per change
  std::uint64_t exported_ = 0, dropped_full_ = 0, dropped_failed_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for callbacks that outlive it
};

}  // namespace gw
