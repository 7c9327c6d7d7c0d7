#!/usr/bin/env node
// A burst of mixed requests (short, long-prompt, restricted) against a local sim pool of limited
// capacity, served once local-only and once hybrid (remote provider behind it), on loopback:
//  - "remote provider": a second gateway (sim, ample capacity) behind nginx terminating TLS
//    with a CA this script makes with openssl;
//  - the gateway under test: a small local pool, with or without the remote target.
// Prints requests/s, TTFT and where requests went (x-gateway-route / -reason), as a table and
// as JSON. Needs: a built gateway (GATEWAY_BIN, default build/inference-gateway), nginx, openssl.
//
//   node bench/hybrid_burst.mjs [--requests 240] [--concurrency 48]
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import net from 'node:net';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const REQUESTS = arg('requests', 240);
const CONCURRENCY = arg('concurrency', 48);
const BIN = process.env.GATEWAY_BIN ?? path.resolve('build/inference-gateway');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hybrid-bench-'));
const children = [];
const cleanup = () => { for (const c of children) try { c.kill('SIGKILL'); } catch {} ; fs.rmSync(dir, { recursive: true, force: true }); };
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

const freePort = () => new Promise((res) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });

function startGateway(name, yaml, env = {}) {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, yaml);
  const child = spawn(BIN, ['--config', file], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name}: no listening line: ${out}`)), 10000);
    const on = (d) => {
      out += d;
      const m = /listening on 127\.0\.0\.1:(\d+) \(/.exec(out);
      if (m) { clearTimeout(timer); resolve({ port: Number(m[1]), child }); }
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
  });
}

function makeCerts() {
  const o = (args) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=bench-ca']);
  o(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=localhost']);
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  o(['x509', '-req', '-in', 'srv.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.crt', '-days', '1', '-extfile', 'ext.cnf']);
}

async function startNginx(upstreamPort) {
  const port = await freePort();
  const p = path.join(dir, 'nginx');
  fs.mkdirSync(path.join(p, 'logs'), { recursive: true });
  // As root, nginx's workers would run as nobody and could not use this private temp dir.
  const user = process.getuid?.() === 0 ? 'user root root;' : '';
  fs.writeFileSync(path.join(p, 'nginx.conf'), `worker_processes 1; daemon off; ${user} pid ${p}/nginx.pid; error_log ${p}/logs/error.log;
