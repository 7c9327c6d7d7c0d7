#include "backends/redis_url.hpp"

#include <gtest/gtest.h>

namespace gw {
namespace {

redis_endpoint ok(std::string_view url) {
  std::string why;
  auto ep = parse_redis_url(url, why);
  EXPECT_TRUE(ep) << url << ": " << why;
  return ep.value_or(redis_endpoint{});
}

std::string bad(std::string_view url) {
  std::string why;
  EXPECT_FALSE(parse_redis_url(url, why)) << url;
  return why;
}

TEST(redis_url, tcp_forms) {
  auto ep = ok("redis://localhost");
  EXPECT_EQ(ep.host, "localhost");
  EXPECT_EQ(ep.port, 6379);
  EXPECT_EQ(ep.db, 0u);
  EXPECT_TRUE(ep.password.empty());
  ep = ok("redis://user:p%3Ass@10.1.2.3:7000/5");
  EXPECT_EQ(ep.host, "10.1.2.3");
  EXPECT_EQ(ep.port, 7000);
  EXPECT_EQ(ep.user, "user");
  EXPECT_EQ(ep.password, "p:ss");
  EXPECT_EQ(ep.db, 5u);
  ep = ok("redis://onlypassword@h");  // the older form: the one field is the password
  EXPECT_TRUE(ep.user.empty());
  EXPECT_EQ(ep.password, "onlypassword");
  ep = ok("redis://[::1]:6390");
  EXPECT_EQ(ep.host, "::1");
  EXPECT_EQ(ep.port, 6390);
}

TEST(redis_url, unix_socket) {
  auto ep = ok("unix:///run/redis/redis.sock?db=3");
  EXPECT_EQ(ep.unix_path, "/run/redis/redis.sock");
  EXPECT_EQ(ep.db, 3u);
  EXPECT_TRUE(ep.host.empty());
}

TEST(redis_url, refusals_say_why) {
  EXPECT_NE(bad("rediss://h").find("stunnel"), std::string::npos);
  EXPECT_NE(bad("redis://h:0").find("port"), std::string::npos);
  EXPECT_NE(bad("redis://h:70000").find("port"), std::string::npos);
  EXPECT_NE(bad("redis://h/x").find("database"), std::string::npos);
  EXPECT_NE(bad("redis://:pw@").find("host"), std::string::npos);
  EXPECT_NE(bad("redis://u:%zz@h").find("escape"), std::string::npos);
  EXPECT_NE(bad("redis://u:%4@h").find("escape"), std::string::npos);
  EXPECT_NE(bad("unix://relative.sock").find("absolute"), std::string::npos);
  EXPECT_NE(bad("unix:///s.sock?timeout=1").find("db="), std::string::npos);
  EXPECT_NE(bad("redis://[::1").find("["), std::string::npos);
}

}  // namespace
}  // namespace gw
