// The Anthropic Messages API (/v1/messages, /v1/messages/count_tokens) seen through the official
// @anthropic-ai/sdk, on the sim (text, thinking, tools), on a remote OpenAI-compatible provider
// (a fake over HTTPS), with keys (x-api-key) and limits; raw HTTP for the exact event sequence.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';

import { parseMetrics, request, sseEvents, startGateway } from './harness.mjs';
import { CONTENT_TEXT, USAGE, startFakeUpstream } from './fake_upstream.mjs';
import { startSimServer } from './sim_server.mjs';
import { makeTestPki } from './tls.mjs';

const T = { timeout: 15_000 };
const KEY = 'sk-anthropic-test-0123456789';
const LIMITED = 'sk-anthropic-limited-42';
const PROVIDER_KEY_ENV = 'ANTHROPIC_TEST_PROVIDER_KEY';
const sha = (k) => createHash('sha256').update(k).digest('hex');
const ASK = [{ role: 'user', content: 'Say something about continuous batching.' }];
const WEATHER = {
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

function config(up, caFile, server) {
  return `
server: {listen: 127.0.0.1:0}
log: {level: info, access_log: true}
auth:
  keys:
    - {name: main, sha256: ${sha(KEY)}}
    - {name: limited, sha256: ${sha(LIMITED)}, requests_per_minute: 1}
providers:
  - name: p1
    base_url: ${up.baseURL}
    api_key_env: ${PROVIDER_KEY_ENV}
    ca_file: ${caFile}
    retries: {max_retries: 0, base_ms: 20, cap_ms: 50, max_retry_after_ms: 500}
    breaker: {consecutive_failures: 0, window: 0}
models:
  - id: plain
    preset: deepseek-r1-w8a8-2node
    sim: {time_scale: 0, reasoning: false}
    default_max_tokens: 64
  - id: thinker
    preset: deepseek-r1-w8a8-2node
    sim: {time_scale: 0, reasoning: true}
  - {id: remote, engine: none, remote: [{provider: p1, model: ok}]}
  - {id: remote-429, engine: none, remote: [{provider: p1, model: "fault:429"}]}
  - {id: remote-cut, engine: none, remote: [{provider: p1, model: "fault:cut"}]}
  - id: served
    engine: openai
    openai: {model: /models/served, servers: [{name: s1, url: "${server.url}"}], max_in_flight: 4}
`;
}

const events = sseEvents;

// The sequence, with runs of the same delta type collapsed: what Anthropic's docs show.
function shape(evs) {
  const out = [];
  for (const { event, data } of evs) {
    const name = event === 'content_block_delta' ? `delta:${data.delta.type}`
      : event === 'content_block_start' ? `start:${data.content_block.type}` : event;
    if (out.at(-1) !== name || !name.startsWith('delta:')) out.push(name);
  }
  return out;
}

describe('Anthropic Messages API', () => {
  let pki;
  let up;
  let dir;
  let server;  // a local OpenAI-compatible server (another gateway on the sim) for `served`
  let gw;
  let client;

  before(async () => {
    pki = makeTestPki();
    up = await startFakeUpstream({ key: pki.trusted.key, cert: pki.trusted.cert });
    dir = mkdtempSync(join(tmpdir(), 'gw-anthropic-'));
    server = await startSimServer({ dir, name: 'served', model: '/models/served', timeScale: 0 });
    gw = await startGateway({ config: config(up, pki.caFile, server),
      env: { [PROVIDER_KEY_ENV]: 'sk-provider' } });
    // No retries: a 429/5xx must surface as the gateway sent it.
    client = new Anthropic({ baseURL: gw.origin, apiKey: KEY, maxRetries: 0, timeout: 10_000 });
  });

  after(async () => {
    await gw?.stop();
    await server?.kill();
    await up?.close();
    pki?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const post = (path, body, headers = { 'x-api-key': KEY }) =>
    request(gw.port, { method: 'POST', path, headers: { 'anthropic-version': '2023-06-01', ...headers }, body });

  test('non-streaming: a message with text, stop_reason and usage', T, async () => {
    const { data: msg, response } = await client.messages
      .create({ model: 'plain', max_tokens: 12, temperature: 0, messages: ASK })
      .withResponse();
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-gateway-route'), 'local:plain');
    assert.match(msg.id, /^msg_/);
    assert.equal(msg.type, 'message');
    assert.equal(msg.role, 'assistant');
    assert.equal(msg.model, 'plain');
    assert.equal(msg.content.length, 1);
    assert.equal(msg.content[0].type, 'text');
    assert.ok(msg.content[0].text.length > 0);
    assert.equal(msg.stop_reason, 'max_tokens');
    assert.equal(msg.stop_sequence, null);
    assert.equal(msg.usage.output_tokens, 12);
    assert.ok(msg.usage.input_tokens > 0);
  });

  test('streaming text: the exact event sequence, and the same text as without streaming', T, async () => {
    const body = { model: 'plain', max_tokens: 20, temperature: 0, messages: ASK, stream: true };
    const res = await post('/v1/messages', body);
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^text\/event-stream/);
    const evs = events(res.text);
    assert.deepEqual(shape(evs), ['message_start', 'start:text', 'delta:text_delta', 'content_block_stop',
      'message_delta', 'message_stop']);
    const start = evs[0].data.message;
    assert.match(start.id, /^msg_/);
    assert.deepEqual([start.role, start.model, start.content, start.stop_reason], ['assistant', 'plain', [], null]);
    const text = evs.filter((e) => e.event === 'content_block_delta').map((e) => e.data.delta.text).join('');
    const delta = evs.at(-2).data;
    assert.equal(delta.delta.stop_reason, 'max_tokens');
    assert.equal(delta.usage.output_tokens, 20);

    // The SDK's own accumulation agrees, and so does the non-streamed answer.
    const streamed = await client.messages.stream({ ...body, stream: undefined }).finalMessage();
    assert.equal(streamed.content[0].text, text);
    const whole = await client.messages.create({ ...body, stream: false });
    assert.equal(whole.content[0].text, text);
    assert.equal(whole.usage.input_tokens, delta.usage.input_tokens);
  });

  test('thinking: reasoning_content becomes thinking blocks with a signature, before the text', T, async () => {
    const body = { model: 'thinker', max_tokens: 400, temperature: 0, messages: ASK,
      thinking: { type: 'enabled', budget_tokens: 200 } };
    const whole = await client.messages.create(body);
    assert.deepEqual(whole.content.map((b) => b.type), ['thinking', 'text']);
    assert.ok(whole.content[0].thinking.length > 0);
    assert.equal(typeof whole.content[0].signature, 'string');

    const res = await post('/v1/messages', { ...body, stream: true });
    const evs = events(res.text);
    assert.deepEqual(shape(evs), ['message_start', 'start:thinking', 'delta:thinking_delta', 'delta:signature_delta',
      'content_block_stop', 'start:text', 'delta:text_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    const final = await client.messages.stream(body).finalMessage();
    assert.equal(final.content[0].thinking, whole.content[0].thinking);
    assert.equal(final.content[1].text, whole.content[1].text);

    // Turned off: no thinking block.
    const off = await client.messages.create({ ...body, thinking: { type: 'disabled' } });
    assert.deepEqual(off.content.map((b) => b.type), ['text']);
    // The same answer, which reasoning had cut shorter within max_tokens.
    assert.ok(off.content[0].text.startsWith(whole.content[1].text));
  });

  test('tools: tool_use with parsed input, then tool_result gets the final answer', T, async () => {
    const ask = [{ role: 'user', content: 'What is the weather in Paris?' }];
    const body = { model: 'plain', max_tokens: 200, temperature: 0, messages: ask, tools: [WEATHER],
      tool_choice: { type: 'any' } };
    const first = await client.messages.create(body);
    assert.equal(first.stop_reason, 'tool_use');
    const use = first.content.find((b) => b.type === 'tool_use');
    assert.ok(use, JSON.stringify(first.content));
    assert.equal(use.name, 'get_weather');
    assert.equal(typeof use.input, 'object');
    assert.equal(typeof use.input.city, 'string');

    // Streamed: input_json_delta events that the SDK assembles into the same input.
    const res = await post('/v1/messages', { ...body, stream: true });
    assert.ok(shape(events(res.text)).includes('delta:input_json_delta'));
    const streamed = await client.messages.stream(body).finalMessage();
    assert.equal(streamed.stop_reason, 'tool_use');
    assert.deepEqual(streamed.content.find((b) => b.type === 'tool_use').input, use.input);

    const answer = await client.messages.create({
      ...body,
      tool_choice: { type: 'auto' },
      messages: [...ask, { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '18 degrees, sunny' }] }],
    });
    assert.ok(['end_turn', 'max_tokens'].includes(answer.stop_reason), answer.stop_reason);
    assert.deepEqual(answer.content.map((b) => b.type), ['text']);
  });

  test('errors: Anthropic envelopes and the SDK error classes', T, async () => {
    // max_tokens is required.
    await assert.rejects(client.messages.create({ model: 'plain', messages: ASK }), (e) => {
      assert.ok(e instanceof Anthropic.BadRequestError, String(e));
      assert.equal(e.status, 400);
      assert.equal(e.error.type, 'error');
      assert.equal(e.error.error.type, 'invalid_request_error');
      assert.match(e.error.error.message, /max_tokens/);
      return true;
    });
    await assert.rejects(client.messages.create({ model: 'nope', max_tokens: 5, messages: ASK }), (e) => {
      assert.ok(e instanceof Anthropic.NotFoundError, String(e));
      assert.equal(e.error.error.type, 'not_found_error');
      return true;
    });
    const wrong = new Anthropic({ baseURL: gw.origin, apiKey: 'sk-wrong', maxRetries: 0 });
    await assert.rejects(wrong.messages.create({ model: 'plain', max_tokens: 5, messages: ASK }), (e) => {
      assert.ok(e instanceof Anthropic.AuthenticationError, String(e));
      assert.equal(e.error.error.type, 'authentication_error');
      return true;
    });
    const keyless = await post('/v1/messages', { model: 'plain', max_tokens: 5, messages: ASK }, {});
    assert.equal(keyless.status, 401);
    assert.equal(keyless.json.error.type, 'authentication_error');
    assert.match(keyless.json.error.message, /x-api-key/);
    const bearer = await post('/v1/messages', { model: 'plain', max_tokens: 5, messages: ASK },
      { authorization: `Bearer ${KEY}` });
    assert.equal(bearer.status, 200);
    const limited = new Anthropic({ baseURL: gw.origin, apiKey: LIMITED, maxRetries: 0 });
    await limited.messages.create({ model: 'plain', max_tokens: 2, messages: ASK });
    await assert.rejects(limited.messages.create({ model: 'plain', max_tokens: 2, messages: ASK }), (e) => {
      assert.ok(e instanceof Anthropic.RateLimitError, String(e));
      assert.equal(e.error.error.type, 'rate_limit_error');
      assert.ok(Number(e.headers.get('retry-after')) > 0);
      return true;
    });
    // Malformed bodies: 400 in Anthropic's envelope, never a crash.
    for (const body of ['{', '[]', '{"model":"plain","max_tokens":5,"messages":[{"role":"robot","content":"x"}]}']) {
      const res = await post('/v1/messages', body);
      assert.equal(res.status, 400, body);
      assert.equal(res.json.type, 'error');
      assert.equal(res.json.error.type, 'invalid_request_error');
    }
    const get = await request(gw.port, { path: '/v1/messages', headers: { 'x-api-key': KEY } });
    assert.equal(get.status, 405);
    assert.equal(get.json.error.type, 'invalid_request_error');
  });

  test('count_tokens: the gateway\'s count of the translated prompt, no engine call', T, async () => {
    const { input_tokens: short } = await client.messages.countTokens({ model: 'plain', messages: ASK });
    assert.ok(short > 0);
    const { input_tokens: longer } = await client.messages.countTokens({
      model: 'plain', system: 'You are a careful assistant who answers in full sentences.', messages: ASK,
      tools: [WEATHER] });
    assert.ok(longer > short);
    const msg = await client.messages.create({ model: 'plain', max_tokens: 1, messages: ASK });
    assert.equal(msg.usage.input_tokens, short);  // the sim counts prompts the same way
    await assert.rejects(client.messages.countTokens({ model: 'nope', messages: ASK }), Anthropic.NotFoundError);
  });

  test('remote provider: translated request upstream, message and events back', T, async () => {
    const before = up.requests.length;
    const msg = await client.messages.create({ model: 'remote', max_tokens: 50, system: 'Be brief.', messages: ASK,
      top_k: 5, stop_sequences: ['STOP'], metadata: { user_id: 'u-7' } });
    assert.equal(msg.content[0].text, CONTENT_TEXT);
    assert.equal(msg.stop_reason, 'end_turn');
    assert.deepEqual(msg.usage, { input_tokens: USAGE.prompt_tokens, output_tokens: USAGE.completion_tokens });
    const sent = up.requests[before];
    assert.equal(sent.path, '/v1/chat/completions');
    assert.deepEqual(sent.body.messages, [{ role: 'system', content: 'Be brief.' }, ...ASK]);
    assert.equal(sent.body.max_tokens, 50);
    assert.equal(sent.body.top_k, 5);
    assert.deepEqual(sent.body.stop, ['STOP']);
    assert.equal(sent.body.user, 'u-7');

    const stream = client.messages.stream({ model: 'remote', max_tokens: 50, messages: ASK });
    const seen = [];
    stream.on('streamEvent', (e) => seen.push(e.type));
    const final = await stream.finalMessage();
    assert.equal(final.content[0].text, CONTENT_TEXT);
    assert.equal(final.usage.output_tokens, USAGE.completion_tokens);
    assert.deepEqual([seen[0], seen.at(-2), seen.at(-1)], ['message_start', 'message_delta', 'message_stop']);
    assert.equal(up.requests.at(-1).body.stream_options.include_usage, true);

    await assert.rejects(client.messages.create({ model: 'remote-429', max_tokens: 5, messages: ASK }), (e) => {
      assert.ok(e instanceof Anthropic.RateLimitError, String(e));
      return true;
    });
  });

  test('local OpenAI-compatible server: text and a tool round trip, streamed and not', T, async () => {
    const { data: msg, response } = await client.messages
      .create({ model: 'served', max_tokens: 10, temperature: 0, messages: ASK }).withResponse();
    assert.equal(response.headers.get('x-gateway-route'), 'local:served');
    assert.equal(msg.model, 'served');
    assert.equal(msg.stop_reason, 'max_tokens');
    const streamed = await client.messages.stream({ model: 'served', max_tokens: 10, temperature: 0, messages: ASK })
      .finalMessage();
    assert.equal(streamed.content[0].text, msg.content[0].text);
    assert.equal(streamed.usage.output_tokens, 10);

    const body = { model: 'served', max_tokens: 100, temperature: 0, messages: ASK, tools: [WEATHER],
      tool_choice: { type: 'tool', name: 'get_weather' } };
    const call = await client.messages.stream(body).finalMessage();
    assert.equal(call.stop_reason, 'tool_use');
    const use = call.content.find((b) => b.type === 'tool_use');
    assert.equal(use.name, 'get_weather');
    assert.equal(typeof use.input.city, 'string');
    const answer = await client.messages.create({ ...body, tool_choice: { type: 'auto' },
      messages: [...ASK, { role: 'assistant', content: call.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'sunny' }] }] });
    assert.deepEqual(answer.content.map((b) => b.type), ['text']);
  });

  test('a failure after the 200: one error event in Anthropic\'s shape, the SDK throws', T, async () => {
    const res = await post('/v1/messages', { model: 'remote-cut', max_tokens: 50, messages: ASK, stream: true });
    assert.equal(res.status, 200);
    const evs = events(res.text);
    assert.deepEqual(shape(evs), ['message_start', 'start:text', 'delta:text_delta', 'error']);
    assert.deepEqual(Object.keys(evs.at(-1).data.error).sort(), ['message', 'type']);
    assert.equal(evs.at(-1).data.error.type, 'api_error');

    const stream = client.messages.stream({ model: 'remote-cut', max_tokens: 50, messages: ASK });
    await assert.rejects(stream.finalMessage(), (e) => {
      assert.ok(e instanceof Anthropic.APIError, String(e));
      return true;
    });
  });

  test('metrics and access log name the endpoint /v1/messages', T, async () => {
    const m = parseMetrics((await request(gw.port, { path: '/metrics' })).text);
    const ok = m.find((s) => s.name === 'gateway_requests_total' && s.labels.endpoint === '/v1/messages' &&
      s.labels.status === '200');
    assert.ok(ok && ok.value > 0);
    assert.ok(m.some((s) => s.name === 'gateway_requests_total' && s.labels.endpoint === '/v1/messages/count_tokens'));
    assert.match(gw.output(), /access request_id=\S+ method=POST path=\/v1\/messages model=plain /);
  });
});

