// gateway-bench: drives an OpenAI-compatible endpoint with streaming or non-streaming chat or
// completions requests (closed or open loop) and reports vLLM-style latency and throughput
// figures. main() wires the parts: options, dataset, target, shards (one reactor thread each),
// analysis, reports. See bench/README.md.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include "bench/gateway_bench/load_shard.hpp"
#include "bench/gateway_bench/report.hpp"
#include "bench/gateway_bench/tls_client.hpp"

namespace {

namespace asio = boost::asio;
using namespace gw::bench;

std::atomic<bool>* stop_flag = nullptr;

extern "C" void on_sigint(int) {
  // A lock-free atomic store is async-signal-safe; SA_RESETHAND makes a second ^C end the process.
  if (stop_flag) stop_flag->store(true, std::memory_order_relaxed);
}

void install_signals(std::atomic<bool>& flag) {
  stop_flag = &flag;
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

// 10,000 connections need more descriptors than the usual soft limit of 1024: take the hard limit.
void raise_fd_limit(std::uint64_t needed) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < needed + 64)
    std::fprintf(stderr, "gateway-bench: warning: the descriptor limit is %llu, below the %llu connections asked for "
                         "(raise the hard limit: ulimit -Hn)\n",
                 static_cast<unsigned long long>(rl.rlim_cur), static_cast<unsigned long long>(needed));
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  const parse_result parsed = parse_options(args);
  if (parsed.help) {
    std::cout << help_text();
    return 0;
  }
  if (parsed.version) {
    std::cout << "gateway-bench " << GATEWAY_VERSION << "\n";
    return 0;
  }
  if (!parsed.error.empty()) {
    std::cerr << "gateway-bench: " << parsed.error << "\n(gateway-bench --help lists the options)\n";
    return 2;
  }
  const bench_options& o = parsed.options;
  raise_fd_limit(std::uint64_t{o.open_loop() ? o.max_inflight : o.concurrency} + o.idle_connections);

  std::shared_ptr<const std::vector<dataset_entry>> dataset;
  if (!o.dataset.empty()) {
    std::string error;
    auto loaded = load_dataset(o.dataset, error);
    if (!loaded) {
      std::cerr << "gateway-bench: --dataset " << error << "\n";
      return 3;
    }
    dataset = std::make_shared<const std::vector<dataset_entry>>(std::move(*loaded));
  }

  target t;
  {
    asio::io_context resolve_ctx;
    asio::ip::tcp::resolver resolver(resolve_ctx);
    boost::system::error_code ec;
    const auto results = resolver.resolve(o.host, std::to_string(o.port), ec);
    if (ec || results.empty()) {
      std::cerr << "gateway-bench: cannot resolve " << o.host << ": " << ec.message() << "\n";
      return 3;
    }
    for (const auto& r : results) t.endpoints.push_back(r.endpoint());
  }
  t.head = build_request_head(o);
  t.stream = o.stream;
  t.connect_timeout_ns = static_cast<std::int64_t>(o.connect_timeout_s * 1e9);
  t.request_timeout_ns = static_cast<std::int64_t>(o.request_timeout_s * 1e9);
  std::unique_ptr<asio::ssl::context> tls_context;  // https: one for the run, shared by the shards
  tls_settings tls{nullptr, o.host, !o.insecure};
  if (o.tls) {
    std::string error;
    if (!(tls_context = make_tls_context(o, error))) {
      std::cerr << "gateway-bench: " << error << "\n";
      return 3;
    }
    if (o.insecure) std::cerr << "gateway-bench: warning: --insecure: the server's certificate is not verified\n";
    tls.context = tls_context.get();
    t.tls = &tls;
  }

  progress_counters counters;
  t.live = &counters;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> samples_file(nullptr, std::fclose);
  if (!o.samples_path.empty()) {
    samples_file.reset(std::fopen(o.samples_path.c_str(), "w"));
    if (!samples_file) {
      std::cerr << "gateway-bench: cannot write " << o.samples_path << "\n";
      return 3;
    }
  }
  install_signals(counters.stop);
  const run_clock clock;
  const auto warmup_end_ns = static_cast<std::int64_t>((o.idle_phase_s + o.warmup_s) * 1e9);
  progress_line progress(counters, o.progress && isatty(STDERR_FILENO) == 1, warmup_end_ns);
  sample_writer sampler(counters, samples_file.get(), static_cast<std::int64_t>(o.sample_interval_s * 1e9));
  sampler.write(0);
  std::vector<std::unique_ptr<load_shard>> shards;
  for (unsigned i = 0; i < o.threads; ++i)
    shards.push_back(std::make_unique<load_shard>(i, o.threads, o, t, dataset, clock, counters,
                                                  i == 0 ? &progress : nullptr, i == 0 ? &sampler : nullptr));
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < o.threads; ++i) threads.emplace_back([&shards, i] { shards[i]->run(); });
  shards[0]->run();
  for (auto& th : threads) th.join();
  progress.finish();
  sampler.write(clock.now_ns());

  run_facts facts;
  facts.wall_s = static_cast<double>(clock.now_ns()) / 1e9;
  facts.dataset_entries = dataset ? dataset->size() : 0;
  std::vector<request_record> records;
  std::vector<float> itl;
  for (auto& s : shards) {
    auto& r = s->results();
    records.insert(records.end(), r.records.begin(), r.records.end());
    itl.insert(itl.end(), r.itl_ms.begin(), r.itl_ms.end());
    for (std::size_t k = 0; k < error_kind_count; ++k)
      if (facts.first_error[k].empty()) facts.first_error[k] = r.first_error[k];
    facts.max_issue_lag_ms = std::max(facts.max_issue_lag_ms, r.max_issue_lag_ms);
    facts.connections += r.connections;
    facts.idle_failed += r.idle_failed;
    facts.idle_closed += r.idle_closed;
    if (facts.idle_error.empty()) facts.idle_error = r.idle_error;
    r = shard_results{};  // the copies above are what is left
  }
  analysis_params params;
  params.warmup_end_ns = warmup_end_ns;
  params.stream = o.stream;
  params.slo_ttft_ms = o.slo_ttft_ms;
  params.slo_tpot_ms = o.slo_tpot_ms;
  params.slo_e2e_ms = o.slo_e2e_ms;
  facts.summary = analyze(records, itl, params);

  std::cout << human_report(o, facts) << std::flush;
  if (!o.json_path.empty()) {
    std::ofstream out(o.json_path, std::ios::binary | std::ios::trunc);
    out << json_report(o, facts);
    out.close();
    if (!out) {
      std::cerr << "gateway-bench: cannot write " << o.json_path << "\n";
      return 3;
    }
  }
  if (facts.summary.succeeded == 0) {
    std::cerr << "gateway-bench: no measured request succeeded\n";
    return 1;
  }
  return 0;
}
