#include "backends/reactor_read.hpp"

#include "tests/unit/backends/loopback_pair.hpp"

#include <gtest/gtest.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <poll.h>

namespace gw {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

struct text_target final : read_target {
  void append(std::string_view bytes) override { text.append(bytes); }
  std::string text;
};

struct socket_pair : test::loopback_pair {
  reactor_reader reader{ioc.get_executor()};

  void send(const std::string& bytes) { asio::write(peer, asio::buffer(bytes)); }

  // Waits (without running the reactor) until the peer's FIN has reached our socket.
  bool peer_closed_seen() {
    pollfd fd{ours.native_handle(), POLLRDHUP, 0};
    return ::poll(&fd, 1, 10'000) == 1 && (fd.revents & POLLRDHUP) != 0;
  }

  // Starts one read of at most `max` bytes; `out` gets its outcome.
  void start(text_target& t, std::size_t max, std::optional<error_code>& out) {
    reader.async_read(ours, t, max, [&out](error_code ec) { out = ec; });
  }

  // Starts a read, checks that it waits, then does `act` and runs the read to its completion.
  std::optional<error_code> read_pending_across(text_target& t, const std::function<void()>& act) {
    std::optional<error_code> out;
    start(t, 1024, out);
    run_for(std::chrono::milliseconds(20));
    EXPECT_FALSE(out.has_value()) << "completed with nothing to read";
    act();
    run_until([&] { return out.has_value(); });
    return out;
  }

  // Starts one read of at most `max` bytes and runs it to its completion.
  std::optional<error_code> read(text_target& t, std::size_t max) {
    std::optional<error_code> out;
    start(t, max, out);
    run_until([&] { return out.has_value(); });
    return out;
  }
};

TEST(reactor_read, reads_bytes_that_are_already_there) {
  socket_pair p;
  p.send("hello");
  text_target t;
  EXPECT_EQ(p.read(t, 1024), error_code{});
  EXPECT_EQ(t.text, "hello");
}

TEST(reactor_read, waits_for_bytes_and_completes_only_then) {
  socket_pair p;
  text_target t;
  EXPECT_EQ(p.read_pending_across(t, [&] { p.send("later"); }), error_code{});
  EXPECT_EQ(t.text, "later");
}

// The point of the reads: after one that drained the socket, the next is queued without asking
// the kernel. It must still see every later arrival, whatever their sizes, in order.
TEST(reactor_read, a_read_after_a_draining_one_sees_the_next_bytes) {
  socket_pair p;
  text_target t;
  std::string sent;
  for (int round = 0; round < 300; ++round) {
    std::optional<error_code> out;
    p.start(t, 512, out);
    const std::string bytes(static_cast<std::size_t>(1 + (round * 37) % 700), static_cast<char>('a' + round % 26));
    p.send(bytes);
    sent += bytes;
    ASSERT_TRUE(p.run_until([&] { return out.has_value(); })) << "round " << round;
    ASSERT_EQ(*out, error_code{});
    while (t.text.size() < sent.size()) {  // more than one read's worth: read the rest
      ASSERT_EQ(p.read(t, 512), std::optional<error_code>(error_code{})) << "round " << round;
    }
  }
  EXPECT_EQ(t.text, sent);
}

TEST(reactor_read, a_read_of_exactly_its_size_leaves_the_rest_for_the_next) {
  socket_pair p;
  p.send("abcdefghij");
  text_target t;
  EXPECT_EQ(p.read(t, 4), error_code{});
  EXPECT_EQ(t.text, "abcd");
  EXPECT_EQ(p.read(t, 4), error_code{});
  EXPECT_EQ(t.text, "abcdefgh");
  EXPECT_EQ(p.read(t, 4), error_code{});
  EXPECT_EQ(t.text, "abcdefghij");
}

TEST(reactor_read, the_peer_closing_ends_a_pending_read_with_eof) {
  socket_pair p;
  text_target t;
  EXPECT_EQ(p.read_pending_across(t, [&] { p.peer.close(); }), asio::error::eof);
  EXPECT_EQ(t.text, "");
  // The end stays readable: a later read, ours or Asio's own (as a lingering close does), finds
  // it at once, with no new edge to come.
  EXPECT_EQ(p.read(t, 1024), asio::error::eof);
  std::optional<error_code> theirs;
  std::array<char, 16> bytes;
  p.ours.async_read_some(asio::buffer(bytes), [&](error_code ec, std::size_t) { theirs = ec; });
  ASSERT_TRUE(p.run_until([&] { return theirs.has_value(); }));
  EXPECT_EQ(*theirs, asio::error::eof);
}

// The peer's last bytes and its FIN reach the socket before the reactor looks: one readiness
// event for both, and a short read that returns the bytes. The FIN must still end the next read,
// although no new event will come for it.
TEST(reactor_read, a_close_that_arrives_with_the_last_bytes_ends_the_next_read) {
  for (const bool pending_first : {true, false}) {
    socket_pair p;
    text_target t;
    std::optional<error_code> out;
    if (pending_first) {  // the read is queued before the bytes come: the reactor performs it
      p.start(t, 1024, out);
      p.run_for(std::chrono::milliseconds(10));
    }
    p.send("last");
    p.peer.shutdown(tcp::socket::shutdown_send);
    ASSERT_TRUE(p.peer_closed_seen());  // both in before the reactor looks
    if (!pending_first) p.start(t, 1024, out);
    ASSERT_TRUE(p.run_until([&] { return out.has_value(); }));
    EXPECT_EQ(*out, error_code{});
    EXPECT_EQ(t.text, "last");
    EXPECT_EQ(p.read(t, 1024), asio::error::eof) << (pending_first ? "pending first" : "started after");
  }
}

TEST(reactor_read, cancelling_or_closing_the_socket_aborts_a_pending_read) {
  for (const bool close : {false, true}) {
    socket_pair p;
    text_target t;
    const auto out = p.read_pending_across(t, [&] {
      if (close) p.ours.close();
      else p.ours.cancel();
    });
    EXPECT_EQ(out, asio::error::operation_aborted) << (close ? "close" : "cancel");
  }
}

TEST(reactor_read, an_io_context_destroyed_with_a_read_pending_destroys_its_handler_uncalled) {
  auto token = std::make_shared<int>(0);
  std::weak_ptr<int> watch = token;
  bool called = false;
  text_target t;
  {
    socket_pair p;
    p.reader.async_read(p.ours, t, 1024, [&called, token = std::move(token)](error_code) { called = true; });
    p.run_for(std::chrono::milliseconds(10));
    EXPECT_FALSE(watch.expired());
  }
  EXPECT_FALSE(called);
  EXPECT_TRUE(watch.expired());
}

}  // namespace
}  // namespace gw
