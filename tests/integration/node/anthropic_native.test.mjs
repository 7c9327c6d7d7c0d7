// Messages-native providers (`providers[].api: anthropic`): a /v1/messages request routed to one
// is passed through (the client's body, only `model` named anew; the provider's events and
// messages back, only `model` named anew), seen through the official @anthropic-ai/sdk and raw
// HTTP. Requests of the other APIs never go there; a native provider that fails before its first
// event falls back to an OpenAI-compatible one, whose answer is translated as usual.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';

import { parseMetrics, request, sseEvents, startGateway } from './harness.mjs';
import { CONTENT_TEXT, startFakeUpstream } from './fake_upstream.mjs';
import { REJECTED, TEXT, USAGE, startMessagesUpstream } from './messages_upstream.mjs';
import { makeTestPki } from './tls.mjs';

const T = { timeout: 15_000 };
const CLAUDE_KEY_ENV = 'NATIVE_TEST_CLAUDE_KEY';
const OPENAI_KEY_ENV = 'NATIVE_TEST_OPENAI_KEY';
const ASK = [{ role: 'user', content: 'Say something about prefix caching.' }];

function config(native, openai, caFile) {
  return `
server: {listen: 127.0.0.1:0}
log: {level: info, access_log: true}
providers:
  - name: claude
    api: anthropic
    base_url: ${native.baseURL}
    api_key_env: ${CLAUDE_KEY_ENV}
    ca_file: ${caFile}
    price: {input_per_million: 3, output_per_million: 15}
    retries: {max_retries: 0}
    breaker: {consecutive_failures: 0, window: 0}
  - name: p1
    base_url: ${openai.baseURL}
    api_key_env: ${OPENAI_KEY_ENV}
    ca_file: ${caFile}
    retries: {max_retries: 0}
models:
  - {id: native, engine: none, remote: [{provider: claude, model: native-ok}]}
  - {id: native-tool, engine: none, remote: [{provider: claude, model: native-tool}]}
  - {id: native-400, engine: none, remote: [{provider: claude, model: native-400}]}
  - {id: native-cut, engine: none, remote: [{provider: claude, model: native-cut}]}
  - {id: both, engine: none, remote: [{provider: claude, model: native-ok}, {provider: p1, model: ok}]}
  - {id: failing, engine: none, remote: [{provider: claude, model: native-500}, {provider: p1, model: ok}]}
`;
}

const events = sseEvents;

