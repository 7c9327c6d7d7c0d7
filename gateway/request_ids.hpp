#pragma once
// Identifiers a client may send with a request, accepted only when well-formed: what a client
// sends reaches logs and upstream headers only after these checks.

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace gw {

// The gateway's randomness: fresh ids (request, completion) and seeds. Reactor thread only.
class id_source {
 public:
  id_source() : rng_(std::random_device{}()) {}
  // `prefix` + 24 random hex digits.
  std::string new_id(std::string_view prefix);
  std::uint64_t entropy() { return rng_(); }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

// A well-formed X-Request-Id (1–128 of [A-Za-z0-9-_.:]) is echoed; anything else is replaced by
// a fresh "req-" id.
std::string request_id_from(std::string_view header, id_source& ids);

// The 16 lower-case hex digits of `v`, least significant first, into out[0..15]: the random part
// of every generated id (id_source::new_id, two per request).
void hex_digits_low_first(std::uint64_t v, char* out);

}  // namespace gw
