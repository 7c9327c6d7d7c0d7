#!/usr/bin/env node
// Mid-stream continuation, measured (issue 21): N streams against a model served by one local
// `openai` server that dies at a random point of each answer (after 1 to 20 of its chunks), with
// a provider to continue on (both fakes from tests/integration/node/dying_upstream.mjs, chunks
// `--gap-ms` apart, on loopback). For each stream: did it complete (exact text, one id, [DONE]),
// and the client-side gaps between data events: the gap across the switch (from the last event
// before the `: gateway-continued` comment to the first after it) against every other gap.
// Prints a table and JSON. Needs a built gateway (GATEWAY_BIN, default build/inference-gateway).
//
//   node bench/continuation.mjs [--streams 100] [--concurrency 4] [--gap-ms 10] [--seed 1]
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { startGateway } from '../tests/integration/node/harness.mjs';
import { WORDS, startDyingUpstream } from '../tests/integration/node/dying_upstream.mjs';

const { values: opt } = parseArgs({
  options: {
    streams: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '4' },
    'gap-ms': { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
  },
});
const STREAMS = Number(opt.streams);
const CONCURRENCY = Number(opt.concurrency);
const GAP_MS = Number(opt['gap-ms']);
let seed = Number(opt.seed);
const random = () => {  // mulberry32: the same kill points for the same seed
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
process.env.GATEWAY_BIN ??= path.resolve('build/inference-gateway');

const kills = [];
const local = await startDyingUpstream({
  id: 'local', gapMs: GAP_MS, words: WORDS.concat(WORDS),
  dieAfter: () => { const n = 1 + Math.floor(random() * 20); kills.push(n); return n; },
});
const CONT = [' and', ' then', ' it', ' ended', '.'];
const provider = await startDyingUpstream({ id: 'prov', gapMs: GAP_MS, continuation: CONT });
const gw = await startGateway({
  config: `
server: {listen: 127.0.0.1:0}
log: {level: info, access_log: false}
providers:
  - {name: p1, base_url: "${provider.url}", continuation: prefix, retries: {max_retries: 0}}
models:
  - id: m
    engine: openai
    openai:
      model: srv
      servers: [{name: s0, url: "${local.url}"}]
      max_in_flight: 64
      health: {path: /health, interval_ms: 20, unhealthy_after: 100, healthy_after: 1}
    remote: [{provider: p1, model: prov}]
    routing: {continue_on_failure: true}
`,
});

function one() {
  return new Promise((resolve) => {
    const body = JSON.stringify({ model: 'm', stream: true, max_tokens: 200, messages: [{ role: 'user', content: 'Go.' }] });
    const req = http.request({ host: '127.0.0.1', port: gw.port, method: 'POST', path: '/v1/chat/completions', agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let buf = '';
      const events = [];  // [time ms, kind: 'data'|'switch', payload]
      res.on('data', (c) => {
        const now = performance.now();
        buf += c;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const ev = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (ev.startsWith(': gateway-continued')) events.push([now, 'switch', ev]);
          else if (ev.startsWith('data: ')) events.push([now, 'data', ev.slice(6)]);
        }
      });
      res.on('end', () => resolve(events));
      res.on('error', () => resolve(events));
    });
    req.on('error', () => resolve([]));
    req.end(body);
  });
}

const results = [];
let next = 0;
await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
  while (next < STREAMS) {
    next++;
    results.push(await one());
  }
}));
await gw.stop();
await local.close();
await provider.close();

const pct = (xs, p) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
let completed = 0;
let continued = 0;
const switchGaps = [];
const normalGaps = [];
for (const events of results) {
  const data = events.filter((e) => e[1] === 'data');
  const chunks = data.filter((e) => e[2] !== '[DONE]').map((e) => JSON.parse(e[2]));
  const text = chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join('');
  const ids = new Set(chunks.map((c) => c.id));
  const done = data.at(-1)?.[2] === '[DONE]';
  const sw = events.findIndex((e) => e[1] === 'switch');
  if (sw >= 0) continued++;
  // The text must be the local words up to the kill point, then the continuation, exactly.
  if (done && ids.size === 1 && text.endsWith(CONT.join('')) && WORDS.concat(WORDS).join('').startsWith(text.slice(0, -CONT.join('').length)))
    completed++;
  for (let i = 1; i < events.length; ++i) {
    if (events[i][1] !== 'data' || events[i - 1][1] === 'switch') continue;
    normalGaps.push(events[i][0] - events[i - 1][0]);
  }
  if (sw > 0 && sw + 1 < events.length) switchGaps.push(events[sw + 1][0] - events[sw - 1][0]);
}
const fmt = (v) => v.toFixed(1);
const summary = {
  streams: STREAMS, concurrency: CONCURRENCY, upstream_gap_ms: GAP_MS, completed, continued,
  switch_gap_ms: { p50: pct(switchGaps, 50), p99: pct(switchGaps, 99), n: switchGaps.length },
  normal_gap_ms: { p50: pct(normalGaps, 50), p99: pct(normalGaps, 99), n: normalGaps.length },
  kill_after_chunks: { min: Math.min(...kills), max: Math.max(...kills) },
};
console.log(`streams ${STREAMS} (concurrency ${CONCURRENCY}, upstream chunks ${GAP_MS} ms apart)`);
console.log(`completed ${completed}/${STREAMS}, continued ${continued}`);
console.log(`gap at the switch  p50 ${fmt(summary.switch_gap_ms.p50)} ms  p99 ${fmt(summary.switch_gap_ms.p99)} ms`);
console.log(`other gaps         p50 ${fmt(summary.normal_gap_ms.p50)} ms  p99 ${fmt(summary.normal_gap_ms.p99)} ms`);
console.log(JSON.stringify(summary));
