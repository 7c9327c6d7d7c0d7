#pragma once
// The end of every exchange: one access log line (spdlog) and the request metrics, so no
// request ends unrecorded. Client-facing text never passes through here unredacted: the log
// carries ids, counts and codes, not bodies.

#include <string_view>

#include "gateway/config.hpp"
#include "gateway/metrics.hpp"
#include "gateway/http_exchange.hpp"

namespace gw {

void log_exchange(metrics& m, const log_config& log, const incoming_request& req, const exchange_record& rec);
void log_failure(const incoming_request& req, std::string_view what);

}  // namespace gw
