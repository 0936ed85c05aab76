#!/usr/bin/env node
// A real OpenID Connect provider on loopback for Portico's OpenID Connect
// sign-in tests (issue 12). It is node-oidc-provider (the certified library,
// pinned in package.json) with a few test-only routes around it, so that
// Portico's Rust tests can run a whole sign-in against a real provider: the
// authorization code flow with PKCE S256, state and nonce, client_secret_basic
// or client_secret_post at the token endpoint, and ID tokens signed RS256.
//
//   node oidc-provider.js --client-id ID --client-secret SECRET
//       --redirect-uri URI [--redirect-uri URI2 ...]
//       [--second-client-id ID2 --second-client-secret SECRET2]
//   node oidc-provider.js --self-test      (runs check-oidc-provider.js)
//
// It listens on 127.0.0.1 on a free port and, once ready, prints one line of
// JSON on stdout, `{"issuer":"http://127.0.0.1:PORT","port":PORT}`, and nothing
// else on stdout after it (errors go to stderr). It runs until it is killed,
// until its standard input ends when that is a pipe or a socket (a parent
// that spawns it with a piped stdin must keep that pipe open while it uses the
// provider: closing it, or dying, ends the provider), or until its parent
// process is gone (checked twice a second). A stdin that is /dev/null, a file or a
// terminal is not watched, since it would end at once.
//
// Clients: the first client has ID and SECRET; the second, when given, has ID2
// and SECRET2 and the same redirect URIs. Each may authenticate at the token
// endpoint with client_secret_basic or client_secret_post. PKCE (S256 only) is
// required. Scopes: openid email profile.
//
// Endpoints are those of discovery, `{issuer}/.well-known/openid-configuration`:
// authorization /auth, token /token, userinfo /me, JWKS /jwks. The signing key
// is a fresh RSA key made at startup (kid `portico-test-1`).
//
// Sign-in needs no form and no cookie: GET /auth?... answers 303 to
// /interaction/UID, which signs in the current test account, grants the
// requested scopes among openid email profile, and answers 303 to /auth/UID,
// which answers 303 to `redirect_uri?code=...&state=...&iss=...`. All Locations
// are absolute. The provider ignores the cookies a client sends (on the
// request to /auth/UID it supplies itself the resume cookie that the library
// checks, which is the interaction's id), so every authorization signs
// in the account set at that moment, whether or not the client keeps a cookie
// jar, and no earlier sign-in is remembered. Errors that cannot be sent back
// to a redirect URI are answered as JSON ({error, error_description}).
//
// Accounts: `sub` is derived from the email (trimmed, lowercased), so it is
// stable per email. The ID token (conformIdTokenClaims off) and userinfo carry
// sub, email, email_verified and name (no name claim when the account has none).
//
// Test routes (JSON bodies; answers are JSON):
//   POST /test/account  {"email":"a@b.example","emailVerified":true,"name":"A B"}
//                       the account that the next authorizations sign in;
//                       emailVerified defaults to true, name may be left out.
//                       Default: user@example.test, verified, "Test User".
//   POST /test/mode     {"mode": M}, M one of:
//       normal             as the library answers
//       wrong-audience     the token endpoint answers as usual but its id_token
//                          is re-signed with the provider's own key with
//                          aud "someone-else"
//       expired            same, with exp an hour in the past and iat (and
//                          auth_time) a minute before that
//       garbage            the token endpoint answers 200 `<html>oops</html>`
//                          (text/html) without looking at the request
//       discovery-garbage  /.well-known/openid-configuration answers 200
//                          `not json`; tokens are as in normal
//                       A mode holds until another is set or /test/reset.
//   POST /test/reset    mode normal and the default account.
//   GET  /test/health   200 {"ok":true,"mode":...,"account":{...}}.
// Codes are single-use (the library's own rule): a replayed code gets
// invalid_grant.
//
// On stderr the library warns at startup that Node 20 is not a runtime it
// supports (9.x asks for Node 22) and that its in-memory store is for
// development; both are expected here. check-oidc-provider.js runs the whole
// flow and every mode on the machine's Node.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');

