#include "gateway/upstream_body.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

namespace gw {
namespace {

TEST(upstream_body, chat_keeps_the_clients_stream_flag_and_maps_the_model) {
  chat_request r;
  r.model = "public";
  r.messages = {{message_role::system, "be \"brief\"", ""}, {message_role::user, "hi", "ann"}};
  r.sampling.max_tokens = 12;
  r.sampling.temperature = 0.5;
  r.sampling.seed = static_cast<std::uint64_t>(-5);
  r.sampling.stop = {"\n", "END"};
  r.stream = true;
  r.include_usage = false;  // usage is always asked for upstream
  r.user = "u1";
  simdjson::dom::parser p;
  auto j = p.parse(upstream_body(r, "upstream-name")).value();
  EXPECT_EQ(std::string_view(j["model"]), "upstream-name");
  EXPECT_TRUE(bool(j["stream"]));
  EXPECT_TRUE(bool(j["stream_options"]["include_usage"]));
  r.stream = false;  // one JSON answer, which carries usage anyway
  simdjson::dom::parser p2;
  auto plain = p2.parse(upstream_body(r, "upstream-name")).value();
  EXPECT_FALSE(bool(plain["stream"]));
  EXPECT_TRUE(plain["stream_options"].error() == simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(j["messages"].get_array().size(), 2u);
  EXPECT_EQ(std::string_view(j["messages"].at(0)["content"]), "be \"brief\"");
  EXPECT_EQ(std::string_view(j["messages"].at(1)["name"]), "ann");
  EXPECT_EQ(uint64_t(j["max_tokens"]), 12u);
  EXPECT_DOUBLE_EQ(double(j["temperature"]), 0.5);
  EXPECT_EQ(int64_t(j["seed"]), -5);
  EXPECT_EQ(j["stop"].get_array().size(), 2u);
  EXPECT_EQ(std::string_view(j["user"]), "u1");
}

TEST(upstream_body, legacy_prompt_without_echo) {
  completion_request r;
  r.model = "m";
  r.prompt = "once";
  r.echo = true;  // the gateway prepends the prompt itself
  simdjson::dom::parser p;
  auto j = p.parse(upstream_body(r, "m2")).value();
  EXPECT_EQ(std::string_view(j["prompt"]), "once");
  EXPECT_EQ(j["echo"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(j["max_tokens"].error(), simdjson::NO_SUCH_FIELD);
}

}  // namespace
}  // namespace gw
