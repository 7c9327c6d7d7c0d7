// Every input goes through the Messages front's three translations: as a Messages request (to a
// chat body), as a chat completion (to a message) and as a chunk stream cut in two (to events);
// and through the passthrough of a Messages-native provider (backends/messages_relay): as one
// streamed event, which must stay one SSE event with the same data (but message_start's model),
// and as a whole message, which must keep an object's structure.
// Nothing may crash; a refusal must be a 4xx with a message; everything written must be a JSON
// object (RFC 8259 grammar and UTF-8: numbers the client or upstream wrote are copied as they
// were, so they are not converted here either), and a stream must end in one terminal event.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "backends/json_scan.hpp"
#include "backends/messages_relay.hpp"
#include "backends/sse_parser.hpp"
#include "gateway/anthropic_request.hpp"
#include "gateway/anthropic_response.hpp"
#include "gateway/anthropic_stream.hpp"

namespace {

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "anthropic_fuzz: %s\n", what);
  std::abort();
}

bool is_json(std::string_view text) { return gw::json::scan_object(text).has_value(); }

// Each "event: X\ndata: {json}\n\n" of `out`; the last one's name.
std::string check_events(std::string_view out) {
  std::string last;
  while (!out.empty()) {
    const auto end = out.find("\n\n");
    check(end != std::string_view::npos, "an unterminated event");
    const std::string_view e = out.substr(0, end);
    out.remove_prefix(end + 2);
    const auto nl = e.find('\n');
    check(e.starts_with("event: ") && nl != std::string_view::npos && e.substr(nl + 1).starts_with("data: "),
          "an event's framing");
    check(is_json(e.substr(nl + 7)), "an event's data is not JSON");
    last = e.substr(7, nl - 7);
  }
  return last;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (bool count_only : {false, true}) {
    auto r = gw::to_chat_request(input, count_only);
    if (auto* e = std::get_if<gw::api_error>(&r)) {
      const unsigned status = gw::classify(e->code).status;
      check(status >= 400 && status < 500 && !e->message.empty(), "a refusal that is not a 4xx with a message");
      continue;
    }
    check(is_json(std::get<gw::messages_translation>(r).chat_body), "a chat body that is not JSON");
  }
  if (auto m = gw::to_message(input, {"END"})) check(is_json(*m), "a message that is not JSON");

  gw::anthropic_stream stream({"END"}, 1);
  std::string out;
  stream.on_data(input.substr(0, size / 2), out);
  stream.on_data(input.substr(size / 2), out);
  stream.on_done(out);
  const std::string last = check_events(out);
  check(last == "message_stop" || last == "error", "a stream that ends neither with message_stop nor error");

  // An upstream's event data never holds a line end: its parser splits lines there.
  if (input.find_first_of("\r\n") == std::string_view::npos) {
    gw::messages_relay relay("public\\model");
    gw::chunk_facts facts;
    std::string relayed;
    const bool ok = relay.relay_event(relayed, "", input, facts);
    check(ok == gw::json::locate_object(input).has_value(), "relayed iff it has an object's structure");
    if (ok && facts.shown) {
      std::vector<gw::sse_event> events;
      gw::sse_parser parser;
      parser.feed(relayed, [&](gw::sse_event&& e) { events.push_back(std::move(e)); });
      check(events.size() == 1 && relayed.ends_with("\n\n"), "a relayed event is not one SSE event");
      check(!events[0].event.empty(), "a relayed event has no name");
      if (events[0].event != "message_start") check(events[0].data == input, "a relayed event changed");
      else check(gw::json::locate_object(events[0].data).has_value(), "message_start lost its structure");
    }
    std::string whole;
    if (relay.relay_message(whole, input, facts) && facts.shown)
      check(gw::json::locate_object(whole).has_value(), "a relayed message lost its structure");
  }
  return 0;
}
