#!/usr/bin/env node
// Writes the benchmark collection: N requests (default 1000) in 10 folders,
// each with one test script holding one pm.test, against {{baseUrl}}.
//
//   node generate.js [N] > collection.json
'use strict';

const n = Number(process.argv[2] || 1000);
const folders = [];
for (let f = 0; f < 10; f++) {
    folders.push({ name: `Folder ${f + 1}`, item: [] });
}
for (let i = 0; i < n; i++) {
    folders[i % 10].item.push({
        name: `Request ${i + 1}`,
        event: [{
            listen: 'test',
            script: {
                type: 'text/javascript',
                exec: [
                    `pm.test('request ${i + 1} answers 200 with its number', function () {`,
                    '    pm.response.to.have.status(200);',
                    `    pm.expect(pm.response.json().query.i).to.eql('${i + 1}');`,
                    '});',
                ],
            },
        }],
        request: {
            method: 'GET',
            header: [{ key: 'Accept', value: 'application/json' }],
            url: `{{baseUrl}}/echo?i=${i + 1}`,
        },
    });
}
process.stdout.write(JSON.stringify({
    info: {
        name: `Runner benchmark (${n} requests)`,
        schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    },
    item: folders,
}, null, 1));
