// Hybrid routing end to end: the real gateway binary in front of fake OpenAI-compatible
// providers over verified HTTPS (fake_upstream.mjs, certificates from tls.mjs). Covers the route
// plan (local, long prompt, restricted data, overflow, remote-only, fallback), failures before
// and after the first token (retries, Retry-After, timeouts, cut streams, rejections, untrusted
// certificates, open breakers), what the gateway sends upstream, usage, client aborts and the
// routing metrics.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';

import { deadline, parseMetrics, pollUntil, request, sseData, startGateway } from './harness.mjs';
import { CONTENT_TEXT, REJECT_MESSAGE, USAGE, startFakeUpstream } from './fake_upstream.mjs';
import { makeTestPki } from './tls.mjs';

const T = { timeout: 15_000 };
const CHAT = '/v1/chat/completions';
const LEGACY = '/v1/completions';
const KEY_ENV = 'HYBRID_TEST_P1_KEY';
const KEY = 'sk-hybrid-test-p1-0123456789';
const KEY2_ENV = 'HYBRID_TEST_P2_KEY';
const KEY2 = 'sk-hybrid-test-p2';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const LONG_PROMPT = `Summarise this: ${'lorem ipsum dolor sit amet '.repeat(100)}`;  // ~500 tokens
const PRICE_IN = 1000;  // USD per million tokens (p2): large, so one request costs a visible amount
const PRICE_OUT = 2000;

let ridSeq = 0;
const rid = (what) => `hy-${what}-${process.pid}-${++ridSeq}`;

// A provider entry; `extra` is YAML appended inside the mapping. Breakers are off unless asked.
function provider(name, up, caFile, { keyEnv = KEY_ENV, firstByteMs = 4000, idleMs = 4000, maxRetries = 2,
  maxRetryAfterMs = 3000, breaker = 'consecutive_failures: 0, window: 0', extra = '' } = {}) {
  return `
  - name: ${name}
    base_url: ${up.baseURL}
    api_key_env: ${keyEnv}
    ca_file: ${caFile}
    timeouts: {connect_ms: 2000, first_byte_ms: ${firstByteMs}, idle_ms: ${idleMs}, total_ms: 20000}
    retries: {max_retries: ${maxRetries}, base_ms: 20, cap_ms: 50, max_retry_after_ms: ${maxRetryAfterMs}}
    breaker: {${breaker}}${extra}`;
}

// sim at full speed (never waits) or real pacing (time_scale 1: ~180 ms to the first token, then
// ~15 ms a token) with one batch slot.
const FAST = 'preset: deepseek-r1-w8a8-2node\n    sim: {time_scale: 0, reasoning: false}';
const TINY = (queued) => `preset: deepseek-r1-w8a8-2node
    sim: {time_scale: 1, reasoning: false}
    default_max_tokens: 8
    batching: {max_batch_size: 1, max_queued: ${queued}, max_queue_wait_ms: 20000}`;

function gatewayConfig({ up, rogue, caFile }) {
  return `
server: {listen: 127.0.0.1:0}
log: {level: info, access_log: true}
restricted: {header: X-Data-Classification, value: restricted}
providers:${
  provider('p1', up, caFile, { extra: '\n    headers: {X-Extra-Test: hybrid-extra}' })}${
  provider('p2', up, caFile, { keyEnv: KEY2_ENV,
    extra: `\n    price: {input_per_million: ${PRICE_IN}, output_per_million: ${PRICE_OUT}}` })}${
  provider('pshort', up, caFile, { firstByteMs: 400, idleMs: 400, maxRetries: 0, maxRetryAfterMs: 500 })}${
  provider('progue', rogue, caFile)}${
  provider('pbrk', up, caFile, { maxRetries: 0, breaker: 'consecutive_failures: 1, window: 0, open_ms: 60000' })}${
  provider('pcost', up, caFile, { maxRetries: 0,
    extra: `\n    price: {input_per_million: ${PRICE_IN}, output_per_million: ${PRICE_OUT}}` })}
models:
  - id: hy-local
    ${FAST}
    remote: [{provider: p1, model: ok}]
    routing: {long_prompt_tokens: 200}
  - id: hy-secret
    ${FAST}
    remote: [{provider: p1, model: ok}]
    routing: {restricted: true, long_prompt_tokens: 200}
  - id: r-ok
    engine: none
    remote: [{provider: p1, model: upstream-ok-model}]
  - {id: r-slow, engine: none, remote: [{provider: p1, model: slow}]}
  - {id: r-429-ok, engine: none, remote: [{provider: p1, model: "fault:429,ok"}]}
  - {id: r-429, engine: none, remote: [{provider: p1, model: "fault:429"}]}
  - {id: r-429-short, engine: none, remote: [{provider: pshort, model: "fault:429"}]}
  - {id: r-500, engine: none, remote: [{provider: p1, model: "fault:500"}]}
  - {id: r-500-p2, engine: none, remote: [{provider: p1, model: "fault:500"}, {provider: p2, model: ok}]}
  - {id: r-400, engine: none, remote: [{provider: p1, model: "fault:400"}, {provider: p2, model: ok}]}
  - {id: r-stall, engine: none, remote: [{provider: pshort, model: "fault:stall"}]}
  - {id: r-stall-mid, engine: none, remote: [{provider: pshort, model: "fault:stall-mid"}]}
  - {id: r-cut, engine: none, remote: [{provider: p1, model: "fault:cut"}]}
  - {id: r-reset, engine: none, remote: [{provider: p1, model: "fault:reset"}]}
  - {id: r-rogue, engine: none, remote: [{provider: progue, model: ok}]}
  - {id: r-brk, engine: none, remote: [{provider: pbrk, model: "fault:500"}]}
  - {id: cost-ok, engine: none, remote: [{provider: pcost, model: ok}]}
  - {id: cost-slow, engine: none, remote: [{provider: pcost, model: slow}]}
  - {id: cost-429, engine: none, remote: [{provider: pcost, model: "fault:429"}]}
  - {id: cost-500, engine: none, remote: [{provider: pcost, model: "fault:500"}]}
  - id: ov
    ${TINY(1)}
    remote: [{provider: p1, model: ok}]
  - id: ov-nooverflow
    ${TINY(1)}
    remote: [{provider: p1, model: ok}]
    routing: {overflow: false}
  - id: ov-fail
    ${TINY(4)}
    remote: [{provider: p1, model: "fault:500"}]
    routing: {ttft_target_ms: 1}
`;
}

