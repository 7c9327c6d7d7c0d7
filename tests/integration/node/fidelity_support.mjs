// Helpers for fidelity.test.mjs: the client bodies the tests send, the gateway's config, and the
// comparisons of what one side sent with what the other side received.
//
// The documented edits, and nothing else:
//   request  `model` becomes the target's upstream name; a streamed request gets
//            `stream_options.include_usage: true` (its other stream_options members kept); a
//            provider's `rename_fields` renames what it lists.
//   answer   `model` becomes the public id the client asked for; a stream keeps its first chunk's
//            `id` on every chunk; a client that did not ask for usage gets neither the usage-only
//            chunk (`choices: []` with `usage`) nor `"usage": null` members.

import assert from 'node:assert/strict';

import { raw } from './recording_upstream.mjs';

export const CHAT = '/v1/chat/completions';
export const LEGACY = '/v1/completions';
export const EMBED = '/v1/embeddings';
export const KEY_ENV = 'FIDELITY_TEST_KEY';

// The upstream kinds: a remote provider over HTTPS and a local inference server over HTTP. The
// public id of scenario S is `p-S` / `l-S`; its upstream name ends in `fid-S`, which is how the
// recording upstream picks its script.
export const KINDS = [
  { name: 'remote provider (https)', key: 'provider', prefix: 'p-', route: () => 'remote:fid', reason: 'remote-only',
    upstreamModel: (s) => `vendor/fid-${s}` },
  { name: 'local inference server (engine: openai, http)', key: 'local', prefix: 'l-', route: (id) => `local:${id}`,
    reason: 'local', upstreamModel: (s) => `/models/fid-${s}` },
];

export const CHAT_SCENARIOS = ['text', 'n2', 'tools', 'reasoning', 'logprobs', 'rich', 'idswitch', 'vendor', 'json',
  'finish-stop', 'finish-length', 'finish-content_filter', 'finish-tool_calls', 'finish-function_call', 'crlf', 'nospace'];
const OTHER_SCENARIOS = ['reject400', 'rename', 'dupes'];

// --- config ------------------------------------------------------------------------------------

const provider = (name, baseURL, caFile, extra = '') => `
  - name: ${name}
    base_url: ${baseURL}
    api_key_env: ${KEY_ENV}
    ca_file: ${caFile}
    timeouts: {connect_ms: 2000, first_byte_ms: 5000, idle_ms: 5000, total_ms: 20000}
    retries: {max_retries: 0}
    breaker: {consecutive_failures: 0, window: 0}${extra}`;

// The `dupes` models have a context limit, so that a request's max_tokens is judged.
const limit = (s) => (s === 'dupes' ? 1000 : 0);
const localModel = (id, upstreamModel, serverURL, maxModelLen = '') => `
  - id: ${id}
    engine: openai${maxModelLen ? `\n    max_model_len: ${maxModelLen}` : ''}
    openai:
      model: "${upstreamModel}"
      servers: [{name: rec, url: "${serverURL}"}]
      max_in_flight: 8
      health: {path: /health, interval_ms: 1000, timeout_ms: 500}`;

/** The front gateway: every scenario as a provider model and as a local-server model. */
export function gatewayConfig({ provUp, localUp, caFile }) {
  const [p, l] = KINDS;
  const models = [...CHAT_SCENARIOS, ...OTHER_SCENARIOS].map((s) =>
    `\n  - {id: ${p.prefix}${s}, engine: none${limit(s) ? `, max_model_len: ${limit(s)}` : ''}, `
    + `remote: [{provider: fid, model: "${p.upstreamModel(s)}"}]}`
    + localModel(`${l.prefix}${s}`, l.upstreamModel(s), localUp.baseURL, limit(s))).join('');
  return `
server: {listen: 127.0.0.1:0, max_body_bytes: 1048576}
log: {level: info}
providers:${provider('fid', provUp.baseURL, caFile)}
models:${models}
`;
}

/** A gateway whose provider renames max_completion_tokens to max_tokens (model `p-rename`). */
export function renameConfig({ provUp, caFile }) {
  return `
server: {listen: 127.0.0.1:0}
log: {level: info}
providers:${provider('fidrn', provUp.baseURL, caFile, '\n    rename_fields: {max_completion_tokens: max_tokens}')}
models:
  - {id: p-rename, engine: none, remote: [{provider: fidrn, model: "vendor/fid-text"}]}
`;
}

// --- client bodies -------------------------------------------------------------------------------

