// A recording OpenAI-compatible upstream for the fidelity tests (fidelity.test.mjs): plain HTTP
// (a local inference server behind `engine: openai`) or HTTPS (a remote provider), on
// 127.0.0.1 port 0.
//
// Every POST is recorded (`up.requests`): path, headers (lower-case names), the raw body text,
// its parsed JSON, the scenario, and exactly what was answered: `sent`, each SSE `data:` payload
// as written (JSON text; the closing [DONE] is not in it), or `sentBody`, the raw JSON body.
// GET requests (health probes) answer 200 and are only counted (`up.probes`).
//
// The answer is a script picked by the upstream model name the gateway sends: a name ending in
// `fid-<scenario>` (the front's model mapping picks it, so the choice does not depend on what
// else of the client's request reaches the upstream). Unknown names answer `text`.
//
// Scenarios, written in the shapes real servers write (OpenAI: `usage: null` on every chunk when
// include_usage is set, service_tier, system_fingerprint, `refusal: null`; vLLM: `logprobs: null`
// and `stop_reason` in choices, `reasoning_content` / `reasoning`, no usage member on chunks):
//   text        OpenAI; plain text; `n` choices when the request asks for n > 1
//   n2          text with two choices, whatever the request's n
//   tools       OpenAI; two parallel tool calls streamed in argument fragments, finish tool_calls;
//               when the last message is a tool message: a text answer
//   reasoning   vLLM; reasoning_content + reasoning deltas, then content
//   logprobs    OpenAI; content with logprobs (top_logprobs, bytes), finish length
//   rich        OpenAI; audio, content, annotations, refusal; finish content_filter
//   finish-R    OpenAI; finish_reason R (stop, length, content_filter, tool_calls with one tool
//               call, function_call with a legacy function_call delta)
//   idswitch    vLLM; the chunk id changes mid-stream
//   vendor      vLLM; unknown fields at every level, a big integer, exponents and escapes written raw
//   json        OpenAI; a JSON object as content (for response_format)
//   reject400   400 with an OpenAI error envelope (REJECT_MESSAGE), before any byte of answer
//   crlf        text, its SSE lines ended by CRLF (sse-starlette, as llama-cpp-python's server)
//   nospace     text, written `data:{...}` without the optional space
// Legacy /completions answers text_completion chunks (text, n2, logprobs, vendor, reject400);
// /embeddings answers one vector per input (float or base64, as asked), vLLM's shape.

import http from 'node:http';
import https from 'node:https';

export const REJECT_MESSAGE = 'recording upstream: max_tokens must be at least 1, got -5';
export const FINGERPRINT = 'fp_fid0001';

