#pragma once
// The gateway's side of distributed tracing (README "Traces"), configured by `tracing:`.
// Each API request (/v1/...) gets a server span: the child of the client's traceparent, or the
// root of a new trace, sampled as the client's flag says or, for a new trace, by sample_ratio.
// Its upstream calls become client spans under it (engine/attempt_span), and finished spans go
// to the OTLP exporter (gateway/trace_exporter). With no `tracing:` the tracer makes nothing and
// the client's trace headers are passed on unchanged. Reactor thread only.

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <optional>
#include <string_view>

#include "engine/upstream_trace.hpp"
#include "gateway/config.hpp"
#include "gateway/http_exchange.hpp"
#include "gateway/request_ids.hpp"
#include "gateway/trace_exporter.hpp"

namespace gw {

class tracer {
 public:
  // `cfg` absent: tracing off. The exporter sends through `client`, which must outlive it.
  tracer(boost::asio::any_io_executor reactor, const std::optional<tracing_config>& cfg, upstream_client& client);
  // Tests: spans go through `transport` instead of HTTP.
  tracer(boost::asio::any_io_executor reactor, const tracing_config& cfg, otlp_transport transport);

  bool enabled() const { return exporter_ != nullptr; }

  // A request just read: its trace headers (the client's traceparent and tracestate, raw) are
  // checked into `req`, and with tracing on an API request gets its span.
  void start(incoming_request& req, std::string_view traceparent, std::string_view tracestate, id_source& ids);
  // What the request's upstream calls carry and where their spans go.
  upstream_trace upstream_for(const incoming_request& req);
  // The exchange is over: its span, if recorded, goes to the exporter with what `rec` says.
  void finish(incoming_request& req, const exchange_record& rec);

  const trace_exporter* exporter() const { return exporter_.get(); }

 private:
  std::optional<tracing_config> cfg_;
  std::unique_ptr<trace_exporter> exporter_;
};

}  // namespace gw
