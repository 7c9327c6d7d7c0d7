#!/usr/bin/env node
// Concurrent streaming load against an OpenAI-compatible endpoint: N clients in a closed loop
// for a fixed time, each sending a streaming chat request and reading it to [DONE].
// Reports time to first token (TTFT), per-stream decode speed (tokens/s after the first token),
// and aggregate output tokens/s. Uses only Node's built-in http module.
//
//   node bench/stream_load.mjs --url http://127.0.0.1:8080 --model deepseek-r1 \
//        --concurrency 64 --duration 20 --max-tokens 256
import http from 'node:http';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const url = new URL(args.url ?? 'http://127.0.0.1:8080');
const model = args.model ?? 'deepseek-r1';
const concurrency = Number(args.concurrency ?? 1);
const duration = Number(args.duration ?? 10) * 1000;
const maxTokens = Number(args['max-tokens'] ?? 256);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

function oneRequest() {
  return new Promise((resolve) => {
    const body = JSON.stringify({
      model, stream: true, max_tokens: maxTokens, stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Write a long answer about batching and latency.' }],
    });
    const t0 = performance.now();
    let ttft = -1, tokens = 0, buf = '', ok = false;
    const req = http.request({ host: url.hostname, port: url.port, path: '/v1/chat/completions', method: 'POST',
      agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (d) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const ev = buf.slice(0, i); buf = buf.slice(i + 2);
          if (!ev.startsWith('data: ')) continue;
          const data = ev.slice(6);
          if (data === '[DONE]') { ok = true; continue; }
          const j = JSON.parse(data);
          if (j.choices?.[0]?.delta?.content && ttft < 0) ttft = performance.now() - t0;
          if (j.usage) tokens = j.usage.completion_tokens;
        }
      });
      res.on('end', () => resolve({ ok: ok && res.statusCode === 200, ttft, e2e: performance.now() - t0, tokens }));
    });
    req.on('error', () => resolve({ ok: false }));
    req.end(body);
  });
}

const pct = (xs, p) => xs.length ? xs[Math.min(xs.length - 1, Math.floor(p / 100 * xs.length))] : NaN;
const results = [];
const start = performance.now();
await Promise.all(Array.from({ length: concurrency }, async () => {
  while (performance.now() - start < duration) results.push(await oneRequest());
}));
const wall = (performance.now() - start) / 1000;
const good = results.filter((r) => r.ok);
const ttfts = good.map((r) => r.ttft).sort((a, b) => a - b);
const speeds = good.filter((r) => r.tokens > 1).map((r) => (r.tokens - 1) / ((r.e2e - r.ttft) / 1000)).sort((a, b) => a - b);
const totalTokens = good.reduce((s, r) => s + r.tokens, 0);
const summary = {
  concurrency, requests: results.length, errors: results.length - good.length, wall_s: +wall.toFixed(1),
  ttft_ms: { p50: +pct(ttfts, 50).toFixed(1), p90: +pct(ttfts, 90).toFixed(1), p99: +pct(ttfts, 99).toFixed(1) },
  per_stream_tokens_per_s: { p50: +pct(speeds, 50).toFixed(1), p10: +pct(speeds, 10).toFixed(1) },
  output_tokens_per_s: +(totalTokens / wall).toFixed(0),
};
console.log(JSON.stringify(summary));
agent.destroy();