// Usage as OpenAI writes it, with the details objects.
export const USAGE = {
  prompt_tokens: 19, completion_tokens: 10, total_tokens: 29,
  prompt_tokens_details: { cached_tokens: 3, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 4, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
};
// vLLM's usage.
const VLLM_USAGE = { prompt_tokens: 17, total_tokens: 26, completion_tokens: 9, prompt_tokens_details: null };

// --- raw JSON: values a JavaScript number or string cannot carry as written -------------------

const raws = [];
/** A placeholder that rawJson() replaces with `text`, verbatim (e.g. a 30-digit integer, 1e400). */
export function raw(text) {
  raws.push(text);
  return `@@RAW${raws.length - 1}@@`;
}
/** JSON.stringify, with every raw() placeholder written as its verbatim text. */
export function rawJson(value) {
  return JSON.stringify(value).replace(/"@@RAW(\d+)@@"/g, (_, i) => raws[Number(i)]);
}

// Raw values in the `vendor` scenario's answers, checked verbatim on the client's side.
export const VENDOR_RAW = {
  big: '123456789012345678901234567890',
  exp: '-2.5E-10',
  huge: '1e400',
  note: '"caf\\u00e9 \\ud83d\\ude00 \\"q\\" \\\\ \\/"',
};

// --- chat scenarios ----------------------------------------------------------------------------

export const TEXT_WORDS = ['Hello', ' from', ' the', ' recording', ' upstream', '.'];
export const TEXT_WORDS_TEXT = TEXT_WORDS.join('');
const choiceWords = (i, n) => (n === 1 ? TEXT_WORDS : ['Choice', ` ${i}`, ' says', ' hello', '.']);
export const WEATHER_CALLS = [
  { id: 'call_fid_paris', city: 'Paris', fragments: ['{"ci', 'ty": "Pa', 'ris", "un', 'it": "celsius"}'] },
  { id: 'call_fid_berlin', city: 'Berlin', fragments: ['{"city', '": "Berl', 'in", "unit": "cel', 'sius"}'] },
];
export const TOOL_ANSWER = ['It is', ' 21 °C', ' in Paris', ' and 15 °C', ' in Berlin.'];
export const REASONING = ['The user', ' greets me;', ' I should', ' greet back.'];
export const JSON_ANSWER = ['{"city":', ' "Paris",', ' "temperature_c":', ' 21}'];

const ch = (index, delta, finish_reason = null, logprobs = null) => ({ index, delta, logprobs, finish_reason });

// OpenAI: one choice per chunk; `usage: null` is added on every chunk when usage was asked for.
function openaiScript(ctx, choiceList) {
  return {
    style: 'openai',
    chunks: choiceList.map((c) => ({ id: ctx.id, object: 'chat.completion.chunk', created: ctx.created, model: ctx.model,
      service_tier: 'default', system_fingerprint: FINGERPRINT, choices: [c] })),
  };
}
function openaiBody(ctx, choices) {
  return { id: ctx.id, object: 'chat.completion', created: ctx.created, model: ctx.model, choices,
    usage: USAGE, service_tier: 'default', system_fingerprint: FINGERPRINT };
}
const message = (fields) => ({ role: 'assistant', content: null, refusal: null, annotations: [], ...fields });

function textScript(ctx, n, words = null, finish = 'stop') {
  const list = [];
  const perChoice = Array.from({ length: n }, (_, i) => words ?? choiceWords(i, n));
  for (let i = 0; i < n; ++i) list.push(ch(i, { role: 'assistant', content: '', refusal: null }));
  const longest = Math.max(...perChoice.map((w) => w.length));
  for (let k = 0; k < longest; ++k) {
    for (let i = 0; i < n; ++i) if (k < perChoice[i].length) list.push(ch(i, { content: perChoice[i][k] }));
  }
  for (let i = 0; i < n; ++i) list.push(ch(i, {}, finish));
  return {
    ...openaiScript(ctx, list),
    body: openaiBody(ctx, perChoice.map((w, i) => ({ index: i, message: message({ content: w.join('') }), logprobs: null,
      finish_reason: finish }))),
  };
}

function toolCallDeltas(calls) {
  const list = [];
  calls.forEach((c, i) => {
    const head = { index: i, id: c.id, type: 'function', function: { name: 'get_weather', arguments: '' } };
    list.push(ch(0, i === 0 ? { role: 'assistant', content: null, tool_calls: [head], refusal: null } : { tool_calls: [head] }));
    for (const f of c.fragments) list.push(ch(0, { tool_calls: [{ index: i, function: { arguments: f } }] }));
  });
  return list;
}
const toolCallsMessage = (calls) => calls.map((c) => ({ id: c.id, type: 'function',
  function: { name: 'get_weather', arguments: c.fragments.join('') } }));

function toolsScript(ctx, json) {
  if (json.messages?.at(-1)?.role === 'tool') return textScript(ctx, 1, TOOL_ANSWER);
  return {
    ...openaiScript(ctx, [...toolCallDeltas(WEATHER_CALLS), ch(0, {}, 'tool_calls')]),
    body: openaiBody(ctx, [{ index: 0, message: message({ tool_calls: toolCallsMessage(WEATHER_CALLS) }), logprobs: null,
      finish_reason: 'tool_calls' }]),
  };
}

const tokenLogprob = (token, k) => ({
  token, logprob: -0.125 * (k + 1), bytes: [...Buffer.from(token, 'utf8')],
  top_logprobs: [{ token, logprob: -0.125 * (k + 1), bytes: [...Buffer.from(token, 'utf8')] },
    { token: ' maybe', logprob: -2.75, bytes: [32, 109, 97, 121, 98, 101] }],
});
function logprobsScript(ctx) {
  const list = [ch(0, { role: 'assistant', content: '', refusal: null }, null, { content: [], refusal: null })];
  TEXT_WORDS.forEach((w, k) => list.push(ch(0, { content: w }, null, { content: [tokenLogprob(w, k)], refusal: null })));
  list.push(ch(0, {}, 'length'));
  return {
    ...openaiScript(ctx, list),
    body: openaiBody(ctx, [{ index: 0, message: message({ content: TEXT_WORDS.join('') }),
      logprobs: { content: TEXT_WORDS.map(tokenLogprob), refusal: null }, finish_reason: 'length' }]),
  };
}

const AUDIO = { id: 'audio_fid_1', data: 'UklGRiQAAABXQVZFZm10', expires_at: 1767003600, transcript: 'Here is a source.' };
const ANNOTATIONS = [{ type: 'url_citation', url_citation: { start_index: 10, end_index: 16, title: 'Example', url: 'https://example.com/' } }];
function richScript(ctx) {
  const list = [
    ch(0, { role: 'assistant', content: '', refusal: null }),
    ch(0, { audio: AUDIO }),
    ch(0, { content: 'Here is a' }),
    ch(0, { content: ' source.' }),
    ch(0, { annotations: ANNOTATIONS }),
    ch(0, { refusal: 'I cannot' }),
    ch(0, { refusal: ' say more.' }),
    ch(0, {}, 'content_filter'),
  ];
  return {
    ...openaiScript(ctx, list),
    body: openaiBody(ctx, [{ index: 0, message: message({ content: 'Here is a source.', refusal: 'I cannot say more.',
      annotations: ANNOTATIONS, audio: AUDIO }), logprobs: null, finish_reason: 'content_filter' }]),
  };
}

function finishScript(ctx, reason) {
  if (reason === 'tool_calls') {
    const calls = WEATHER_CALLS.slice(0, 1);
    return {
      ...openaiScript(ctx, [...toolCallDeltas(calls), ch(0, {}, 'tool_calls')]),
      body: openaiBody(ctx, [{ index: 0, message: message({ tool_calls: toolCallsMessage(calls) }), logprobs: null,
        finish_reason: 'tool_calls' }]),
    };
  }
  if (reason === 'function_call') {
    const list = [
      ch(0, { role: 'assistant', content: null, function_call: { name: 'get_weather', arguments: '' }, refusal: null }),
      ch(0, { function_call: { arguments: '{"city":' } }),
      ch(0, { function_call: { arguments: ' "Paris"}' } }),
      ch(0, {}, 'function_call'),
    ];
    return {
      ...openaiScript(ctx, list),
      body: openaiBody(ctx, [{ index: 0, message: message({ function_call: { name: 'get_weather', arguments: '{"city": "Paris"}' } }),
        logprobs: null, finish_reason: 'function_call' }]),
    };
  }
  return textScript(ctx, 1, ['Finishing', ' with ', reason], reason);
}

// vLLM: `logprobs: null` in every choice, `stop_reason` in the finishing one, no usage member.
function vllmChunk(ctx, delta, { finish = null, id = ctx.id, extra = {}, choiceExtra = {} } = {}) {
  return { id, object: 'chat.completion.chunk', created: ctx.created, model: ctx.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish, ...(finish ? { stop_reason: null } : {}), ...choiceExtra }],
    ...extra };
}
function vllmBody(ctx, msg, extra = {}) {
  return { id: ctx.id, object: 'chat.completion', created: ctx.created, model: ctx.model,
    choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [], ...msg }, logprobs: null,
      finish_reason: 'stop', stop_reason: null }],
    usage: VLLM_USAGE, prompt_logprobs: null, kv_transfer_params: null, ...extra };
}