events { worker_connections 4096; }
http { access_log off; client_body_buffer_size 1m; client_body_temp_path ${p}; proxy_temp_path ${p}; fastcgi_temp_path ${p}; uwsgi_temp_path ${p}; scgi_temp_path ${p};
  upstream gw { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server { listen 127.0.0.1:${port} ssl http2; ssl_certificate ${dir}/srv.crt; ssl_certificate_key ${dir}/srv.key;
    location / { proxy_pass http://gw; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; } } }
`);
  const child = spawn('nginx', ['-c', path.join(p, 'nginx.conf'), '-p', p], { stdio: 'ignore' });
  children.push(child);
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((r) => { const s = net.connect(port, '127.0.0.1', () => { s.end(); r(true); }); s.on('error', () => r(false)); });
    if (ok) return port;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('nginx did not start');
}

const longText = 'context '.repeat(3000);  // ~3,000 tokens: over the 2,000-token long-prompt threshold
function requestBody(kind) {
  const content = kind === 'long' ? `Summarise: ${longText}` : 'Explain continuous batching briefly.';
  return JSON.stringify({ model: 'chat', stream: true, max_tokens: 64, messages: [{ role: 'user', content }] });
}

function oneRequest(port, kind) {
  return new Promise((resolve) => {
    const body = requestBody(kind);
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    if (kind === 'restricted') headers['x-data-classification'] = 'restricted';
    const t0 = performance.now();
    let ttft = -1;
    const req = http.request({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', headers }, (res) => {
      res.on('data', (d) => { if (ttft < 0 && res.statusCode === 200 && d.includes('"content":"')) ttft = performance.now() - t0; });
      res.on('end', () => resolve({ kind, status: res.statusCode, ttft, e2e: performance.now() - t0,
        route: `${res.headers['x-gateway-route'] ?? '-'} (${res.headers['x-gateway-route-reason'] ?? '-'})` }));
    });
    req.on('error', () => resolve({ kind, status: 0, ttft: -1, e2e: performance.now() - t0, route: 'error' }));
    req.end(body);
  });
}

async function burst(port) {
  // 60% short, 20% long, 20% restricted, interleaved deterministically.
  const kinds = Array.from({ length: REQUESTS }, (_, i) => (i % 5 === 1 ? 'long' : i % 5 === 3 ? 'restricted' : 'short'));
  const results = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < kinds.length) results.push(await oneRequest(port, kinds[next++]));
  }));
  return { wall: (performance.now() - t0) / 1000, results };
}

const pct = (xs, p) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : NaN);
function summarize(label, { wall, results }) {
  const ok = results.filter((r) => r.status === 200);
  const ttft = ok.map((r) => r.ttft).filter((x) => x >= 0).sort((a, b) => a - b);
  const routes = {};
  for (const r of results) { const k = r.status === 200 ? r.route : `${r.status} ${r.route}`; routes[k] = (routes[k] ?? 0) + 1; }
  return { mode: label, requests: results.length, ok: ok.length, errors: results.length - ok.length,
    requests_per_s: +(results.length / wall).toFixed(1), ttft_ms_p50: +pct(ttft, 50).toFixed(0),
    ttft_ms_p90: +pct(ttft, 90).toFixed(0), ttft_ms_p99: +pct(ttft, 99).toFixed(0), routes };
}

makeCerts();
const remote = await startGateway('remote', `server: {listen: 127.0.0.1:0}
log: {access_log: false}
models:
  - id: upstream-chat
    preset: deepseek-r1-w8a8-2node
    sim: {reasoning: false}
    max_model_len: 32768
    batching: {max_batch_size: 256, max_queued: 4096}
`);
const nginxPort = await startNginx(remote.port);
// The local pool: a small slice of a cluster (8 sequences at once, 64 waiting), so the burst
// saturates it; its KV budget is too small for the long prompts' contexts.
const local = `  - id: chat
    preset: deepseek-r1-w8a8-2node
    sim: {reasoning: false}
    max_model_len: 8192
    batching: {max_batch_size: 8, max_queued: 64, max_queue_wait_ms: 60000}
`;
const localOnly = `server: {listen: 127.0.0.1:0}
log: {access_log: false}
models:
${local}`;
const hybrid = `server: {listen: 127.0.0.1:0}
log: {access_log: false}
providers:
  - name: cloud
    base_url: https://127.0.0.1:${nginxPort}/v1
    api_key_env: BENCH_KEY
    ca_file: ${dir}/ca.crt
models:
${local}    remote: [{provider: cloud, model: upstream-chat}]
    routing: {long_prompt_tokens: 2000, ttft_target_ms: 1000}
`;
const summaries = [];
for (const [label, yaml] of [['local-only', localOnly], ['hybrid', hybrid]]) {
  const gw = await startGateway(label, yaml, { BENCH_KEY: 'bench' });
  summaries.push(summarize(label, await burst(gw.port)));
  gw.child.kill('SIGTERM');
}
console.log(`burst: ${REQUESTS} requests (60% short, 20% long ~3k tokens, 20% restricted), concurrency ${CONCURRENCY}, 64 max tokens`);
console.log('| mode | req/s | ok | errors | TTFT p50 | p90 | p99 |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const s of summaries)
  console.log(`| ${s.mode} | ${s.requests_per_s} | ${s.ok} | ${s.errors} | ${s.ttft_ms_p50} ms | ${s.ttft_ms_p90} ms | ${s.ttft_ms_p99} ms |`);
for (const s of summaries) {
  console.log(`${s.mode} routes:`);
  for (const [k, v] of Object.entries(s.routes).sort()) console.log(`  ${v}\t${k}`);
}
console.log(JSON.stringify(summaries));
process.exit(0);
