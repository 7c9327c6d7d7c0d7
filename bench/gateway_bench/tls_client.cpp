#include "bench/gateway_bench/tls_client.hpp"

#include <boost/asio/ssl/error.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace gw::bench {
namespace ssl = boost::asio::ssl;

std::unique_ptr<ssl::context> make_tls_context(const bench_options& o, std::string& error) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  // What any current server offers; older versions would only measure a configuration nobody
  // should deploy.
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  if (o.insecure) {
    ctx->set_verify_mode(ssl::verify_none);
    return ctx;
  }
  ctx->set_verify_mode(ssl::verify_peer);
  if (!o.cacert.empty()) {
    ctx->load_verify_file(o.cacert, ec);
    if (ec) {
      error = "--cacert " + o.cacert + ": cannot load the CA certificates (" + ec.message() + ")";
      return nullptr;
    }
  } else {
    ctx->set_default_verify_paths(ec);
    if (ec) {
      error = "cannot load the system's CA certificates (" + ec.message() + "); give --cacert FILE";
      return nullptr;
    }
  }
  return ctx;
}

bool host_check::operator()(bool preverified, ssl::verify_context& ctx) {
  if (check_(preverified, ctx)) return true;
  // Refused with the chain verified: the name did not match. The chain's own errors are
  // already recorded by OpenSSL.
  if (preverified) X509_STORE_CTX_set_error(ctx.native_handle(), X509_V_ERR_HOSTNAME_MISMATCH);
  return false;
}

std::string describe_tls_failure(const boost::system::error_code& ec, void* ssl_handle, const tls_settings& tls) {
  auto* ssl = static_cast<SSL*>(ssl_handle);
  if (ec.category() != boost::asio::error::get_ssl_category() && ec != ssl::error::stream_truncated)
    return "TLS handshake: " + ec.message();  // the transport failed: a reset, the server closed
  if (ec == ssl::error::stream_truncated) return "TLS handshake: the server closed the connection";
  const int reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
  if (reason == SSL_R_CERTIFICATE_VERIFY_FAILED) {
    const long result = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
    if (result == X509_V_ERR_HOSTNAME_MISMATCH || result == X509_V_OK) return "TLS: certificate verify failed: the certificate does not match " + tls.host;
    return std::string("TLS: certificate verify failed: ") + X509_verify_cert_error_string(result);
  }
  const char* text = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
  return std::string("TLS: ") + (text ? text : ec.message());
}

}  // namespace gw::bench
