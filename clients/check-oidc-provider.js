#!/usr/bin/env node
// Checks oidc-provider.js, the OpenID provider that Portico's OpenID Connect
// sign-in tests run (issue 12), the way those tests use it: it starts the
// script as a child process with piped stdin, reads its ready line, and drives
// whole sign-ins with node's http module only (authorize with PKCE S256, state
// and nonce, following the redirects, then the code at the token endpoint),
// verifying each ID token's RS256 signature against the provider's JWKS with
// jose. Then it checks that a replayed code, a wrong PKCE verifier or a wrong
// client secret are refused, that each test mode answers as documented, and
// that the provider writes nothing more on stdout and exits when its stdin is
// closed.
//
//   node check-oidc-provider.js        (or: node oidc-provider.js --self-test)
//
// Prints one line per check and a closing "N passed, N failed" line; exits 0
// only when every check passed.
'use strict';

const { spawn } = require('child_process');
const crypto = require('crypto');
const http = require('http');
const path = require('path');

const SCRIPT = path.join(__dirname, 'oidc-provider.js');
const FIRST = { id: 'portico-test-client', secret: 'first-secret-0123456789' };
const SECOND = { id: 'portico-second-client', secret: 'second-secret-9876543210' };
const REDIRECT = 'http://127.0.0.1:9/auth/oidc/callback';
const REDIRECT_2 = 'http://localhost:9/other/callback';
const DEFAULT_ACCOUNT = { email: 'user@example.test', emailVerified: true, name: 'Test User' };

function request(method, url, { headers = {}, body } = {}) {
    return new Promise((resolve, reject) => {
        const req = http.request(url, { method, headers }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => resolve({
                status: res.statusCode,
                headers: res.headers,
                body: Buffer.concat(chunks).toString('utf8'),
            }));
            res.on('error', reject);
        });
        req.on('error', reject);
        req.setTimeout(10000, () => req.destroy(new Error(`timeout: ${method} ${url}`)));
        if (body !== undefined) req.write(body);
        req.end();
    });
}

function postJson(url, value) {
    const body = JSON.stringify(value);
    return request('POST', url, { headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, body });
}

function parseJson(text) {
    try {
        return JSON.parse(text);
    } catch (e) {
        return undefined;
    }
}

function assert(condition, message) {
    if (!condition) throw new Error(message);
}

function startProvider(args) {
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const child = spawn(process.execPath, [SCRIPT, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
        const out = { stdout: '', stderr: '' };
        let ready = false;
        child.stdout.on('data', (c) => {
            out.stdout += c.toString('utf8');
            if (!ready && out.stdout.includes('\n')) {
                ready = true;
                const ms = Number(process.hrtime.bigint() - started) / 1e6;
                resolve({ child, out, line: out.stdout.slice(0, out.stdout.indexOf('\n')), ms });
            }
        });
        child.stderr.on('data', (c) => { out.stderr += c.toString('utf8'); });
        child.on('exit', (code, signal) => {
            if (!ready) reject(new Error(`provider exited (${code ?? signal}) before its ready line:\n${out.stderr}`));
        });
        setTimeout(() => {
            if (!ready) {
                child.kill('SIGKILL');
                reject(new Error(`no ready line within 10 s:\n${out.stderr}`));
            }
        }, 10000).unref();
    });
}

function pkcePair() {
    const verifier = crypto.randomBytes(32).toString('base64url');
    const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
    return { verifier, challenge };
}

function cookieHeader(jar) {
    return [...jar.entries()].map(([k, v]) => `${k}=${v}`).join('; ');
}

function keepCookies(jar, res) {
    for (const line of res.headers['set-cookie'] || []) {
        const [pair] = line.split(';');
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq).trim();
        const value = pair.slice(eq + 1).trim();
        if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
        else jar.set(name, value);
    }
}

