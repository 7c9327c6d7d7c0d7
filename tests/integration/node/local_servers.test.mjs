// `engine: openai` end to end: front gateways whose models are served by local OpenAI-compatible
// servers, here more instances of the same binary on the sim engine, plus a fake TLS provider
// (fake_upstream.mjs) for the routes that leave the machine. It covers relaying (chat, streams,
// legacy completions), prefix affinity under bounded load, ejection and re-admission, every
// server down (remote, or 503 for restricted data), a server killed before or after the first
// token, coalesced embeddings, and a client abort that reaches the server.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { deadline, deadPort, parseMetrics, pollUntil, request, sleep, sseData, startGateway } from './harness.mjs';
import { CONTENT_TEXT, startFakeUpstream } from './fake_upstream.mjs';
import { simServers, startSimServer } from './sim_server.mjs';
import { makeTestPki } from './tls.mjs';

const T = { timeout: 20_000 };
const CHAT = '/v1/chat/completions';
const LEGACY = '/v1/completions';
const EMBED = '/v1/embeddings';
const MODEL = 'minimax-m2.6';
const SLOW = 'minimax-slow';
const SERVER_MODEL = '/models/MiniMax-M2.6';  // the servers' own id for the model
const KEY_ENV = 'LOCAL_SERVERS_TEST_P1_KEY';
const LONG_PROMPT = `Summarise this: ${'lorem ipsum dolor sit amet '.repeat(300)}`;  // prefill adds ~0.15 s

// --- local servers (sim_server.mjs), killed in after() and when the process exits.

let configDir;

const backends = simServers;
const startBackend = (timeScale, port = 0) =>
  startSimServer({ dir: configDir, name: `backend-${timeScale}`, model: SERVER_MODEL, timeScale, port });

// --- configs ---------------------------------------------------------------------------------

// A model served by local servers, given as [[name, url], ...].
const localModel = (id, servers, extra = '') => `
  - id: ${id}
    engine: openai
    openai:
      model: ${SERVER_MODEL}
      servers: [${servers.map(([name, url]) => `{name: ${name}, url: "${url}"}`).join(', ')}]
      max_in_flight: 4
      health: {path: /healthz, interval_ms: 100, timeout_ms: 200, unhealthy_after: 2, healthy_after: 2}
      affinity: {prefix_chars: 1024, load_factor: 1.25}
      embedding_delay_ms: 50
    batching: {max_queued: 64, max_queue_wait_ms: 5000, max_embedding_inputs: 64}${extra}`;

const frontConfig = (models, providers = '') => `
server: {listen: 127.0.0.1:0}
log: {level: info}
restricted: {header: X-Data-Classification, value: restricted}${providers}
models:${models}
`;

const providerP1 = (up, caFile) => `
providers:
  - {name: p1, base_url: "${up.baseURL}", api_key_env: ${KEY_ENV}, ca_file: "${caFile}",
     retries: {max_retries: 0}, breaker: {consecutive_failures: 0, window: 0}}`;
const REMOTE = '\n    remote: [{provider: p1, model: ok}]';

// --- client helpers --------------------------------------------------------------------------

let ridSeq = 0;

// One request on a fresh connection, with its own X-Request-Id (res.rid); SSE payloads in res.data.
async function post(port, path, body, headers = {}) {
  const id = `ls-${process.pid}-${++ridSeq}`;
  const res = await request(port, { method: 'POST', path, body, headers: { ...headers, 'X-Request-Id': id }, timeoutMs: 12_000 });
  res.rid = id;
  res.data = String(res.headers['content-type']).startsWith('text/event-stream') ? sseData(res.text) : [];
  return res;
}

const where = (res) => `${res.status} route=${res.headers['x-gateway-route']} ` +
  `reason=${res.headers['x-gateway-route-reason']} ${res.text.slice(0, 400)}`;

function assertRoute(res, route, reason) {
  assert.equal(res.status, 200, where(res));
  assert.equal(res.headers['x-gateway-route'], route, where(res));
  assert.equal(res.headers['x-gateway-route-reason'], reason, where(res));
}

