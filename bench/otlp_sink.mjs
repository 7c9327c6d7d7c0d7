// A collector for benchmarks: accepts every OTLP/HTTP export (`POST /v1/traces`) with 200 and
// counts the spans, printed on SIGTERM. It parses nothing it does not need: only the span count,
// from the number of "spanId" keys, so it stays out of the way of the process it measures.
//   node bench/otlp_sink.mjs PORT
import http from 'node:http';

const port = Number(process.argv[2]);
let exports = 0;
let spans = 0;
const server = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    ++exports;
    spans += body.split('"spanId"').length - 1;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
  });
});
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => {
  console.log(`otlp_sink: ${exports} exports, ${spans} spans`);
  process.exit(0);
});