function reasoningScript(ctx) {
  const chunks = [vllmChunk(ctx, { role: 'assistant', content: '' })];
  for (const r of REASONING) chunks.push(vllmChunk(ctx, { reasoning_content: r, reasoning: r }));
  for (const w of TEXT_WORDS) chunks.push(vllmChunk(ctx, { content: w }));
  chunks.push(vllmChunk(ctx, { content: '' }, { finish: 'stop' }));
  return { style: 'vllm', usage: VLLM_USAGE, chunks,
    body: vllmBody(ctx, { content: TEXT_WORDS.join(''), reasoning_content: REASONING.join(''), reasoning: REASONING.join('') }) };
}

function idswitchScript(ctx) {
  const chunks = [vllmChunk(ctx, { role: 'assistant', content: '' })];
  TEXT_WORDS.forEach((w, k) => chunks.push(vllmChunk(ctx, { content: w }, { id: k < 2 ? ctx.id : `${ctx.id}-switched` })));
  chunks.push(vllmChunk(ctx, { content: '' }, { finish: 'stop', id: `${ctx.id}-again` }));
  return { style: 'vllm', usage: VLLM_USAGE, usageId: `${ctx.id}-usage`, chunks, body: vllmBody(ctx, { content: TEXT_WORDS.join('') }) };
}

