#pragma once
// Where a Redis lives, as operators write it: redis://[[user]:password@]host[:port][/db] or
// unix:///path/to/redis.sock[?db=N]. Pure parsing; the client (redis_client.hpp) connects.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gw {

struct redis_endpoint {
  std::string host;         // empty when `unix_path` is set
  std::uint16_t port = 6379;
  std::string unix_path;    // a Unix socket instead of TCP
  std::string user;         // ACL user (Redis 6+); empty: the default user
  std::string password;     // empty: no AUTH
  unsigned db = 0;          // SELECT after connecting when not 0
};

// nullopt with `why` set when the URL is not one of the forms above.
std::optional<redis_endpoint> parse_redis_url(std::string_view url, std::string& why);

}  // namespace gw
