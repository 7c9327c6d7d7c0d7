// inference-gateway: an OpenAI-compatible gateway in front of local engines.
// Start-up wiring only: options, config, logging, the reactor, signals.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "backends/reactor_read.hpp"
#include "gateway/client_auth.hpp"
#include "gateway/config.hpp"
#include "gateway/gateway.hpp"
#include "gateway/listener.hpp"

#ifndef GATEWAY_VERSION
#define GATEWAY_VERSION "0.0.0"
#endif

namespace {

constexpr const char* usage =
    "usage: inference-gateway [options]\n"
    "  --config FILE     configuration file (default conf/gateway.yaml)\n"
    "  --listen HOST:PORT  listen address, overrides server.listen (port 0 picks a free port)\n"
    "  --check-config    validate the configuration and exit (0 if valid)\n"
    "  --hash-key        read an API key on standard input, print its SHA-256 for auth.keys[].sha256\n"
    "  --help            this text\n"
    "  --version         the version\n";

struct options {
  std::string config = "conf/gateway.yaml";
  std::string listen;
  bool check = false;
  bool hash_key = false;
};

// Returns -1 to go on, or the exit code.
int parse_args(int argc, char** argv, options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "inference-gateway: %s needs a value\n%s", name, usage);
        return nullptr;
      }
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::fputs(usage, stdout);
      return 0;
    } else if (a == "--version") {
      std::printf("inference-gateway %s\n", GATEWAY_VERSION);
      return 0;
    } else if (a == "--check-config") {
      o.check = true;
    } else if (a == "--hash-key") {
      o.hash_key = true;
    } else if (a == "--config") {
      const char* v = value("--config");
      if (!v) return 2;
      o.config = v;
    } else if (a == "--listen") {
      const char* v = value("--listen");
      if (!v) return 2;
      o.listen = v;
    } else {
      std::fprintf(stderr, "inference-gateway: unknown option '%s'\n%s", a.c_str(), usage);
      return 2;
    }
  }
  return -1;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

// Each connection is a descriptor: lift the soft limit to the hard one so max_connections can
// be reached, and say so when it still cannot.
void raise_fd_limit(std::size_t max_connections) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < max_connections + 256)
    spdlog::warn("open file limit {} is below server.max_connections {} plus upstream connections; "
                 "raise it (ulimit -n) or lower max_connections",
                 static_cast<unsigned long long>(rl.rlim_cur), max_connections);
}

// SIGHUP: reload keys, limits and routing policy from the same file, all or nothing.
void reload(gw::gateway& g, const std::string& path, std::string& fingerprint) {
  const std::string text = read_file(path);
  auto loaded = gw::load_config_text(text, path);
  if (auto* e = std::get_if<gw::config_error>(&loaded)) {
    spdlog::error("reload refused, the running configuration stays: {}", e->message);
    return;
  }
  const std::string next_fingerprint = gw::restart_fingerprint(text);
  if (next_fingerprint != fingerprint) {
    spdlog::error("reload refused, the running configuration stays: {}: providers, models (beyond "
                  "`routing:`) or tracing changed, which needs a restart",
                  path);
    return;
  }
  const auto& next = std::get<gw::gateway_config>(loaded);
  g.reload(next);
  spdlog::info("reloaded {}: {} keys, {} CORS origins, routing of {} models", path, next.auth.keys.size(),
               next.cors.allowed_origins.size(), next.models.size());
}

bool is_loopback(const std::string& host) {
  boost::system::error_code ec;
  const auto a = boost::asio::ip::make_address(host, ec);
  return !ec && a.is_loopback();
}

}  // namespace

