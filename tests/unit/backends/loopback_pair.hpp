#pragma once
// Test support: a connected pair of loopback TCP sockets on one io_context, and a bounded way to
// run that io_context until something happened.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>

namespace gw::test {

struct loopback_pair {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket ours{ioc};  // the side under test, accepted as a server accepts
  boost::asio::ip::tcp::socket peer{ioc};  // the other end

  loopback_pair() {
    using boost::asio::ip::tcp;
    tcp::acceptor acceptor(ioc, tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0));
    peer.connect(acceptor.local_endpoint());
    acceptor.accept(ours);
  }

  void run_for(std::chrono::milliseconds d) {
    ioc.restart();  // an io_context that ran out of work stops until restarted
    ioc.run_for(d);
  }

  // Runs the io_context until `done` holds, for at most five seconds; returns `done()`.
  bool run_until(const std::function<bool()>& done) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done() && std::chrono::steady_clock::now() < until) {
      ioc.restart();
      ioc.run_one_for(std::chrono::milliseconds(10));
    }
    return done();
  }
};

}  // namespace gw::test
