// Summarizes bench/bench_ceiling.sh's runs: per run kind the median over rounds of the requests/s
// and of the CPU microseconds per request of gateway-bench and of the gateway (requests issued in
// warm-up and measured both count: the CPU times cover the whole run). Prints a table on stderr
// and the JSON document on stdout.
//   node bench/summarize_ceiling.mjs RUNS_DIR ROUNDS CONCURRENCY CHUNKS
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';

const [dir, rounds, concurrency, chunks] = process.argv.slice(2);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const kinds = ['direct-plain', 'direct-stream', 'gateway-plain', 'gateway-stream'];
const out = { machine: { cpus: cpus().length, model: cpus()[0]?.model }, rounds: +rounds, concurrency: +concurrency,
  chunks: +chunks, runs: {}, figures: {} };
for (const kind of kinds) {
  const per = [];
  for (let r = 1; r <= +rounds; r++) {
    const name = `${kind}-${r}`;
    const report = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
    const [benchS, proxyS] = readFileSync(join(dir, `${name}.cpu`), 'utf8').trim().split(/\s+/).map(Number);
    const issued = report.requests.measured + report.requests.warmup;
    per.push({ rps: report.throughput.requests_per_s, errors: report.errors.total, issued,
      bench_us: (benchS * 1e6) / issued, proxy_us: proxyS > 0 ? (proxyS * 1e6) / issued : null });
    out.runs[name] = report;
  }
  out.figures[kind] = {
    requests_per_s: median(per.map((p) => p.rps)),
    errors: per.reduce((a, p) => a + p.errors, 0),
    bench_cpu_us_per_request: median(per.map((p) => p.bench_us)),
    gateway_cpu_us_per_request: kind.startsWith('gateway') ? median(per.map((p) => p.proxy_us)) : null,
  };
}
const f = out.figures;
for (const mode of ['plain', 'stream']) {
  const bench = f[`direct-${mode}`].bench_cpu_us_per_request;
  const gw = f[`gateway-${mode}`].gateway_cpu_us_per_request;
  f[`ceiling-${mode}`] = { bench_requests_per_s_one_core: 1e6 / bench, gateway_requests_per_s_one_core: 1e6 / gw,
    ratio: gw / bench };
}
const row = (...c) => c.map((x, i) => String(x).padStart(i ? 16 : 16)).join('') + '\n';
let t = row('run', 'req/s', 'bench µs/req', 'gateway µs/req', 'errors');
for (const k of kinds) {
  const x = f[k];
  t += row(k, x.requests_per_s.toFixed(0), x.bench_cpu_us_per_request.toFixed(2),
    x.gateway_cpu_us_per_request == null ? '-' : x.gateway_cpu_us_per_request.toFixed(2), x.errors);
}
for (const mode of ['plain', 'stream']) {
  const c = f[`ceiling-${mode}`];
  t += `${mode}: one core of gateway-bench drives ${c.bench_requests_per_s_one_core.toFixed(0)} req/s; one core of the gateway serves ${c.gateway_requests_per_s_one_core.toFixed(0)} req/s: ${c.ratio.toFixed(1)}x\n`;
}
process.stderr.write(t);
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