// Runs the authorization request and follows the provider's redirects until
// one leads to the redirect URI; answers the callback's query parameters.
async function authorize(issuer, {
    client = FIRST, redirectUri = REDIRECT, scope = 'openid email profile', jar = null, pkce = true,
} = {}) {
    const state = crypto.randomBytes(12).toString('base64url');
    const nonce = crypto.randomBytes(12).toString('base64url');
    const { verifier, challenge } = pkcePair();
    const url = new URL(`${issuer}/auth`);
    url.searchParams.set('client_id', client.id);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', scope);
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('state', state);
    url.searchParams.set('nonce', nonce);
    if (pkce) {
        url.searchParams.set('code_challenge', challenge);
        url.searchParams.set('code_challenge_method', 'S256');
    }
    let current = url.href;
    const hops = [];
    for (let i = 0; i < 10; i += 1) {
        const headers = {};
        if (jar && jar.size) headers.cookie = cookieHeader(jar);
        const res = await request('GET', current, { headers });
        if (jar) keepCookies(jar, res);
        assert([302, 303].includes(res.status), `GET ${current} answered ${res.status}: ${res.body.slice(0, 300)}`);
        const location = res.headers.location;
        assert(location, `GET ${current} redirected without Location`);
        assert(/^https?:\/\//.test(location), `Location is not absolute: ${location}`);
        hops.push(location);
        if (location.startsWith(`${redirectUri}?`) || location === redirectUri) {
            const params = Object.fromEntries(new URL(location).searchParams);
            return { params, state, nonce, verifier, hops };
        }
        assert(location.startsWith(`${issuer}/`), `redirected outside the provider: ${location}`);
        current = location;
    }
    throw new Error(`no redirect to ${redirectUri} after 10 hops: ${hops.join(' -> ')}`);
}

async function token(issuer, {
    code, verifier, client = FIRST, redirectUri = REDIRECT, auth = 'basic', secret,
}) {
    const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier });
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const usedSecret = secret ?? client.secret;
    if (auth === 'basic') {
        const creds = `${encodeURIComponent(client.id)}:${encodeURIComponent(usedSecret)}`;
        headers.authorization = `Basic ${Buffer.from(creds).toString('base64')}`;
    } else {
        form.set('client_id', client.id);
        form.set('client_secret', usedSecret);
    }
    const body = form.toString();
    headers['content-length'] = Buffer.byteLength(body);
    const res = await request('POST', `${issuer}/token`, { headers, body });
    return { ...res, json: parseJson(res.body) };
}

