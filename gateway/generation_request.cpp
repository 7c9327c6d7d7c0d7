#include "gateway/generation_request.hpp"

#include "engine/sim_text.hpp"
#include "engine/tokenizer.hpp"

namespace gw {
namespace {

// `extra_tokens`: what the prompt holds beyond its rendered text (tool definitions, media).
std::variant<generation_params, api_error> finish(std::string prompt, const sampling_params& s,
                                                  const model_config& m, std::uint64_t entropy,
                                                  std::uint32_t extra_tokens = 0) {
  generation_params g;
  g.prompt_tokens = std::max<std::uint32_t>(1, count_tokens(prompt) + extra_tokens);
  if (g.prompt_tokens >= m.max_model_len) {
    return api_error{api_errc::context_length_exceeded,
                     "This model's maximum context length is " + std::to_string(m.max_model_len) +
                         " tokens. However, your prompt has " + std::to_string(g.prompt_tokens) +
                         " tokens. Please shorten the prompt.",
                     "messages"};
  }
  const std::uint32_t room = m.max_model_len - g.prompt_tokens;
  if (s.max_tokens) {
    if (*s.max_tokens > room) {
      return api_error{api_errc::context_length_exceeded,
                       "This model's maximum context length is " + std::to_string(m.max_model_len) +
                           " tokens. However, you requested " +
                           std::to_string(g.prompt_tokens + std::uint64_t{*s.max_tokens}) + " tokens (" +
                           std::to_string(g.prompt_tokens) + " in the prompt, " +
                           std::to_string(*s.max_tokens) + " for the completion).",
                       "max_tokens"};
    }
    g.max_tokens = *s.max_tokens;
  } else {
    g.max_tokens = std::min(m.default_max_tokens, room);
  }
  // The same seed and prompt give the same text (OpenAI's best-effort determinism); greedy
  // decoding (temperature 0) is deterministic in the prompt alone.
  const std::uint64_t prompt_hash = text_hash(prompt);
  if (s.seed)
    g.seed = prompt_hash ^ (*s.seed * 0x9e3779b97f4a7c15ULL);
  else if (s.temperature == 0)
    g.seed = prompt_hash;
  else
    g.seed = prompt_hash ^ entropy;
  g.stop = s.stop;
  g.ignore_eos = s.ignore_eos;
  g.prompt = std::move(prompt);
  return g;
}

}  // namespace

std::string render_chat_prompt(const std::vector<chat_message>& messages) {
  std::size_t size = 16;
  for (const auto& m : messages) size += 16 + m.content.size();
  std::string p;
  p.reserve(size);  // one allocation, not one per doubling
  for (const auto& m : messages) {
    p += "<|";
    p += to_string(m.role);
    p += "|>\n";
    p += m.content;
    p += '\n';
  }
  p += "<|assistant|>\n";
  return p;
}

std::string affinity_key(const chat_request& r, std::size_t max_chars) {
  std::string key;
  for (const auto& m : r.messages) {
    key += "<|";
    key += to_string(m.role);
    key += "|>\n";
    key += m.content;
    key += '\n';
    if (key.size() >= max_chars) break;
    if (m.role != message_role::system && m.role != message_role::developer) break;
  }
  if (key.size() > max_chars) key.resize(max_chars);
  return key;
}

std::string affinity_key(const completion_request& r, std::size_t max_chars) {
  return r.prompt.substr(0, max_chars);
}

std::variant<generation_params, api_error> make_generation(const chat_request& r, const model_config& m,
                                                           std::uint64_t entropy) {
  return finish(render_chat_prompt(r.messages), r.sampling, m, entropy, r.extra_prompt_tokens);
}

std::variant<generation_params, api_error> make_generation(const completion_request& r,
                                                           const model_config& m, std::uint64_t entropy) {
  return finish(r.prompt, r.sampling, m, entropy);
}

}  // namespace gw
