// The built-in sim speaking the whole chat protocol (README, "What the sim says"), seen through
// the official OpenAI Node SDK: tool calls streamed and accumulated, a multi-turn tool
// conversation, structured output, reasoning on a deepseek-r1 preset and turned off, logprobs,
// n > 1, and content parts the sim does not see.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

import { startGateway } from './harness.mjs';

const T = { timeout: 15_000 };

// `r1` reasons (its preset is a deepseek-r1 one); `plain` is the same engine told not to.
const CONFIG = `
server: {listen: 127.0.0.1:0}
log: {level: info, access_log: false}
models:
  - id: r1
    preset: deepseek-r1-w8a8-2node
    sim: {time_scale: 0}
    max_model_len: 8192
    default_max_tokens: 600
  - id: plain
    preset: deepseek-r1-w8a8-2node
    sim: {time_scale: 0, reasoning: false}
    max_model_len: 8192
    default_max_tokens: 600
`;

const WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string', minLength: 2 },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer', minimum: 1, maximum: 7 },
        hourly: { type: 'boolean' },
      },
      required: ['city', 'unit'],
      additionalProperties: false,
    },
  },
};
const TIME = { type: 'function', function: { name: 'get_time' } };  // no parameters
const ASK = [{ role: 'user', content: 'What is the weather in Paris?' }];

function checkWeatherArgs(text) {
  const args = JSON.parse(text);
  assert.equal(typeof args.city, 'string');
  assert.ok(args.city.length >= 2);
  assert.ok(['celsius', 'fahrenheit'].includes(args.unit), args.unit);
  if ('days' in args) assert.ok(Number.isInteger(args.days) && args.days >= 1 && args.days <= 7);
  if ('hourly' in args) assert.equal(typeof args.hourly, 'boolean');
  for (const k of Object.keys(args)) assert.ok(['city', 'unit', 'days', 'hourly'].includes(k), k);
  return args;
}

async function collect(stream) {
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  return chunks;
}

