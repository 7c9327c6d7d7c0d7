// Starts the real inference-gateway binary on 127.0.0.1:0 with a temporary config and tells the
// tests where it listens. Every wait is bounded; the process is killed if a test forgets it.
//
//   const gw = await startGateway({ config: YAML_TEXT });
//   ... fetch(`${gw.baseURL}/models`) ...
//   await gw.stop();

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import net from 'node:net';

export const GATEWAY_BIN = process.env.GATEWAY_BIN || '/tmp/b/inference-gateway';

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

// The models most tests use. sim-fast never waits; sim-slow runs at real speed (~180 ms to the
// first token, then a token every ~15 ms); sim-tiny has one batch slot and one queue slot so
// that a few concurrent requests overflow it. None reasons (the deepseek-r1 preset would), so
// their answers are plain text (sim_protocol.test.mjs tests what the sim says beyond that).
export const DEFAULT_CONFIG = `
server: {listen: 127.0.0.1:0, max_body_bytes: 65536}
log: {level: info}
models:
  - id: sim-fast
    preset: deepseek-r1-w8a8-2node
    sim: {time_scale: 0, reasoning: false}
    max_model_len: 4096
    default_max_tokens: 64
    batching: {max_batch_size: 8, max_queued: 16, max_queue_wait_ms: 2000}
  - id: sim-slow
    preset: deepseek-r1-w8a8-2node
    sim: {time_scale: 1, reasoning: false}
    default_max_tokens: 2000
  - id: sim-tiny
    preset: deepseek-r1-w8a8-2node
    sim: {time_scale: 1, reasoning: false}
    default_max_tokens: 2000
    batching: {max_batch_size: 1, max_queued: 1, max_queue_wait_ms: 20000}
`;

// Every child started here, so that an aborted run never leaves a gateway behind.
const live = new Set();
function killAll() {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
}
process.on('exit', killAll);
// A test process stopped by a signal (the runner's timeout) takes its gateways with it.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    killAll();
    process.kill(process.pid, sig);
  });
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Starts the gateway.
 * @param {object} [opts]
 * @param {string} [opts.config] YAML text of the config file (DEFAULT_CONFIG when absent)
 * @param {string} [opts.bin] the binary (GATEWAY_BIN when absent)
 * @param {Record<string,string>} [opts.env] extra environment variables for the gateway (added
 *   to this process's environment; e.g. the variables that providers' api_key_env names)
 * @returns {Promise<{port:number, baseURL:string, origin:string, output:()=>string,
 *                    exited:Promise<{code:number|null, signal:string|null}>, stop:()=>Promise<void>}>}
 */
export async function startGateway(opts = {}) {
  const bin = opts.bin || GATEWAY_BIN;
  const dir = mkdtempSync(join(tmpdir(), 'gw-node-test-'));
  const configPath = join(dir, 'gateway.yaml');
  writeFileSync(configPath, opts.config ?? DEFAULT_CONFIG);

  const child = spawn(bin, ['--config', configPath, '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
  });
  live.add(child);

  let output = '';
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  // A spawn failure (missing binary) reports as 'error' and may never emit 'exit'.
  const spawnFailed = new Promise((_, reject) => {
    child.once('error', (err) => reject(new Error(`cannot start ${bin}: ${err.message}`)));
  });
  spawnFailed.catch(() => {});

  const listening = new Promise((resolve, reject) => {
    const onData = (buf) => {
      output += buf.toString('utf8');
      const m = /listening on 127\.0\.0\.1:(\d+) \(/.exec(output);
      if (m) resolve(Number(m[1]));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (buf) => { output += buf.toString('utf8'); });
    exited.then(({ code, signal }) =>
      reject(new Error(`gateway exited before listening (code ${code}, signal ${signal}):\n${output}`)));
  });

  const cleanup = () => rmSync(dir, { recursive: true, force: true });

  let port;
  try {
    port = await withTimeout(Promise.race([listening, spawnFailed]), START_TIMEOUT_MS,
      'waiting for the "listening on" line');
  } catch (err) {
    child.kill('SIGKILL');
    await withTimeout(exited, STOP_TIMEOUT_MS, 'gateway exit after SIGKILL').catch(() => {});
    cleanup();
    throw new Error(`${err.message}\n--- gateway output ---\n${output}`);
  }

  let stopped = null;
  const stop = () => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        try {
          await withTimeout(exited, STOP_TIMEOUT_MS, 'gateway exit after SIGTERM');
        } catch {
          child.kill('SIGKILL');
          await withTimeout(exited, STOP_TIMEOUT_MS, 'gateway exit after SIGKILL').catch(() => {});
        }
      }
      cleanup();
    })();
    return stopped;
  };

  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    baseURL: `http://127.0.0.1:${port}/v1`,
    output: () => output,
    exited,
    stop,
    configPath,                        // rewrite it, then signal('SIGHUP') to reload
    signal: (sig) => child.kill(sig),  // SIGTERM to drain, SIGHUP to reload
  };
}

/**
 * One HTTP request with node:http on a fresh connection (no agent pooling), bounded in time.
 * Resolves to {status, headers, text, json} where json is the parsed body or undefined.
 */
export function request(port, { method = 'GET', path = '/', headers = {}, body, timeoutMs = 10_000 } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined
      : Buffer.isBuffer(body) ? body
      : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
    const h = { ...headers };
    if (payload !== undefined) {
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
      h['Content-Length'] = payload.length;
    }
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: h, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`request timed out: ${method} ${path}`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Parses an SSE body into the list of `data:` payloads (strings), in order. */
export function sseData(text) {
  return text.split('\n\n')
    .map((event) => event.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n'))
    .filter((d) => d.length > 0);
}

/** Parses a named-event SSE body (Anthropic's Messages streams) into [{event, data}], data parsed. */
export function sseEvents(text) {
  return text.split('\n\n').filter((e) => e.trim()).map((e) => {
    const lines = e.split('\n');
    const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
    const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
    return { event, data: JSON.parse(data) };
  });
}

/** Parses Prometheus text exposition into [{name, labels, value}] samples. */
export function parseMetrics(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    if (m[3]) {
      for (const lm of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[lm[1]] = lm[2];
    }
    samples.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return samples;
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes; returns the last value. */
export async function pollUntil(fn, { timeoutMs = 5_000, intervalMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() >= deadline) return last;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A loopback port nothing listens on (bound, then released): a server that is down. */
export async function deadPort() {
  const s = net.createServer();
  await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Like sleep, but its timer does not keep the process alive (for Promise.race deadlines). */
export const deadline = (ms, value) => new Promise((r) => setTimeout(() => r(value), ms).unref());

/**
 * Asserts that the gateway still answers GET /healthz with 200; on failure the message says
 * how the process ended (exit code or signal) and what it printed.
 */
export async function assertHealthy(gw, after = 'the previous request') {
  let status;
  try {
    status = (await request(gw.port, { path: '/healthz', timeoutMs: 3_000 })).status;
  } catch (err) {
    status = `error ${err.code || err.message}`;
  }
  if (status === 200) return;
  const ended = await withTimeout(gw.exited, 1_000, 'exit').catch(() => null);
  const how = ended ? `exited (code ${ended.code}, signal ${ended.signal})` : 'still running';
  throw new Error(`/healthz answered ${status} after ${after}; gateway ${how}\n--- gateway output ---\n${gw.output()}`);
}
