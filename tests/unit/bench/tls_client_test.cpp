#include "bench/gateway_bench/tls_client.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <gtest/gtest.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <fstream>

namespace gw::bench {
namespace {

bench_options https_options() {
  bench_options o;
  o.url = "https://127.0.0.1:8443";
  o.host = "127.0.0.1";
  o.port = 8443;
  o.tls = true;
  return o;
}

TEST(tls_client, verifies_against_the_system_cas_by_default) {
  std::string error;
  const auto ctx = make_tls_context(https_options(), error);
  ASSERT_TRUE(ctx) << error;
  EXPECT_EQ(SSL_CTX_get_verify_mode(ctx->native_handle()), SSL_VERIFY_PEER);
  EXPECT_GE(SSL_CTX_get_min_proto_version(ctx->native_handle()), TLS1_2_VERSION);
}

TEST(tls_client, insecure_turns_verification_off) {
  auto o = https_options();
  o.insecure = true;
  std::string error;
  const auto ctx = make_tls_context(o, error);
  ASSERT_TRUE(ctx) << error;
  EXPECT_EQ(SSL_CTX_get_verify_mode(ctx->native_handle()), SSL_VERIFY_NONE);
}

TEST(tls_client, a_cacert_that_cannot_be_loaded_is_an_error_naming_it) {
  auto o = https_options();
  o.cacert = ::testing::TempDir() + "/no-such-ca.pem";
  std::string error;
  EXPECT_FALSE(make_tls_context(o, error));
  EXPECT_NE(error.find("--cacert"), std::string::npos) << error;

  o.cacert = ::testing::TempDir() + "/not-a-ca.pem";
  std::ofstream(o.cacert) << "not a certificate\n";
  error.clear();
  EXPECT_FALSE(make_tls_context(o, error));
  EXPECT_NE(error.find(o.cacert), std::string::npos) << error;
}

TEST(tls_client, handshake_failures_are_described) {
  const tls_settings tls{nullptr, "example.test", true};
  EXPECT_EQ(describe_tls_failure(boost::asio::ssl::error::stream_truncated, nullptr, tls),
            "TLS handshake: the server closed the connection");
  const std::string reset = describe_tls_failure(boost::asio::error::connection_reset, nullptr, tls);
  EXPECT_EQ(reset.rfind("TLS handshake: ", 0), 0u) << reset;
  // The error code OpenSSL reports for a refused certificate; without an SSL* the chain's
  // result is unknown, which is how a refused host name looks.
  const boost::system::error_code verify(
      static_cast<int>(ERR_PACK(ERR_LIB_SSL, 0, SSL_R_CERTIFICATE_VERIFY_FAILED)),
      boost::asio::error::get_ssl_category());
  EXPECT_EQ(describe_tls_failure(verify, nullptr, tls),
            "TLS: certificate verify failed: the certificate does not match example.test");
}

}  // namespace
}  // namespace gw::bench
