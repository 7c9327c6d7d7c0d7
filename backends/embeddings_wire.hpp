#pragma once
// /v1/embeddings on the wire to an OpenAI-compatible upstream (a local server or a provider):
// the request body for a list of texts, and the reply parsed back into vectors in input order.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gw {

// `dimensions` 0: the model's full size. The gateway asks for floats when it re-encodes the
// answer itself (it splits coalesced replies); a pass-through keeps the client's encoding.
std::string embeddings_request_body(const std::vector<std::string>& inputs, std::string_view model,
                                    std::uint32_t dimensions, bool base64);

struct embeddings_reply {
  std::vector<std::vector<float>> vectors;  // by `index`, 0..n-1
  std::uint32_t prompt_tokens = 0;
};

// Parses a float-encoded reply that must hold exactly `expected` vectors with indexes 0..n-1;
// nullopt if it does not.
std::optional<embeddings_reply> parse_embeddings_reply(std::string_view body, std::size_t expected);

// The `usage.prompt_tokens` a reply reports, whatever its encoding; nullopt when it reports none.
std::optional<std::uint32_t> embeddings_usage(std::string_view body);

}  // namespace gw
