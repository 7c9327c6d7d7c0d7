#include "backends/upstream_client.hpp"

#include <cstdlib>

#include "backends/curl_client.hpp"
#include "backends/http1_client.hpp"
#include "backends/http1_request.hpp"

namespace gw {

namespace {
bool proxy_in_environment() {
  for (const char* name : {"http_proxy", "all_proxy", "ALL_PROXY"})
    if (const char* v = std::getenv(name); v && *v) return true;
  return false;
}
}  // namespace

upstream_client::upstream_client(boost::asio::any_io_executor reactor, upstream_client_options opts)
    : curl_(std::make_unique<curl_client>(reactor)) {
  if (opts.native_http1 && !proxy_in_environment()) http1_ = std::make_unique<http1_client>(reactor);
}

upstream_client::~upstream_client() = default;

std::shared_ptr<upstream_transfer> upstream_client::start(upstream_request req, upstream_handlers handlers) {
  if (http1_)
    if (auto where = plain_http(req.url)) return http1_->start(std::move(where), std::move(req), std::move(handlers));
  return curl_->start(std::move(req), std::move(handlers));
}

// A gateway calls a handful of URLs (each provider's or server's endpoints), so each is parsed
// once: parsing, and copying the parts into every transfer, cost a few allocations per request.
// The cache is bounded for a configuration that names many; null means "not for the HTTP/1.1
// client".
std::shared_ptr<const plain_http_url> upstream_client::plain_http(const std::string& url) {
  if (auto it = parsed_.find(url); it != parsed_.end()) return it->second;
  if (parsed_.size() >= 256) parsed_.clear();
  std::shared_ptr<const plain_http_url> where;
  if (auto u = parse_plain_http_url(url)) where = std::make_shared<const plain_http_url>(std::move(*u));
  parsed_.emplace(url, where);
  return where;
}

std::size_t upstream_client::active_transfers() const {
  return curl_->active_transfers() + (http1_ ? http1_->active_transfers() : 0);
}

}  // namespace gw
