#include "gateway/api_types.hpp"

namespace gw {

const char* to_string(message_role r) {
  switch (r) {
    case message_role::system: return "system";
    case message_role::developer: return "developer";
    case message_role::user: return "user";
    case message_role::assistant: return "assistant";
    case message_role::tool: return "tool";
  }
  return "user";  // unreachable for valid enumerators; keeps -Wreturn-type quiet
}

}  // namespace gw
