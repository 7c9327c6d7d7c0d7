// gateway-bench: drives an OpenAI-compatible (or Anthropic Messages) endpoint with streaming or
// non-streaming requests (closed or open loop, one load point or a sweep of them) and reports
// vLLM-style latency and throughput figures. main() wires the parts: options, dataset, target,
// per point the shards (one reactor thread each) and the analysis, then the reports. See
// bench/README.md.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "bench/gateway_bench/html_report.hpp"
#include "bench/gateway_bench/load_shard.hpp"
#include "bench/gateway_bench/report.hpp"
#include "bench/gateway_bench/sweep_report.hpp"
#include "bench/gateway_bench/tls_client.hpp"

namespace {

namespace asio = boost::asio;
using namespace gw::bench;

// The running point's stop flag, and whether ^C came (a sweep then runs no further point).
std::atomic<std::atomic<bool>*> stop_flag{nullptr};
std::atomic<bool> interrupted{false};

extern "C" void on_sigint(int) {
  // Lock-free atomic loads and stores are async-signal-safe; SA_RESETHAND makes a second ^C end
  // the process.
  interrupted.store(true, std::memory_order_relaxed);
  if (auto* flag = stop_flag.load(std::memory_order_relaxed)) flag->store(true, std::memory_order_relaxed);
}

void install_signals() {
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

// Runs the load point `o` to its end: its shards on their threads, then the analysis.
run_facts run_point(const bench_options& o, target t, const std::shared_ptr<const std::vector<dataset_entry>>& dataset,
                    std::FILE* samples_file) {
  progress_counters counters;
  t.live = &counters;
  stop_flag.store(&counters.stop, std::memory_order_relaxed);
  if (interrupted.load(std::memory_order_relaxed)) counters.stop.store(true, std::memory_order_relaxed);
  const run_clock clock;
  const auto warmup_end_ns = static_cast<std::int64_t>((o.idle_phase_s + o.warmup_s) * 1e9);
  progress_line progress(counters, o.progress && isatty(STDERR_FILENO) == 1, warmup_end_ns);
  sample_writer sampler(counters, samples_file, static_cast<std::int64_t>(o.sample_interval_s * 1e9));
  sampler.write(0);
  std::vector<std::unique_ptr<load_shard>> shards;
  for (unsigned i = 0; i < o.threads; ++i)
    shards.push_back(std::make_unique<load_shard>(i, o.threads, o, t, dataset, clock, counters,
                                                  i == 0 ? &progress : nullptr, i == 0 ? &sampler : nullptr));
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < o.threads; ++i) threads.emplace_back([&shards, i] { shards[i]->run(); });
  shards[0]->run();
  for (auto& th : threads) th.join();
  stop_flag.store(nullptr, std::memory_order_relaxed);
  progress.finish();
  sampler.write(clock.now_ns());

  run_facts facts;
  facts.wall_s = static_cast<double>(clock.now_ns()) / 1e9;
  facts.dataset_entries = dataset ? dataset->size() : 0;
  facts.timeline = sampler.timeline();
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
  return facts;
}

// The options of the sweep's point at `value`.
bench_options point_options(const bench_options& base, double value) {
  bench_options o = base;
  if (base.sweep.variable == sweep_variable::rate) o.rate = value;
  else o.concurrency = static_cast<std::uint32_t>(value);
  return o;
}

// Runs every point of the sweep in turn (or the max-rate search's), printing each point's report
// as it ends, then the sweep's table; returns the sweep's JSON document.
std::string run_sweep(const bench_options& base, const target& t,
                      const std::shared_ptr<const std::vector<dataset_entry>>& dataset, std::FILE* samples_file,
                      bool& any_succeeded) {
  std::vector<std::string> docs;
  std::vector<sweep_row> rows;
  std::optional<max_rate_search> search;
  if (base.sweep.max_rate)
    search.emplace(base.sweep.low, base.sweep.high, base.sweep.max_rate_steps, base.sweep.goodput_target);
  for (std::size_t i = 0; !interrupted.load(std::memory_order_relaxed); ++i) {
    double value = 0;
    if (search) {
      const auto next = search->next();
      if (!next) break;
      value = *next;
    } else {
      if (i >= base.sweep.values.size()) break;
      value = base.sweep.values[i];
    }
    const bench_options o = point_options(base, value);
    std::cout << "--- sweep point " << i + 1 << ": " << to_string(base.sweep.variable) << " " << value << " ---\n";
    run_facts f = run_point(o, t, dataset, samples_file);
    std::cout << human_report(o, f) << std::flush;
    any_succeeded = any_succeeded || f.summary.succeeded > 0;
    if (search) search->record(value, goodput_fraction(f.summary));
    docs.push_back(json_report(o, f, point_load{base.sweep.variable, value}));
    rows.push_back({value, std::move(f.summary)});
  }
  std::optional<max_rate_answer> answer;
  if (search) answer = max_rate_answer{search->best(), search->best_fraction(), search->first_failing()};
  std::cout << sweep_table(base, rows, answer) << std::flush;
  std::vector<double> values;
  for (const auto& r : rows) values.push_back(r.value);
  return sweep_json_report(base, dataset ? dataset->size() : 0, docs, values, answer);
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
  std::uint64_t most_connections = o.open_loop() ? o.max_inflight : o.concurrency;
  if (o.sweep.variable == sweep_variable::concurrency)
    for (double v : o.sweep.values) most_connections = std::max(most_connections, static_cast<std::uint64_t>(v));
  raise_fd_limit(most_connections + o.idle_connections);

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

  t.messages = o.endpoint == api_endpoint::messages;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> samples_file(nullptr, std::fclose);
  if (!o.samples_path.empty()) {
    samples_file.reset(std::fopen(o.samples_path.c_str(), "w"));
    if (!samples_file) {
      std::cerr << "gateway-bench: cannot write " << o.samples_path << "\n";
      return 3;
    }
  }
  install_signals();
  bool any_succeeded = false;
  std::string document;
  if (o.sweep.variable != sweep_variable::none) {
    document = run_sweep(o, t, dataset, samples_file.get(), any_succeeded);
  } else {
    const run_facts facts = run_point(o, t, dataset, samples_file.get());
    any_succeeded = facts.summary.succeeded > 0;
    std::cout << human_report(o, facts) << std::flush;
    document = json_report(o, facts);
  }
  if (!o.json_path.empty()) {
    std::ofstream out(o.json_path, std::ios::binary | std::ios::trunc);
    out << document;
    out.close();
    if (!out) {
      std::cerr << "gateway-bench: cannot write " << o.json_path << "\n";
      return 3;
    }
  }
  if (!o.html_path.empty()) {
    // The page embeds the very document --json writes (a run or a sweep) and draws it.
    std::ofstream out(o.html_path, std::ios::binary | std::ios::trunc);
    out << html_report(document);
    out.close();
    if (!out) {
      std::cerr << "gateway-bench: cannot write " << o.html_path << "\n";
      return 3;
    }
  }
  if (!any_succeeded) {
    std::cerr << "gateway-bench: no measured request succeeded\n";
    return 1;
  }
  return 0;
}