export const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The current weather in a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city'], additionalProperties: false },
    strict: true,
  },
};
export const WEATHER_SCHEMA = {
  type: 'json_schema',
  json_schema: { name: 'weather', strict: true, schema: { type: 'object',
    properties: { city: { type: 'string' }, temperature_c: { type: 'number' } }, required: ['city', 'temperature_c'],
    additionalProperties: false } },
};
export const IMAGE_PART = { type: 'image_url', image_url: {
  url: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  detail: 'low' } };

/** A chat body with every kind of field OpenAI and the vendors define (no raw numbers). */
export function fullChatBody(model) {
  return {
    model,
    messages: [
      { role: 'developer', content: 'Answer in French.' },
      { role: 'system', content: [{ type: 'text', text: 'You are terse.' }] },
      { role: 'user', name: 'alice', content: [
        { type: 'text', text: 'What is on this picture, in this recording and in this file?' },
        IMAGE_PART,
        { type: 'input_audio', input_audio: { data: 'UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQAAAAA=', format: 'wav' } },
        { type: 'file', file: { filename: 'notes.pdf', file_data: 'data:application/pdf;base64,JVBERi0xLjQK' } },
      ] },
      { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: 'call_abc123', type: 'function',
        function: { name: 'get_weather', arguments: '{"city": "Paris", "unit": "celsius"}' } }] },
      { role: 'tool', tool_call_id: 'call_abc123', content: '{"temperature_c": 21}' },
      { role: 'user', content: 'And tomorrow?' },
    ],
    tools: [WEATHER_TOOL],
    tool_choice: { type: 'function', function: { name: 'get_weather' } },
    parallel_tool_calls: false,
    response_format: WEATHER_SCHEMA,
    logprobs: true,
    top_logprobs: 3,
    presence_penalty: 0.5,
    frequency_penalty: -0.25,
    logit_bias: { 50256: -100, 1734: 5 },
    reasoning_effort: 'low',
    max_completion_tokens: 64,
    temperature: 0.7,
    top_p: 0.95,
    n: 2,
    seed: 1234,
    stop: ['\n\n', 'END'],
    user: 'user-42',
    metadata: { trace: 'fidelity' },
    store: false,
    service_tier: 'auto',
    modalities: ['text'],
    top_k: 20,
    min_p: 0.05,
    repetition_penalty: 1.05,
    chat_template_kwargs: { enable_thinking: false },
    x_unknown: { nested: { list: [1, 'two', { three: [null, true, false, 0, -1.5] }], empty_obj: {}, empty_list: [] } },
  };
}

// Members whose text must reach the upstream verbatim: numbers a double cannot hold or writes
// differently, and escapes (a parse-and-rewrite would change them).
export const RAW_MEMBERS = {
  vendor_big: '123456789012345678901234567890',
  vendor_exp: '1e400',
  vendor_neg_exp: '-2.5E-10',
  vendor_str: '"\\u00e9\\n\\"\\\\\\/"',
  vendor_pair: '"\\ud83d\\ude00"',
  vendor_float: '0.1000000000000000055511151231257827',
};
export function withRawMembers(body) {
  const out = { ...body, x_raw_nested: { deep: [raw('1e400'), { big: raw('-123456789012345678901234567890') }] } };
  for (const [k, v] of Object.entries(RAW_MEMBERS)) out[k] = raw(v);
  return out;
}

// --- comparisons ---------------------------------------------------------------------------------

/** assert.deepEqual with a line of context before its diff. */
export function deepEq(got, want, context) {
  try {
    assert.deepEqual(got, want);
  } catch (err) {
    err.message = `${context}\n${err.message}`;
    throw err;
  }
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** `"key": VALUE` appears verbatim (whitespace around the colon aside) in `text`. */
export function assertRawMember(text, key, value, context) {
  const re = new RegExp(`${escapeRe(JSON.stringify(key))}\\s*:\\s*${escapeRe(value)}`);
  assert.ok(re.test(text), `${context}: "${key}": ${value} is not there verbatim in:\n${text.slice(0, 3000)}`);
}

/** What the upstream should receive for a client body (parsed), after the documented edits. */
export function forwardedBody(clientBody, upstreamModel, { stream = clientBody.stream === true, rename = {} } = {}) {
  const want = { ...clientBody, model: upstreamModel };
  if (stream) want.stream_options = { ...(clientBody.stream_options ?? {}), include_usage: true };
  for (const [from, to] of Object.entries(rename)) {
    if (from in want) {
      want[to] = want[from];
      delete want[from];
    }
  }
  return want;
}

/** The chunks a client should get for the chunks an upstream sent (JSON texts), in order. */
export function relayedChunks(sent, publicModel, askedUsage) {
  const chunks = sent.map((s) => JSON.parse(s));
  const id = chunks[0]?.id;
  return chunks
    .filter((c) => askedUsage || !(Array.isArray(c.choices) && c.choices.length === 0 && c.usage))
    .map((c) => {
      const e = { ...c };
      if ('model' in e) e.model = publicModel;
      if ('id' in e) e.id = id;
      if (!askedUsage && e.usage === null) delete e.usage;
      return e;
    });
}

/**
 * The same as text: the upstream's chunk texts with the edits made in place (the top-level
 * `"model":...` and `"id":...` members' values, `,"usage":null` cut), for a byte-for-byte check.
 */
export function relayedTexts(sent, upstreamModel, publicModel, askedUsage) {
  const firstId = JSON.parse(sent[0]).id;
  return sent.filter((t) => {
    const c = JSON.parse(t);
    return askedUsage || !(Array.isArray(c.choices) && c.choices.length === 0 && c.usage);
  }).map((t) => {
    const c = JSON.parse(t);
    let out = t.replace(`"model":${JSON.stringify(upstreamModel)}`, `"model":${JSON.stringify(publicModel)}`);
    if (c.id !== firstId) out = out.replace(`"id":${JSON.stringify(c.id)}`, `"id":${JSON.stringify(firstId)}`);
    if (!askedUsage) out = out.replace(/,"usage":null(?=[,}])/, '');
    return out;
  });
}