describe('Messages-native providers', () => {
  let pki;
  let native;
  let openai;
  let gw;
  let client;

  before(async () => {
    pki = makeTestPki();
    native = await startMessagesUpstream({ key: pki.trusted.key, cert: pki.trusted.cert });
    openai = await startFakeUpstream({ key: pki.trusted.key, cert: pki.trusted.cert });
    gw = await startGateway({ config: config(native, openai, pki.caFile),
      env: { [CLAUDE_KEY_ENV]: 'sk-ant-upstream', [OPENAI_KEY_ENV]: 'sk-openai-upstream' } });
    client = new Anthropic({ baseURL: gw.origin, apiKey: 'sk-client', maxRetries: 0, timeout: 10_000 });
  });

  after(async () => {
    await gw?.stop();
    await native?.close();
    await openai?.close();
    pki?.cleanup();
  });

  const last = () => native.requests.at(-1);

  test('a stream passes through: the events as the provider wrote them, only the model renamed', T, async () => {
    // Raw bytes, with a member the gateway does not know and odd spacing: they must arrive as sent.
    const raw = '{"model": "native", "max_tokens": 64,\n "messages": [{"role":"user","content":"Hi"}],' +
      ' "stream": true, "x_vendor_extension": {"keep": [1, 2]}}';
    const res = await request(gw.port, { method: 'POST', path: '/v1/messages', body: raw,
      headers: { 'x-api-key': 'sk-client', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'tools-x,files-y' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['x-gateway-route'], 'remote:claude');
    const req = last();
    assert.equal(req.path, '/v1/messages');
    assert.equal(req.raw, raw.replace('"native"', '"native-ok"'));
    assert.equal(req.headers['x-api-key'], 'sk-ant-upstream');
    assert.equal(req.headers.authorization, undefined);
    assert.equal(req.headers['anthropic-version'], '2023-06-01');
    assert.equal(req.headers['anthropic-beta'], 'tools-x,files-y');
    const sent = native.sent.get(req.headers['x-request-id']);
    assert.equal(res.text, sent.replace('"model":"native-ok"', '"model":"native"'));
    const evs = events(res.text);
    assert.equal(evs[0].data.message.model, 'native');
    assert.equal(evs.at(-1).event, 'message_stop');
    assert.ok(!res.text.includes('[DONE]'));
  });

  test('the SDK streams and collects a native answer', T, async () => {
    const stream = client.messages.stream({ model: 'native', max_tokens: 64, messages: ASK });
    let text = '';
    stream.on('text', (t) => { text += t; });
    const msg = await stream.finalMessage();
    assert.equal(text, TEXT.join(''));
    assert.equal(msg.model, 'native');
    assert.equal(msg.stop_reason, 'end_turn');
    assert.equal(msg.usage.output_tokens, USAGE.output_tokens);
    assert.match(last().headers['anthropic-version'], /^\d{4}-\d{2}-\d{2}$/);  // the SDK's
  });

  test('non-streaming and tool use pass through', T, async () => {
    const msg = await client.messages.create({ model: 'native', max_tokens: 64, messages: ASK });
    assert.equal(msg.id, 'msg_native_1');
    assert.equal(msg.model, 'native');
    assert.deepEqual(msg.content, [{ type: 'text', text: TEXT.join('') }]);
    assert.deepEqual(msg.usage, USAGE);
    assert.equal(last().json.stream, undefined);  // nothing added to the client's body

    const tools = [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object' } }];
    const whole = await client.messages.create({ model: 'native-tool', max_tokens: 64, messages: ASK, tools });
    assert.equal(whole.stop_reason, 'tool_use');
    assert.deepEqual(whole.content[0].input, { city: 'Paris' });
    assert.deepEqual(last().json.tools, tools);
    const streamed = await client.messages.stream({ model: 'native-tool', max_tokens: 64, messages: ASK, tools })
      .finalMessage();
    assert.equal(streamed.content[0].type, 'tool_use');
    assert.deepEqual(streamed.content[0].input, { city: 'Paris' });
  });

  test('a provider refusal reaches the SDK as its error class, with the provider message', T, async () => {
    await assert.rejects(client.messages.create({ model: 'native-400', max_tokens: 8, messages: ASK }), (err) => {
      assert.ok(err instanceof Anthropic.BadRequestError, String(err));
      assert.match(err.message, new RegExp(REJECTED));
      return true;
    });
  });

  test('a stream cut before message_stop ends with an error event', T, async () => {
    const res = await request(gw.port, { method: 'POST', path: '/v1/messages',
      body: { model: 'native-cut', max_tokens: 64, messages: ASK, stream: true } });
    assert.equal(res.status, 200);
    const evs = events(res.text);
    assert.equal(evs[0].event, 'message_start');
    assert.equal(evs.at(-1).event, 'error');
    assert.equal(evs.at(-1).data.type, 'error');
    await assert.rejects(client.messages.stream({ model: 'native-cut', max_tokens: 8, messages: ASK }).finalMessage());
  });

  test('other APIs never reach a Messages-native provider', T, async () => {
    const before = native.requests.length;
    const chat = { model: 'native', messages: ASK, max_tokens: 8 };
    const none = await request(gw.port, { method: 'POST', path: '/v1/chat/completions', body: chat });
    assert.equal(none.status, 503, none.text);
    assert.equal(none.json.error.code, 'no_available_target');
    // A model with an OpenAI provider too: chat goes there, Messages to the native one.
    const res = await request(gw.port, { method: 'POST', path: '/v1/chat/completions', body: { ...chat, model: 'both' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['x-gateway-route'], 'remote:p1');
    assert.equal(res.headers['x-gateway-route-reason'], 'remote-only');
    const msg = await client.messages.create({ model: 'both', max_tokens: 8, messages: ASK });
    assert.equal(msg.content[0].text, TEXT.join(''));
    assert.equal(native.requests.length, before + 1);
  });

  test('a native provider failing before its first event falls back, translated', T, async () => {
    const { data: msg, response } = await client.messages
      .create({ model: 'failing', max_tokens: 8, messages: ASK }).withResponse();
    assert.equal(response.headers.get('x-gateway-route'), 'remote:p1');
    assert.equal(response.headers.get('x-gateway-route-reason'), 'fallback');
    assert.match(msg.id, /^msg_/);
    assert.equal(msg.content[0].text, CONTENT_TEXT);
    const streamed = await client.messages.stream({ model: 'failing', max_tokens: 8, messages: ASK }).finalMessage();
    assert.equal(streamed.content[0].text, CONTENT_TEXT);
  });

  test('usage the provider reported is priced and counted', T, async () => {
    const m = parseMetrics((await request(gw.port, { path: '/metrics' })).text);
    const cost = m.filter((s) => s.name === 'gateway_cost_usd_total' && s.labels.provider === 'claude')
      .reduce((a, s) => a + s.value, 0);
    const one = (USAGE.input_tokens * 3 + USAGE.output_tokens * 15) / 1e6;
    assert.ok(cost >= 4 * one - 1e-12, `cost ${cost}`);
  });
});