// A stream that ended well: no error event, exactly one [DONE], last. Returns chunks and text.
function completeStream(res) {
  assert.match(String(res.headers['content-type']), /^text\/event-stream/, where(res));
  assert.equal(res.data.at(-1), '[DONE]', `no [DONE] at the end: ${where(res)}`);
  assert.equal(res.data.filter((d) => d === '[DONE]').length, 1, where(res));
  const chunks = res.data.slice(0, -1).map((d) => JSON.parse(d));
  assert.ok(!chunks.some((c) => c.error), `error event: ${where(res)}`);
  const text = chunks.map((c) => c.choices?.[0]?.delta?.content ?? c.choices?.[0]?.text ?? '').join('');
  return { chunks, text };
}

function assertErrorEnvelope(res, status, code) {
  assert.equal(res.status, status, where(res));
  assert.match(String(res.headers['content-type']), /^application\/json/, where(res));
  assert.equal(typeof res.json?.error?.message, 'string', where(res));
  if (code) assert.equal(res.json.error.code, code, where(res));
}

// A streaming request on its own connection: `events` holds the complete SSE data payloads so
// far; `done` resolves when the response ends or the connection closes.
function openStream(port, body) {
  const payload = JSON.stringify(body);
  const s = { status: 0, headers: {}, buf: '', events: [], ended: false };
  s.done = new Promise((resolve) => {
    const finish = (how) => { s.ended = true; resolve(how); };
    s.req = http.request({ host: '127.0.0.1', port, method: 'POST', path: CHAT, agent: false,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } }, (res) => {
      Object.assign(s, { status: res.statusCode, headers: res.headers });
      res.on('data', (c) => {
        s.buf += c.toString('utf8');
        s.events = sseData(s.buf.slice(0, s.buf.lastIndexOf('\n\n') + 2));
      });
      for (const ev of ['end', 'error', 'close']) res.on(ev, () => finish(ev));
    });
    s.req.on('error', () => finish('error'));
    s.req.end(payload);
  });
  s.hasContent = () => s.events.some((e) => /"content":"[^"]/.test(e));
  return s;
}

// --- metrics ---------------------------------------------------------------------------------

async function metricsOf(port) {
  return parseMetrics((await request(port, { path: '/metrics', timeoutMs: 3_000 })).text);
}
const total = (samples, name, pred = () => true) =>
  samples.filter((s) => s.name === name && pred(s.labels)).reduce((n, s) => n + s.value, 0);

// Requests a local server took (chat, completions and embeddings alike): its route decisions,
// counted when each request starts there, so a finished front request is always counted.
async function served(b) {
  return total(await metricsOf(b.port), 'gateway_route_decisions_total', (l) => l.target === `local:${SERVER_MODEL}`);
}
// Sequences a gateway is generating or holding in its queues.
async function busy(port) {
  const m = await metricsOf(port);
  return total(m, 'gateway_active_sequences') + total(m, 'gateway_queue_depth');
}
async function circuit(gw, model, server) {
  return (await metricsOf(gw.port)).find((s) => s.name === 'gateway_circuit_state'
    && s.labels.target === `local:${model}/${server}`)?.value;
}

// Conversations with `n` different openings (first system + user turn); fixed text, so the
// affinity hash places them the same way on every run.
const openings = (n) => Array.from({ length: n }, (_, i) => [
  { role: 'system', content: `You are assistant number ${i}.` },
  { role: 'user', content: `Question ${i}: what is ${i} squared?` },
]);
const withTurn = (opening, i) => [...opening, { role: 'assistant', content: `Answer ${i}.` },
  { role: 'user', content: `Follow-up ${i}?` }];

// --- the tests -------------------------------------------------------------------------------