int main(int argc, char** argv) {
  namespace asio = boost::asio;
  options opt;
  if (int rc = parse_args(argc, argv, opt); rc >= 0) return rc;
  if (opt.hash_key) {
    std::string key;
    std::getline(std::cin, key);
    if (!key.empty() && key.back() == '\r') key.pop_back();
    if (key.empty()) {
      std::fprintf(stderr, "inference-gateway: --hash-key reads the key on standard input; got nothing\n");
      return 2;
    }
    std::printf("%s\n", gw::sha256_hex(key).c_str());
    return 0;
  }

  auto loaded = gw::load_config_file(opt.config);
  if (auto* e = std::get_if<gw::config_error>(&loaded)) {
    std::fprintf(stderr, "inference-gateway: invalid configuration: %s\n", e->message.c_str());
    return 1;
  }
  auto cfg = std::get<gw::gateway_config>(std::move(loaded));
  // A write to a peer that has gone raises SIGPIPE, whose default ends the process without a
  // word. Asio and libcurl send with MSG_NOSIGNAL, but hiredis (the Redis of state.redis) calls
  // write(2): with the signal ignored, that write fails with EPIPE and hiredis reconnects.
  std::signal(SIGPIPE, SIG_IGN);
  if (!opt.listen.empty()) {
    auto a = gw::parse_listen(opt.listen);
    if (!a) {
      std::fprintf(stderr, "inference-gateway: --listen must be HOST:PORT, got '%s'\n", opt.listen.c_str());
      return 2;
    }
    cfg.server.host = std::move(a->host);
    cfg.server.port = a->port;
  }
  // An open API on a reachable address is a mistake unless someone said otherwise in the file.
  if (cfg.auth.keys.empty() && !is_loopback(cfg.server.host) && !cfg.auth.allow_unauthenticated) {
    std::fprintf(stderr,
                 "inference-gateway: refusing to listen on %s with no auth.keys: anyone who can reach it could "
                 "use it. Configure auth.keys, or set auth.allow_unauthenticated: true to accept that.\n",
                 cfg.server.host.c_str());
    return 1;
  }
  if (opt.check) {
    std::printf("%s: configuration is valid (%zu models)\n", opt.config.c_str(), cfg.models.size());
    return 0;
  }
  spdlog::set_level(spdlog::level::from_str(cfg.log.level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
  spdlog::flush_on(spdlog::level::info);
  if (cfg.auth.keys.empty() && !is_loopback(cfg.server.host))
    spdlog::warn("listening on {} with no API keys (auth.allow_unauthenticated): anyone who can reach this "
                 "address can use every model",
                 cfg.server.host);
  raise_fd_limit(cfg.server.max_connections);

  // One reactor thread. Only it touches sockets, descriptors and timers; the engines' threads
  // hand results over with post(), which stays locked. So the reactor's per-descriptor locks,
  // taken on every read, write and readiness event, can go.
  asio::io_context ioc(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO);
  std::unique_ptr<gw::gateway> gp;
  try {
    gp = std::make_unique<gw::gateway>(ioc.get_executor(), cfg);
  } catch (const std::runtime_error& e) {
    std::fprintf(stderr, "inference-gateway: cannot start: %s\n", e.what());
    return 1;
  }
  gw::gateway& g = *gp;

  asio::ip::tcp::acceptor acceptor(ioc);
  try {
    const asio::ip::tcp::endpoint ep(asio::ip::make_address(cfg.server.host), cfg.server.port);
    acceptor.open(ep.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen(asio::socket_base::max_listen_connections);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "inference-gateway: cannot listen on %s:%u: %s\n", cfg.server.host.c_str(),
                 cfg.server.port, e.what());
    return 1;
  }
  const auto bound = acceptor.local_endpoint();
  spdlog::info("socket reads: {}", gw::reactor_reader::shortcut ? "reactor shortcut (Asio 1.81 epoll internals)"
                                                           : "portable (Asio public API)");
  // Tests and scripts read the bound port (useful with port 0) from this line.
  std::string ids;
  for (const auto& m : cfg.models) ids += (ids.empty() ? "" : ", ") + m.id;
  spdlog::info("listening on {}:{} (models: {})", bound.address().to_string(), bound.port(), ids);

  asio::co_spawn(ioc, gw::accept_loop(acceptor, g.context()), asio::detached);

  // SIGTERM/SIGINT drain: stop accepting and turn /readyz to 503 at once; let open requests
  // finish for up to server.drain_timeout_s; then end the remaining streams with an error event
  // and exit 0. A second signal skips the wait.
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  asio::steady_timer drain_timer(ioc);
  asio::steady_timer stop_timer(ioc);
  bool ending = false;
  auto stop_now = [&] {
    spdlog::info("drained: stopping");
    ioc.stop();
  };
  auto end_streams = [&] {
    if (ending) return;
    ending = true;
    drain_timer.cancel();
    g.end_streams();
    // The sessions write their error events now; the idle callback stops the reactor when the
    // last one is done, this timer in case a client does not read.
    stop_timer.expires_after(std::chrono::seconds(2));
    stop_timer.async_wait([&](boost::system::error_code ec) {
      if (!ec) stop_now();
    });
  };
  std::function<void(boost::system::error_code, int)> on_signal = [&](boost::system::error_code ec, int sig) {
    if (ec) return;
    if (g.context().drain.draining()) {
      spdlog::info("signal {} again: ending open streams now", sig);
      end_streams();
      return;
    }
    const auto grace = g.config().server.drain_timeout;
    spdlog::info("signal {}: draining, open requests have {} s to finish", sig, grace.count());
    boost::system::error_code ignored;
    acceptor.close(ignored);
    g.begin_drain([&] { asio::post(ioc, stop_now); });
    drain_timer.expires_after(grace);
    drain_timer.async_wait([&](boost::system::error_code tec) {
      if (!tec) end_streams();
    });
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);

  asio::signal_set hangup(ioc, SIGHUP);
  std::string fingerprint = gw::restart_fingerprint(read_file(opt.config));
  std::function<void(boost::system::error_code, int)> on_hangup = [&](boost::system::error_code ec, int) {
    if (ec) return;
    reload(g, opt.config, fingerprint);
    hangup.async_wait(on_hangup);
  };
  hangup.async_wait(on_hangup);

  ioc.run();
  spdlog::info("stopped");
  return 0;
}
