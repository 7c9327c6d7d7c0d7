// Issue 5, streams and process lifecycle, against the real binary: SSE keep-alives during a long
// wait, the slow-reader bound, SIGTERM drain and SIGHUP reload. Run by
// tests/integration/hardening_test.sh.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';

import { deadline, startGateway, request, parseMetrics, pollUntil, sseData } from './harness.mjs';

const sha = (k) => createHash('sha256').update(k).digest('hex');
const chat = (model, extra = {}) => ({ model, messages: [{ role: 'user', content: 'hello' }], stream: true, ...extra });

// Sends one request on a raw connection and hands back a live view of what arrives.
function rawStream(port, body, { headers = '' } = {}) {
  const sock = net.connect(port, '127.0.0.1');
  const view = { data: '', closed: false, sock };
  const payload = JSON.stringify(body);
  sock.on('connect', () => sock.write(
    `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${headers}` +
    `Content-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`));
  sock.on('data', (b) => { view.data += b.toString('utf8'); });
  sock.on('error', () => {});
  view.ended = new Promise((r) => sock.on('close', () => { view.closed = true; r(); }));
  return view;
}

test('SSE keep-alive comments while the first token is far off; the stream then completes', async () => {
  const gw = await startGateway({ config: `
server: {listen: 127.0.0.1:0, sse_keepalive_s: 1}
models:
  - {id: slow-prefill, sim: {time_scale: 1, prefill_latency_ms: 2600}, default_max_tokens: 3}
` });
  try {
    const r = await request(gw.port, { method: 'POST', path: '/v1/chat/completions', body: chat('slow-prefill'), timeoutMs: 15_000 });
    assert.equal(r.status, 200);
    const firstData = r.text.indexOf('data:');
    const keepalives = r.text.slice(0, firstData).match(/^: keep-alive$/gm) ?? [];
    assert.ok(keepalives.length >= 2, `expected keep-alives before the first token, got ${JSON.stringify(r.text.slice(0, 200))}`);
    assert.equal(sseData(r.text).at(-1), '[DONE]');
  } finally {
    await gw.stop();
  }
});

test('a failure after keep-alives started the stream is one error event, no [DONE]', async () => {
  const gw = await startGateway({ config: `
server: {listen: 127.0.0.1:0, sse_keepalive_s: 1}
models:
  - id: one-slot
    sim: {time_scale: 1}
    default_max_tokens: 2000
    batching: {max_batch_size: 1, max_queued: 4, max_queue_wait_ms: 2500}
` });
  try {
    const holder = rawStream(gw.port, chat('one-slot', { ignore_eos: true }));  // holds the slot ~30 s
    await pollUntil(() => holder.data.includes('data:'), { timeoutMs: 5_000 });
    const r = await request(gw.port, { method: 'POST', path: '/v1/chat/completions', body: chat('one-slot'), timeoutMs: 15_000 });
    assert.equal(r.status, 200);
    assert.match(r.text, /: keep-alive/);
    const events = sseData(r.text);
    assert.equal(JSON.parse(events.at(-1)).error.code, 'queue_timeout');
    assert.ok(!events.includes('[DONE]'));
    holder.sock.destroy();
  } finally {
    await gw.stop();
  }
});

test('a reader too slow for its stream is dropped and its generation cancelled', async () => {
  const gw = await startGateway({ config: `
server: {listen: 127.0.0.1:0, max_stream_buffer_bytes: 4096, write_timeout_s: 2}
models:
  - {id: fast, sim: {time_scale: 0.002}, max_model_len: 200000, default_max_tokens: 150000}
` });
  try {
    // ignore_eos (vLLM's extension) makes the sim run to max_tokens: megabytes of events. The
    // sim is paced (about 30 µs a token) so that the writer keeps up and sends one event per
    // token until the socket buffers fill. Unpaced, it would outrun the writer, whose events then
    // carry many tokens each: 150,000 tokens would fit the kernel's buffers, nothing to drop.
    const s = rawStream(gw.port, chat('fast', { ignore_eos: true }));
    s.sock.pause();  // never read: the kernel buffers fill, then the gateway's
    const dropped = await pollUntil(async () => {
      const m = parseMetrics((await request(gw.port, { path: '/metrics' })).text);
      return m.find((x) => x.name === 'gateway_refused_total' && x.labels.reason === 'slow_reader')?.value;
    }, { timeoutMs: 20_000, intervalMs: 200 });
    assert.equal(dropped, 1);
    const active = await pollUntil(async () => {
      const m = parseMetrics((await request(gw.port, { path: '/metrics' })).text);
      return m.find((x) => x.name === 'gateway_active_sequences')?.value === 0;
    }, { timeoutMs: 5_000 });
    assert.ok(active, 'the dropped stream must free its sequence');
    s.sock.destroy();
  } finally {
    await gw.stop();
  }
});

