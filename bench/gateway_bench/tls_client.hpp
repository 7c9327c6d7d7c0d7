#pragma once
// TLS for https:// targets: the client context of a run, built once from the options before the
// shards start and only read afterwards (OpenSSL lets several threads create SSL objects from one
// SSL_CTX that no longer changes), and the words for a handshake that failed.

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/verify_context.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <string>

#include "bench/gateway_bench/options.hpp"

namespace gw::bench {

// What every TLS connection of a run shares. `context` is owned by main() and outlives the run.
struct tls_settings {
  boost::asio::ssl::context* context = nullptr;
  std::string host;     // SNI (names only) and the name or address the certificate must carry
  bool verify = true;   // false with --insecure
};

// The client context for `o` (TLS 1.2 at least; verify_peer against --cacert or the system's
// default CA paths, or verify_none with --insecure). Null with `error` set when the CA file
// cannot be loaded.
std::unique_ptr<boost::asio::ssl::context> make_tls_context(const bench_options& o, std::string& error);

// The verify callback of a connection: Asio's host_name_verification (the leaf certificate must
// carry the host name, or the address in an IP entry), which on a mismatch also records why, so
// that the handshake's failure can say so rather than "unspecified".
class host_check {
 public:
  explicit host_check(const std::string& host) : check_(host) {}
  bool operator()(bool preverified, boost::asio::ssl::verify_context& ctx);

 private:
  boost::asio::ssl::host_name_verification check_;
};

// The `connect` error detail of a failed handshake on `ssl` (an SSL*), e.g. "TLS: certificate
// verify failed: self-signed certificate in certificate chain".
std::string describe_tls_failure(const boost::system::error_code& ec, void* ssl, const tls_settings& tls);

}  // namespace gw::bench
