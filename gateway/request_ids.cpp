#include "gateway/request_ids.hpp"

#include <cctype>

namespace gw {

std::string request_id_from(std::string_view h, gateway& g) {
  if (h.empty() || h.size() > 128) return g.new_id("req-");
  for (char c : h)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':'))
      return g.new_id("req-");
  return std::string(h);
}

std::string traceparent_from(std::string_view h) {
  if (h.size() != 55 || h[2] != '-' || h[35] != '-' || h[52] != '-') return {};
  for (std::size_t i = 0; i < h.size(); ++i)
    if (i != 2 && i != 35 && i != 52 && !std::isxdigit(static_cast<unsigned char>(h[i]))) return {};
  return std::string(h);
}

}  // namespace gw
