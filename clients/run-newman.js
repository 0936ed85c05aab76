#!/usr/bin/env node
// Runs a collection under newman against a local mock server (R-COL-1).
//
//   node run-newman.js [COLLECTION.json]
//
// The mock server listens on 127.0.0.1 on a free port and answers every
// request 200 with a JSON echo of what it received. The collection's URLs are
// expected to start with {{baseUrl}}, which is given to newman as an
// environment variable pointing at the mock. Without a file, a small built-in
// collection is run (a smoke test of this script).
//
// Prints one JSON summary on stdout:
//   { requests, executed, ok, problems: [..], failures: [..],
//     executions: [{ name, method, url, code }],
//     received: [{ method, url, headers, body }] }
// and exits 0 only when every request of the collection was executed, got a
// response with code 200 and reached the mock, and newman reported no failure.
'use strict';

const fs = require('fs');
const http = require('http');
const newman = require('newman');

function builtIn() {
    return {
        info: {
            name: 'run-newman smoke test',
            schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
        },
        item: [
            { name: 'Get', request: { method: 'GET', url: '{{baseUrl}}/get?x=1' } },
            {
                name: 'Folder',
                item: [{
                    name: 'Post',
                    request: {
                        method: 'POST',
                        header: [{ key: 'Content-Type', value: 'application/json' }],
                        body: { mode: 'raw', raw: '{"a":1}' },
                        url: '{{baseUrl}}/post',
                    },
                }],
            },
        ],
    };
}

// Counts the requests of a collection's JSON (items without `item`).
function countRequests(items) {
    let n = 0;
    for (const item of items || []) {
        if (Array.isArray(item.item)) {
            n += countRequests(item.item);
        } else {
            n += 1;
        }
    }
    return n;
}

function startMock(received) {
    const server = http.createServer((req, res) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
            const entry = {
                method: req.method,
                url: req.url,
                headers: req.headers,
                body: Buffer.concat(chunks).toString('utf8'),
            };
            received.push(entry);
            const payload = JSON.stringify(entry);
            res.writeHead(200, {
                'content-type': 'application/json',
                'content-length': Buffer.byteLength(payload),
            });
            res.end(payload);
        });
    });
    return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve(server));
    });
}

function runNewman(collection, baseUrl) {
    return new Promise((resolve, reject) => {
        newman.run({
            collection,
            envVar: [{ key: 'baseUrl', value: baseUrl }],
            reporters: [],
            timeoutRequest: 10000,
            timeout: 60000,
        }, (err, summary) => (err ? reject(err) : resolve(summary)));
    });
}

async function main() {
    const file = process.argv[2];
    const collection = file ? JSON.parse(fs.readFileSync(file, 'utf8')) : builtIn();
    const requests = countRequests(collection.item);
    const received = [];
    const server = await startMock(received);
    const { port } = server.address();
    let summary;
    try {
        summary = await runNewman(collection, `http://127.0.0.1:${port}`);
    } finally {
        server.close();
    }
    const run = summary.run;
    const executions = run.executions.map((e) => ({
        name: e.item ? e.item.name : null,
        method: e.request ? e.request.method : null,
        url: e.request && e.request.url ? e.request.url.toString() : null,
        code: e.response ? e.response.code : null,
        error: e.requestError ? String(e.requestError.message || e.requestError) : null,
    }));
    const failures = run.failures.map((f) => ({
        source: f.source && f.source.name ? f.source.name : null,
        error: f.error ? `${f.error.name}: ${f.error.message}` : null,
    }));
    const problems = [];
    if (requests === 0) { problems.push('the collection has no request'); }
    if (executions.length !== requests) {
        problems.push(`${executions.length} requests executed, the collection has ${requests}`);
    }
    if (received.length !== executions.length) {
        problems.push(`the mock received ${received.length} requests, newman executed ${executions.length}`);
    }
    executions.forEach((e) => {
        if (e.error) { problems.push(`${e.name}: ${e.error}`); }
        if (e.code !== 200) { problems.push(`${e.name}: answered ${e.code}`); }
    });
    if (failures.length > 0) { problems.push(`newman reported ${failures.length} failures`); }
    if (run.error) { problems.push(`run error: ${run.error.message || run.error}`); }
    const ok = problems.length === 0;
    process.stdout.write(`${JSON.stringify({
        requests,
        executed: executions.length,
        ok,
        problems,
        failures,
        executions,
        received,
    }, null, 2)}\n`);
    process.exitCode = ok ? 0 : 1;
}

main().catch((err) => {
    process.stderr.write(`run-newman: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
});
