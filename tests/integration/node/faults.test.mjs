// Faults end to end (issue 5 item 6): the real gateway binary in front of fake providers
// (fake_upstream.mjs), a silent TCP peer, providers with bad certificates, and local inference
// servers (more gateway processes) that get SIGKILLed. For each fault: what the client sees
// (status, error code, headers, SSE events) and what the access log and the metrics record.
//
// Covered elsewhere and not repeated: a local server SIGKILLed before the first token and
// mid-stream for streaming clients (local_servers.test.mjs); a certificate from an unknown CA, a
// reset and a clean cut mid-stream, a stall mid-stream, a 429 retried after its Retry-After
// (hybrid.test.mjs).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pollUntil, request, startGateway } from './harness.mjs';
import { startFakeUpstream } from './fake_upstream.mjs';
import { makeTestPki } from './tls.mjs';
import { makeFaultyCerts } from './faulty_tls.mjs';
import {
  KEY_ENV, STORM, accessLine, assertError, assertErrorEvent, assertSuccess, backends, busy, chat, localModel, metrics,
  provider, remoteConfig, startBackend, startSilentServer, upstreamErrors, value,
} from './faults_support.mjs';

const T = { timeout: 20_000 };
const TLS_FAULTS = { self: 'self-signed', wrong: 'wrong host name', expired: 'expired' };

