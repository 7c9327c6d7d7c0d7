#pragma once
// Cuts generated text at the first stop string, even when the stop string arrives split over
// several tokens. Text that could still become the start of a stop string is held back until
// it cannot (the same trick vLLM's detokenizer uses), so a client never sees part of a stop.

#include <string>
#include <string_view>
#include <vector>

namespace gw {

class stop_matcher {
 public:
  explicit stop_matcher(std::vector<std::string> stops);

  struct fed {
    std::string emit;      // text safe to send now
    bool stopped = false;  // a stop string was found; nothing after it may be sent
  };
  // Adds newly generated text.
  fed feed(std::string_view text);
  // Releases the held-back text when the sequence ends for another reason.
  std::string flush();

 private:
  std::vector<std::string> stops_;
  std::string held_;
};

}  // namespace gw