describe('Anthropic Messages API: keep-alives', () => {
  let gw;
  before(async () => {
    // One batch slot and real pacing: a second stream waits in the queue behind the first,
    // silent for longer than sse_keepalive_s.
    gw = await startGateway({ config: `
server: {listen: 127.0.0.1:0, sse_keepalive_s: 1}
models:
  - id: tiny
    preset: deepseek-r1-w8a8-2node
    sim: {time_scale: 1, reasoning: false, prefill_latency_ms: 2500}
    batching: {max_batch_size: 1, max_queued: 4, max_queue_wait_ms: 20000}
` });
  });
  after(async () => { await gw?.stop(); });

  test('the gateway\'s keep-alive comments become ping events', { timeout: 20_000 }, async () => {
    const post = (maxTokens) => request(gw.port, { method: 'POST', path: '/v1/messages', timeoutMs: 15_000,
      body: { model: 'tiny', max_tokens: maxTokens, messages: ASK, stream: true } });
    // Each first token comes after a 2.5 s prefill (and the second request's after the first's
    // whole answer), past the 1 s keep-alive whatever the host's speed. A long max_tokens did not
    // ensure that: the sim ends a sequence at its natural length, which can be 24 tokens.
    const both = await Promise.all([post(20), post(20)]);
    assert.deepEqual(both.map((r) => r.status), [200, 200]);
    const waited = both.map((r) => events(r.text)).find((e) => e[0].event === 'ping');
    assert.ok(waited, 'no stream started with a ping');
    const evs = waited;
    assert.deepEqual(evs[0].data, { type: 'ping' });
    const rest = shape(evs.filter((e) => e.event !== 'ping'));
    assert.deepEqual(rest, ['message_start', 'start:text', 'delta:text_delta', 'content_block_stop', 'message_delta',
      'message_stop']);
  });
});
