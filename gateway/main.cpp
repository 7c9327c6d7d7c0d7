// inference-gateway: an OpenAI-compatible gateway in front of local engines.
// Start-up wiring only: options, config, logging, the reactor, signals.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>

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
    "  --help            this text\n"
    "  --version         the version\n";

struct options {
  std::string config = "conf/gateway.yaml";
  std::string listen;
  bool check = false;
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

}  // namespace

int main(int argc, char** argv) {
  namespace asio = boost::asio;
  options opt;
  if (int rc = parse_args(argc, argv, opt); rc >= 0) return rc;

  auto loaded = gw::load_config_file(opt.config);
  if (auto* e = std::get_if<gw::config_error>(&loaded)) {
    std::fprintf(stderr, "inference-gateway: invalid configuration: %s\n", e->message.c_str());
    return 1;
  }
  auto cfg = std::get<gw::gateway_config>(std::move(loaded));
  if (!opt.listen.empty() && !gw::parse_listen(opt.listen, cfg.server.host, cfg.server.port)) {
    std::fprintf(stderr, "inference-gateway: --listen must be HOST:PORT, got '%s'\n", opt.listen.c_str());
    return 2;
  }
  if (opt.check) {
    std::printf("%s: configuration is valid (%zu models)\n", opt.config.c_str(), cfg.models.size());
    return 0;
  }
  spdlog::set_level(spdlog::level::from_str(cfg.log.level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
  spdlog::flush_on(spdlog::level::info);

  asio::io_context ioc(1);  // one reactor thread: no locking in gateway code
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
  // Tests and scripts read the bound port (useful with port 0) from this line.
  std::string ids;
  for (const auto& m : cfg.models) ids += (ids.empty() ? "" : ", ") + m.id;
  spdlog::info("listening on {}:{} (models: {})", bound.address().to_string(), bound.port(), ids);

  asio::co_spawn(ioc, gw::accept_loop(acceptor, g), asio::detached);

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  asio::steady_timer stop_timer(ioc);
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: stopping", sig);
    boost::system::error_code ignored;
    acceptor.close(ignored);
    g.drain();  // open streams end with an error event, queued requests with 503
    // A moment for those last events to be written, then stop the reactor.
    stop_timer.expires_after(std::chrono::milliseconds(200));
    stop_timer.async_wait([&](boost::system::error_code) { ioc.stop(); });
  });

  ioc.run();
  spdlog::info("stopped");
  return 0;
}