test('SIGTERM drains: no new connections, /readyz 503, short streams finish, long ones end with an error event, exit 0', async () => {
  const gw = await startGateway({ config: `
server: {listen: 127.0.0.1:0, drain_timeout_s: 2}
models:
  - {id: slow, sim: {time_scale: 1}, default_max_tokens: 2000}
` });
  // ignore_eos: the sim's text would otherwise end on its own, maybe within the drain period.
  const long = rawStream(gw.port, chat('slow', { ignore_eos: true }));
  const short = rawStream(gw.port, chat('slow', { max_tokens: 20 }));
  // A keep-alive connection opened before the signal.
  const probe = net.connect(gw.port, '127.0.0.1');
  probe.on('error', () => {});
  await new Promise((r) => probe.once('connect', r));
  await pollUntil(() => long.data.includes('data:') && short.data.includes('data:'), { timeoutMs: 5_000 });

  gw.signal('SIGTERM');
  // The gateway logs the signal, then closes its listener in the same handler.
  assert.ok(await pollUntil(() => /signal \d+: draining/.test(gw.output()), { timeoutMs: 5_000 }), gw.output());
  const refused = await pollUntil(() => new Promise((resolve) => {
    const s = net.connect(gw.port, '127.0.0.1');
    s.on('connect', () => { s.destroy(); resolve(false); });
    s.on('error', (e) => resolve(e.code === 'ECONNREFUSED'));
  }), { timeoutMs: 5_000, intervalMs: 10 });
  assert.ok(refused, 'a draining gateway accepts no connection');
  let ready = '';
  probe.on('data', (b) => { ready += b; });
  probe.write('GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n');
  await pollUntil(() => ready.includes('}}'), { timeoutMs: 3_000 });
  assert.match(ready, /^HTTP\/1\.1 503/);
  assert.match(ready, /"code":"draining"/);

  await Promise.race([Promise.all([long.ended, short.ended]), new Promise((r) => setTimeout(r, 8_000))]);
  assert.equal(sseData(short.data).at(-1), '[DONE]', 'a stream that ends within the drain period completes');
  const last = sseData(long.data).at(-1);
  assert.equal(JSON.parse(last).error.code, 'draining', `long stream ended with ${last}`);
  const exit = await Promise.race([gw.exited, new Promise((r) => setTimeout(() => r({ code: 'timeout' }), 5_000))]);
  assert.equal(exit.code, 0, gw.output());
  probe.destroy();
  await gw.stop();
});

test('a refused client still sending (a lingering close) does not hold up a SIGTERM drain', async () => {
  const gw = await startGateway({ config: `
server: {listen: 127.0.0.1:0, max_body_bytes: 65536, lingering_time_s: 600, lingering_timeout_s: 60}
models:
  - {id: fast, sim: {time_scale: 0}, default_max_tokens: 4}
` });
  // Half-open: the gateway's FIN after its 413 must not end our side, which keeps sending.
  const sock = net.connect({ port: gw.port, host: '127.0.0.1', allowHalfOpen: true });
  let data = '';
  let closed = false;
  sock.on('data', (b) => { data += b.toString('latin1'); });
  sock.on('error', () => {});
  sock.on('close', () => { closed = true; });
  let trickle;
  try {
    await new Promise((r) => sock.once('connect', r));
    sock.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
      + 'Content-Length: 1000000000\r\n\r\n');
    // A body that keeps coming: the lingering close would last lingering_time_s (600 s).
    trickle = setInterval(() => { if (!sock.destroyed) sock.write('x'.repeat(1024)); }, 20);
    assert.ok(await pollUntil(() => data.includes('request_too_large'), { timeoutMs: 5_000 }), data);
    assert.ok(!closed, 'the refused connection closed before the drain');
    gw.signal('SIGTERM');
    const exit = await Promise.race([gw.exited, new Promise((r) => setTimeout(() => r({ code: 'timeout' }), 5_000))]);
    assert.equal(exit.code, 0, gw.output());
  } finally {
    clearInterval(trickle);
    sock.destroy();
    await gw.stop();
  }
});

