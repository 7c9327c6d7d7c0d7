#include "bench/gateway_bench/client_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <openssl/ssl.h>

namespace gw::bench {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
}  // namespace

void client_stream::close() {
  boost::system::error_code ignored;
  if (tls_stream_) tls_stream_->next_layer().close(ignored);
  else socket_.close(ignored);
}

void client_stream::cancel() {
  boost::system::error_code ignored;
  if (tls_stream_) tls_stream_->next_layer().cancel(ignored);
  else socket_.cancel(ignored);
}

asio::awaitable<boost::system::error_code> client_stream::connect(const std::vector<tcp::endpoint>& eps,
                                                                  std::string& detail) {
  // No operation is pending here (the connection runs one request at a time), so the previous
  // TLS stream, closed, can go.
  if (tls_) tls_stream_ = std::make_unique<tls_stream>(socket_.get_executor(), *tls_->context);
  tcp::socket& socket = tls_stream_ ? tls_stream_->next_layer() : socket_;
  auto [ec, ep] = co_await asio::async_connect(socket, eps, use_tuple);
  if (ec) {
    detail = "connect: " + ec.message();
    co_return ec;
  }
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (!tls_) co_return ec;

  SSL* ssl = tls_stream_->native_handle();
  // SNI carries host names only (RFC 6066); an address is checked against the certificate's
  // IP entries instead.
  boost::system::error_code not_address;
  asio::ip::make_address(tls_->host, not_address);
  if (not_address) SSL_set_tlsext_host_name(ssl, tls_->host.c_str());
  if (tls_->verify) tls_stream_->set_verify_callback(host_check(tls_->host));
  auto [hec] = co_await tls_stream_->async_handshake(asio::ssl::stream_base::client, use_tuple);
  if (hec) detail = describe_tls_failure(hec, ssl, *tls_);
  co_return hec;
}

}  // namespace gw::bench
