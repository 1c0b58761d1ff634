#pragma once

#include <pistache/router.h>

#include "server/http/api_routes.hpp"

namespace leerstand::http {

/// Registers the summaries: `GET /api/summary` (the whole network) and
/// `GET /api/kommunen/{ags}/summary` (a Gemeinde, or a Kreis with its Gemeinden). The caller
/// (request_caller) decides between exact and public figures (services::SummaryService).
/// @pre `context` outlives the router.
void add_summary_routes(Pistache::Rest::Router& router, const ApiContext& context);

}  // namespace leerstand::http
