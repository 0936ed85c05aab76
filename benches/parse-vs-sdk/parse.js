// Loads a collection file with the postman-collection SDK, the Node side of
// run.sh (docs/benchmarks.md). Prints one line of JSON:
//   json_parse_ms  JSON.parse of the text already in memory
//   sdk_ms         new Collection(object): the SDK's construction alone
//   parse_ms       both, the figure compared with Portico's import_json
//   read_ms, requests, bytes
'use strict';

const fs = require('fs');
const { Collection } = require('postman-collection');

const file = process.argv[2];
if (!file) {
  console.error('usage: node parse.js FILE');
  process.exit(2);
}
const ms = (from) => Number(process.hrtime.bigint() - from) / 1e6;

let t = process.hrtime.bigint();
const text = fs.readFileSync(file, 'utf8');
const readMs = ms(t);

t = process.hrtime.bigint();
const object = JSON.parse(text);
const jsonParseMs = ms(t);

t = process.hrtime.bigint();
const collection = new Collection(object);
const sdkMs = ms(t);

let requests = 0;
collection.forEachItem(() => { requests += 1; });

console.log(JSON.stringify({
  parse_ms: +(jsonParseMs + sdkMs).toFixed(3),
  json_parse_ms: +jsonParseMs.toFixed(3),
  sdk_ms: +sdkMs.toFixed(3),
  read_ms: +readMs.toFixed(3),
  requests,
  bytes: Buffer.byteLength(text),
}));