const VENDOR_STATS = { big: raw(VENDOR_RAW.big), exp: raw(VENDOR_RAW.exp), huge: raw(VENDOR_RAW.huge),
  note: raw(VENDOR_RAW.note), nested: { list: [1, { deep: true }, null], empty: {} } };
const vendorStats = () => VENDOR_STATS;
function vendorScript(ctx) {
  const chunks = [
    vllmChunk(ctx, { role: 'assistant', content: '' }, { extra: { prompt_token_ids: [151644, 872, 198] } }),
    vllmChunk(ctx, { content: 'Vendor', x_delta_note: 'kept' }, { extra: { x_vendor_stats: vendorStats() },
      choiceExtra: { token_ids: [34, 56] } }),
    vllmChunk(ctx, { content: ' fields.' }, { choiceExtra: { matched_stop: null } }),
    vllmChunk(ctx, { content: '' }, { finish: 'stop', choiceExtra: { stop_reason: 151645, matched_stop: 151645 } }),
  ];
  return { style: 'vllm', usage: { ...USAGE, x_usage_vendor: raw(VENDOR_RAW.big) }, chunks,
    body: vllmBody(ctx, { content: 'Vendor fields.', x_message_vendor: 1 }, { x_vendor_stats: vendorStats(), prompt_token_ids: [1, 2] }) };
}

function chatScript(scenario, ctx, json) {
  if (scenario.startsWith('finish-')) return finishScript(ctx, scenario.slice('finish-'.length));
  switch (scenario) {
    case 'n2': return textScript(ctx, 2);
    case 'tools': return toolsScript(ctx, json);
    case 'reasoning': return reasoningScript(ctx);
    case 'logprobs': return logprobsScript(ctx);
    case 'rich': return richScript(ctx);
    case 'idswitch': return idswitchScript(ctx);
    case 'vendor': return vendorScript(ctx);
    case 'json': return textScript(ctx, 1, JSON_ANSWER);
    default: return textScript(ctx, Number.isInteger(json.n) && json.n > 1 ? json.n : 1);
  }
}

// --- legacy completions ------------------------------------------------------------------------

const legacyLogprobs = (w, k) => ({ tokens: [w], token_logprobs: [-0.25 * (k + 1)],
  top_logprobs: [{ [w]: -0.25 * (k + 1), ' maybe': -3.5 }], text_offset: [k * 7] });