const DEFAULT_ACCOUNT = Object.freeze({ email: 'user@example.test', emailVerified: true, name: 'Test User' });
const MODES = ['normal', 'wrong-audience', 'expired', 'garbage', 'discovery-garbage'];
const SCOPES = ['openid', 'email', 'profile'];
const KID = 'portico-test-1';

// Nothing but the ready line may reach stdout.
console.log = console.error;
console.info = console.error;
console.debug = console.error;
// A parent that closed its end of stdout or stderr must not end the provider.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

function usage(message) {
    process.stderr.write(`oidc-provider: ${message}\n`
        + 'usage: node oidc-provider.js --client-id ID --client-secret SECRET --redirect-uri URI [--redirect-uri URI2 ...]\n'
        + '           [--second-client-id ID2 --second-client-secret SECRET2]\n'
        + '       node oidc-provider.js --self-test\n');
    process.exit(2);
}

function parseArgs(argv) {
    const opts = { redirectUris: [] };
    const single = {
        '--client-id': 'clientId',
        '--client-secret': 'clientSecret',
        '--second-client-id': 'secondClientId',
        '--second-client-secret': 'secondClientSecret',
    };
    for (let i = 0; i < argv.length; i += 1) {
        const arg = argv[i];
        if (!(arg in single) && arg !== '--redirect-uri') usage(`unknown argument ${arg}`);
        const value = argv[i + 1];
        if (value === undefined || value === '') usage(`${arg} needs a value`);
        i += 1;
        if (arg === '--redirect-uri') {
            try {
                new URL(value); // eslint-disable-line no-new
            } catch (e) {
                usage(`--redirect-uri ${value} is not an absolute URL`);
            }
            opts.redirectUris.push(value);
        } else {
            if (opts[single[arg]] !== undefined) usage(`${arg} given twice`);
            opts[single[arg]] = value;
        }
    }
    if (!opts.clientId) usage('--client-id is required');
    if (!opts.clientSecret) usage('--client-secret is required');
    if (opts.redirectUris.length === 0) usage('at least one --redirect-uri is required');
    if (!opts.secondClientId !== !opts.secondClientSecret) {
        usage('--second-client-id and --second-client-secret go together');
    }
    if (opts.secondClientId && opts.secondClientId === opts.clientId) usage('the two client ids must differ');
    return opts;
}

function subFor(email) {
    const digest = crypto.createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
    return `user-${digest.slice(0, 32)}`;
}

