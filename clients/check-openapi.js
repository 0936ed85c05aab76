#!/usr/bin/env node
// What the npm package openapi-to-postmanv2 makes of an OpenAPI document:
// one line of JSON listing, per request, the method, the URL path (`:name`
// path variables), the query keys and the path variable names, sorted.
// Run by crates/server/tests/api/openapi.rs, which compares it with
// Portico's import of the same document.
//
//   node check-openapi.js FILE
"use strict";

const fs = require("fs");
const Converter = require("openapi-to-postmanv2");

const file = process.argv[2];
const data = fs.readFileSync(file, "utf8");

function walk(items, out) {
  for (const item of items || []) {
    if (item.item) walk(item.item, out);
    else if (item.request) out.push(item.request);
  }
}

Converter.convert({ type: "string", data }, { folderStrategy: "Tags", requestParametersResolution: "Example" }, (err, result) => {
  if (err || !result.result) {
    console.error(err || result.reason);
    process.exit(1);
  }
  const requests = [];
  walk(result.output[0].data.item, requests);
  const rows = requests.map((r) => {
    const url = typeof r.url === "string" ? { raw: r.url } : r.url || {};
    const path = "/" + (url.path || []).join("/");
    const query = (url.query || []).map((q) => q.key).sort();
    const variables = (url.variable || []).map((v) => v.key).sort();
    return { method: r.method, path, query, variables };
  });
  rows.sort((a, b) => (a.method + a.path).localeCompare(b.method + b.path));
  console.log(JSON.stringify(rows));
});
