// Prints the side-by-side table of run.sh from its output directory.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const [dir, runsArg, file, sdkVersion] = process.argv.slice(2);
const runs = Number(runsArg);

// Wall time (s) and peak RSS (MB) from a `/usr/bin/time -v` report.
function timeReport(name) {
  const text = fs.readFileSync(path.join(dir, name), 'utf8');
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(text);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
  const seconds = Number(wall[1] || 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  return { wall_ms: seconds * 1000, rss_mb: Number(rss[1]) / 1024 };
}

function side(name) {
  const out = [];
  for (let i = 1; i <= runs; i += 1) {
    const own = JSON.parse(fs.readFileSync(path.join(dir, `${name}.${i}.json`), 'utf8'));
    out.push({ ...own, ...timeReport(`${name}.${i}.time`) });
  }
  return out;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const stats = (rows, key) => {
  const xs = rows.map((r) => r[key]);
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
};
const fmt = (s, unit, digits = 0) =>
  `${s.median.toFixed(digits)} ${unit} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;

const rust = side('rust');
const node = side('node');
const baseline = timeReport('node-baseline.time');
for (const r of [...rust, ...node]) {
  if (r.requests !== rust[0].requests) throw new Error(`request counts differ: ${r.requests}`);
}

const rParse = stats(rust, 'parse_ms');
const nParse = stats(node, 'parse_ms');
const nJson = stats(node, 'json_parse_ms');
const nSdk = stats(node, 'sdk_ms');
const rWall = stats(rust, 'wall_ms');
const nWall = stats(node, 'wall_ms');
const rRss = stats(rust, 'rss_mb');
const nRss = stats(node, 'rss_mb');

const speed = nParse.median / rParse.median;
const memory = rRss.median / nRss.median;
const verdict = (ok) => (ok ? 'pass' : '**FAIL**');

console.log(`\nFile: ${file}: ${(rust[0].bytes / 1e6).toFixed(1)} MB, ${rust[0].requests} requests; ` +
  `${runs} runs of each, alternating, one process per run; ${os.cpus().length} CPUs, ${os.cpus()[0].model}; ` +
  `node ${process.versions.node}; postman-collection ${sdkVersion}.\n`);
console.log('Median (min–max).\n');
console.log(`| | Portico \`import_nodes_reader\` (Rust, file read as parsed) | \`postman-collection\` ${sdkVersion} (Node) | ratio | target | result |`);
console.log('|---|---:|---:|---:|---:|---|');
console.log(`| parse, in process: text in memory → model | ${fmt(rParse, 'ms')} | ${fmt(nParse, 'ms')} | ` +
  `${speed.toFixed(1)}× faster | ≥ 10× | ${verdict(speed >= 10)} |`);
console.log(`| … of which \`JSON.parse\` | | ${fmt(nJson, 'ms')} | | | |`);
console.log(`| … of which \`new Collection(…)\` alone | | ${fmt(nSdk, 'ms')} | ` +
  `${(nSdk.median / rParse.median).toFixed(1)}× | | |`);
console.log(`| process wall time (start, read, parse, exit) | ${fmt(rWall, 'ms')} | ${fmt(nWall, 'ms')} | ` +
  `${(nWall.median / rWall.median).toFixed(1)}× faster | | |`);
console.log(`| peak RSS | ${fmt(rRss, 'MB')} | ${fmt(nRss, 'MB')} | ` +
  `${memory.toFixed(2)} of the SDK's | ≤ 0.20 | ${verdict(memory <= 0.2)} |`);
console.log(`\nFor context: \`node\` with the SDK loaded and nothing parsed peaks at ${baseline.rss_mb.toFixed(0)} MB.`);