function legacyScript(scenario, ctx, json) {
  const n = scenario === 'n2' ? 2 : (Number.isInteger(json.n) && json.n > 1 ? json.n : 1);
  const withLogprobs = scenario === 'logprobs';
  const chunk = (choice, extra = {}) => ({ id: ctx.id, object: 'text_completion', created: ctx.created, model: ctx.model,
    choices: [choice], system_fingerprint: FINGERPRINT, ...extra });
  const perChoice = Array.from({ length: n }, (_, i) => choiceWords(i, n));
  const chunks = [];
  for (let k = 0; k < TEXT_WORDS.length; ++k) {
    for (let i = 0; i < n; ++i) {
      if (k >= perChoice[i].length) continue;
      const w = perChoice[i][k];
      chunks.push(chunk({ text: w, index: i, logprobs: withLogprobs ? legacyLogprobs(w, k) : null, finish_reason: null },
        scenario === 'vendor' && k === 1 ? { x_vendor_stats: vendorStats() } : {}));
    }
  }
  for (let i = 0; i < n; ++i) chunks.push(chunk({ text: '', index: i, logprobs: null, finish_reason: withLogprobs ? 'length' : 'stop' }));
  const body = { id: ctx.id, object: 'text_completion', created: ctx.created, model: ctx.model, system_fingerprint: FINGERPRINT,
    choices: perChoice.map((w, i) => ({ text: w.join(''), index: i,
      logprobs: withLogprobs ? { tokens: w, token_logprobs: w.map((_, k) => -0.25 * (k + 1)),
        top_logprobs: w.map((t, k) => ({ [t]: -0.25 * (k + 1), ' maybe': -3.5 })), text_offset: w.map((_, k) => k * 7) } : null,
      finish_reason: withLogprobs ? 'length' : 'stop' })),
    usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 },
    ...(scenario === 'vendor' ? { x_vendor_stats: vendorStats() } : {}) };
  return { style: 'openai', chunks, body, usage: body.usage, noTier: true };
}

// --- embeddings ---------------------------------------------------------------------------------

function embeddingInputs(input) {
  if (typeof input === 'string') return 1;
  if (!Array.isArray(input) || input.length === 0) return 1;
  if (input.every((x) => typeof x === 'number')) return 1;  // one token array
  return input.length;                                       // strings, or token arrays
}
export const vectorFor = (i) => [0.125 * (i + 1), -0.25, 0.5, -0.75];
function embeddingsBody(ctx, json) {
  const n = embeddingInputs(json.input);
  const b64 = json.encoding_format === 'base64';
  const data = Array.from({ length: n }, (_, i) => {
    const v = vectorFor(i);
    const embedding = b64 ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v;
    return { index: i, object: 'embedding', embedding };
  });
  return { id: `embd-${ctx.id}`, object: 'list', created: ctx.created, model: ctx.model, data,
    usage: { prompt_tokens: 4 * n, total_tokens: 4 * n, completion_tokens: 0, prompt_tokens_details: null } };
}

// --- the server ---------------------------------------------------------------------------------

/**
 * @param {object} [opts]
 * @param {{key:Buffer|string, cert:Buffer|string}} [opts.tls] serve HTTPS with this key and
 *   certificate (a provider); plain HTTP without (a local inference server)
 */
