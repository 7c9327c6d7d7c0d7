// Checks the DOM that headless Chromium dumped from gateway-bench's HTML report against the JSON
// document the page embeds: the page rendered without a script error, every chart exists, and
// the markers of each chart hold exactly the document's numbers. Node only, no packages: the
// dumped DOM is regular (Chromium's serializer), so a small tag/attribute reader is enough.
//
//   node bench_html_check.mjs DOM.html DOC.json [--allow-empty=CHART_ID,...]
// exit 0, or 1 with one line per failure. Every chart must have markers (a document that draws
// nothing would prove nothing) but those named in --allow-empty (a run without errors).
import { readFileSync } from "node:fs";

const [domPath, docPath] = process.argv.slice(2);
const allowEmpty = new Set(process.argv.slice(4).filter((a) => a.startsWith("--allow-empty="))
  .flatMap((a) => a.slice("--allow-empty=".length).split(",")));
const dom = readFileSync(domPath, "utf8");
const doc = JSON.parse(readFileSync(docPath, "utf8"));
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };

const decode = (s) => s.replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&nbsp;/g, "\u00a0")
  .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n))).replace(/&amp;/g, "&");
function attributes(tagText) {
  const attrs = {};
  for (const m of tagText.matchAll(/([^\s=/>]+)(?:="([^"]*)")?/g)) attrs[m[1]] = m[2] === undefined ? "" : decode(m[2]);
  return attrs;
}
// Every element named `tag` with its attributes (opening tags only).
const elements = (html, tag) => [...html.matchAll(new RegExp(`<${tag}(\\s[^>]*)?>`, "g"))].map((m) => attributes(m[1] || ""));

// ---- The page rendered, and nothing broke out of the embedded document ----------------------
const body = elements(dom, "body")[0] || {};
check(body["data-rendered"] === "ok", `body data-rendered is ${JSON.stringify(body["data-rendered"])}, want "ok"`);
const errorBox = dom.match(/<pre id="render-error">([\s\S]*?)<\/pre>/);
check(!errorBox, `the page reported an error: ${errorBox && decode(errorBox[1]).slice(0, 400)}`);
check(!("data-injected" in body), "a script inside a JSON string ran (the embedded document broke out of its element)");
const scripts = elements(dom, "script");
check(scripts.length === 2, `${scripts.length} script elements, want 2 (the document and the page's script)`);
const embedded = dom.match(/<script type="application\/json" id="bench-data">([\s\S]*?)<\/script>/);
let embeddedDoc = null;
try { embeddedDoc = embedded && JSON.parse(embedded[1]); } catch { /* reported below */ }
check(JSON.stringify(embeddedDoc) === JSON.stringify(doc), "the embedded document differs from the JSON file");

// ---- No network: no element loads anything from outside the page -----------------------------
for (const tag of ["link", "img", "iframe", "object", "embed", "image", "use"])
  for (const a of elements(dom, tag))
    for (const k of ["src", "href", "xlink:href", "data"])
      check(!(k in a) || /^(#|data:)/.test(a[k]), `<${tag} ${k}="${a[k]}"> would load from outside the page`);
check(!/\s(?:src|href)="(?:https?:)?\/\//i.test(dom), "an src/href attribute points to the network");

// ---- The configuration table shows the model name as text -----------------------------------
const configTable = dom.match(/<table class="config" id="config-table">([\s\S]*?)<\/table>/);
const modelRow = configTable && configTable[1].match(/<th>model<\/th><td class="text">([\s\S]*?)<\/td>/);
check(modelRow && decode(modelRow[1]) === doc.config.model, `the config table's model is ${modelRow && decode(modelRow[1])}`);

// ---- Charts and their markers ---------------------------------------------------------------
const charts = new Map();
for (const m of dom.matchAll(/<svg(\s[^>]*)>([\s\S]*?)<\/svg>/g)) {
  const a = attributes(m[1]);
  if ((a.class || "").split(/\s+/).includes("chart")) charts.set(a.id, m[2]);
}
const points = doc.kind === "sweep" ? doc.points : [doc];
const key = (series, point, x, y) => `${series} | point ${point} | x=${Number(x)} | y=${Number(y)}`;
// The markers (circles or bars) drawn in chart `id` must be exactly `want` (a multiset of keys).
function compareMarkers(id, tag, want) {
  const html = charts.get(id);
  if (html === undefined) return check(false, `no <svg class="chart" id="${id}">`);
  const got = elements(html, tag).filter((a) => "data-series" in a)
    .map((a) => key(a["data-series"], a["data-point"], tag === "rect" ? 0 : a["data-x"], a["data-y"]));
  const sortedGot = [...got].sort(), sortedWant = [...want].sort();
  const missing = sortedWant.filter((k) => !sortedGot.includes(k)), extra = sortedGot.filter((k) => !sortedWant.includes(k));
  check(sortedGot.length === sortedWant.length && missing.length === 0 && extra.length === 0,
    `${id}: ${got.length} markers, want ${want.length}; missing [${missing.slice(0, 5).join("; ")}] extra [${extra.slice(0, 5).join("; ")}]`);
  check(allowEmpty.has(id) || want.length > 0, `${id}: the document gives this chart nothing to draw`);
}
const num = (v) => typeof v === "number" && Number.isFinite(v);

const curves = [["ttft_p50", "ttft_ms", "p50"], ["ttft_p99", "ttft_ms", "p99"], ["tpot_p50", "tpot_ms", "p50"],
  ["tpot_p99", "tpot_ms", "p99"], ["e2e_p99", "e2e_ms", "p99"]];
compareMarkers("throughput-latency", "circle", points.flatMap((p, i) => curves.flatMap(([series, stat, q]) => {
  const x = p.throughput.requests_per_s, y = p[stat][q];
  return num(x) && num(y) ? [key(series, i, x, y)] : [];
})));
compareMarkers("ttft-cdf", "circle", points.flatMap((p, i) => (p.ttft_cdf || []).map(([x, y]) => key(`point-${i}`, i, x, y))));
const kinds = (e) => Object.entries(e).filter(([k, v]) => !["total", "by_status", "examples"].includes(k) && v > 0);
compareMarkers("errors-by-kind", "rect", points.flatMap((p, i) => kinds(p.errors).map(([k, n]) => key(k, i, 0, n))));
points.forEach((p, i) => compareMarkers(`timeline-${i}`, "circle", (p.timeline || []).flatMap((s) =>
  [key("in_flight", i, s.t_s, s.in_flight), key("tokens_per_s", i, s.t_s, s.tokens_per_s)])));

// Axes: every chart has tick labels and a legend entry per series it draws.
for (const [id, html] of charts) {
  check(/class="axis axis-left"/.test(html), `${id}: no left axis`);
  check(/class="legend-item"/.test(html) || /class="empty"/.test(html), `${id}: no legend`);
}
// The per-point table has a row per point.
check(elements(dom, "tr").filter((a) => "data-point" in a).length === points.length, "the results table lacks a row per point");

if (failures.length) {
  for (const f of failures) console.error(`bench_html_check: ${f}`);
  process.exitCode = 1; // not process.exit(): it can cut the messages short on a pipe
} else {
  console.log(`bench_html_check: ${charts.size} charts, every marker matches the document (${points.length} points)`);
}