async function readJsonBody(req, limit = 64 * 1024) {
    const chunks = [];
    let size = 0;
    for await (const chunk of req) {
        size += chunk.length;
        if (size > limit) throw new Error('body too large');
        chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') return {};
    return JSON.parse(text);
}

// Ends this process when the parent goes away: stdin reaching its end (only
// when stdin is a pipe or socket) or the parent process changing.
function watchParent() {
    let stat = null;
    try {
        stat = fs.fstatSync(0);
    } catch (e) {
        stat = null;
    }
    if (stat && (stat.isFIFO() || stat.isSocket())) {
        process.stdin.on('end', () => process.exit(0));
        process.stdin.on('close', () => process.exit(0));
        process.stdin.on('error', () => process.exit(0));
        process.stdin.resume();
    }
    const parent = process.ppid;
    const timer = setInterval(() => {
        if (process.ppid !== parent) process.exit(0);
    }, 500);
    timer.unref();
}

async function main() {
    const argv = process.argv.slice(2);
    if (argv.length === 1 && argv[0] === '--self-test') {
        const { selfTest } = require('./check-oidc-provider.js');
        process.exit(await selfTest());
    }
    const opts = parseArgs(argv);
    watchParent();

    const [{ default: Provider }, jose] = await Promise.all([
        import('oidc-provider'),
        import('jose'),
    ]);

    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const privateJwk = { ...privateKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' };

    const state = { mode: 'normal', account: { ...DEFAULT_ACCOUNT } };
    const accounts = new Map(); // sub -> account as it was when last signed in

    function remember(account) {
        const sub = subFor(account.email);
        accounts.set(sub, { ...account });
        return sub;
    }
    remember(state.account);

    const server = http.createServer();
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
    });
    const { port } = server.address();
    const issuer = `http://127.0.0.1:${port}`;

    const clientBase = {
        redirect_uris: opts.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic', // client_secret_post is accepted too
        id_token_signed_response_alg: 'RS256',
    };
    const clients = [{ ...clientBase, client_id: opts.clientId, client_secret: opts.clientSecret }];
    if (opts.secondClientId) {
        clients.push({ ...clientBase, client_id: opts.secondClientId, client_secret: opts.secondClientSecret });
    }

    const provider = new Provider(issuer, {
        clients,
        jwks: { keys: [privateJwk] },
        async findAccount(ctx, sub) {
            const account = accounts.get(sub);
            if (!account) return undefined;
            return {
                accountId: sub,
                async claims() {
                    const claims = { sub, email: account.email, email_verified: account.emailVerified };
                    if (account.name !== undefined) claims.name = account.name;
                    return claims;
                },
            };
        },
        claims: {
            openid: ['sub'],
            email: ['email', 'email_verified'],
            profile: ['name'],
        },
        scopes: SCOPES,
        conformIdTokenClaims: false,
        responseTypes: ['code'],
        pkce: { required: () => true },
        features: {
            devInteractions: { enabled: false },
            userinfo: { enabled: true },
        },
        interactions: {
            url: (ctx, interaction) => `${issuer}/interaction/${interaction.uid}`,
        },
        ttl: {
            AccessToken: 3600,
            AuthorizationCode: 60,
            IdToken: 3600,
            Interaction: 600,
            Session: 600,
            Grant: 600,
        },
        async renderError(ctx, out) {
            ctx.type = 'application/json';
            ctx.body = out;
        },
    });

    const signingKey = await jose.importJWK(privateJwk, 'RS256');

    // Re-signs an ID token with the provider's key after `change` edits its payload.
    async function resign(idToken, change) {
        const [headerPart, payloadPart] = idToken.split('.');
        const header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8'));
        const payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8'));
        change(payload);
        return new jose.CompactSign(Buffer.from(JSON.stringify(payload)))
            .setProtectedHeader({ ...header, alg: 'RS256', kid: KID })
            .sign(signingKey);
    }

    function json(ctx, status, body) {
        ctx.status = status;
        ctx.type = 'application/json';
        ctx.body = body;
    }

    async function testRoute(ctx) {
        const route = ctx.path.slice('/test/'.length);
        const wanted = route === 'health' ? 'GET' : 'POST';
        if (!['health', 'account', 'mode', 'reset'].includes(route)) {
            json(ctx, 404, { error: 'not_found' });
            return;
        }
        if (ctx.method !== wanted) {
            ctx.set('Allow', wanted);
            json(ctx, 405, { error: 'method_not_allowed' });
            return;
        }
        if (route === 'health') {
            json(ctx, 200, { ok: true, mode: state.mode, account: state.account });
            return;
        }
        if (route === 'reset') {
            state.mode = 'normal';
            state.account = { ...DEFAULT_ACCOUNT };
            remember(state.account);
            json(ctx, 200, { ok: true, mode: state.mode, account: state.account });
            return;
        }
        let body;
        try {
            body = await readJsonBody(ctx.req);
        } catch (e) {
            json(ctx, 400, { error: 'invalid_json', error_description: e.message });
            return;
        }
        if (body === null || typeof body !== 'object' || Array.isArray(body)) {
            json(ctx, 400, { error: 'invalid_json', error_description: 'a JSON object is expected' });
            return;
        }
        if (route === 'mode') {
            if (!MODES.includes(body.mode)) {
                json(ctx, 400, { error: 'invalid_mode', error_description: `mode is one of ${MODES.join(', ')}` });
                return;
            }
            state.mode = body.mode;
            json(ctx, 200, { ok: true, mode: state.mode });
            return;
        }
        // account
        if (typeof body.email !== 'string' || body.email.trim() === '') {
            json(ctx, 400, { error: 'invalid_account', error_description: 'email must be a non-empty string' });
            return;
        }
        if (body.emailVerified !== undefined && typeof body.emailVerified !== 'boolean') {
            json(ctx, 400, { error: 'invalid_account', error_description: 'emailVerified must be a boolean' });
            return;
        }
        if (body.name !== undefined && body.name !== null && typeof body.name !== 'string') {
            json(ctx, 400, { error: 'invalid_account', error_description: 'name must be a string' });
            return;
        }
        state.account = { email: body.email, emailVerified: body.emailVerified !== false };
        if (typeof body.name === 'string') state.account.name = body.name;
        const sub = remember(state.account);
        json(ctx, 200, { ok: true, sub, account: state.account });
    }

    // Signs in the current account and grants the scopes, with no form.
    async function completeInteraction(ctx, uid) {
        const interaction = await provider.Interaction.find(uid);
        if (!interaction) {
            json(ctx, 400, { error: 'invalid_request', error_description: 'interaction not found or expired' });
            return;
        }
        const accountId = remember(state.account);
        const clientId = interaction.params.client_id;
        const grant = new provider.Grant({ accountId, clientId });
        const requested = String(interaction.params.scope || '').split(' ').filter((s) => SCOPES.includes(s));
        grant.addOIDCScope((requested.length ? requested : SCOPES).join(' '));
        const details = interaction.prompt && interaction.prompt.details;
        if (details && Array.isArray(details.missingOIDCClaims) && details.missingOIDCClaims.length) {
            grant.addOIDCClaims(details.missingOIDCClaims);
        }
        const grantId = await grant.save();
        interaction.result = { login: { accountId, remember: false }, consent: { grantId } };
        await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
        ctx.status = 303;
        ctx.redirect(interaction.returnTo);
    }

    provider.use(async (ctx, next) => {
        // Endpoints are named after the issuer, whatever Host the client used.
        ctx.req.headers.host = `127.0.0.1:${port}`;
        const { path } = ctx;
        if (path.startsWith('/test/')) {
            await testRoute(ctx);
            return;
        }
        const interactionMatch = /^\/interaction\/([A-Za-z0-9_-]+)$/.exec(path);
        if (interactionMatch) {
            if (ctx.method !== 'GET' && ctx.method !== 'POST') {
                json(ctx, 405, { error: 'method_not_allowed' });
                return;
            }
            await completeInteraction(ctx, interactionMatch[1]);
            return;
        }
        if (path === '/.well-known/openid-configuration' && state.mode === 'discovery-garbage') {
            ctx.status = 200;
            ctx.type = 'text/plain';
            ctx.body = 'not json';
            return;
        }
        if (path === '/token' && ctx.method === 'POST' && state.mode === 'garbage') {
            ctx.status = 200;
            ctx.type = 'text/html';
            ctx.body = '<html>oops</html>';
            return;
        }
        // Cookies from the client are not used: each authorization starts with
        // no session, and the resume step gets the cookie that the library
        // checks, which is the interaction's own id.
        const resumeMatch = /^\/auth\/([A-Za-z0-9_-]+)$/.exec(path);
        if (resumeMatch) {
            ctx.req.headers.cookie = `_interaction_resume=${resumeMatch[1]}`;
        } else {
            delete ctx.req.headers.cookie;
        }
        const mode = state.mode; // as it was when the request came in
        await next();
        if (path === '/token' && ctx.status === 200 && ctx.body && typeof ctx.body.id_token === 'string') {
            if (mode === 'wrong-audience') {
                ctx.body = {
                    ...ctx.body,
                    id_token: await resign(ctx.body.id_token, (p) => { p.aud = 'someone-else'; }),
                };
            } else if (mode === 'expired') {
                ctx.body = {
                    ...ctx.body,
                    id_token: await resign(ctx.body.id_token, (p) => {
                        const now = Math.floor(Date.now() / 1000);
                        p.exp = now - 3600;
                        p.iat = p.exp - 60;
                        if (typeof p.auth_time === 'number') p.auth_time = p.iat;
                    }),
                };
            }
        }
    });

    provider.on('server_error', (ctx, err) => process.stderr.write(`oidc-provider: server_error: ${err.stack || err}\n`));

    server.on('request', provider.callback());
    process.stdout.write(`${JSON.stringify({ issuer, port })}\n`);
}

main().catch((err) => {
    process.stderr.write(`oidc-provider: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
});