export const where = (res) => `${res.status} route=${res.headers?.['x-gateway-route']} ` +
  `reason=${res.headers?.['x-gateway-route-reason']} ${String(res.text).slice(0, 600)}`;

/** The one request the upstream received for this client request. */
export function onlyUpstream(res) {
  assert.equal(res.up.length, 1, `want exactly one upstream request, got ${res.up.length}; client got ${where(res)}`);
  return res.up[0];
}

/** A complete stream relayed chunk by chunk: the upstream's chunks after the edits, then [DONE]. */
export function assertStreamRelayed(res, u, publicModel, askedUsage, context) {
  assert.equal(res.status, 200, `${context}: ${where(res)}`);
  assert.match(String(res.headers['content-type']), /^text\/event-stream/, `${context}: ${where(res)}`);
  assert.ok(u.sent.length > 0, `${context}: the upstream sent no chunk (status ${u.status})`);
  const d = res.data;
  assert.equal(d.at(-1), '[DONE]', `${context}: the stream does not end with [DONE]: ${res.text.slice(-400)}`);
  assert.equal(d.filter((x) => x === '[DONE]').length, 1, `${context}: [DONE] more than once`);
  const got = d.slice(0, -1).map((x, i) => {
    try { return JSON.parse(x); } catch { assert.fail(`${context}: event ${i} is not JSON: ${x}`); }
  });
  const want = relayedChunks(u.sent, publicModel, askedUsage);
  for (let i = 0; i < Math.max(got.length, want.length); ++i) {
    deepEq(got[i], want[i], `${context}: chunk ${i} (the client got ${got.length} chunks, want ${want.length}); ` +
      `upstream sent ${u.sent[i] ?? '(nothing)'}`);
  }
  // Equal as JSON; and as text, since the gateway edits chunks in place and never rewrites them.
  const texts = relayedTexts(u.sent, u.body.model, publicModel, askedUsage);
  texts.forEach((t, i) => assert.equal(d[i], t, `${context}: chunk ${i} is not the upstream's text with the edits`));
}

/** A non-streamed answer relayed: the upstream's body with only `model` edited. */
export function assertBodyRelayed(res, u, publicModel, context) {
  assert.equal(res.status, 200, `${context}: ${where(res)}`);
  assert.match(String(res.headers['content-type']), /^application\/json/, `${context}: ${where(res)}`);
  assert.ok(u.sentBody !== undefined, `${context}: the upstream sent no body`);
  const want = JSON.parse(u.sentBody);
  if ('model' in want) want.model = publicModel;
  deepEq(res.json, want, `${context}: the body the client got`);
  const text = u.sentBody.replace(`"model":${JSON.stringify(u.body.model)}`, `"model":${JSON.stringify(publicModel)}`);
  assert.equal(res.text, text, `${context}: the body is not the upstream's text with the model edited`);
}

/** The extra request members a scenario's client would send. */
export function scenarioExtras(scenario) {
  switch (scenario) {
    case 'n2': return { n: 2 };
    case 'tools': case 'finish-tool_calls': case 'finish-function_call': return { tools: [WEATHER_TOOL] };
    case 'logprobs': return { logprobs: true, top_logprobs: 2 };
    case 'json': return { response_format: WEATHER_SCHEMA };
    default: return {};
  }
}
