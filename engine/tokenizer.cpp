#include "engine/tokenizer.hpp"

#include <array>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace gw {
namespace {

// The C locale's isspace / isalnum as a table, without a libc call per byte: count_tokens runs
// on every prompt, and the process never changes locale.
enum byte_class : unsigned char { other = 0, space = 1, alnum = 2 };

constexpr std::array<unsigned char, 256> make_classes() {
  std::array<unsigned char, 256> t{};
  for (int c : {' ', '\t', '\n', '\v', '\f', '\r'}) t[c] = space;
  for (int c = '0'; c <= '9'; ++c) t[c] = alnum;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = alnum;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = alnum;
  return t;
}
constexpr std::array<unsigned char, 256> classes = make_classes();

#if defined(__SSE2__)
// Bit i set where byte i of the 16 is in [lo, lo + span].
unsigned in_range(__m128i x, char lo, char span) {
  const __m128i d = _mm_sub_epi8(x, _mm_set1_epi8(lo));
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(span)), d)));
}

int popcount64(std::uint64_t v) {  // baseline x86-64 has no POPCNT; libgcc's call costs more
  v -= (v >> 1) & 0x5555555555555555ULL;
  v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
  v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
  return static_cast<int>((v * 0x0101010101010101ULL) >> 56);
}

// Runs of one class (words, or punctuation) across 64-byte blocks: whether the last block ended
// inside a run, and that run's length so far, mod 4.
struct run_carry {
  bool open = false;
  unsigned phase = 0;
};

// Tokens of the runs (maximal blocks of 1 bits) in `x`: one at each run's start and every 4
// bytes after it, i.e. ceil(length / 4) per run. Starts are propagated 4, 8, 16 then 32 bits
// up, each step only within a run (all bits between set), which reaches every offset below 64.
int run_tokens(std::uint64_t x, run_carry& c) {
  std::uint64_t t = x & ~((x << 1) | (c.open ? 1u : 0u));
  if (c.open) {  // the run from the last block takes its next token k bytes in, if it lasts
    const unsigned k = (4 - c.phase) % 4;
    const std::uint64_t through_k = (std::uint64_t{2} << k) - 1;
    if ((x & through_k) == through_k) t |= std::uint64_t{1} << k;
  }
  std::uint64_t m = x & (x << 1) & (x << 2) & (x << 3) & (x << 4);  // bits p-4..p all set
  t |= (t << 4) & m;
  m &= m << 4;
  t |= (t << 8) & m;
  m &= m << 8;
  t |= (t << 16) & m;
  m &= m << 16;
  t |= (t << 32) & m;
  const unsigned trailing = x == ~std::uint64_t{0} ? 64 : static_cast<unsigned>(__builtin_clzll(~x));
  if (trailing == 64 && c.open) {
    c.phase = (c.phase + 64) % 4;
  } else {
    c.open = trailing > 0;
    c.phase = trailing % 4;
  }
  return popcount64(t);
}

// Bit masks of the 64 bytes at p: non-space bytes that are alphanumeric, and the others.
void classify(const char* p, std::uint64_t& words, std::uint64_t& punct) {
  words = punct = 0;
  for (int i = 0; i < 4; ++i) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
    const unsigned sp = in_range(x, '\t', '\r' - '\t') | static_cast<unsigned>(_mm_movemask_epi8(
                                                               _mm_cmpeq_epi8(x, _mm_set1_epi8(' '))));
    const unsigned al = in_range(x, '0', 9) | in_range(_mm_or_si128(x, _mm_set1_epi8(0x20)), 'a', 25);
    words |= std::uint64_t{al} << (16 * i);
    punct |= std::uint64_t{~(sp | al) & 0xffffu} << (16 * i);
  }
}
#endif

}  // namespace

namespace detail {

std::uint32_t count_tokens_scalar(std::string_view text) {
  // One table load and one mostly-untaken branch per byte: a run ends where the class changes
  // (space runs count 0 bytes).
  std::size_t tokens = 0;
  std::size_t run = 0;  // non-space bytes in the current run
  unsigned char run_class = space;
  for (const char ch : text) {
    const unsigned char k = classes[static_cast<unsigned char>(ch)];
    if (k != run_class) {
      tokens += (run + 3) / 4;
      run = 0;
      run_class = k;
    }
    run += k != space;
  }
  return static_cast<std::uint32_t>(tokens + (run + 3) / 4);
}

}  // namespace detail

std::uint32_t count_tokens(std::string_view text) {
  // Each word costs ceil(len / 4) tokens (long words split into pieces), each punctuation or
  // non-ASCII byte run one token per 4 bytes; whitespace is folded into the following word.
#if defined(__SSE2__)
  // 64 bytes at a time as bit masks: every prompt is counted (the route plan, rate limits), and
  // the scalar loop (detail::count_tokens_scalar) branches on every byte.
  std::size_t tokens = 0;
  run_carry words_carry, punct_carry;
  std::uint64_t words = 0, punct = 0;
  std::size_t at = 0;
  for (; at + 64 <= text.size(); at += 64) {
    classify(text.data() + at, words, punct);
    tokens += static_cast<std::size_t>(run_tokens(words, words_carry) + run_tokens(punct, punct_carry));
  }
  if (at < text.size()) {  // the tail, padded with spaces (which end runs and count nothing)
    char block[64];
    std::memset(block, ' ', sizeof block);
    std::memcpy(block, text.data() + at, text.size() - at);
    classify(block, words, punct);
    tokens += static_cast<std::size_t>(run_tokens(words, words_carry) + run_tokens(punct, punct_carry));
  }
  return static_cast<std::uint32_t>(tokens);
#else
  return detail::count_tokens_scalar(text);
#endif
}

}  // namespace gw
