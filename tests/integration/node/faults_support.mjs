// Helpers for faults.test.mjs: upstreams the fake provider cannot play (a silent TCP peer, local
// inference servers to SIGKILL), the gateway configs, and client-side assertions.

import assert from 'node:assert/strict';
import net from 'node:net';

import { parseMetrics, pollUntil, request, sseData } from './harness.mjs';
import { CONTENT_TEXT } from './fake_upstream.mjs';
import { simServers, startSimServer } from './sim_server.mjs';

const CHAT = '/v1/chat/completions';
export const KEY_ENV = 'FAULTS_TEST_KEY';
export const SERVER_MODEL = '/models/faults-local';

// The retry budget of the storm provider: 0.2 retries per request, plus a floor of 10 retries
// (0.02/s over 500 s). The window outlasts the suite (node_sdk_test.sh stops it at 240 s).
export const STORM = { requests: 50, concurrency: 10, ratio: 0.2, minPerS: 0.02, windowMs: 500_000, maxRetries: 3 };

let ridSeq = 0;
export const rid = (what) => `fa-${what}-${process.pid}-${++ridSeq}`;

// --- upstreams that the fake cannot play ------------------------------------------------------

// Accepts TCP connections and never sends a byte (nor reads one): a provider whose TLS stack hangs.
export async function startSilentServer() {
  const sockets = new Set();
  let connections = 0;
  const server = net.createServer((s) => {
    ++connections;
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    baseURL: `https://127.0.0.1:${port}/v1`,
    get connections() { return connections; },
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

// Local inference servers (sim_server.mjs) at real speed, for the tests to SIGKILL.
export const backends = simServers;
export const startBackend = (dir, name) => startSimServer({ dir, name, model: SERVER_MODEL });

// --- config -----------------------------------------------------------------------------------

// Breakers off unless asked, so that one fault never changes the next test's plan.
export function provider(name, baseURL, caFile, { connectMs = 2000, firstByteMs = 4000, idleMs = 4000, maxRetries = 2,
  baseMs = 20, capMs = 50, maxRetryAfterMs = 3000, extra = '' } = {}) {
  return `
  - name: ${name}
    base_url: ${baseURL}
    api_key_env: ${KEY_ENV}
    ca_file: ${caFile}
    timeouts: {connect_ms: ${connectMs}, first_byte_ms: ${firstByteMs}, idle_ms: ${idleMs}, total_ms: 20000}
    retries: {max_retries: ${maxRetries}, base_ms: ${baseMs}, cap_ms: ${capMs}, max_retry_after_ms: ${maxRetryAfterMs}}
    breaker: {consecutive_failures: 0, window: 0}${extra}`;
}

const remoteModel = (id, ...targets) =>
  `\n  - {id: ${id}, engine: none, remote: [${targets.map(([p, m]) => `{provider: ${p}, model: "${m}"}`).join(', ')}]}`;

export function remoteConfig({ up, silent, bad, caFile }) {
  const fakes = bad.fakes;
  return `
server: {listen: 127.0.0.1:0}
log: {level: info, access_log: true}
providers:${
  provider('p1', up.baseURL, caFile)}${
  provider('p2', up.baseURL, caFile)}${
  provider('pshort', up.baseURL, caFile, { firstByteMs: 500, idleMs: 500, maxRetries: 0 })}${
  provider('psilent', silent.baseURL, caFile, { connectMs: 500, firstByteMs: 10_000, maxRetries: 0 })}${
  provider('preuse', up.baseURL, caFile, { maxRetries: 1 })}${
  provider('p429', up.baseURL, caFile, { maxRetryAfterMs: 120_000 })}${
  provider('pstorm', up.baseURL, caFile, { maxRetries: STORM.maxRetries, baseMs: 1, capMs: 2,
    extra: `\n    retry_budget: {ratio: ${STORM.ratio}, min_retries_per_s: ${STORM.minPerS}, window_ms: ${STORM.windowMs}}` })}${
  ['good', 'self', 'wrong', 'expired'].map((k) => provider(`tls-${k}`, fakes[k].baseURL, bad.caFile)).join('')}
models:${
  remoteModel('cut-finish', ['p1', 'fault:cut-finish'])}${
  remoteModel('cut-mid', ['p1', 'fault:cut'])}${
  remoteModel('cut-early', ['p1', 'fault:cut-early'])}${
  remoteModel('cut-early-p2', ['p1', 'fault:cut-early'], ['p2', 'ok'])}${
  remoteModel('drop', ['p1', 'fault:drop'])}${
  remoteModel('drop-p2', ['p1', 'fault:drop'], ['p2', 'ok'])}${
  remoteModel('reuse-ok', ['preuse', 'ok'])}${
  remoteModel('reuse-drop', ['preuse', 'fault:drop'])}${
  remoteModel('stall-p2', ['pshort', 'fault:stall'], ['p2', 'ok'])}${
  remoteModel('stall-mid', ['pshort', 'fault:stall-mid'])}${
  remoteModel('silent', ['psilent', 'ok'])}${
  remoteModel('silent-p2', ['psilent', 'ok'], ['p2', 'ok'])}${
  remoteModel('r429-p2', ['p429', 'fault:429:60'], ['p2', 'ok'])}${
  remoteModel('r429-date', ['p1', 'fault:429date:2,ok'])}${
  remoteModel('r429-long', ['p1', 'fault:429:7'])}${
  remoteModel('r429-zero', ['p1', 'fault:429:0'])}${
  remoteModel('storm', ['pstorm', 'fault:500'])}${
  ['good', 'self', 'wrong', 'expired'].map((k) => remoteModel(`tls-${k}`, [`tls-${k}`, 'ok'])
    + remoteModel(`tls-${k}-p2`, [`tls-${k}`, 'ok'], ['p2', 'ok'])).join('')}
`;
}

export const localModel = (id, server, extra = '') => `
  - id: ${id}
    engine: openai
    openai:
      model: ${SERVER_MODEL}
      servers: ["${server.url}"]
      health: {path: /healthz, interval_ms: 200, timeout_ms: 500, unhealthy_after: 2, healthy_after: 2}
    max_model_len: 32768${extra}`;

// --- client helpers ---------------------------------------------------------------------------

export async function chat(gw, model, { stream = false, maxTokens, timeoutMs = 15_000 } = {}) {
  const id = rid(model);
  const body = { model, messages: [{ role: 'user', content: 'hello there' }] };
  if (stream) body.stream = true;
  if (maxTokens !== undefined) body.max_tokens = maxTokens;
  const res = await request(gw.port, { method: 'POST', path: CHAT, headers: { 'X-Request-Id': id }, body, timeoutMs });
  res.rid = id;
  res.data = String(res.headers['content-type']).startsWith('text/event-stream') ? sseData(res.text) : [];
  return res;
}

export const where = (res) => `${res.status} route=${res.headers['x-gateway-route']} `
  + `reason=${res.headers['x-gateway-route-reason']} ${res.text.slice(0, 400)}`;

export function assertError(res, status, code) {
  assert.equal(res.status, status, where(res));
  assert.match(String(res.headers['content-type']), /^application\/json/, where(res));
  assert.equal(res.json?.error?.code, code, where(res));
  assert.equal(typeof res.json.error.message, 'string', where(res));
}

// A complete stream (no error event, one [DONE], last) with the fake's text.
export function assertSuccess(res, route, reason) {
  assert.equal(res.status, 200, where(res));
  assert.equal(res.headers['x-gateway-route'], route, where(res));
  assert.equal(res.headers['x-gateway-route-reason'], reason, where(res));
  if (res.data.length === 0) return assert.equal(res.json.choices[0].message.content, CONTENT_TEXT, where(res));
  assert.equal(res.data.at(-1), '[DONE]', where(res));
  const chunks = res.data.slice(0, -1).map((d) => JSON.parse(d));
  assert.ok(!chunks.some((c) => c.error), where(res));
  assert.equal(chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join(''), CONTENT_TEXT, where(res));
}

// 200 with content, then exactly one error event, last; no finish_reason, no [DONE]. Returns it.
export function assertErrorEvent(res) {
  assert.equal(res.status, 200, where(res));
  assert.ok(!res.data.includes('[DONE]'), `a failed stream ended with [DONE]: ${where(res)}`);
  const events = res.data.map((d) => JSON.parse(d));
  assert.equal(events.filter((e) => e.error).length, 1, `want exactly one error event: ${where(res)}`);
  assert.ok(events.at(-1).error, `the error event is not the last: ${where(res)}`);
  assert.ok(!events.some((e) => e.choices?.[0]?.finish_reason), `a failed stream carries a finish_reason: ${where(res)}`);
  assert.ok(events.some((e) => e.choices?.[0]?.delta?.content), `no content before the error: ${where(res)}`);
  return events.at(-1).error;
}

// The access log line of one request (logged when the exchange ends, maybe just after the reply).
export async function accessLine(gw, id) {
  const line = await pollUntil(() => gw.output().split('\n').find((l) => l.includes(`access request_id=${id} `)),
    { timeoutMs: 3_000, intervalMs: 20 });
  assert.ok(line, `no access log line for ${id}`);
  return line;
}

export async function metrics(gw) {
  return parseMetrics((await request(gw.port, { path: '/metrics', timeoutMs: 3_000 })).text);
}
export const value = (m, name, labels) =>
  m.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value ?? 0;
export const upstreamErrors = async (gw, provider, kind) =>
  value(await metrics(gw), 'gateway_upstream_errors_total', { provider, kind });


// Sequences a gateway is generating or holding in its queues.
export async function busy(port) {
  const m = await metrics({ port });
  const sum = (name) => m.filter((s) => s.name === name).reduce((n, s) => n + s.value, 0);
  return sum('gateway_active_sequences') + sum('gateway_queue_depth');
}