describe('faults', () => {
  let dir, pki, bad, up, silent, gw, gwLocal;
  const be = {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-faults-'));
    pki = makeTestPki();
    bad = makeFaultyCerts();
    up = await startFakeUpstream({ key: pki.trusted.key, cert: pki.trusted.cert });
    bad.fakes = {
      good: await startFakeUpstream(bad.good),
      self: await startFakeUpstream(bad.selfSigned),
      wrong: await startFakeUpstream(bad.wrongHost),
      expired: await startFakeUpstream(bad.expired),
    };
    silent = await startSilentServer();
    const env = { [KEY_ENV]: 'sk-faults-test' };
    gw = await startGateway({ env, config: remoteConfig({ up, silent, bad, caFile: pki.caFile }) });
    be.fallback = await startBackend(dir, 'fallback');
    be.solo = await startBackend(dir, 'solo');
    gwLocal = await startGateway({ env, config: `
server: {listen: 127.0.0.1:0}
log: {level: info, access_log: true}
providers:${provider('p1', up.baseURL, pki.caFile, { maxRetries: 0 })}
models:${localModel('crash-fallback', be.fallback, '\n    remote: [{provider: p1, model: ok}]')}${localModel('crash-solo', be.solo)}
` });
  });

  after(async () => {
    await Promise.all([gw?.stop(), gwLocal?.stop()]);
    await Promise.all([...backends].map((b) => b.kill()));
    await Promise.all([up, silent, ...Object.values(bad?.fakes ?? {})].map((x) => x?.close()));
    pki?.cleanup();
    bad?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // --- a. a local engine crashes --------------------------------------------------------------

  // A non-streamed answer shows the client nothing until it is complete, so a crash at any point
  // of the generation is "before the first token": the next target, if any, takes the request.
  async function crashWhileGenerating(model, server) {
    const pending = chat(gwLocal, model, { maxTokens: 300 });
    assert.ok(await pollUntil(async () => (await busy(server.port)) > 0, { timeoutMs: 5_000, intervalMs: 5 }),
      `${model}: the server never got the request`);
    await server.kill();
    return pending;
  }

  test('a: local server SIGKILLed while generating a non-streamed answer → the provider behind it answers', T, async () => {
    const res = await crashWhileGenerating('crash-fallback', be.fallback);
    assertSuccess(res, 'remote:p1', 'fallback');
    assert.equal(up.requestsFor(res.rid).length, 1);
    assert.match(await accessLine(gwLocal, res.rid), / route=remote:p1 status=200 /);
  });

  test('a: local server SIGKILLed with no other target → 503 engine_unavailable with Retry-After, logged', T, async () => {
    const res = await crashWhileGenerating('crash-solo', be.solo);
    assertError(res, 503, 'engine_unavailable');
    assert.ok(Number(res.headers['retry-after']) >= 1, `no Retry-After: ${res.text}`);
    assert.equal(res.headers['x-gateway-route'], 'local:crash-solo');
    assert.match(await accessLine(gwLocal, res.rid), / status=503 .* error=engine_unavailable/);
    const m = await metrics(gwLocal);
    assert.ok(value(m, 'gateway_requests_total', { endpoint: '/v1/chat/completions', status: '503' }) >= 1);
  });

  // --- b. a remote stream that ends without data: [DONE] -------------------------------------

  test('b: finish_reason and usage arrive but the body ends without [DONE] → error event, never success', T, async () => {
    const cut0 = await upstreamErrors(gw, 'p1', 'cut_stream');
    const res = await chat(gw, 'cut-finish', { stream: true });
    assert.equal(assertErrorEvent(res).code, 'upstream_error');
    assert.equal(up.requestsFor(res.rid).length, 1, 'no retry after the first token');
    assert.match(await accessLine(gw, res.rid), / status=200 .* error=upstream_error/);
    assert.equal(await upstreamErrors(gw, 'p1', 'cut_stream'), cut0 + 1);
    // Non-streaming: the answer is incomplete, so nothing of it reaches the client.
    const n = await chat(gw, 'cut-finish');
    assertError(n, 502, 'upstream_error');
    assert.match(await accessLine(gw, n.rid), / status=502 .* error=upstream_error/);
  });

  test('b: a non-streamed answer cut short (clean end, half the JSON) → 502 after the retries', T, async () => {
    const m0 = await metrics(gw);
    const res = await chat(gw, 'cut-mid');
    assertError(res, 502, 'upstream_error');
    assert.equal(up.requestsFor(res.rid).length, 3, 'want 1 attempt + max_retries 2');
    assert.match(await accessLine(gw, res.rid), / status=502 .* error=upstream_error/);
    const m1 = await metrics(gw);
    const delta = (name, labels) => value(m1, name, labels) - value(m0, name, labels);
    assert.equal(delta('gateway_upstream_errors_total', { provider: 'p1', kind: 'broken_stream' }), 3);
    assert.equal(delta('gateway_requests_total', { endpoint: '/v1/chat/completions', status: '502' }), 1);
  });

  test('b: a stream that ends before any content is retried, then fails over; alone → 502 envelope', T, async () => {
    const res = await chat(gw, 'cut-early-p2', { stream: true });
    assertSuccess(res, 'remote:p2', 'fallback');
    assert.deepEqual(up.requestsFor(res.rid).map((r) => r.body.model), ['fault:cut-early', 'fault:cut-early', 'fault:cut-early', 'ok']);
    // Nothing was sent yet, so even a streaming client gets a real status.
    const alone = await chat(gw, 'cut-early', { stream: true });
    assertError(alone, 502, 'upstream_error');
    assert.ok(Number(alone.headers['retry-after']) >= 1, alone.text);
    assert.match(await accessLine(gw, alone.rid), / status=502 .* error=upstream_error/);
  });

  test('b: connection closed before any response byte → retried, then fails over; alone → 502', T, async () => {
    const t0 = await upstreamErrors(gw, 'p1', 'transfer_failed');
    const res = await chat(gw, 'drop-p2', { stream: true });
    assertSuccess(res, 'remote:p2', 'fallback');
    const alone = await chat(gw, 'drop');
    assertError(alone, 502, 'upstream_error');
    // Three attempts by the gateway, each sent once: curl does not resend a POST by itself.
    assert.equal(up.requestsFor(alone.rid).length, 3, `${up.requestsFor(alone.rid).length} requests`);
    assert.equal(await upstreamErrors(gw, 'p1', 'transfer_failed'), t0 + 6);
  });

  // curl resends a request by itself when a reused connection dies before any answer, once per
  // pooled connection (up to five times): unchecked, each of the gateway's attempts could reach
  // the provider six times.
  test('b: pooled connections die after reading the request → the provider sees 1 + max_retries POSTs', T, async () => {
    // Concurrent streams, so that the gateway's pool holds several connections to the provider.
    const warm = await Promise.all(Array.from({ length: 6 }, () => chat(gw, 'reuse-ok', { stream: true })));
    for (const w of warm) assertSuccess(w, 'remote:preuse', 'remote-only');
    const pooled = new Set(warm.flatMap((w) => up.requestsFor(w.rid).map((r) => r.connection)));
    assert.ok(pooled.size >= 3, `the warm-up used ${pooled.size} connection(s); the pool must hold several`);
    const e0 = await upstreamErrors(gw, 'preuse', 'transfer_failed');
    const res = await chat(gw, 'reuse-drop');
    assertError(res, 502, 'upstream_error');
    const seen = up.requestsFor(res.rid);
    assert.ok(seen.some((r) => pooled.has(r.connection)), 'the request never went out on a pooled connection');
    assert.ok(seen.length <= 2, `the provider saw the request ${seen.length} times; max_retries 1 allows 2`);
    assert.equal(seen.length, 2, 'the gateway\'s own retry did not go out');
    assert.equal(await upstreamErrors(gw, 'preuse', 'transfer_failed'), e0 + 2);
  });

  // --- c. stalls --------------------------------------------------------------------------------

  // The fake stalls for 8 s, past the client's own wait: only the gateway's first-byte timeout
  // gets the request to the next target in time, and the metric says which timeout it was.
  test('c: request read, no response (first_byte_ms 500) → first-byte timeout, the next target answers', T, async () => {
    for (const stream of [true, false]) {
      const e0 = await upstreamErrors(gw, 'pshort', 'timeout_first_byte');
      const res = await chat(gw, 'stall-p2', { stream });
      assertSuccess(res, 'remote:p2', 'fallback');
      const [stalled] = up.requestsFor(res.rid).filter((r) => r.behaviour === 'stall');
      assert.ok(stalled, 'the stalling provider never got the request');
      assert.equal(await upstreamErrors(gw, 'pshort', 'timeout_first_byte'), e0 + 1);
      // The gateway gave up on it: the fake saw its connection close before it answered.
      assert.ok(await pollUntil(() => stalled.closedEarly || stalled.finished, { timeoutMs: 10_000 }));
      assert.ok(stalled.closedEarly && !stalled.finished, 'the stalled transfer was not aborted');
    }
  });

  // The silent peer never answers: only the connect timeout (not first_byte_ms 10 s, which
  // outlasts the client's wait) ends each attempt.
  test('c: TCP accepted but not a byte back (connect_ms 500) → timeout_connect: next target, or 502', T, async () => {
    const c0 = silent.connections;
    const res = await chat(gw, 'silent-p2', { stream: true });
    assertSuccess(res, 'remote:p2', 'fallback');
    const alone = await chat(gw, 'silent', { stream: true });
    assertError(alone, 502, 'upstream_error');
    assert.equal(silent.connections - c0, 2, 'one connection per request (max_retries 0)');
    // Still in the TLS handshake: a connect timeout, not a total or first-byte one.
    assert.equal(await upstreamErrors(gw, 'psilent', 'timeout_connect'), 2);
  });

  // The fake holds the stream for 8 s: the idle timeout, counted as such, is what ends it.
  test('c: stall mid-stream (idle_ms 500) → idle timeout: one error event, no [DONE]; non-streamed → 502', T, async () => {
    const e0 = await upstreamErrors(gw, 'pshort', 'timeout_idle');
    const s = await chat(gw, 'stall-mid', { stream: true });
    assert.equal(assertErrorEvent(s).code, 'upstream_error');
    assert.match(await accessLine(gw, s.rid), / status=200 .* error=upstream_error/);
    assert.equal(await upstreamErrors(gw, 'pshort', 'timeout_idle'), e0 + 1);
    const n = await chat(gw, 'stall-mid');
    assertError(n, 502, 'upstream_error');
    assert.equal(await upstreamErrors(gw, 'pshort', 'timeout_idle'), e0 + 2);
  });

  // --- d. 429 with Retry-After ------------------------------------------------------------------

  // Retry-After: 60 is within p429's max_retry_after_ms (120 s): alone, the provider would be
  // retried after it. Waiting it out would outlast the client's 15 s, so an answer at all shows
  // that the gateway went to the next target without waiting.
  test('d: 429 (Retry-After: 60) with another target → that target at once; the 429 provider is not retried', T, async () => {
    for (const stream of [true, false]) {
      const res = await chat(gw, 'r429-p2', { stream });
      assertSuccess(res, 'remote:p2', 'fallback');
      assert.deepEqual(up.requestsFor(res.rid).map((r) => `${r.body.model}`), ['fault:429:60', 'ok']);
    }
  });

  test('d: Retry-After as an HTTP-date is honoured before the retry', T, async () => {
    const res = await chat(gw, 'r429-date', { stream: true });
    assertSuccess(res, 'remote:p1', 'remote-only');
    const seen = up.requestsFor(res.rid);
    assert.deepEqual(seen.map((r) => r.behaviour), ['429date', 'ok']);
    // The date is 2 s ahead at one-second resolution: at least one second.
    assert.ok(seen[1].at - seen[0].at >= 900, `retried ${seen[1].at - seen[0].at} ms after the 429`);
  });

  test('d: 429 with no other target → 429 rate_limit_exceeded, the provider\'s Retry-After passed on', T, async () => {
    for (const stream of [true, false]) {
      // Retry-After: 7 exceeds max_retry_after_ms (3 s): no retry, the client is told when.
      const res = await chat(gw, 'r429-long', { stream });
      assertError(res, 429, 'rate_limit_exceeded');
      assert.equal(res.json.error.type, 'rate_limit_error');
      assert.equal(res.headers['retry-after'], '7');
      assert.equal(up.requestsFor(res.rid).length, 1);
      assert.match(await accessLine(gw, res.rid), / status=429 .* error=rate_limit_exceeded/);
    }
    // Retry-After: 0 on every attempt: retried, then the client is still told to wait a second.
    const zero = await chat(gw, 'r429-zero');
    assertError(zero, 429, 'rate_limit_exceeded');
    assert.equal(zero.headers['retry-after'], '1');
    assert.equal(up.requestsFor(zero.rid).length, 3);
  });

  // --- e. a storm of 5xx against the retry budget ---------------------------------------------

  test('e: a 5xx storm: retries stay within the provider\'s retry budget; skipped ones are counted', T, async (t) => {
    const m0 = await metrics(gw);
    const results = [];
    for (let i = 0; i < STORM.requests; i += STORM.concurrency) {
      const wave = Array.from({ length: Math.min(STORM.concurrency, STORM.requests - i) }, () => chat(gw, 'storm'));
      results.push(...await Promise.all(wave));
    }
    for (const r of results) assertError(r, 502, 'upstream_error');
    // The bound below holds for a storm inside one budget window: the window outlasts the whole
    // suite, so every request of the storm counts in it.
    const attempts = results.reduce((n, r) => n + up.requestsFor(r.rid).length, 0);
    const floor = STORM.minPerS * (STORM.windowMs / 1000);
    const bound = STORM.requests + Math.floor(STORM.requests * STORM.ratio + floor + 1e-9);
    assert.ok(attempts >= STORM.requests, `${attempts} attempts`);
    assert.ok(attempts <= bound, `${attempts} upstream attempts for ${STORM.requests} requests: over the budget's ${bound}`
      + ` (without it: ${STORM.requests * (1 + STORM.maxRetries)})`);
    const m1 = await metrics(gw);
    const delta = (outcome) => value(m1, 'gateway_upstream_retries_total', { provider: 'pstorm', outcome })
      - value(m0, 'gateway_upstream_retries_total', { provider: 'pstorm', outcome });
    const sent = delta('sent');
    const skipped = delta('budget_exhausted');
    t.diagnostic(`storm: ${STORM.requests} requests, ${attempts} upstream attempts (bound ${bound}), `
      + `${sent} retries sent, ${skipped} skipped for budget`);
    assert.equal(sent, attempts - STORM.requests, 'gateway_upstream_retries_total{outcome="sent"}');
    // Each request ended by exhausting max_retries, or at its one skipped retry.
    assert.ok(skipped >= 1 && skipped <= STORM.requests, `budget_exhausted ${skipped}`);
    assert.ok(sent >= STORM.maxRetries * (STORM.requests - skipped), `sent ${sent}, skipped ${skipped}`);
    assert.ok(sent <= STORM.maxRetries * STORM.requests - skipped, `sent ${sent}, skipped ${skipped}`);
  });

  // --- f. bad certificates fail closed --------------------------------------------------------

  test('f: control: a certificate from the same CA, for this host and in date, is accepted', T, async () => {
    assertSuccess(await chat(gw, 'tls-good', { stream: true }), 'remote:tls-good', 'remote-only');
  });

  for (const [kind, what] of Object.entries(TLS_FAULTS)) {
    test(`f: ${what} certificate → no request reaches the provider; alone 502, else the next target answers`, T, async () => {
      const fake = bad.fakes[kind];
      const c0 = fake.connections;
      const e0 = await upstreamErrors(gw, `tls-${kind}`, 'tls_failed');
      const alone = await chat(gw, `tls-${kind}`, { stream: true });
      assertError(alone, 502, 'upstream_error');
      assert.equal(alone.headers['x-gateway-route'], `remote:tls-${kind}`);
      const failover = await chat(gw, `tls-${kind}-p2`);
      assertSuccess(failover, 'remote:p2', 'fallback');
      assert.equal(fake.requests.length, 0, 'an HTTP request passed a bad certificate');
      // One handshake per request: a certificate that failed is not retried.
      assert.equal(fake.connections - c0, 2);
      assert.equal(await upstreamErrors(gw, `tls-${kind}`, 'tls_failed'), e0 + 2);
    });
  }

  test('the gateways are still healthy', T, async () => {
    for (const g of [gw, gwLocal]) assert.equal((await request(g.port, { path: '/healthz', timeoutMs: 3_000 })).status, 200);
  });
});
