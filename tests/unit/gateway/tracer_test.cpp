#include "gateway/tracer.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <boost/asio/io_context.hpp>
#include <string>
#include <vector>

namespace gw {
namespace {

const std::string client_tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

class tracer_test : public ::testing::Test {
 protected:
  tracer make(double ratio = 1.0) {
    tracing_config cfg;
    cfg.otlp_endpoint = "http://collector";
    cfg.max_batch_spans = 1;  // every span leaves at once
    cfg.sample_ratio = ratio;
    return tracer(ioc_.get_executor(), cfg, [this](std::string body, std::function<void(bool)> done) {
      bodies_.push_back(std::move(body));
      done(true);
    });
  }
  incoming_request api_request(std::string path = "/v1/chat/completions") {
    incoming_request r;
    r.method = "POST";
    r.path = std::move(path);
    r.request_id = "req-1";
    return r;
  }
  // The one span of the one export so far.
  simdjson::dom::element only_span() {
    EXPECT_EQ(bodies_.size(), 1u);
    EXPECT_EQ(parser_.parse(bodies_.at(0)).get(doc_), simdjson::SUCCESS);
    return doc_["resourceSpans"].at(0)["scopeSpans"].at(0)["spans"].at(0);
  }

  boost::asio::io_context ioc_;
  id_source ids_;
  std::vector<std::string> bodies_;
  simdjson::dom::parser parser_;
  simdjson::dom::element doc_;
};

TEST(tracer_off, passes_the_clients_headers_on_and_makes_no_span) {
  boost::asio::io_context ioc;
  upstream_client client(ioc.get_executor());
  tracer t(ioc.get_executor(), std::nullopt, client);
  id_source ids;
  incoming_request r;
  r.path = "/v1/chat/completions";
  t.start(r, client_tp, "rojo=1", ids);
  EXPECT_FALSE(t.enabled());
  EXPECT_EQ(r.span, nullptr);
  const upstream_trace u = t.upstream_for(r);
  EXPECT_EQ(u.traceparent, client_tp);
  EXPECT_EQ(u.tracestate, "rojo=1");
  EXPECT_FALSE(u.parent);

  incoming_request bad;
  t.start(bad, "00-zz", "rojo=1", ids);  // a tracestate without a valid traceparent is dropped
  EXPECT_EQ(bad.traceparent, "");
  EXPECT_EQ(bad.tracestate, "");
}

TEST_F(tracer_test, the_request_span_is_the_child_of_the_clients) {
  auto t = make();
  auto r = api_request();
  t.start(r, client_tp, "rojo=1", ids_);
  ASSERT_NE(r.span, nullptr);
  EXPECT_EQ(to_hex(r.span->context.trace), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(to_hex(r.span->parent), "00f067aa0ba902b7");
  EXPECT_NE(r.span->context.span, r.span->parent);

  const upstream_trace u = t.upstream_for(r);
  ASSERT_TRUE(u.parent);
  EXPECT_EQ(u.parent->span, r.span->context.span);  // attempts hang under the gateway's span
  EXPECT_NE(u.sink, nullptr);
  EXPECT_EQ(u.tracestate, "rojo=1");
  const std::string own = to_hex(r.span->context.span);

  r.span->add("gateway.route_reason", std::string("overflow->remote"));
  r.span->event("fallback", {{"gateway.route", std::string("local:m")}});
  exchange_record rec;
  rec.endpoint = "/v1/chat/completions";
  rec.status = 200;
  rec.model = "m";
  rec.route = "remote:p1";
  rec.route_kind = "remote";
  rec.prompt_tokens = 5;
  rec.completion_tokens = 7;
  t.finish(r, rec);
  EXPECT_EQ(r.span, nullptr);

  auto s = only_span();
  EXPECT_EQ(std::string_view(s["traceId"]), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(std::string_view(s["parentSpanId"]), "00f067aa0ba902b7");
  EXPECT_EQ(std::string_view(s["spanId"]), own);
  EXPECT_EQ(std::string_view(s["name"]), "POST /v1/chat/completions");
  EXPECT_EQ(int64_t(s["kind"]), 2);
  EXPECT_EQ(int64_t(s["status"]["code"]), 0);
  std::map<std::string, std::string> attrs;
  for (auto a : simdjson::dom::array(s["attributes"])) {
    std::string_view v;
    if (a["value"]["stringValue"].get(v) == simdjson::SUCCESS || a["value"]["intValue"].get(v) == simdjson::SUCCESS)
      attrs[std::string(std::string_view(a["key"]))] = std::string(v);
  }
  EXPECT_EQ(attrs["gen_ai.request.model"], "m");
  EXPECT_EQ(attrs["gen_ai.operation.name"], "chat");
  EXPECT_EQ(attrs["gateway.route"], "remote:p1");
  EXPECT_EQ(attrs["gateway.route_reason"], "overflow->remote");
  EXPECT_EQ(attrs["http.response.status_code"], "200");
  EXPECT_EQ(attrs["gen_ai.usage.input_tokens"], "5");
  EXPECT_EQ(attrs["gen_ai.usage.output_tokens"], "7");
  EXPECT_EQ(std::string_view(s["events"].at(0)["name"]), "fallback");
}

TEST_F(tracer_test, without_a_traceparent_the_gateway_starts_a_trace) {
  auto t = make();
  auto r = api_request();
  t.start(r, "", "rojo=1", ids_);
  ASSERT_NE(r.span, nullptr);
  EXPECT_TRUE(is_zero(r.span->parent));
  EXPECT_FALSE(is_zero(r.span->context.trace));
  EXPECT_TRUE(r.span->recorded);
  EXPECT_EQ(r.tracestate, "");
  exchange_record rec;
  rec.status = 503;
  rec.error = "no_route";
  t.finish(r, rec);
  auto s = only_span();
  EXPECT_EQ(s["parentSpanId"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(int64_t(s["status"]["code"]), 2);  // a 5xx is the server's failure
}

TEST_F(tracer_test, sampling_obeys_the_client_and_the_ratio) {
  auto t = make(0.0);
  auto unsampled = api_request();
  t.start(unsampled, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", "", ids_);
  ASSERT_NE(unsampled.span, nullptr);
  EXPECT_FALSE(unsampled.span->recorded);
  EXPECT_EQ(t.upstream_for(unsampled).sink, nullptr);  // ids go on, nothing is recorded
  EXPECT_TRUE(t.upstream_for(unsampled).parent);

  auto sampled = api_request();  // the client's decision wins over the ratio
  t.start(sampled, client_tp, "", ids_);
  EXPECT_TRUE(sampled.span->recorded);

  auto fresh = api_request();  // a new trace at ratio 0
  t.start(fresh, "", "", ids_);
  EXPECT_FALSE(fresh.span->recorded);

  exchange_record rec;
  t.finish(unsampled, rec);
  t.finish(fresh, rec);
  EXPECT_TRUE(bodies_.empty());
}

TEST_F(tracer_test, probes_and_metrics_make_no_span) {
  auto t = make();
  auto r = api_request("/metrics");
  t.start(r, client_tp, "", ids_);
  EXPECT_EQ(r.span, nullptr);
  EXPECT_EQ(t.upstream_for(r).traceparent, client_tp);
}

}  // namespace
}  // namespace gw