async function main() {
    const jose = await import('jose');
    const results = [];
    let provider = null;

    async function check(name, fn) {
        try {
            const note = await fn();
            results.push(true);
            process.stdout.write(`ok - ${name}${note ? ` (${note})` : ''}\n`);
        } catch (err) {
            results.push(false);
            process.stdout.write(`not ok - ${name}: ${err && err.message ? err.message : err}\n`);
        }
    }

    const ctx = {};
    try {
        await check('usage error without arguments exits 2', async () => {
            const child = spawn(process.execPath, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
            let stdout = '';
            child.stdout.on('data', (c) => { stdout += c; });
            const code = await new Promise((resolve) => child.on('exit', resolve));
            assert(code === 2, `exit code ${code}`);
            assert(stdout === '', `wrote on stdout: ${stdout}`);
        });

        provider = await startProvider([
            '--client-id', FIRST.id, '--client-secret', FIRST.secret,
            '--redirect-uri', REDIRECT, '--redirect-uri', REDIRECT_2,
            '--second-client-id', SECOND.id, '--second-client-secret', SECOND.secret,
        ]);
        let issuer;

        await check('ready line is {"issuer":"http://127.0.0.1:PORT","port":PORT}', async () => {
            const ready = parseJson(provider.line);
            assert(ready && typeof ready.port === 'number', `not the ready JSON: ${provider.line}`);
            assert(ready.issuer === `http://127.0.0.1:${ready.port}`, `issuer ${ready.issuer}`);
            assert(Object.keys(ready).sort().join(',') === 'issuer,port', `keys ${Object.keys(ready)}`);
            issuer = ready.issuer;
            return `ready after ${provider.ms.toFixed(0)} ms`;
        });
        if (!issuer) throw new Error('no issuer, cannot go on');

        await check('GET /test/health answers 200', async () => {
            const res = await request('GET', `${issuer}/test/health`);
            assert(res.status === 200, `status ${res.status}`);
        });

        await check('discovery names the issuer, its endpoints, S256, RS256, basic and post', async () => {
            const res = await request('GET', `${issuer}/.well-known/openid-configuration`, { headers: { host: `localhost:${new URL(issuer).port}` } });
            assert(res.status === 200, `status ${res.status}`);
            const d = parseJson(res.body);
            assert(d, 'not JSON');
            ctx.discovery = d;
            assert(d.issuer === issuer, `issuer ${d.issuer}`);
            for (const key of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri']) {
                assert(typeof d[key] === 'string' && d[key].startsWith(`${issuer}/`), `${key} ${d[key]}`);
            }
            assert(d.code_challenge_methods_supported.includes('S256'), 'no S256');
            assert(d.id_token_signing_alg_values_supported.includes('RS256'), 'no RS256');
            assert(d.token_endpoint_auth_methods_supported.includes('client_secret_basic'), 'no client_secret_basic');
            assert(d.token_endpoint_auth_methods_supported.includes('client_secret_post'), 'no client_secret_post');
            assert(d.response_types_supported.includes('code'), 'no code response type');
            for (const s of ['openid', 'email', 'profile']) assert(d.scopes_supported.includes(s), `no scope ${s}`);
            const jwks = await request('GET', d.jwks_uri);
            assert(jwks.status === 200, `jwks status ${jwks.status}`);
            ctx.jwks = jose.createLocalJWKSet(JSON.parse(jwks.body));
            const keys = JSON.parse(jwks.body).keys;
            assert(keys.length === 1 && keys[0].kty === 'RSA' && !keys[0].d, 'JWKS is not one public RSA key');
        });
        if (!ctx.jwks) throw new Error('no JWKS, cannot go on');

        async function verifyIdToken(idToken, audience, nonce) {
            const { payload, protectedHeader } = await jose.jwtVerify(idToken, ctx.jwks, {
                issuer, audience, algorithms: ['RS256'],
            });
            assert(protectedHeader.alg === 'RS256', `alg ${protectedHeader.alg}`);
            assert(payload.nonce === nonce, `nonce ${payload.nonce}, sent ${nonce}`);
            return payload;
        }

        async function signIn(options = {}) {
            const { client = FIRST, redirectUri = REDIRECT, auth = 'basic' } = options;
            const a = await authorize(issuer, options);
            assert(!a.params.error, `authorization error ${a.params.error}: ${a.params.error_description}`);
            assert(a.params.code, 'no code');
            assert(a.params.state === a.state, `state ${a.params.state}, sent ${a.state}`);
            assert(a.params.iss === issuer, `iss ${a.params.iss}`);
            const t = await token(issuer, { code: a.params.code, verifier: a.verifier, client, redirectUri, auth });
            assert(t.status === 200, `token status ${t.status}: ${t.body}`);
            assert(t.json && t.json.token_type === 'Bearer' && t.json.access_token && t.json.id_token, `token body ${t.body}`);
            const claims = await verifyIdToken(t.json.id_token, client.id, a.nonce);
            return { a, t, claims };
        }

        function expectAccount(claims, account) {
            assert(claims.email === account.email, `email ${claims.email}`);
            assert(claims.email_verified === account.emailVerified, `email_verified ${claims.email_verified}`);
            assert(claims.name === account.name, `name ${claims.name}`);
            assert(typeof claims.sub === 'string' && claims.sub.length > 0, 'no sub');
        }

        const jar = new Map();
        await check('sign-in (cookie jar, client_secret_basic): code, state, iss, verified ID token with the default account', async () => {
            const r = await signIn({ jar });
            expectAccount(r.claims, DEFAULT_ACCOUNT);
            assert(r.claims.aud === FIRST.id, `aud ${r.claims.aud}`);
            ctx.first = r;
            return `${r.a.hops.length} redirects, sub ${r.claims.sub}`;
        });

        await check('userinfo answers the same claims for the access token', async () => {
            assert(ctx.first, 'no first sign-in');
            const res = await request('GET', ctx.discovery.userinfo_endpoint, { headers: { authorization: `Bearer ${ctx.first.t.json.access_token}` } });
            assert(res.status === 200, `status ${res.status}: ${res.body}`);
            const u = JSON.parse(res.body);
            assert(u.sub === ctx.first.claims.sub, `sub ${u.sub}`);
            expectAccount(u, DEFAULT_ACCOUNT);
        });

        await check('a replayed code is refused with invalid_grant', async () => {
            assert(ctx.first, 'no first sign-in');
            const t = await token(issuer, { code: ctx.first.a.params.code, verifier: ctx.first.a.verifier });
            assert(t.status === 400, `status ${t.status}`);
            assert(t.json && t.json.error === 'invalid_grant', `body ${t.body}`);
        });

        const other = { email: 'a@b.example', emailVerified: false, name: 'A B' };
        await check('POST /test/account, then a sign-in without cookies and client_secret_post signs that account in', async () => {
            const res = await postJson(`${issuer}/test/account`, other);
            assert(res.status === 200, `status ${res.status}: ${res.body}`);
            const r = await signIn({ auth: 'post' });
            expectAccount(r.claims, other);
            assert(!ctx.first || r.claims.sub !== ctx.first.claims.sub, 'same sub as the default account');
            ctx.other = r;
        });

        await check('a client that kept its cookies from an earlier sign-in gets the account set now', async () => {
            const third = { email: 'c@d.example', emailVerified: true, name: 'C D' };
            await postJson(`${issuer}/test/account`, third);
            const r = await signIn({ jar });
            expectAccount(r.claims, third);
        });

        await check('sub is stable per email', async () => {
            assert(ctx.other, 'no earlier sign-in of a@b.example');
            await postJson(`${issuer}/test/account`, { email: 'a@b.example', emailVerified: true, name: 'Renamed' });
            const r = await signIn();
            assert(r.claims.sub === ctx.other.claims.sub, `sub ${r.claims.sub}, was ${ctx.other.claims.sub}`);
            assert(r.claims.name === 'Renamed', `name ${r.claims.name}`);
        });

        await check('an account without a name gets no name claim', async () => {
            await postJson(`${issuer}/test/account`, { email: 'nameless@example.test' });
            const r = await signIn();
            assert(r.claims.email === 'nameless@example.test' && r.claims.email_verified === true, JSON.stringify(r.claims));
            assert(!('name' in r.claims), `name ${r.claims.name}`);
        });

        await check('the second client signs in at the second redirect URI, its ID token is for it', async () => {
            const r = await signIn({ client: SECOND, redirectUri: REDIRECT_2 });
            assert(r.claims.aud === SECOND.id, `aud ${r.claims.aud}`);
        });

        await check('a wrong client secret is refused with invalid_client', async () => {
            const a = await authorize(issuer, { client: SECOND });
            const t = await token(issuer, { code: a.params.code, verifier: a.verifier, client: SECOND, secret: FIRST.secret });
            assert(t.status === 401 && t.json && t.json.error === 'invalid_client', `status ${t.status}: ${t.body}`);
        });

        await check('a wrong PKCE verifier is refused with invalid_grant', async () => {
            const a = await authorize(issuer);
            const t = await token(issuer, { code: a.params.code, verifier: pkcePair().verifier });
            assert(t.status === 400 && t.json && t.json.error === 'invalid_grant', `status ${t.status}: ${t.body}`);
        });

        await check('an authorization request without PKCE is sent back with invalid_request', async () => {
            const a = await authorize(issuer, { pkce: false });
            assert(a.params.error === 'invalid_request' && !a.params.code, JSON.stringify(a.params));
        });

        await check('an unknown redirect URI is refused as JSON, never redirected to', async () => {
            const url = `${issuer}/auth?client_id=${FIRST.id}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/evil')}`
                + `&code_challenge=${pkcePair().challenge}&code_challenge_method=S256&state=s&nonce=n`;
            const res = await request('GET', url);
            assert(res.status === 400 && !res.headers.location, `status ${res.status}, location ${res.headers.location}`);
            assert(parseJson(res.body) && parseJson(res.body).error === 'invalid_redirect_uri', res.body);
        });

        async function setMode(mode) {
            const res = await postJson(`${issuer}/test/mode`, { mode });
            assert(res.status === 200, `POST /test/mode ${mode}: ${res.status} ${res.body}`);
        }

        async function tamperedToken() {
            const a = await authorize(issuer);
            const t = await token(issuer, { code: a.params.code, verifier: a.verifier });
            assert(t.status === 200 && t.json && t.json.id_token && t.json.access_token, `token ${t.status}: ${t.body}`);
            const { payload } = await jose.compactVerify(t.json.id_token, ctx.jwks, { algorithms: ['RS256'] });
            return { a, t, claims: JSON.parse(Buffer.from(payload).toString('utf8')) };
        }

        await check('mode wrong-audience: a well-formed answer whose ID token, signed by the provider, is for someone-else', async () => {
            await setMode('wrong-audience');
            const { a, t, claims } = await tamperedToken();
            assert(claims.aud === 'someone-else', `aud ${claims.aud}`);
            assert(claims.nonce === a.nonce, 'nonce changed');
            let err;
            try {
                await jose.jwtVerify(t.json.id_token, ctx.jwks, { issuer, audience: FIRST.id });
            } catch (e) {
                err = e;
            }
            assert(err && err.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && err.claim === 'aud', `verification gave ${err && err.code}`);
        });

        await check('mode expired: a well-formed answer whose ID token, signed by the provider, expired an hour ago', async () => {
            await setMode('expired');
            const { t, claims } = await tamperedToken();
            const now = Math.floor(Date.now() / 1000);
            assert(claims.exp <= now - 3500 && claims.iat <= claims.exp && claims.iat <= now - 3500, `iat ${claims.iat} exp ${claims.exp} now ${now}`);
            assert(claims.aud === FIRST.id, `aud ${claims.aud}`);
            let err;
            try {
                await jose.jwtVerify(t.json.id_token, ctx.jwks, { issuer, audience: FIRST.id, clockTolerance: 300 });
            } catch (e) {
                err = e;
            }
            assert(err && err.code === 'ERR_JWT_EXPIRED', `verification gave ${err && err.code}`);
        });

        await check('mode garbage: the token endpoint answers 200 <html>oops</html>', async () => {
            await setMode('garbage');
            const a = await authorize(issuer);
            const t = await token(issuer, { code: a.params.code, verifier: a.verifier });
            assert(t.status === 200 && t.body === '<html>oops</html>' && t.json === undefined, `${t.status}: ${t.body}`);
        });

        await check('mode discovery-garbage: discovery answers 200 "not json", sign-in still works', async () => {
            await setMode('discovery-garbage');
            const res = await request('GET', `${issuer}/.well-known/openid-configuration`);
            assert(res.status === 200 && res.body === 'not json', `${res.status}: ${res.body}`);
            await signIn();
        });

        await check('an unknown mode is refused with 400', async () => {
            const res = await postJson(`${issuer}/test/mode`, { mode: 'sideways' });
            assert(res.status === 400, `status ${res.status}`);
        });

        await check('POST /test/reset brings back normal mode and the default account', async () => {
            const res = await request('POST', `${issuer}/test/reset`, { headers: { 'content-length': 0 } });
            assert(res.status === 200, `status ${res.status}`);
            const d = await request('GET', `${issuer}/.well-known/openid-configuration`);
            assert(d.status === 200 && parseJson(d.body), 'discovery is not JSON');
            const r = await signIn();
            expectAccount(r.claims, DEFAULT_ACCOUNT);
            assert(!ctx.first || r.claims.sub === ctx.first.claims.sub, 'default sub changed');
        });

        await check('nothing on stdout after the ready line', async () => {
            assert(provider.out.stdout === `${provider.line}\n`, `stdout: ${JSON.stringify(provider.out.stdout)}`);
        });

        await check('the provider exits when its stdin is closed', async () => {
            const exited = new Promise((resolve) => {
                if (provider.child.exitCode !== null) resolve(provider.child.exitCode);
                provider.child.on('exit', (code) => resolve(code));
            });
            provider.child.stdin.end();
            const timeout = new Promise((resolve) => { setTimeout(() => resolve('still running'), 3000).unref(); });
            const outcome = await Promise.race([exited, timeout]);
            assert(outcome === 0, `outcome ${outcome}`);
        });
    } catch (err) {
        results.push(false);
        process.stdout.write(`not ok - ${err.message}\n`);
    } finally {
        if (provider && provider.child.exitCode === null && provider.child.signalCode === null) {
            provider.child.kill('SIGKILL');
        }
    }
    const failed = results.filter((r) => !r).length;
    if (failed && provider && provider.out.stderr) {
        process.stdout.write(`provider stderr:\n${provider.out.stderr}\n`);
    }
    process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
    return failed === 0 ? 0 : 1;
}

module.exports = { selfTest: main };

if (require.main === module) {
    main().then((code) => process.exit(code), (err) => {
        process.stderr.write(`check-oidc-provider: ${err && err.stack ? err.stack : err}\n`);
        process.exit(1);
    });
}