// --- client helpers ---------------------------------------------------------------------------

function chatBody(model, { content = 'hello there', stream = false, includeUsage, maxTokens } = {}) {
  const b = { model, messages: [{ role: 'user', content }] };
  if (stream) b.stream = true;
  if (includeUsage !== undefined) b.stream_options = { include_usage: includeUsage };
  if (maxTokens !== undefined) b.max_tokens = maxTokens;
  return b;
}

async function chat(gw, model, opts = {}) {
  const id = opts.rid ?? rid(model);
  const headers = { 'X-Request-Id': id, ...(opts.headers ?? {}) };
  const res = await request(gw.port, { method: 'POST', path: opts.path ?? CHAT, headers, body: opts.body ?? chatBody(model, opts),
    timeoutMs: opts.timeoutMs ?? 12_000 });
  res.rid = id;
  res.data = String(res.headers['content-type']).startsWith('text/event-stream') ? sseData(res.text) : [];
  return res;
}

function where(res) {
  return `${res.status} route=${res.headers['x-gateway-route']} reason=${res.headers['x-gateway-route-reason']} ${res.text.slice(0, 400)}`;
}

function assertRoute(res, route, reason) {
  assert.equal(res.headers['x-gateway-route'], route, `x-gateway-route: ${where(res)}`);
  assert.equal(res.headers['x-gateway-route-reason'], reason, `x-gateway-route-reason: ${where(res)}`);
}

function assertError(res, status, code) {
  assert.equal(res.status, status, where(res));
  assert.match(String(res.headers['content-type']), /^application\/json/, where(res));
  assert.ok(res.json?.error, `no error envelope: ${where(res)}`);
  assert.equal(res.json.error.code, code, where(res));
  assert.equal(typeof res.json.error.message, 'string', where(res));
}

// A complete OpenAI stream: JSON chunks of one id, role first (chat), exactly one non-null
// finish_reason, then (optionally) the usage chunk, then exactly one [DONE], last. Returns the
// chunks (without [DONE]) and the concatenated text.
function assertCompleteStream(res, object = 'chat.completion.chunk') {
  assert.equal(res.status, 200, where(res));
  assert.match(String(res.headers['content-type']), /^text\/event-stream/, where(res));
  const d = res.data;
  assert.ok(d.length >= 3, `too few events: ${where(res)}`);
  assert.equal(d.at(-1), '[DONE]', `stream does not end with [DONE]: ${where(res)}`);
  assert.equal(d.filter((x) => x === '[DONE]').length, 1, `more than one [DONE]: ${where(res)}`);
  const chunks = d.slice(0, -1).map((x) => JSON.parse(x));
  for (const c of chunks) {
    assert.equal(c.error, undefined, `error event in a complete stream: ${where(res)}`);
    assert.equal(c.object, object, where(res));
  }
  assert.equal(new Set(chunks.map((c) => c.id)).size, 1, `chunks carry several ids: ${where(res)}`);
  const finishes = chunks.filter((c) => c.choices?.[0]?.finish_reason);
  assert.equal(finishes.length, 1, `want exactly one finish_reason: ${where(res)}`);
  if (object === 'chat.completion.chunk') assert.equal(chunks[0].choices[0].delta.role, 'assistant', where(res));
  const text = chunks.map((c) => c.choices?.[0]?.delta?.content ?? c.choices?.[0]?.text ?? '').join('');
  return { chunks, text };
}

// A stream that broke after its first token: 200, some content, exactly one `data: {"error":...}`
// event as the last event, no finish_reason and no [DONE].
function assertErrorEndedStream(res) {
  assert.equal(res.status, 200, where(res));
  const d = res.data;
  assert.ok(!d.includes('[DONE]'), `a broken stream must not end with [DONE]: ${where(res)}`);
  const events = d.map((x) => JSON.parse(x));
  const errors = events.filter((e) => e.error);
  assert.equal(errors.length, 1, `want exactly one error event: ${where(res)}`);
  assert.ok(events.at(-1).error, `the error event is not the last: ${where(res)}`);
  assert.equal(typeof events.at(-1).error.message, 'string', where(res));
  assert.ok(!events.some((e) => e.choices?.[0]?.finish_reason), `a broken stream must not carry a finish_reason: ${where(res)}`);
  const text = events.map((e) => e.choices?.[0]?.delta?.content ?? '').join('');
  assert.ok(text.length > 0, `no content before the error: ${where(res)}`);
  return events;
}

