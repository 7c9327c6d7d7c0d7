#pragma once
// JSON instances for JSON Schemas, as the simulated engine's "constrained decoding": a tool
// call's arguments and a json_schema response are generated to satisfy the schema the client
// sent, so that clients can parse and validate them like a real model's output.
//
// The subset honoured: type (a name or a list: the first non-null one), properties (all are
// written, in order) and required, items / prefixItems with minItems / maxItems / uniqueItems,
// enum, const, minimum / maximum / exclusive bounds (both drafts) / multipleOf, minLength /
// maxLength, common string formats (date-time, date, time, email, uri, uuid, ipv4, hostname),
// anyOf / oneOf (the first branch), allOf (merged), local $ref ("#/$defs/X", "#/definitions/X",
// "#"). Not honoured: pattern, patternProperties, if/then/else, not, dependencies. A schema
// with no type is read from its keywords (properties: an object, items: an array, ...) and
// otherwise takes a string. Pure and deterministic in the seed.

#include <cstdint>
#include <string>

#include "engine/sim_json.hpp"

namespace gw {

// A JSON text satisfying `schema`.
std::string schema_instance(const sim_json& schema, std::uint64_t seed);

// The small object a response_format json_object (or a json_schema without a schema) answers:
// {"answer":"...","confidence":0.NN}.
std::string default_json_object(std::uint64_t seed);

}  // namespace gw