describe('local inference servers (engine: openai)', () => {
  let pki, up;
  const be = {};  // local servers by role
  let gw;         // minimax-m2.6 on fast a/b, minimax-slow on slow a/b
  let gwHealth;   // minimax-m2.6 on ha/hb (one gets killed and restarted)
  let gwDown;     // models whose servers are all down, with a remote provider
  let gwKill;     // models with one slow server each, killed by the tests

  before(async () => {
    configDir = mkdtempSync(join(tmpdir(), 'gw-local-servers-'));
    pki = makeTestPki();
    up = await startFakeUpstream({ key: pki.trusted.key, cert: pki.trusted.cert });
    for (const name of ['a', 'b', 'ha', 'hb']) be[name] = await startBackend(0);
    for (const name of ['sa', 'sb', 'early', 'earlySolo', 'mid']) be[name] = await startBackend(1);
    const env = { [KEY_ENV]: 'sk-local-servers-test' };
    const providers = providerP1(up, pki.caFile);
    gw = await startGateway({ config: frontConfig(
      localModel(MODEL, [['a', be.a.url], ['b', be.b.url]]) + localModel(SLOW, [['a', be.sa.url], ['b', be.sb.url]])) });
    gwHealth = await startGateway({ config: frontConfig(localModel(MODEL, [['a', be.ha.url], ['b', be.hb.url]])) });
    const dead = [['a', `http://127.0.0.1:${await deadPort()}/v1`], ['b', `http://127.0.0.1:${await deadPort()}/v1`]];
    gwDown = await startGateway({ env, config: frontConfig(localModel(MODEL, dead, REMOTE)
      + localModel('minimax-secret', dead, `${REMOTE}\n    routing: {restricted: true}`), providers) });
    gwKill = await startGateway({ env, config: frontConfig(localModel('kill-early', [['a', be.early.url]], REMOTE)
      + localModel('kill-early-solo', [['a', be.earlySolo.url]]) + localModel('kill-mid', [['a', be.mid.url]]), providers) });
  });

  after(async () => {
    await Promise.all([gw, gwHealth, gwDown, gwKill].map((g) => g?.stop()));
    await Promise.all([...backends].map((b) => (b.kill ? b.kill() : b.child.kill('SIGKILL'))));
    await up?.close();
    pki?.cleanup();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  test('chat, streamed chat and legacy completions relay through the servers, as the servers answer them', T, async () => {
    const messages = [{ role: 'user', content: 'Tell me about local inference servers.' }];
    const direct = await post(be.a.port, CHAT, { model: SERVER_MODEL, messages, seed: 42, max_tokens: 12 });
    assert.equal(direct.status, 200, where(direct));
    const want = direct.json.choices[0].message.content;
    assert.ok(want.length > 0);

    const r = await post(gw.port, CHAT, { model: MODEL, messages, seed: 42, max_tokens: 12 });
    assertRoute(r, `local:${MODEL}`, 'local');
    assert.equal(r.json.object, 'chat.completion');
    assert.equal(r.json.model, MODEL);
    assert.equal(r.json.choices[0].message.content, want);
    assert.equal(r.json.usage.completion_tokens, direct.json.usage.completion_tokens);

    const s = await post(gw.port, CHAT, { model: MODEL, messages, seed: 42, max_tokens: 12, stream: true, stream_options: { include_usage: true } });
    assertRoute(s, `local:${MODEL}`, 'local');
    const { chunks, text } = completeStream(s);
    assert.equal(text, want);
    for (const c of chunks) assert.equal(c.model, MODEL, where(s));
    const usage = chunks.filter((c) => c.usage);
    assert.equal(usage.length, 1, where(s));
    assert.deepEqual(usage[0].usage, r.json.usage);

    const prompt = 'Once upon a time';
    const dl = await post(be.b.port, LEGACY, { model: SERVER_MODEL, prompt, seed: 7, max_tokens: 10 });
    assert.equal(dl.status, 200, where(dl));
    const l = await post(gw.port, LEGACY, { model: MODEL, prompt, seed: 7, max_tokens: 10 });
    assertRoute(l, `local:${MODEL}`, 'local');
    assert.equal(l.json.object, 'text_completion');
    assert.equal(l.json.model, MODEL);
    assert.equal(l.json.choices[0].text, dl.json.choices[0].text);
    const ls = await post(gw.port, LEGACY, { model: MODEL, prompt, seed: 7, max_tokens: 10, stream: true });
    assertRoute(ls, `local:${MODEL}`, 'local');
    assert.equal(completeStream(ls).text, dl.json.choices[0].text);

    // The front reads each answer to its end: the servers log no client that went away (499),
    // which an upstream transfer aborted after [DONE] would cause (and lose the connection).
    // Sequential requests, since the abort races the server's last write.
    for (let i = 0; i < 16; i++) {
      const q = await post(gw.port, CHAT, { model: MODEL, messages: [{ role: 'user', content: `q${i}` }], max_tokens: 2 });
      assert.equal(q.status, 200, where(q));
    }
    let gone = 0;
    for (const b of [be.a, be.b])
      gone += total(await metricsOf(b.port), 'gateway_requests_total', (lb) => lb.status === '499');
    assert.equal(gone, 0, 'a server saw its client (the front) leave before the end of a response');
  });

  test('prefix affinity: one opening always lands on one server; many openings use both', T, async () => {
    const [opening] = openings(1);
    const a0 = await served(be.a), b0 = await served(be.b);
    for (let i = 0; i < 6; ++i) {
      assertRoute(await post(gw.port, CHAT, { model: MODEL, messages: withTurn(opening, i), max_tokens: 3 }), `local:${MODEL}`, 'local');
    }
    const a1 = await served(be.a), b1 = await served(be.b);
    assert.deepEqual([a1 - a0, b1 - b0].sort((x, y) => x - y), [0, 6], `one opening was split: a +${a1 - a0}, b +${b1 - b0}`);
    for (const messages of openings(16)) {
      assertRoute(await post(gw.port, CHAT, { model: MODEL, messages, max_tokens: 3 }), `local:${MODEL}`, 'local');
    }
    const a2 = await served(be.a) - a1, b2 = await served(be.b) - b1;
    assert.equal(a2 + b2, 16);
    assert.ok(a2 > 0 && b2 > 0, `16 openings all went to one server: a +${a2}, b +${b2}`);
  });

  // `n` concurrent streams with one opening on the slow servers (max_in_flight 4 each): both
  // servers take some (the load bound), neither ever holds more than 4, and all end with [DONE].
  async function boundedLoad(n) {
    const [opening] = openings(1);
    const a0 = await served(be.sa), b0 = await served(be.sb);
    const all = Promise.all(Array.from({ length: n }, (_, i) => post(gw.port, CHAT,
      { model: SLOW, messages: withTurn(opening, i), max_tokens: 40, stream: true })));
    let running = true;
    const peak = [0, 0];
    const sampler = (async () => {
      for (; running; await sleep(10)) {
        (await Promise.all([busy(be.sa.port), busy(be.sb.port)])).forEach((x, i) => { peak[i] = Math.max(peak[i], x); });
      }
    })();
    const res = await all.finally(() => { running = false; });
    await sampler;
    for (const r of res) {
      assertRoute(r, `local:${SLOW}`, 'local');
      assert.ok(completeStream(r).text.length > 0, where(r));
    }
    const a = await served(be.sa) - a0, b = await served(be.sb) - b0;
    assert.equal(a + b, n);
    assert.ok(a > 0 && b > 0, `all ${n} went to one server: a +${a}, b +${b}`);
    assert.ok(peak[0] <= 4 && peak[1] <= 4, `a server held more than max_in_flight: ${peak}`);
  }

  test('bounded load: 8 concurrent streams with one opening spill over to the second server', T, () => boundedLoad(8));

  // Regression: a slot freed on a stream's [DONE] is released inside libcurl's write callback;
  // the queued request it admits must still be sent (curl refuses adding a transfer there).
  test('bounded load: 12 concurrent streams, 4 of them queued, all complete', T, () => boundedLoad(12));

  test('health: a killed server is ejected and the other serves; one back on its port is re-admitted', T, async () => {
    assert.equal(await circuit(gwHealth, MODEL, 'a'), 0);
    const port = be.ha.port;
    await be.ha.kill();
    assert.ok(await pollUntil(async () => (await circuit(gwHealth, MODEL, 'a')) === 1, { timeoutMs: 5_000 }),
      `server a was not ejected:\n${gwHealth.output().slice(-2000)}`);
    assert.equal(await circuit(gwHealth, MODEL, 'b'), 0);
    const b0 = await served(be.hb);
    for (const messages of openings(8)) {
      assertRoute(await post(gwHealth.port, CHAT, { model: MODEL, messages, max_tokens: 3 }), `local:${MODEL}`, 'local');
    }
    assert.equal(await served(be.hb) - b0, 8, 'server b did not take all the requests');

    be.ha = await startBackend(0, port);
    assert.ok(await pollUntil(async () => (await circuit(gwHealth, MODEL, 'a')) === 0, { timeoutMs: 5_000 }),
      `server a was not re-admitted:\n${gwHealth.output().slice(-2000)}`);
    for (const messages of openings(16)) {
      assertRoute(await post(gwHealth.port, CHAT, { model: MODEL, messages, max_tokens: 3 }), `local:${MODEL}`, 'local');
    }
    assert.ok(await served(be.ha) > 0, 'the re-admitted server got no requests');
  });

  test('every server down: remote when the model has one (local-down->remote); restricted data gets 503', T, async () => {
    const targets = [MODEL, 'minimax-secret'].flatMap((m) => ['a', 'b'].map((s) => [m, s]));
    assert.ok(await pollUntil(async () => {
      for (const [m, s] of targets) if ((await circuit(gwDown, m, s)) !== 1) return false;
      return true;
    }, { timeoutMs: 5_000 }), 'the dead servers were not ejected');
    const messages = [{ role: 'user', content: 'hello' }];

    const s = await post(gwDown.port, CHAT, { model: MODEL, messages, stream: true });
    assertRoute(s, 'remote:p1', 'local-down->remote');
    assert.equal(completeStream(s).text, CONTENT_TEXT);
    const n = await post(gwDown.port, CHAT, { model: MODEL, messages });
    assertRoute(n, 'remote:p1', 'local-down->remote');
    assert.equal(n.json.choices[0].message.content, CONTENT_TEXT);
    assert.equal(n.json.model, MODEL);
    assert.equal(up.requestsFor(s.rid).length + up.requestsFor(n.rid).length, 2);

    const restricted = [
      await post(gwDown.port, CHAT, { model: MODEL, messages, stream: true }, { 'X-Data-Classification': 'restricted' }),
      await post(gwDown.port, CHAT, { model: 'minimax-secret', messages }),
      await post(gwDown.port, EMBED, { model: MODEL, input: 'secret' }, { 'X-Data-Classification': 'restricted' }),
    ];
    for (const r of restricted) {
      assertErrorEnvelope(r, 503, 'no_available_target');
      assert.equal(up.requestsFor(r.rid).length, 0, `restricted data reached the provider: ${where(r)}`);
    }
  });

  test('a server killed before the first token: the provider answers (fallback), or a clean error without one', T, async () => {
    const body = (model) => ({ model, messages: [{ role: 'user', content: LONG_PROMPT }], max_tokens: 8, stream: true });
    for (const [model, b] of [['kill-early', be.early], ['kill-early-solo', be.earlySolo]]) {
      const pending = post(gwKill.port, CHAT, body(model));
      // Killed once the server holds the request: ~0.3 s before its first token.
      assert.ok(await pollUntil(async () => (await busy(b.port)) > 0, { timeoutMs: 5_000, intervalMs: 5 }),
        `${model}: the server never got the request`);
      await b.kill();
      const res = await pending;
      if (model === 'kill-early') {
        assertRoute(res, 'remote:p1', 'fallback');
        assert.equal(completeStream(res).text, CONTENT_TEXT);
        assert.equal(up.requestsFor(res.rid).length, 1);
      } else {
        // A local server's failure is the engine's, not a provider's.
        assert.equal(res.status, 503, where(res));
        assertErrorEnvelope(res, 503, 'engine_unavailable');
      }
    }
  });

  test('a server killed mid-stream: one error event, no [DONE], and the response ends', T, async () => {
    const s = openStream(gwKill.port, { model: 'kill-mid', messages: [{ role: 'user', content: 'go on' }],
      max_tokens: 200, stream: true });
    try {
      assert.ok(await pollUntil(() => s.hasContent() || s.ended, { timeoutMs: 5_000, intervalMs: 5 }) && !s.ended,
        `no content before the stream ended: ${s.buf.slice(0, 300)}`);
      await be.mid.kill();
      assert.notEqual(await Promise.race([s.done, deadline(5_000, 'timeout')]), 'timeout',
        `the response did not end after the server died: ${s.buf.slice(-300)}`);
    } finally {
      s.req.destroy();
    }
    assert.equal(s.status, 200);
    assert.equal(s.headers['x-gateway-route'], 'local:kill-mid');
    const events = sseData(s.buf);
    assert.ok(!events.includes('[DONE]'), `a broken stream ended with [DONE]: ${s.buf.slice(-300)}`);
    const parsed = events.map((e) => JSON.parse(e));
    assert.equal(parsed.filter((e) => e.error).length, 1, `want exactly one error event: ${s.buf.slice(-300)}`);
    assert.ok(parsed.at(-1).error && typeof parsed.at(-1).error.message === 'string', s.buf.slice(-300));
    assert.ok(!parsed.some((e) => e.choices?.[0]?.finish_reason), 'a broken stream carries a finish_reason');
  });

  test('embeddings: concurrent requests share upstream calls and get the servers\' own vectors', T, async () => {
    const inputs = Array.from({ length: 8 }, (_, i) => `embedding input number ${i}`);
    const before0 = (await served(be.a)) + (await served(be.b));
    const res = await Promise.all(inputs.map((input) => post(gw.port, EMBED, { model: MODEL, input })));
    const calls = (await served(be.a)) + (await served(be.b)) - before0;
    for (const r of res) {
      assertRoute(r, `local:${MODEL}`, 'local');
      assert.equal(r.json.model, MODEL);
      assert.equal(r.json.data.length, 1, where(r));
      assert.equal(r.json.data[0].index, 0);
    }
    assert.ok(calls >= 1 && calls < inputs.length, `${inputs.length} requests took ${calls} upstream calls`);

    const close = (got, want, what) => {
      assert.equal(got.length, want.length, what);
      assert.ok(got.every((v, i) => Math.abs(v - want[i]) <= 1e-6), `${what}: the vectors differ`);
    };
    for (let i = 0; i < inputs.length; ++i) {
      const direct = await post(be.a.port, EMBED, { model: SERVER_MODEL, input: inputs[i] });
      assert.equal(direct.status, 200, where(direct));
      close(res[i].json.data[0].embedding, direct.json.data[0].embedding, `input ${i}`);
    }
    const b64 = await post(gw.port, EMBED, { model: MODEL, input: inputs[3], encoding_format: 'base64' });
    assertRoute(b64, `local:${MODEL}`, 'local');
    const raw = Buffer.from(b64.json.data[0].embedding, 'base64');
    assert.equal(raw.length % 4, 0);
    const floats = Array.from({ length: raw.length / 4 }, (_, k) => raw.readFloatLE(4 * k));
    close(floats, res[3].json.data[0].embedding, 'base64');
  });

  test('a client that disconnects mid-stream frees the server\'s sequence', T, async () => {
    const s = openStream(gw.port, { model: SLOW, messages: [{ role: 'user', content: 'a long story please' }],
      max_tokens: 2000, stream: true });
    try {
      assert.ok(await pollUntil(() => s.hasContent() || s.ended, { timeoutMs: 5_000, intervalMs: 5 }) && !s.ended,
        `no content before the stream ended: ${s.buf.slice(0, 300)}`);
      assert.ok((await busy(be.sa.port)) + (await busy(be.sb.port)) >= 1, 'no server holds the sequence');
    } finally {
      s.req.destroy();
    }
    assert.ok(await pollUntil(async () => (await busy(be.sa.port)) + (await busy(be.sb.port)) === 0,
      { timeoutMs: 3_000 }), 'the server still generates for a client that left');
    assert.ok(await pollUntil(async () => (await busy(gw.port)) === 0, { timeoutMs: 3_000 }),
      'the front still counts the request as in flight');
  });
});
