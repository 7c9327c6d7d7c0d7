#include "gateway/generation_request.hpp"

#include <memory>

#include "engine/sim_script.hpp"
#include "engine/sim_text.hpp"
#include "engine/tokenizer.hpp"
#include "gateway/sim_features.hpp"

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

std::optional<api_error> plan_sim(const json::object_scan& fields, api_kind kind, const model_config& m,
                                  generation_params& g) {
  auto read = read_sim_features(fields, kind, m.pool.reasoning);
  if (auto* e = std::get_if<api_error>(&read)) return std::move(*e);
  auto& f = std::get<sim_features>(read);
  if (!needs_script(f)) return std::nullopt;  // plain text: the engine and framer need nothing more
  const std::uint64_t reserved = g.prompt_tokens + std::uint64_t{f.n} * g.max_tokens;
  if (reserved > m.pool.batching.limits.token_budget) {
    return api_error{api_errc::context_length_exceeded,
                     "This model's engine holds " + std::to_string(m.pool.batching.limits.token_budget) +
                         " tokens. However, you requested " + std::to_string(reserved) + " tokens (" +
                         std::to_string(g.prompt_tokens) + " in the prompt, " + std::to_string(f.n) + " choices of " +
                         std::to_string(g.max_tokens) + "). Please lower n or max_tokens.",
                     "n"};
  }
  f.seed = g.seed;
  g.n = f.n;
  g.script = std::make_shared<const sim_script>(plan_script(f));
  return std::nullopt;
}

}  // namespace gw