export async function startRecordingUpstream({ tls } = {}) {
  const requests = [];
  const sockets = new Set();
  let probes = 0;
  let seq = 0;

  const onRequest = (req, res) => {
    const parts = [];
    req.on('data', (c) => parts.push(c));
    req.on('end', () => {
      try {
        handle(req, res, Buffer.concat(parts).toString('utf8'));
      } catch (err) {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`recording upstream: ${err.stack}`);
      }
    });
  };
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, onRequest) : http.createServer(onRequest);
  server.keepAliveTimeout = 5_000;
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });

  function handle(req, res, text) {
    if (req.method === 'GET') {
      ++probes;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 2 });
      res.end('{}');
      return;
    }
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    const model = typeof json?.model === 'string' ? json.model : '';
    const scenario = /fid-([a-z0-9_-]+)$/i.exec(model)?.[1] ?? 'text';
    const rec = { n: ++seq, method: req.method, path: req.url, headers: { ...req.headers }, raw: text, body: json, scenario,
      stream: json?.stream === true, sent: [], sentBody: undefined, status: 0, ended: false };
    requests.push(rec);
    res.on('close', () => { rec.ended = res.writableFinished; });

    const writeJson = (status, bodyText) => {
      rec.status = status;
      rec.sentBody = bodyText;
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(bodyText) });
      res.end(bodyText);
    };
    const path = req.url.replace(/\?.*$/, '');
    const kind = /\/chat\/completions$/.test(path) ? 'chat' : /\/completions$/.test(path) ? 'legacy'
      : /\/embeddings$/.test(path) ? 'embeddings' : null;
    if (req.method === 'POST' && kind && json === undefined) {
      writeJson(400, JSON.stringify({ error: { message: `recording upstream: the body is not JSON: ${text.slice(0, 200)}`,
        type: 'invalid_request_error', param: null, code: null } }));
      return;
    }
    if (req.method !== 'POST' || !kind || !json || typeof json !== 'object') {
      writeJson(404, JSON.stringify({ error: { message: `recording upstream: no route for ${req.method} ${req.url}`,
        type: 'invalid_request_error', param: null, code: null } }));
      return;
    }
    if (scenario === 'reject400') {
      writeJson(400, JSON.stringify({ error: { message: REJECT_MESSAGE, type: 'invalid_request_error', param: 'max_tokens',
        code: null } }));
      return;
    }
    const ctx = { id: `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-fid-${rec.n}`, created: 1767000000 + rec.n, model };
    if (kind === 'embeddings') {
      writeJson(200, rawJson(embeddingsBody(ctx, json)));
      return;
    }
    const script = kind === 'chat' ? chatScript(scenario, ctx, json) : legacyScript(scenario, ctx, json);
    if (!rec.stream) {
      writeJson(200, rawJson(script.body));
      return;
    }

    // The stream: every chunk as the script wrote it, the usage chunk when asked for, [DONE].
    const includeUsage = json.stream_options?.include_usage === true;
    const chunks = script.chunks.map((c) => (includeUsage && script.style === 'openai' ? { ...c, usage: null } : c));
    if (includeUsage) {
      const first = script.chunks[0];
      const u = { id: script.usageId ?? first.id, object: first.object, created: first.created, model: first.model };
      if (script.style === 'openai' && !script.noTier) Object.assign(u, { service_tier: 'default', system_fingerprint: FINGERPRINT });
      chunks.push({ ...u, choices: [], usage: script.usage ?? USAGE });
    }
    rec.status = 200;
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    // SSE framing: `data: ` and a blank line, or what other servers write (sse-starlette, used
    // by llama-cpp-python's server: CRLF line ends; some servers: no space after the colon).
    const sse = scenario === 'crlf' ? { data: 'data: ', end: '\r\n\r\n' }
      : scenario === 'nospace' ? { data: 'data:', end: '\n\n' } : { data: 'data: ', end: '\n\n' };
    // One event per write, each after the previous one was handed to the socket.
    let i = 0;
    const next = () => {
      if (res.destroyed) return;
      if (i < chunks.length) {
        const payload = rawJson(chunks[i++]);
        rec.sent.push(payload);
        res.write(`${sse.data}${payload}${sse.end}`, next);
      } else {
        res.end(`${sse.data}[DONE]${sse.end}`);
      }
    };
    next();
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const { port } = server.address();
  const scheme = tls ? 'https' : 'http';
  let closed = null;
  return {
    port,
    origin: `${scheme}://127.0.0.1:${port}`,
    baseURL: `${scheme}://127.0.0.1:${port}/v1`,
    requests,
    get probes() { return probes; },
    close() {
      closed ??= new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
        for (const s of sockets) s.destroy();
        setTimeout(resolve, 2_000).unref();  // never wait forever for the listener
      });
      return closed;
    },
  };
}