test('the end of a drain also answers a request still waiting for a silent provider', async () => {
  let requested;  // resolved once the provider has received a request
  const inFlight = new Promise((r) => { requested = r; });
  const silent = net.createServer((sock) => {  // reads, never answers
    sock.on('error', () => {});
    let head = '';
    sock.on('data', (b) => { head += b.toString('latin1'); if (head.includes('\r\n\r\n')) requested(); });
  });
  await new Promise((r) => silent.listen(0, '127.0.0.1', r));
  const gw = await startGateway({ config: `
server: {listen: 127.0.0.1:0, drain_timeout_s: 1}
providers:
  - {name: silent, base_url: "http://127.0.0.1:${silent.address().port}/v1", timeouts: {first_byte_ms: 60000}}
models:
  - {id: far, engine: none, remote: [{provider: silent}]}
` });
  try {
    const pending = request(gw.port, { method: 'POST', path: '/v1/chat/completions', timeoutMs: 10_000,
      body: { model: 'far', messages: [{ role: 'user', content: 'hi' }] } });
    const waited = await Promise.race([inFlight.then(() => true), deadline(5_000, false)]);
    assert.ok(waited, 'the request never reached the provider');
    gw.signal('SIGTERM');
    const r = await pending;
    assert.equal(r.status, 503);
    assert.equal(r.json.error.code, 'draining');
    const exit = await Promise.race([gw.exited, new Promise((res) => setTimeout(() => res({ code: 'timeout' }), 5_000))]);
    assert.equal(exit.code, 0, gw.output());
  } finally {
    await gw.stop();
    silent.close();
  }
});

test('SIGHUP reloads keys atomically; an invalid or structural change is refused and the old config stays', async () => {
  const OLD = 'sk-old-key-1', NEW = 'sk-new-key-2';
  const base = (key, extra = '') => `
server: {listen: 127.0.0.1:0}
auth: {keys: [{name: k, sha256: ${sha(key)}}]}
models:
  - {id: fast, sim: {time_scale: 0}, default_max_tokens: 4}
${extra}`;
  const gw = await startGateway({ config: base(OLD) });
  const status = async (key) => (await request(gw.port, { path: '/v1/models', headers: { Authorization: `Bearer ${key}` } })).status;
  try {
    assert.equal(await status(OLD), 200);
    writeFileSync(gw.configPath, base(NEW));
    gw.signal('SIGHUP');
    assert.ok(await pollUntil(async () => (await status(NEW)) === 200, { timeoutMs: 5_000 }));
    assert.equal(await status(OLD), 401);

    writeFileSync(gw.configPath, base(OLD, 'bogus_key: 1'));
    gw.signal('SIGHUP');
    assert.ok(await pollUntil(() => /reload refused.*bogus_key/.test(gw.output()), { timeoutMs: 5_000 }));
    assert.equal(await status(NEW), 200);
    assert.equal(await status(OLD), 401);

    writeFileSync(gw.configPath, base(OLD).replace('id: fast', 'id: renamed'));
    gw.signal('SIGHUP');
    assert.ok(await pollUntil(() => /reload refused.*needs a restart/.test(gw.output()), { timeoutMs: 5_000 }));
    assert.equal(await status(NEW), 200);
  } finally {
    await gw.stop();
  }
});