describe('the sim speaks the chat protocol', () => {
  let gw;
  let openai;

  before(async () => {
    gw = await startGateway({ config: CONFIG });
    openai = new OpenAI({ baseURL: gw.baseURL, apiKey: 'unused', maxRetries: 0, timeout: 10_000 });
  });
  after(async () => { await gw?.stop(); });

  test('streamed tool call: fragments accumulate into valid arguments', T, async () => {
    const stream = await openai.chat.completions.create({
      model: 'plain', messages: ASK, tools: [WEATHER], tool_choice: 'required', seed: 1, stream: true,
    });
    const calls = [];
    let finish = null;
    for await (const chunk of stream) {
      for (const ch of chunk.choices) {
        for (const tc of ch.delta.tool_calls ?? []) {
          if (!calls[tc.index]) {
            assert.match(tc.id, /^call_[A-Za-z0-9]{24}$/, 'the first fragment names the call');
            assert.equal(tc.type, 'function');
            assert.equal(tc.function.arguments, '');
            calls[tc.index] = { id: tc.id, name: tc.function.name, arguments: '' };
          } else {
            assert.equal(tc.id, undefined, 'later fragments carry arguments only');
            calls[tc.index].arguments += tc.function.arguments;
          }
        }
        if (ch.finish_reason) finish = ch.finish_reason;
      }
    }
    assert.equal(finish, 'tool_calls');
    assert.equal(calls.length, 1);
    assert.equal(calls[0].name, 'get_weather');
    checkWeatherArgs(calls[0].arguments);

    // The SDK's own accumulator agrees, and the same seed gives the same call.
    const final = await openai.beta.chat.completions
      .stream({ model: 'plain', messages: ASK, tools: [WEATHER], tool_choice: 'required', seed: 1 })
      .finalChatCompletion();
    const tc = final.choices[0].message.tool_calls[0];
    assert.equal(tc.id, calls[0].id);
    assert.equal(tc.function.arguments, calls[0].arguments);
    assert.equal(final.choices[0].finish_reason, 'tool_calls');
  });

  test('a named function is called; "none" answers in text', T, async () => {
    const named = await openai.chat.completions.create({
      model: 'plain', messages: ASK, tools: [WEATHER, TIME], seed: 2,
      tool_choice: { type: 'function', function: { name: 'get_time' } },
    });
    const m = named.choices[0].message;
    assert.equal(m.content, null);
    assert.equal(m.tool_calls.length, 1);
    assert.equal(m.tool_calls[0].function.name, 'get_time');
    assert.deepEqual(JSON.parse(m.tool_calls[0].function.arguments), {});
    assert.equal(named.choices[0].finish_reason, 'tool_calls');

    const none = await openai.chat.completions.create({
      model: 'plain', messages: ASK, tools: [WEATHER], tool_choice: 'none', seed: 2, max_tokens: 20,
    });
    assert.equal(none.choices[0].message.tool_calls, undefined);
    assert.equal(typeof none.choices[0].message.content, 'string');
  });

  test('a tool conversation: call, result, text answer', T, async () => {
    // "auto" calls 3 times in 4 by the seed's draw: find a seed that calls (deterministic).
    let first;
    for (let seed = 1; seed < 20 && !first; ++seed) {
      const r = await openai.chat.completions.create({ model: 'plain', messages: ASK, tools: [WEATHER], seed });
      if (r.choices[0].finish_reason === 'tool_calls') first = r;
    }
    assert.ok(first, 'auto never called a tool in 19 seeds');
    const call = first.choices[0].message.tool_calls[0];
    checkWeatherArgs(call.function.arguments);

    const messages = [
      ...ASK,
      first.choices[0].message,
      { role: 'tool', tool_call_id: call.id, content: JSON.stringify({ temperature: 18, sky: 'clear' }) },
    ];
    const answer = await openai.chat.completions.create({ model: 'plain', messages, tools: [WEATHER], seed: 3 });
    assert.equal(answer.choices[0].message.tool_calls, undefined, 'a tool result gets a text answer');
    assert.ok(answer.choices[0].message.content.length > 0);
    assert.equal(answer.choices[0].finish_reason, 'stop');
  });

  test('response_format json_schema: the answer parses and fits the schema', T, async () => {
    const schema = {
      type: 'object',
      properties: {
        title: { type: 'string' },
        year: { type: 'integer', minimum: 1900, maximum: 2030 },
        genres: { type: 'array', items: { type: 'string', enum: ['drama', 'comedy', 'noir'] }, minItems: 1 },
        rating: { anyOf: [{ type: 'number', minimum: 0, maximum: 10 }, { type: 'null' }] },
        director: { $ref: '#/$defs/person' },
      },
      required: ['title', 'year', 'genres', 'rating', 'director'],
      additionalProperties: false,
      $defs: { person: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false } },
    };
    const response_format = { type: 'json_schema', json_schema: { name: 'movie', strict: true, schema } };
    const res = await openai.beta.chat.completions.parse({
      model: 'plain', messages: [{ role: 'user', content: 'A film, please.' }], response_format, seed: 4,
    });
    const movie = res.choices[0].message.parsed;
    assert.equal(typeof movie.title, 'string');
    assert.ok(Number.isInteger(movie.year) && movie.year >= 1900 && movie.year <= 2030);
    assert.ok(movie.genres.length >= 1 && movie.genres.every((g) => ['drama', 'comedy', 'noir'].includes(g)));
    assert.ok(movie.rating === null || (movie.rating >= 0 && movie.rating <= 10));
    assert.equal(typeof movie.director.name, 'string');
    assert.deepEqual(Object.keys(movie).sort(), ['director', 'genres', 'rating', 'title', 'year']);

    // Streamed, the content pieces join into the same document.
    const chunks = await collect(await openai.chat.completions.create({
      model: 'plain', messages: [{ role: 'user', content: 'A film, please.' }], response_format, seed: 4, stream: true,
    }));
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    assert.deepEqual(JSON.parse(text), movie);

    const obj = await openai.chat.completions.create({
      model: 'plain', messages: [{ role: 'user', content: 'json' }], response_format: { type: 'json_object' },
    });
    assert.equal(typeof JSON.parse(obj.choices[0].message.content), 'object');
  });

  test('reasoning on a deepseek-r1 preset, and turned off', T, async () => {
    const params = { model: 'r1', messages: ASK, seed: 5, max_tokens: 2000 };  // room for any natural end
    const chunks = await collect(await openai.chat.completions.create({
      ...params, stream: true, stream_options: { include_usage: true },
    }));
    let reasoning = '';
    let content = '';
    let reasoningChunks = 0;
    for (const c of chunks) {
      const d = c.choices[0]?.delta;
      if (!d) continue;
      if (d.reasoning_content) {
        assert.equal(content, '', 'reasoning after the answer began');
        reasoning += d.reasoning_content;
        ++reasoningChunks;
      }
      if (d.content) content += d.content;
    }
    assert.ok(reasoning.length > 0 && content.length > 0);
    const usage = chunks.at(-1).usage;
    assert.equal(usage.completion_tokens_details.reasoning_tokens, reasoningChunks);
    assert.ok(usage.completion_tokens > reasoningChunks);

    const whole = await openai.chat.completions.create(params);
    assert.equal(whole.choices[0].message.reasoning_content, reasoning);
    assert.equal(whole.choices[0].message.content, content);
    assert.equal(whole.usage.completion_tokens, usage.completion_tokens);

    // Off: no reasoning, and the same answer.
    for (const kwargs of [{ enable_thinking: false }, { thinking: false }]) {
      const off = await openai.chat.completions.create({ ...params, chat_template_kwargs: kwargs });
      assert.equal(off.choices[0].message.reasoning_content, undefined);
      assert.equal(off.choices[0].message.content, content);
      assert.equal(off.usage.completion_tokens, usage.completion_tokens - reasoningChunks);
    }
  });

  test('logprobs: one entry per content token, top_logprobs sorted', T, async () => {
    const res = await openai.chat.completions.create({
      model: 'plain', messages: ASK, seed: 6, max_tokens: 12, logprobs: true, top_logprobs: 3,
    });
    const entries = res.choices[0].logprobs.content;
    assert.equal(entries.length, 12);
    assert.equal(entries.map((e) => e.token).join(''), res.choices[0].message.content);
    for (const e of entries) {
      assert.ok(e.logprob <= 0);
      assert.deepEqual(e.bytes, [...Buffer.from(e.token, 'utf8')]);
      assert.equal(e.top_logprobs.length, 3);
      assert.equal(e.top_logprobs[0].token, e.token);
      for (let i = 1; i < 3; ++i) assert.ok(e.top_logprobs[i].logprob < e.top_logprobs[i - 1].logprob);
    }
    const chunks = await collect(await openai.chat.completions.create({
      model: 'plain', messages: ASK, seed: 6, max_tokens: 12, logprobs: true, top_logprobs: 3, stream: true,
    }));
    const streamed = chunks.flatMap((c) => c.choices[0]?.logprobs?.content ?? []);
    assert.deepEqual(streamed, entries);
  });

  test('n: 2 gives two choices with their own text and finish', T, async () => {
    const res = await openai.chat.completions.create({ model: 'plain', messages: ASK, seed: 7, n: 2, max_tokens: 8 });
    assert.equal(res.choices.length, 2);
    assert.deepEqual(res.choices.map((c) => c.index), [0, 1]);
    assert.notEqual(res.choices[0].message.content, res.choices[1].message.content);
    for (const c of res.choices) assert.equal(c.finish_reason, 'length');
    assert.equal(res.usage.completion_tokens, 16);

    const one = await openai.chat.completions.create({ model: 'plain', messages: ASK, seed: 7, max_tokens: 8 });
    assert.equal(res.choices[0].message.content, one.choices[0].message.content, 'choice 0 is the n = 1 answer');

    const chunks = await collect(await openai.chat.completions.create({
      model: 'plain', messages: ASK, seed: 7, n: 2, max_tokens: 8, stream: true,
    }));
    const texts = ['', ''];
    const finishes = [null, null];
    for (const c of chunks) {
      for (const ch of c.choices) {
        texts[ch.index] += ch.delta.content ?? '';
        if (ch.finish_reason) finishes[ch.index] = ch.finish_reason;
      }
    }
    assert.deepEqual(texts, res.choices.map((c) => c.message.content));
    assert.deepEqual(finishes, ['length', 'length']);
  });

  test('an image part is accepted and the text answered', T, async () => {
    const res = await openai.chat.completions.create({
      model: 'plain', seed: 8, max_tokens: 6,
      messages: [{
        role: 'user',
        content: [
          { type: 'text', text: 'What is in this picture?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==' } },
        ],
      }],
    });
    assert.equal(res.choices[0].finish_reason, 'length');
    assert.ok(res.choices[0].message.content.length > 0);
  });

  test('refusals: n out of range, an unknown function, required without tools', T, async () => {
    for (const extra of [{ n: 129 }, { tools: [WEATHER], tool_choice: { type: 'function', function: { name: 'nope' } } },
      { tool_choice: 'required' }]) {
      await assert.rejects(openai.chat.completions.create({ model: 'plain', messages: ASK, ...extra }),
        (err) => err.status === 400 && err.error?.type === 'invalid_request_error');
    }
  });
});
