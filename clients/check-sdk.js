#!/usr/bin/env node
// Loads collection files into the postman-collection SDK, the library the
// platform's own clients use, and prints what the SDK saw in each (R-COL-1).
//
//   node check-sdk.js [--normalise] FILE...
//   node check-sdk.js [--normalise] --manifest LIST.json   (a JSON array of paths)
//
// Prints one JSON array on stdout, one summary per file, in the order given:
//   { file, unwrapped, convertedFromV1, name, requests, folders, variables,
//     items: [{ kind: "folder"|"request", depth, name, method?, url? }] }
// `items` is a depth-first walk, folders before their contents. For a request,
// `method` is the SDK's `request.method` (the SDK answers GET when the input
// has none) and `url` is `request.url.toString()`.
//
// Without --normalise a file is handed to the SDK as it is, which is how an
// export by Portico must load. With --normalise a file is first prepared the
// way newman prepares it: the API envelope {"collection": …} is unwrapped and
// a v1 collection is converted to v2.1 with postman-collection-transformer.
// That is how the original files of the corpus are read, to be compared.
//
// Exits 1 when a file cannot be read, parsed or loaded by the SDK.
'use strict';

const fs = require('fs');
const { Collection, ItemGroup } = require('postman-collection');
const transformer = require('postman-collection-transformer');

function usage(message) {
    process.stderr.write(`check-sdk: ${message}\nusage: node check-sdk.js [--normalise] (FILE... | --manifest LIST.json)\n`);
    process.exit(2);
}

function parseArgs(argv) {
    const files = [];
    let normalise = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === '--normalise') {
            normalise = true;
        } else if (arg === '--manifest') {
            const list = argv[++i];
            if (!list) { usage('--manifest needs a file'); }
            const paths = JSON.parse(fs.readFileSync(list, 'utf8'));
            if (!Array.isArray(paths)) { usage('the manifest must be a JSON array of paths'); }
            files.push(...paths);
        } else if (arg.startsWith('--')) {
            usage(`unknown option ${arg}`);
        } else {
            files.push(arg);
        }
    }
    if (files.length === 0) { usage('no files'); }
    return { files, normalise };
}

function isEnvelope(json) {
    return json && typeof json === 'object' && json.collection && typeof json.collection === 'object' &&
        json.info === undefined && json.item === undefined;
}

function isV1(json) {
    return json && typeof json === 'object' && json.item === undefined &&
        (Array.isArray(json.requests) || Array.isArray(json.order));
}

function convertV1(json) {
    return new Promise((resolve, reject) => {
        transformer.convert(json, { inputVersion: '1.0.0', outputVersion: '2.1.0' }, (err, out) => {
            if (err) { reject(err); } else { resolve(out); }
        });
    });
}

function walk(list, depth, out, counts) {
    list.each((member) => {
        if (ItemGroup.isItemGroup(member)) {
            counts.folders += 1;
            out.push({ kind: 'folder', depth, name: member.name === undefined ? null : member.name });
            walk(member.items, depth + 1, out, counts);
        } else {
            counts.requests += 1;
            const request = member.request;
            out.push({
                kind: 'request',
                depth,
                name: member.name === undefined ? null : member.name,
                method: request ? request.method : null,
                url: request && request.url ? request.url.toString() : null,
            });
        }
    });
}

async function summarise(file, normalise) {
    let json = JSON.parse(fs.readFileSync(file, 'utf8'));
    let unwrapped = false;
    let convertedFromV1 = false;
    if (normalise && isEnvelope(json)) {
        json = json.collection;
        unwrapped = true;
    }
    if (normalise && isV1(json)) {
        json = await convertV1(json);
        convertedFromV1 = true;
    }
    const collection = new Collection(json);
    // Serialising back must work too: a client saves what it loaded.
    JSON.stringify(collection.toJSON());
    const items = [];
    const counts = { requests: 0, folders: 0 };
    walk(collection.items, 0, items, counts);
    return {
        file,
        unwrapped,
        convertedFromV1,
        name: collection.name === undefined ? null : collection.name,
        requests: counts.requests,
        folders: counts.folders,
        variables: collection.variables.count(),
        items,
    };
}

async function main() {
    const { files, normalise } = parseArgs(process.argv.slice(2));
    const summaries = [];
    let failed = false;
    for (const file of files) {
        try {
            summaries.push(await summarise(file, normalise));
        } catch (err) {
            failed = true;
            process.stderr.write(`check-sdk: ${file}: ${err && err.stack ? err.stack : err}\n`);
            summaries.push({ file, error: String(err && err.message ? err.message : err) });
        }
    }
    process.stdout.write(`${JSON.stringify(summaries, null, 2)}\n`);
    process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
    process.stderr.write(`check-sdk: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
});