async function metrics(gw) {
  return parseMetrics((await request(gw.port, { path: '/metrics' })).text);
}
// The sum over every series matching `labels` (spend is kept per key, model and provider).
function total(samples, name, labels) {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

function sample(samples, name, labels) {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

// --- the tests --------------------------------------------------------------------------------

describe('hybrid routing', () => {
  let pki;
  let up;     // the provider, with a certificate the gateway trusts
  let rogue;  // a provider whose certificate comes from a CA the gateway does not know
  let gw;

  before(async () => {
    pki = makeTestPki();
    up = await startFakeUpstream({ key: pki.trusted.key, cert: pki.trusted.cert });
    rogue = await startFakeUpstream({ key: pki.untrusted.key, cert: pki.untrusted.cert });
    gw = await startGateway({ config: gatewayConfig({ up, rogue, caFile: pki.caFile }),
      env: { [KEY_ENV]: KEY, [KEY2_ENV]: KEY2 } });
  });

  after(async () => {
    await gw?.stop();
    await up?.close();
    await rogue?.close();
    pki?.cleanup();
  });

  const upstreamErrors = async (provider, kind) =>
    sample(await metrics(gw), 'gateway_upstream_errors_total', { provider, kind })?.value ?? 0;

  // The access log line of one request (written when its exchange ends, maybe after the reply).
  async function accessLine(id) {
    const line = await pollUntil(() => gw.output().split('\n').find((l) => l.includes(`access request_id=${id} `)),
      { timeoutMs: 5_000, intervalMs: 20 });
    assert.ok(line, `no access log line for ${id}`);
    return line;
  }

  // --- configuration ----------------------------------------------------------------------

  test('config: a provider whose api_key_env is unset is disabled (warned), never called', T, async () => {
    const missing = 'HYBRID_TEST_SURELY_UNSET_KEY';
    assert.equal(process.env[missing], undefined);
    const cfg = `
server: {listen: 127.0.0.1:0}
providers:
  - {name: px, base_url: "${up.baseURL}", api_key_env: ${missing}, ca_file: ${pki.caFile}}
models:
  - {id: m-remote, engine: none, remote: [{provider: px, model: ok}]}
  - id: m-local
    ${FAST}
    remote: [{provider: px, model: ok}]
    routing: {long_prompt_tokens: 50}
`;
    const g = await startGateway({ config: cfg });
    try {
      assert.match(g.output(), new RegExp(`px.*${missing}|${missing}.*px`), `no warning naming the provider and the variable:\n${g.output()}`);
      const remote = await chat(g, 'm-remote');
      assertError(remote, 503, 'no_available_target');
      // A long prompt cannot go to the disabled provider: the local pool takes it.
      const local = await chat(g, 'm-local', { content: LONG_PROMPT, maxTokens: 3 });
      assert.equal(local.status, 200, where(local));
      assertRoute(local, 'local:m-local', 'local');
      assert.equal(up.requestsFor(remote.rid).length + up.requestsFor(local.rid).length, 0, 'a disabled provider was called');
    } finally {
      await g.stop();
    }
  });

  // Plain http is accepted only to this host (an egress sidecar, a benchmark upstream).
  test('config: a provider base_url that is not https:// (off this host) is refused', T, async () => {
    const cfg = `
server: {listen: 127.0.0.1:0}
providers:
  - {name: px, base_url: "http://10.255.255.1:${up.port}/v1", api_key_env: ${KEY_ENV}}
models:
  - {id: m, engine: none, remote: [{provider: px, model: ok}]}
`;
    await assert.rejects(startGateway({ config: cfg, env: { [KEY_ENV]: KEY } }), /https/);
  });

  // --- routes -------------------------------------------------------------------------------

  test('local route: a short prompt streams from the local pool (local:<model>, reason local)', T, async () => {
    const res = await chat(gw, 'hy-local', { stream: true, maxTokens: 6 });
    assertRoute(res, 'local:hy-local', 'local');
    const { text } = assertCompleteStream(res);
    assert.ok(text.length > 0);
    assert.equal(up.requestsFor(res.rid).length, 0, 'a local request reached the provider');
  });

  test('local route: non-streaming', T, async () => {
    const res = await chat(gw, 'hy-local', { maxTokens: 5 });
    assert.equal(res.status, 200, where(res));
    assertRoute(res, 'local:hy-local', 'local');
    assert.equal(res.json.object, 'chat.completion');
    assert.equal(res.json.usage.completion_tokens, 5);
    assert.equal(up.requestsFor(res.rid).length, 0, 'a local request reached the provider');
  });

  test('remote-only model (engine: none): streaming through the provider', T, async () => {
    const res = await chat(gw, 'r-ok', { stream: true });
    assertRoute(res, 'remote:p1', 'remote-only');
    const { text, chunks } = assertCompleteStream(res);
    assert.equal(text, CONTENT_TEXT);
    assert.equal(chunks.at(-1).choices[0].finish_reason, 'stop');
    for (const c of chunks) assert.equal(c.model, 'r-ok', 'chunks must name the public model');
    assert.equal(up.requestsFor(res.rid).length, 1);
  });

  test('remote-only model: non-streaming, with the provider\'s usage', T, async () => {
    const res = await chat(gw, 'r-ok');
    assert.equal(res.status, 200, where(res));
    assertRoute(res, 'remote:p1', 'remote-only');
    assert.equal(res.json.object, 'chat.completion');
    assert.equal(res.json.model, 'r-ok');
    assert.equal(res.json.choices[0].message.role, 'assistant');
    assert.equal(res.json.choices[0].message.content, CONTENT_TEXT);
    assert.equal(res.json.choices[0].finish_reason, 'stop');
    assert.equal(res.json.usage.prompt_tokens, USAGE.prompt_tokens);
    assert.equal(res.json.usage.completion_tokens, USAGE.completion_tokens);
    const [u] = up.requestsFor(res.rid);
    // A non-streaming client's body is forwarded as sent: nothing injected (no stream: false), and
    // the non-streamed answer carries usage anyway.
    assert.equal(u.body.stream, undefined);
    assert.equal(u.body.stream_options, undefined);
  });

  test('remote-only model: legacy /v1/completions streams text_completion chunks', T, async () => {
    const id = rid('legacy');
    const res = await chat(gw, 'r-ok', { rid: id, path: LEGACY,
      body: { model: 'r-ok', prompt: 'Once upon a time', stream: true, max_tokens: 16 } });
    assertRoute(res, 'remote:p1', 'remote-only');
    const { text } = assertCompleteStream(res, 'text_completion');
    assert.equal(text, CONTENT_TEXT);
    const [u] = up.requestsFor(id);
    assert.equal(u.path, '/v1/completions');
    assert.equal(u.body.prompt, 'Once upon a time');
    assert.equal(u.body.max_tokens, 16);
  });

  test('long prompt → remote (long-prompt->remote), streaming and non-streaming', T, async () => {
    const s = await chat(gw, 'hy-local', { stream: true, content: LONG_PROMPT });
    assertRoute(s, 'remote:p1', 'long-prompt->remote');
    assert.equal(assertCompleteStream(s).text, CONTENT_TEXT);
    const [u] = up.requestsFor(s.rid);
    assert.ok(u, 'the provider saw no request');
    assert.equal(u.body.model, 'ok', 'the upstream model name comes from the mapping');
    assert.equal(u.body.messages.at(-1).content, LONG_PROMPT);

    const n = await chat(gw, 'hy-local', { content: LONG_PROMPT });
    assert.equal(n.status, 200, where(n));
    assertRoute(n, 'remote:p1', 'long-prompt->remote');
    assert.equal(n.json.choices[0].message.content, CONTENT_TEXT);
  });

  test('restricted header keeps even a long prompt local (sensitive->local); the provider sees nothing', T, async () => {
    for (const value of ['restricted', 'RESTRICTED']) {
      const res = await chat(gw, 'hy-local', { stream: true, content: LONG_PROMPT, maxTokens: 4,
        headers: { 'X-Data-Classification': value } });
      assertRoute(res, 'local:hy-local', 'sensitive->local');
      assertCompleteStream(res);
      assert.equal(up.requestsFor(res.rid).length, 0, `restricted data (${value}) reached the provider`);
    }
    // Another classification is not restricted: the long prompt goes remote.
    const other = await chat(gw, 'hy-local', { content: LONG_PROMPT, headers: { 'X-Data-Classification': 'public' } });
    assertRoute(other, 'remote:p1', 'long-prompt->remote');
  });

  test('a model with routing.restricted: true never goes remote', T, async () => {
    const res = await chat(gw, 'hy-secret', { stream: true, content: LONG_PROMPT, maxTokens: 4 });
    assertRoute(res, 'local:hy-secret', 'sensitive->local');
    assertCompleteStream(res);
    const n = await chat(gw, 'hy-secret', { content: LONG_PROMPT, maxTokens: 4 });
    assert.equal(n.status, 200, where(n));
    assertRoute(n, 'local:hy-secret', 'sensitive->local');
    assert.equal(up.requestsFor(res.rid).length + up.requestsFor(n.rid).length, 0, 'restricted model reached the provider');
  });

  test('restricted request for a remote-only model → 503 no_available_target; the provider sees nothing', T, async () => {
    const before = up.requests.length;
    for (const stream of [false, true]) {
      const res = await chat(gw, 'r-ok', { stream, headers: { 'X-Data-Classification': 'restricted' } });
      assertError(res, 503, 'no_available_target');
      assert.equal(up.requestsFor(res.rid).length, 0, 'restricted data reached the provider');
    }
    assert.equal(up.requests.length, before, 'the provider saw a request');
  });

  // Occupies the one batch slot and the one queue slot of a TINY model; returns the in-flight
  // requests (to await) once the queue is full.
  // A streaming request that reports when a few content chunks arrived (it then holds a batch
  // slot, and the pool has measured its step time, which its wait estimate needs) and resolves
  // `done` like chat() once the stream ends.
  function streamStarted(model, opts = {}) {
    const id = rid(`${model}-fill`);
    let started;
    const first = new Promise((r) => { started = r; });
    const payload = JSON.stringify(chatBody(model, { stream: true, ...opts }));
    const done = new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: gw.port, method: 'POST', path: CHAT, agent: false,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), 'X-Request-Id': id } },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c.toString('utf8');
          if ((text.match(/"content":"[^"]/g) ?? []).length >= 4) started(true);
        });
        res.on('end', () => {
          started(false);
          resolve({ status: res.statusCode, headers: res.headers, text, rid: id, data: sseData(text) });
        });
        res.on('error', reject);
      });
      req.setTimeout(12_000, () => req.destroy(new Error('fill request timed out')));
      req.on('error', (e) => { started(false); reject(e); });
      req.end(payload);
    });
    return { first, done };
  }

  // Fills a TINY model: one request decoding in the batch slot, one waiting in the queue (seen
  // in gateway_queue_depth). Each runs ~0.8 s, long past the test's own request. Returns the
  // fill requests' completions.
  async function saturate(model, queued = 1) {
    const a = streamStarted(model, { maxTokens: 40 });
    assert.equal(await Promise.race([a.first, deadline(5_000, 'timeout')]), true, `${model}: the first request never streamed`);
    const rest = [];
    for (let i = 0; i < queued; ++i) rest.push(streamStarted(model, { maxTokens: 40 }));
    const depth = await pollUntil(async () => {
      const s = sample(await metrics(gw), 'gateway_queue_depth', {});
      return s && s.value >= queued ? s.value : 0;
    }, { timeoutMs: 3_000, intervalMs: 10 });
    assert.ok(depth >= queued, `${model}: the queue never filled (gateway_queue_depth ${depth})`);
    return [a, ...rest].map((x) => x.done);
  }

  test('restricted request while the local pool is saturated → 503 no_available_target; never remote', T, async () => {
    const fill = await saturate('ov');
    const res = await chat(gw, 'ov', { headers: { 'X-Data-Classification': 'restricted' }, maxTokens: 2 });
    // The pool drains before any assertion, so that a failure here leaves the next test a free pool.
    const filled = await Promise.all(fill);
    assert.equal(up.requestsFor(res.rid).length, 0, 'restricted data reached the provider');
    assert.notEqual(res.headers['x-gateway-route'], 'remote:p1', where(res));
    assertError(res, 503, 'no_available_target');
    for (const r of filled) assert.equal(r.status, 200, where(r));
  });

  test('overflow: a saturated local pool sends new requests remote first (overflow->remote)', T, async () => {
    const fill = await saturate('ov');
    const [s, n] = await Promise.all([chat(gw, 'ov', { stream: true }), chat(gw, 'ov')]);
    const filled = await Promise.all(fill);
    for (const res of [s, n]) {
      assert.equal(res.headers['x-gateway-route'], 'remote:p1', where(res));
      assert.ok(['overflow->remote', 'fallback'].includes(res.headers['x-gateway-route-reason']), where(res));
    }
    assert.equal(assertCompleteStream(s).text, CONTENT_TEXT);
    assert.equal(n.json.choices[0].message.content, CONTENT_TEXT);
    for (const r of filled) {
      assert.equal(r.status, 200, where(r));
      assertRoute(r, 'local:ov', 'local');
    }
    // At least one decision was an overflow (the plan saw the full queue).
    assert.ok([s, n].some((r) => r.headers['x-gateway-route-reason'] === 'overflow->remote'),
      `no overflow->remote: ${where(s)} | ${where(n)}`);
  });

  test('overflow off: a local refusal (queue full) falls back to the remote (fallback)', T, async () => {
    const fill = await saturate('ov-nooverflow');
    const res = await chat(gw, 'ov-nooverflow', { stream: true });
    const filled = await Promise.all(fill);
    assertRoute(res, 'remote:p1', 'fallback');
    assert.equal(assertCompleteStream(res).text, CONTENT_TEXT);
    for (const r of filled) assert.equal(r.status, 200, where(r));
  });

  test('overflow plan whose remote fails (500) falls back to the local pool behind it', T, async () => {
    // One request decoding, one queued: the estimated wait exceeds the 1 ms TTFT target while
    // the queue (4 slots) still has room for this request once its remote has failed.
    const fill = await saturate('ov-fail');
    const res = await chat(gw, 'ov-fail', { stream: true, maxTokens: 4 });
    const filled = await Promise.all(fill);
    assertRoute(res, 'local:ov-fail', 'fallback');
    assertCompleteStream(res);
    assert.equal(up.requestsFor(res.rid).length, 3, 'want 1 attempt + 2 retries at the provider first');
    for (const r of filled) assert.equal(r.status, 200, where(r));
  });

  // --- failures before the first token ------------------------------------------------------

  test('429 then success: the retry honours Retry-After (2 requests upstream)', T, async () => {
    const res = await chat(gw, 'r-429-ok', { stream: true });
    assertRoute(res, 'remote:p1', 'remote-only');
    assert.equal(assertCompleteStream(res).text, CONTENT_TEXT);
    const seen = up.requestsFor(res.rid);
    assert.deepEqual(seen.map((r) => r.behaviour), ['429', 'ok']);
    const gap = seen[1].at - seen[0].at;
    assert.ok(gap >= 900, `retried ${gap} ms after a 429 with Retry-After: 1`);
  });

  test('429 with a Retry-After over max_retry_after_ms → 429 rate_limit_exceeded with Retry-After, no retry', T, async () => {
    for (const stream of [false, true]) {
      const res = await chat(gw, 'r-429-short', { stream });
      assertError(res, 429, 'rate_limit_exceeded');
      assert.ok(res.headers['retry-after'], `no Retry-After: ${where(res)}`);
      assert.ok(Number(res.headers['retry-after']) >= 1, where(res));
      assert.equal(up.requestsFor(res.rid).length, 1);
    }
  });

  test('429 on every attempt → 429 rate_limit_exceeded with Retry-After after the retries, each Retry-After honoured', T, async () => {
    const res = await chat(gw, 'r-429', { stream: true });
    assertError(res, 429, 'rate_limit_exceeded');
    assertRoute(res, 'remote:p1', 'remote-only');
    assert.ok(Number(res.headers['retry-after']) >= 1, `no Retry-After: ${where(res)}`);
    const seen = up.requestsFor(res.rid);
    assert.equal(seen.length, 3, 'want 1 attempt + max_retries 2');
    for (let i = 1; i < seen.length; ++i)
      assert.ok(seen[i].at - seen[i - 1].at >= 900, `retry ${i} came ${seen[i].at - seen[i - 1].at} ms after a Retry-After: 1`);
  });

  test('a transient 500 (queued on the fake) is retried transparently', T, async () => {
    up.enqueue('500');
    const res = await chat(gw, 'r-ok', { stream: true });
    assertRoute(res, 'remote:p1', 'remote-only');
    assert.equal(assertCompleteStream(res).text, CONTENT_TEXT);
    assert.deepEqual(up.requestsFor(res.rid).map((r) => r.behaviour), ['500', 'upstream-ok-model']);
  });

  test('500 → retried, then 502 upstream_error (streaming client gets the status too)', T, async () => {
    for (const stream of [false, true]) {
      const res = await chat(gw, 'r-500', { stream });
      assertError(res, 502, 'upstream_error');
      assertRoute(res, 'remote:p1', 'remote-only');
      const seen = up.requestsFor(res.rid);
      assert.equal(seen.length, 3, 'want 1 attempt + max_retries 2');
      assert.ok(seen.every((r) => r.behaviour === '500'));
    }
  });

  test('500 on the first provider → failover to the next remote target (fallback)', T, async () => {
    const res = await chat(gw, 'r-500-p2', { stream: true });
    assertRoute(res, 'remote:p2', 'fallback');
    assert.equal(assertCompleteStream(res).text, CONTENT_TEXT);
    const seen = up.requestsFor(res.rid);
    assert.deepEqual(seen.map((r) => `${r.body.model}`), ['fault:500', 'fault:500', 'fault:500', 'ok']);
    assert.equal(seen.at(-1).headers.authorization, `Bearer ${KEY2}`, 'p2 is called with its own key');
  });

  test('400 from the provider → 400 upstream_rejected, no retry, no failover', T, async () => {
    for (const stream of [false, true]) {
      const res = await chat(gw, 'r-400', { stream });
      assertError(res, 400, 'upstream_rejected');
      assertRoute(res, 'remote:p1', 'remote-only');
      assert.equal(up.requestsFor(res.rid).length, 1, 'a rejected request must not be retried or failed over');
      // The provider's explanation is passed on (README: "its message passed on").
      assert.ok(res.json.error.message.includes(REJECT_MESSAGE), where(res));
    }
  });

  // The fake stalls for 8 s and then answers 504: only the first-byte timeout, counted as such,
  // ends the attempt before that, with the fake's connection closed under an unfinished answer.
  test('stall before the first byte with first_byte_ms 400 → 502 upstream_error by the first-byte timeout', T, async () => {
    for (const stream of [false, true]) {
      const e0 = await upstreamErrors('pshort', 'timeout_first_byte');
      const res = await chat(gw, 'r-stall', { stream });
      assertError(res, 502, 'upstream_error');
      assert.equal(await upstreamErrors('pshort', 'timeout_first_byte'), e0 + 1);
      const seen = up.requestsFor(res.rid);
      assert.equal(seen.length, 1);
      // The gateway gave up on the transfer: the provider saw its connection close.
      assert.ok(await pollUntil(() => seen[0].closedEarly || seen[0].finished, { timeoutMs: 10_000 }));
      assert.ok(seen[0].closedEarly && !seen[0].finished, 'the stalled upstream request was not aborted');
    }
  });

  test('untrusted provider certificate → 502, exactly one attempt (not retried)', T, async () => {
    const before = rogue.connections;
    const res = await chat(gw, 'r-rogue', { stream: true });
    assertError(res, 502, 'upstream_error');
    assertRoute(res, 'remote:progue', 'remote-only');
    // No HTTP request can have reached it; one TCP connection (one TLS handshake) was made. The
    // fake counts a connection when it accepts it, before its certificate reaches the gateway, so
    // every attempt is counted by the time the 502 arrives.
    assert.equal(rogue.connections - before, 1, 'want exactly one connection attempt');
    assert.equal(rogue.requests.length, 0, 'an HTTP request passed an untrusted certificate');
  });

  test('breaker: after a failure with consecutive_failures 1 it opens: 503, the provider is not called', T, async () => {
    const first = await chat(gw, 'r-brk');
    assertError(first, 502, 'upstream_error');
    assert.equal(up.requestsFor(first.rid).length, 1);
    const m = await metrics(gw);
    assert.equal(sample(m, 'gateway_circuit_state', { target: 'remote:pbrk' })?.value, 1, 'breaker not open');
    const second = await chat(gw, 'r-brk');
    assertError(second, 503, 'no_available_target');
    assert.equal(up.requestsFor(second.rid).length, 0, 'an open breaker let a request through');
  });

  // --- failures after the first token -------------------------------------------------------

  // The fake holds the stream for 8 s: the idle timeout, counted as such, is what ends it.
  test('stall mid-stream with idle_ms 400 → one error event, no [DONE]', T, async () => {
    const e0 = await upstreamErrors('pshort', 'timeout_idle');
    const res = await chat(gw, 'r-stall-mid', { stream: true });
    assertRoute(res, 'remote:pshort', 'remote-only');
    assertErrorEndedStream(res);
    assert.equal(await upstreamErrors('pshort', 'timeout_idle'), e0 + 1);
    assert.equal(up.requestsFor(res.rid).length, 1, 'no retry after the first token');
  });

  test('cut mid-stream (body ends without [DONE]) → one error event, never a clean finish', T, async () => {
    const res = await chat(gw, 'r-cut', { stream: true });
    assertErrorEndedStream(res);
    assert.equal(up.requestsFor(res.rid).length, 1, 'no retry after the first token');
    // Non-streaming: the client saw nothing yet, but the answer is incomplete: an error.
    const n = await chat(gw, 'r-cut');
    assertError(n, 502, 'upstream_error');
  });

  test('connection reset mid-stream → one error event, never a clean finish', T, async () => {
    const res = await chat(gw, 'r-reset', { stream: true });
    assertErrorEndedStream(res);
    assert.equal(up.requestsFor(res.rid).length, 1, 'no retry after the first token');
  });

  // --- what the provider receives -----------------------------------------------------------

  test('upstream request: Bearer key, X-Request-Id, valid traceparent, extra headers, the client\'s stream flag, mapped model', T, async () => {
    const id = rid('hdr');
    const res = await chat(gw, 'r-ok', { rid: id, maxTokens: 12,
      headers: { traceparent: TRACEPARENT, Authorization: 'Bearer client-secret-must-not-leak' },
      body: { model: 'r-ok', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }],
        max_tokens: 12, temperature: 0.5, stream: false } });
    assert.equal(res.status, 200, where(res));
    assert.equal(res.headers['x-request-id'], id);
    const seen = up.requestsFor(id);
    assert.equal(seen.length, 1);
    const u = seen[0];
    assert.equal(u.method, 'POST');
    assert.equal(u.path, '/v1/chat/completions');
    assert.equal(u.headers.authorization, `Bearer ${KEY}`);
    assert.equal(u.headers['x-request-id'], id);
    assert.equal(u.headers.traceparent, TRACEPARENT);
    assert.equal(u.headers['x-extra-test'], 'hybrid-extra');
    assert.match(String(u.headers['content-type']), /^application\/json/);
    assert.equal(u.body.model, 'upstream-ok-model');
    // The client's body as sent, but for the model: its stream: false, and no stream_options.
    assert.equal(u.body.stream, false);
    assert.equal(u.body.stream_options, undefined);
    assert.equal(u.body.max_tokens, 12);
    assert.equal(u.body.temperature, 0.5);
    assert.deepEqual(u.body.messages, [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }]);
  });

  test('upstream request: a malformed traceparent is not passed on', T, async () => {
    const res = await chat(gw, 'r-ok', { headers: { traceparent: '00-nothex-zz-01' } });
    assert.equal(res.status, 200, where(res));
    const [u] = up.requestsFor(res.rid);
    assert.equal(u.headers.traceparent, undefined);
  });

  test('usage: no usage chunk unless asked; with include_usage the provider\'s numbers', T, async () => {
    const plain = await chat(gw, 'r-ok', { stream: true });
    const { chunks: c1 } = assertCompleteStream(plain);
    assert.ok(!c1.some((c) => c.usage), `usage chunk sent without include_usage: ${where(plain)}`);
    assert.equal(up.requestsFor(plain.rid)[0].body.stream_options?.include_usage, true, 'upstream still asked for usage');

    const off = await chat(gw, 'r-ok', { stream: true, includeUsage: false });
    assert.ok(!assertCompleteStream(off).chunks.some((c) => c.usage), where(off));

    const asked = await chat(gw, 'r-ok', { stream: true, includeUsage: true });
    const { chunks: c2 } = assertCompleteStream(asked);
    const withUsage = c2.filter((c) => c.usage);
    assert.equal(withUsage.length, 1, where(asked));
    const u = c2.at(-1);
    assert.ok(u.usage, 'the usage chunk is the last before [DONE]');
    assert.deepEqual(u.choices, []);
    assert.equal(u.usage.prompt_tokens, USAGE.prompt_tokens);
    assert.equal(u.usage.completion_tokens, USAGE.completion_tokens);
    assert.equal(u.usage.total_tokens, USAGE.prompt_tokens + USAGE.completion_tokens);
  });

  test('client disconnect mid-stream aborts the upstream transfer before its stream ends', T, async () => {
    const id = rid('abort');
    const gotContent = new Promise((resolve, reject) => {
      const payload = JSON.stringify(chatBody('r-slow', { stream: true }));
      const req = http.request({ host: '127.0.0.1', port: gw.port, method: 'POST', path: CHAT, agent: false,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), 'X-Request-Id': id } },
      (res) => {
        let buf = '';
        res.on('data', (c) => {
          buf += c.toString('utf8');
          if (/"content":"[^"]/.test(buf)) {
            req.destroy();
            resolve(res.statusCode);
          }
        });
        res.on('error', () => {});
        res.on('end', () => reject(new Error(`stream ended before any content: ${buf.slice(0, 300)}`)));
      });
      req.on('error', () => {});
      req.setTimeout(8_000, () => { req.destroy(); reject(new Error('no content within 8 s')); });
      req.end(payload);
    });
    assert.equal(await gotContent, 200);
    // The slow stream has many chunks to go: the abort must reach the provider first.
    const seen = await upstreamEnd(id);
    assert.ok(seen.closedEarly && !seen.finished, `the provider's connection was not closed after the client left: ${JSON.stringify(up.requestsFor(id).map((r) => ({ closedEarly: r.closedEarly, finished: r.finished })))}`);
  });

  // The one upstream request of `id` once it ended: closed early by the gateway, or finished.
  async function upstreamEnd(id) {
    const ended = await pollUntil(() => up.requestsFor(id).find((r) => r.closedEarly || r.finished),
      { timeoutMs: 10_000, intervalMs: 20 });
    assert.ok(ended, 'the upstream request neither finished nor was closed');
    assert.equal(up.requestsFor(id).length, 1);
    return ended;
  }

  // Sends a chat request on its own connection and destroys it once `until()` holds (polled).
  async function abandon(model, { stream, until, id = rid(`${model}-gone`) }) {
    const payload = JSON.stringify(chatBody(model, { stream }));
    const req = http.request({ host: '127.0.0.1', port: gw.port, method: 'POST', path: CHAT, agent: false,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), 'X-Request-Id': id } });
    req.on('error', () => {});
    req.on('response', (res) => { res.on('data', () => {}); res.on('error', () => {}); });
    req.end(payload);
    const ok = await pollUntil(until(id), { timeoutMs: 5_000, intervalMs: 10 });
    req.destroy();
    assert.ok(ok, 'the condition to abandon the request never held');
    return id;
  }

  test('client disconnect while a non-streaming remote request runs aborts the upstream transfer', T, async () => {
    const id = await abandon('r-slow', { stream: false, until: (id) => () => up.requestsFor(id).length === 1 });
    // The slow answer comes only after its whole stream's time: the abort must reach the provider first.
    const seen = await upstreamEnd(id);
    assert.ok(seen.closedEarly && !seen.finished, 'the provider\'s connection stayed open after the client left');
  });

  test('client disconnect during a retry wait (Retry-After) stops further attempts', T, async () => {
    const id = await abandon('r-429-ok', { stream: true, until: (id) => () => up.requestsFor(id).length === 1 });
    assert.match(await accessLine(id), / status=499 /);
    // A second request of the same model, sent after the first was abandoned, gets the same
    // Retry-After: 1 later, so its retry is due after the abandoned one's would have been. Once
    // it has been retried, a retry of the abandoned request would have reached the fake too.
    const marker = await chat(gw, 'r-429-ok', { stream: true });
    assert.deepEqual(up.requestsFor(marker.rid).map((r) => r.behaviour), ['429', 'ok']);
    assert.equal(up.requestsFor(id).length, 1, 'the gateway retried for a client that had gone');
  });

  // --- spend --------------------------------------------------------------------------------

  // Spend is what the provider reported (USAGE from the fake, priced by pcost). A refusal is
  // not spend; a stream the client left before the usage chunk is an estimate, kept apart.
  test('cost: a 429 or a 500 costs nothing; an answer costs its reported usage; a client gone mid-stream, an estimate', T, async () => {
    const cost = (m) => total(m, 'gateway_cost_usd_total', { provider: 'pcost' });
    const estimated = (m) => total(m, 'gateway_cost_estimated_usd_total', { provider: 'pcost' });
    const m0 = await metrics(gw);
    for (const stream of [true, false]) {
      assertError(await chat(gw, 'cost-429', { stream }), 429, 'rate_limit_exceeded');
      assertError(await chat(gw, 'cost-500', { stream }), 502, 'upstream_error');
    }
    const m1 = await metrics(gw);
    assert.equal(cost(m1), cost(m0), 'a refused request was charged as spend');
    assert.equal(estimated(m1), estimated(m0), 'a refused request was charged an estimate');

    for (const stream of [true, false]) {
      const ok = await chat(gw, 'cost-ok', { stream });
      assert.equal(ok.status, 200, where(ok));
    }
    const m2 = await metrics(gw);
    const perAnswer = (USAGE.prompt_tokens * PRICE_IN + USAGE.completion_tokens * PRICE_OUT) / 1e6;
    assert.ok(Math.abs(cost(m2) - cost(m1) - 2 * perAnswer) < 1e-9, `spend grew by ${cost(m2) - cost(m1)}, want ${2 * perAnswer}`);
    assert.equal(estimated(m2), estimated(m1));

    // The client leaves after the first content: no usage chunk ever comes.
    const id = rid('cost-gone');
    await new Promise((resolve, reject) => {
      const payload = JSON.stringify(chatBody('cost-slow', { stream: true }));
      const req = http.request({ host: '127.0.0.1', port: gw.port, method: 'POST', path: CHAT, agent: false,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), 'X-Request-Id': id } },
      (res) => {
        let buf = '';
        res.on('data', (c) => {
          buf += c.toString('utf8');
          if (/"content":"[^"]/.test(buf)) {
            req.destroy();
            resolve();
          }
        });
        res.on('error', () => {});
        res.on('end', () => reject(new Error(`stream ended before any content: ${buf.slice(0, 300)}`)));
      });
      req.on('error', () => {});
      req.setTimeout(8_000, () => { req.destroy(); reject(new Error('no content within 8 s')); });
      req.end(payload);
    });
    const m3 = await pollUntil(async () => {
      const m = await metrics(gw);
      return estimated(m) > estimated(m2) ? m : null;
    }, { timeoutMs: 5_000, intervalMs: 20 });
    assert.ok(m3, 'a stream served without reported usage left no estimated spend');
    assert.equal(cost(m3), cost(m2), 'an estimate was counted as reported spend');
  });

  // --- metrics ------------------------------------------------------------------------------

  test('metrics: route decisions, upstream errors, circuit state and cost, with their labels', T, async () => {
    // A request whose cost is known: p2 prices at PRICE_IN / PRICE_OUT per million tokens and
    // the fake reports USAGE; p2 served exactly one successful request so far (the failover).
    const m = await metrics(gw);
    const want = (name, labels, pred = (v) => v >= 1) => {
      const s = sample(m, name, labels);
      assert.ok(s, `no ${name}${JSON.stringify(labels)} in /metrics:\n${m.filter((x) => x.name === name).map((x) => JSON.stringify(x)).join('\n')}`);
      assert.ok(pred(s.value), `${name}${JSON.stringify(labels)} = ${s.value}`);
      return s.value;
    };
    want('gateway_route_decisions_total', { target: 'local:hy-local', reason: 'local' });
    want('gateway_route_decisions_total', { target: 'remote:p1', reason: 'remote-only' });
    want('gateway_route_decisions_total', { target: 'remote:p1', reason: 'long-prompt->remote' });
    want('gateway_route_decisions_total', { target: 'local:hy-local', reason: 'sensitive->local' });
    want('gateway_route_decisions_total', { target: 'local:hy-secret', reason: 'sensitive->local' });
    want('gateway_route_decisions_total', { target: 'remote:p1', reason: 'overflow->remote' });
    want('gateway_route_decisions_total', { target: 'remote:p2', reason: 'fallback' });
    want('gateway_route_decisions_total', { target: 'local:ov-fail', reason: 'fallback' });
    want('gateway_upstream_errors_total', { provider: 'p1', kind: 'http_500' }, (v) => v >= 6);
    want('gateway_upstream_errors_total', { provider: 'p1', kind: 'http_429' });
    want('gateway_upstream_errors_total', { provider: 'p1', kind: 'http_400' });
    want('gateway_upstream_errors_total', { provider: 'pshort', kind: 'timeout_first_byte' }, (v) => v >= 2);
    want('gateway_upstream_errors_total', { provider: 'pshort', kind: 'timeout_idle' });
    want('gateway_upstream_errors_total', { provider: 'progue', kind: 'tls_failed' }, (v) => v === 1);
    for (const p of ['p1', 'p2', 'pshort', 'progue']) want('gateway_circuit_state', { target: `remote:${p}` }, (v) => v === 0);
    want('gateway_circuit_state', { target: 'remote:pbrk' }, (v) => v === 1);
    const p2 = total(m, 'gateway_cost_usd_total', { provider: 'p2' });
    assert.ok(Math.abs(p2 - (USAGE.prompt_tokens * PRICE_IN + USAGE.completion_tokens * PRICE_OUT) / 1e6) < 1e-9,
      `gateway_cost_usd_total{provider="p2"} = ${p2}`);
    // p1 has no price: zero cost, or no sample at all.
    assert.equal(total(m, 'gateway_cost_usd_total', { provider: 'p1' }), 0);
    // The families are declared for scrapers.
    const text = (await request(gw.port, { path: '/metrics' })).text;
    for (const fam of ['gateway_route_decisions_total', 'gateway_upstream_errors_total', 'gateway_circuit_state', 'gateway_cost_usd_total',
      'gateway_cost_estimated_usd_total'])
      assert.match(text, new RegExp(`^# TYPE ${fam} `, 'm'), `no # TYPE for ${fam}`);
  });

  test('the gateway is still healthy after all of it', T, async () => {
    const res = await Promise.race([request(gw.port, { path: '/healthz', timeoutMs: 3_000 }), deadline(4_000, null)]);
    assert.equal(res?.status, 200, gw.output().slice(-2000));
  });
});
