//! Team sign-in with OpenID Connect (issue 12) against a real OpenID
//! provider on loopback: `oidc-provider` from npm, started by the test
//! (clients/oidc-provider.js). The test plays the browser: it follows the
//! redirects between Portico and the provider with its own cookie jar.

use std::process::Stdio;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::AsyncBufReadExt;

use crate::helpers::{Backend, Partnership, TestApp, assert_error};

const CLIENT_ID: &str = "portico";
const CLIENT_SECRET: &str = "sekret-3f9a1c";
const CALLBACK: &str = "http://portico.test/sso/callback";

/// The provider process; killed when dropped.
struct Provider {
    issuer: String,
    _child: tokio::process::Child,
    _stdin: tokio::process::ChildStdin,
    http: reqwest::Client,
}

impl Provider {
    /// `None` (skipped) when node or the npm packages are missing outside
    /// CI; under `CI=true` that fails the test.
    async fn start() -> Option<Provider> {
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../clients/oidc-provider.js");
        let modules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../clients/node_modules/oidc-provider");
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        if !modules.exists() {
            assert!(!ci, "clients/node_modules/oidc-provider is missing and CI=true");
            eprintln!("skipped: clients/node_modules/oidc-provider is missing (npm ci --prefix clients)");
            return None;
        }
        let mut child = match tokio::process::Command::new("node")
            .arg(&script)
            .args([
                "--client-id",
                CLIENT_ID,
                "--client-secret",
                CLIENT_SECRET,
                "--redirect-uri",
                CALLBACK,
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
        {
            Ok(c) => c,
            Err(e) => {
                assert!(!ci, "cannot start node: {e}");
                eprintln!("skipped: cannot start node: {e}");
                return None;
            }
        };
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(std::time::Duration::from_secs(30), lines.next_line())
            .await
            .expect("provider ready in time")
            .expect("read")
            .expect("a ready line");
        let ready: Value = serde_json::from_str(&ready).expect("ready JSON");
        Some(Provider {
            issuer: ready["issuer"].as_str().expect("issuer").to_string(),
            _child: child,
            _stdin: stdin,
            http: reqwest::Client::new(),
        })
    }

    async fn test_call(&self, path: &str, body: Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.issuer))
            .json(&body)
            .send()
            .await
            .expect("provider test call");
        assert!(r.status().is_success(), "{path}: {}", r.status());
    }

    /// Who the provider signs in next.
    async fn account(&self, email: &str, verified: bool) {
        self.test_call(
            "/test/account",
            json!({ "email": email, "emailVerified": verified, "name": "Signed In" }),
        )
        .await;
    }

    async fn mode(&self, mode: &str) {
        self.test_call("/test/mode", json!({ "mode": mode })).await;
    }
}

/// A browser: its own cookies, redirects followed by hand.
struct Browser {
    http: reqwest::Client,
    base: String,
}

/// Where a sign-in ended: the callback's answer, and the callback URL used.
struct Landing {
    status: StatusCode,
    location: Option<String>,
    body: String,
    callback: String,
}

impl Browser {
    fn new(app: &TestApp) -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: app.base.clone(),
        }
    }

    async fn get(&self, url: &str) -> reqwest::Response {
        self.http.get(url).send().await.expect("get")
    }

    /// Starts a sign-in at `start` and follows the provider's redirects
    /// until it sends the browser back; answers the callback URL (on this
    /// test server).
    async fn to_callback(&self, start: &str) -> Result<String, (StatusCode, String)> {
        let r = self.get(&format!("{}{start}", self.base)).await;
        if r.status() != StatusCode::SEE_OTHER {
            let status = r.status();
            return Err((status, r.text().await.unwrap_or_default()));
        }
        let mut next = location(&r);
        for _ in 0..10 {
            if let Some(rest) = next.strip_prefix("http://portico.test") {
                return Ok(format!("{}{rest}", self.base));
            }
            let r = self.get(&next).await;
            assert!(
                r.status().is_redirection(),
                "provider answered {} at {next}",
                r.status()
            );
            next = location(&r);
        }
        panic!("the provider never sent the browser back");
    }

    async fn land(&self, callback: &str) -> Landing {
        let r = self.get(callback).await;
        Landing {
            status: r.status(),
            location: r
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap_or_default().to_string()),
            body: r.text().await.unwrap_or_default(),
            callback: callback.to_string(),
        }
    }

    async fn sign_in(&self, team: &str) -> Landing {
        let callback = self
            .to_callback(&format!("/sso/{team}/start?next=/workspaces"))
            .await
            .unwrap_or_else(|(s, b)| panic!("start answered {s}: {b}"));
        self.land(&callback).await
    }

    /// The signed-in account, through the API with this browser's cookie.
    async fn me(&self) -> (StatusCode, Value) {
        let r = self.get(&format!("{}/api/me", self.base)).await;
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .expect("a Location")
        .to_string()
}

/// The error code a sign-in page shows.
fn page_code(body: &str) -> &str {
    body.split("data-error-code=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("")
}

async fn spawn(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |c| c.app.allow_private_identity_providers = true).await
}

/// The partnership of the helpers, with acme.example captured by Acme and
/// Acme signing in through the provider.
async fn configured(app: &TestApp, idp: &Provider, enforce: bool) -> Partnership {
    let p = app.partnership("5").await;
    let (s, b) = p
        .alice
        .post(
            &format!("/api/teams/{}/domains", p.acme),
            json!({ "domain": "acme.example" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = p
        .alice
        .put(
            &format!("/api/teams/{}/sign-in", p.acme),
            json!({ "issuer": idp.issuer, "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET, "enforce": enforce }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    p
}

/// Issue 12: a member signs in through the team's provider; the settings
/// never show the secret.
async fn members_sign_in_through_their_team_provider(backend: Backend) {
    let Some(app) = spawn(backend).await else { return };
    let Some(idp) = Provider::start().await else { return };
    let p = configured(&app, &idp, false).await;
    let (s, got) = p.alice.get(&format!("/api/teams/{}/sign-in", p.acme)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got["signIn"]["issuer"], idp.issuer.as_str());
    assert_eq!(got["signIn"]["clientId"], CLIENT_ID);
    assert_eq!(got["signIn"]["redirectUri"], CALLBACK);
    assert!(
        !got.to_string().contains(CLIENT_SECRET),
        "the secret is never answered: {got}"
    );
    // Kept sealed with the server key: neither the secret nor its hex is stored.
    let team = portico_domain::ids::TeamId::parse(&p.acme).unwrap();
    let kept = app
        .store
        .read(move |tx| tx.team_sign_in(team))
        .await
        .map_err(|e: portico_store::StoreError| e)
        .unwrap()
        .unwrap();
    assert!(!kept.client_secret_sealed.contains(CLIENT_SECRET));
    assert!(!kept.client_secret_sealed.contains(&hex_of(CLIENT_SECRET)));

    idp.account("alice@acme.example", true).await;
    let browser = Browser::new(&app);
    let landed = browser.sign_in(&p.acme).await;
    assert_eq!(landed.status, StatusCode::SEE_OTHER, "{}", landed.body);
    assert_eq!(landed.location.as_deref(), Some("/workspaces"));
    let (s, me) = browser.me().await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert_eq!(me["user"]["email"], "alice@acme.example");
    // By email, from the sign-in page's form.
    let browser = Browser::new(&app);
    let r = browser
        .http
        .post(format!("{}/sso", app.base))
        .header("origin", &app.base)
        .form(&[("email", "alice@acme.example"), ("next", "/workspaces")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("/sso/{}/start?next=/workspaces", p.acme));
    let r = browser
        .http
        .post(format!("{}/sso", app.base))
        .header("origin", &app.base)
        .form(&[("email", "gina@globex.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "Globex has no provider");
}

/// Issue 12: the first sign-in of an email at the team's captured domain
/// makes the account and joins it to the team; other emails without an
/// account, and unverified emails, are refused and nothing is made.
async fn first_sign_in_at_a_captured_domain_provisions_the_account(backend: Backend) {
    let Some(app) = spawn(backend).await else { return };
    let Some(idp) = Provider::start().await else { return };
    let p = configured(&app, &idp, false).await;

    idp.account("new.person@acme.example", true).await;
    let browser = Browser::new(&app);
    let landed = browser.sign_in(&p.acme).await;
    assert_eq!(landed.status, StatusCode::SEE_OTHER, "{}", landed.body);
    let (_, me) = browser.me().await;
    assert_eq!(me["user"]["email"], "new.person@acme.example");
    assert_eq!(me["user"]["name"], "Signed In");
    assert_eq!(me["user"]["teams"][0]["id"], p.acme.as_str());
    assert_eq!(me["user"]["teams"][0]["roles"], json!(["developer"]));
    let (_, members) = p.alice.get(&format!("/api/teams/{}/members", p.acme)).await;
    assert!(members.to_string().contains("new.person@acme.example"));

    for (email, verified, code) in [
        ("stranger@elsewhere.example", true, "no_account"),
        ("unverified@acme.example", false, "email_not_verified"),
        // Gina has an account but is no member of Acme, and globex.example is not Acme's.
        ("gina@globex.example", true, "not_a_team_member"),
    ] {
        idp.account(email, verified).await;
        let browser = Browser::new(&app);
        let landed = browser.sign_in(&p.acme).await;
        assert_eq!(landed.status, StatusCode::FORBIDDEN, "{email}: {}", landed.body);
        assert_eq!(page_code(&landed.body), code, "{email}");
        assert_eq!(
            browser.me().await.0,
            StatusCode::UNAUTHORIZED,
            "{email} is not signed in"
        );
    }
    let (_, members) = p.alice.get(&format!("/api/teams/{}/members", p.acme)).await;
    let listed = members.to_string();
    assert!(!listed.contains("stranger@") && !listed.contains("unverified@") && !listed.contains("gina@"));
    let (_, audit) = p.alice.get(&format!("/api/audit/logs?teamId={}", p.acme)).await;
    assert!(audit.to_string().contains("user.provisioned"), "{audit}");
}

/// Issue 12: with enforcement, members cannot sign in with a password;
/// operators keep theirs; a partner of the team's Partner Workspace signs in
/// the way their own team does and still reaches it.
async fn enforced_sso_refuses_member_passwords_only(backend: Backend) {
    let Some(app) = spawn(backend).await else { return };
    let Some(idp) = Provider::start().await else { return };
    let p = configured(&app, &idp, true).await;
    let mut alice = app.anonymous();
    assert_error(
        &alice.login("alice@acme.example", crate::helpers::PASSWORD).await,
        StatusCode::FORBIDDEN,
        "sso_required",
    );
    // A wrong password still answers like any wrong password.
    assert_error(
        &alice.login("alice@acme.example", "not the password").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    // The operator joins Acme and keeps a password (break-glass).
    let (s, b) = p
        .alice
        .post(
            &format!("/api/teams/{}/members", p.acme),
            json!({ "email": "ops@portico.example", "roles": ["admin"] }),
        )
        .await;
    assert!(s.is_success(), "{b}");
    let mut ops = app.anonymous();
    assert_eq!(
        ops.login("ops@portico.example", crate::helpers::PASSWORD).await.0,
        StatusCode::OK
    );
    // The partner (Globex, passwords) signs in and reaches the workspace.
    let mut gina = app.anonymous();
    assert_eq!(
        gina.login("gina@globex.example", crate::helpers::PASSWORD).await.0,
        StatusCode::OK
    );
    assert_eq!(gina.get(&format!("/api/workspaces/{}", p.pw)).await.0, StatusCode::OK);
    // Alice gets in through the provider.
    idp.account("alice@acme.example", true).await;
    let browser = Browser::new(&app);
    assert_eq!(browser.sign_in(&p.acme).await.status, StatusCode::SEE_OTHER);
    assert_eq!(browser.me().await.0, StatusCode::OK);
    // The web form says why.
    let r = reqwest::Client::new()
        .post(format!("{}/sign-in", app.base))
        .header("origin", &app.base)
        .form(&[("email", "alice@acme.example"), ("password", crate::helpers::PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("single sign-on"));
    // Back to passwords.
    assert_eq!(
        p.alice.delete(&format!("/api/teams/{}/sign-in", p.acme)).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        alice.login("alice@acme.example", crate::helpers::PASSWORD).await.0,
        StatusCode::OK
    );
}

/// Issue 12: a wrong or reused `state`, a state from another browser and a
/// replayed code are refused, with nobody signed in.
async fn wrong_state_and_replayed_codes_are_refused(backend: Backend) {
    let Some(app) = spawn(backend).await else { return };
    let Some(idp) = Provider::start().await else { return };
    let p = configured(&app, &idp, false).await;
    idp.account("alice@acme.example", true).await;

    // A made-up state, with a cookie saying the same.
    let browser = Browser::new(&app);
    let r = browser
        .http
        .get(format!("{}/sso/callback?code=abc&state=madeup", app.base))
        .header("cookie", "portico_sso=madeup")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(page_code(&r.text().await.unwrap()), "sign_in_expired");

    // A state started in another browser.
    let other = Browser::new(&app);
    let callback = other.to_callback(&format!("/sso/{}/start", p.acme)).await.unwrap();
    let landed = Browser::new(&app).land(&callback).await;
    assert_eq!(landed.status, StatusCode::BAD_REQUEST);
    assert_eq!(page_code(&landed.body), "sign_in_not_started_here");

    // A finished sign-in's callback opened again: the state is used.
    let first = browser.sign_in(&p.acme).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let replay = browser.land(&first.callback).await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST);
    assert_ne!(page_code(&replay.body), "");

    // The first code replayed with a fresh state of this browser: the
    // provider refuses the code.
    let fresh = browser.to_callback(&format!("/sso/{}/start", p.acme)).await.unwrap();
    let fresh_state = query(&fresh, "state");
    let old_code = query(&first.callback, "code");
    let replayed = format!("{}/sso/callback?code={old_code}&state={fresh_state}", app.base);
    let landed = browser.land(&replayed).await;
    assert_eq!(landed.status, StatusCode::BAD_REQUEST, "{}", landed.body);
    assert_eq!(page_code(&landed.body), "sign_in_refused");
}

fn hex_of(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn query(url: &str, key: &str) -> String {
    url.split(['?', '&'])
        .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
        .unwrap_or_default()
        .to_string()
}

/// Issue 12: an ID token for another client, or an expired one, is refused
/// and nobody is signed in.
async fn id_tokens_for_another_audience_or_expired_are_refused(backend: Backend) {
    let Some(app) = spawn(backend).await else { return };
    let Some(idp) = Provider::start().await else { return };
    let p = configured(&app, &idp, false).await;
    idp.account("alice@acme.example", true).await;
    for mode in ["wrong-audience", "expired"] {
        idp.mode(mode).await;
        let browser = Browser::new(&app);
        let landed = browser.sign_in(&p.acme).await;
        assert_eq!(landed.status, StatusCode::BAD_REQUEST, "{mode}: {}", landed.body);
        assert_eq!(page_code(&landed.body), "id_token_rejected", "{mode}");
        assert_eq!(browser.me().await.0, StatusCode::UNAUTHORIZED, "{mode}");
    }
}

/// Issue 12 (bad input): a provider that is down or answers garbage gives a
/// clear 4xx or sign-in error, nothing is kept, and the server goes on.
async fn a_provider_down_or_answering_garbage_gives_clear_errors(backend: Backend) {
    let Some(app) = spawn(backend).await else { return };
    let Some(idp) = Provider::start().await else { return };
    let p = configured(&app, &idp, false).await;
    let path = format!("/api/teams/{}/sign-in", p.acme);
    // Discovery answering garbage: the settings are refused, the old ones stay.
    idp.mode("discovery-garbage").await;
    let got = p
        .alice
        .put(
            &path,
            json!({ "issuer": format!("{}/", idp.issuer), "clientId": "other", "clientSecret": "x" }),
        )
        .await;
    assert_error(&got, StatusCode::BAD_REQUEST, "identity_provider_unreachable");
    assert_eq!(p.alice.get(&path).await.1["signIn"]["clientId"], CLIENT_ID);
    let landed = Browser::new(&app).to_callback(&format!("/sso/{}/start", p.acme)).await;
    let (status, body) = landed.expect_err("no redirect to a broken provider");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(page_code(&body), "identity_provider_unreachable");
    // The token endpoint answering garbage.
    idp.mode("garbage").await;
    let landed = Browser::new(&app).sign_in(&p.acme).await;
    assert_eq!(landed.status, StatusCode::BAD_REQUEST, "{}", landed.body);
    assert_eq!(page_code(&landed.body), "identity_provider_unreachable");
    // A provider that is down.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let down = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let got = p
        .alice
        .put(
            &path,
            json!({ "issuer": down, "clientId": CLIENT_ID, "clientSecret": "x" }),
        )
        .await;
    assert_error(&got, StatusCode::BAD_REQUEST, "identity_provider_unreachable");
    assert_eq!(p.alice.get(&path).await.1["signIn"]["issuer"], idp.issuer.as_str());
    drop(idp);
    let (status, body) = Browser::new(&app)
        .to_callback(&format!("/sso/{}/start", p.acme))
        .await
        .expect_err("the provider is gone");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(page_code(&body), "identity_provider_unreachable");
    assert_eq!(app.anonymous().get("/healthz").await.0, StatusCode::OK);
}

/// Issue 12: only team admins (and operators) set the provider; bad
/// settings are refused; providers on loopback are refused unless the
/// operator allows them.
async fn provider_settings_are_checked(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let p = app.partnership("5").await;
    let path = format!("/api/teams/{}/sign-in", p.acme);
    assert_eq!(p.alice.get(&path).await.1, json!({ "signIn": null }));
    for (body, code) in [
        (
            json!({ "issuer": "http://idp.example", "clientId": "c", "clientSecret": "s" }),
            "invalid_issuer",
        ),
        (
            json!({ "issuer": "https://idp.example/?x=1", "clientId": "c", "clientSecret": "s" }),
            "invalid_issuer",
        ),
        (
            json!({ "issuer": "https://idp.example", "clientId": "a b", "clientSecret": "s" }),
            "invalid_client_id",
        ),
        // Loopback, not allowed on this server.
        (
            json!({ "issuer": "http://127.0.0.1:9", "clientId": "c", "clientSecret": "s" }),
            "identity_provider_unreachable",
        ),
        (
            json!({ "issuer": "https://idp.example", "clientId": "c", "clientSecret": "s", "role": "admin" }),
            "invalid_body",
        ),
    ] {
        let got = p.alice.put(&path, body.clone()).await;
        assert_eq!(got.0, StatusCode::BAD_REQUEST, "{body}: {}", got.1);
        assert_eq!(got.1["error"]["name"], code, "{body}: {}", got.1);
    }
    assert_eq!(p.alice.get(&path).await.1, json!({ "signIn": null }), "nothing kept");
    // Gina is no member of Acme: the team is not found for her.
    assert_error(&p.gina.get(&path).await, StatusCode::NOT_FOUND, "not_found");
    let dev = app.user("dev@acme.example", "Dev").await;
    p.alice
        .post(
            &format!("/api/teams/{}/members", p.acme),
            json!({ "email": "dev@acme.example", "roles": ["developer"] }),
        )
        .await;
    assert_error(&dev.get(&path).await, StatusCode::FORBIDDEN, "forbidden");
    assert_error(
        &dev.put(
            &path,
            json!({ "issuer": "https://idp.example", "clientId": "c", "clientSecret": "s" }),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
}

/// Issue 12: the Partnerships page shows how each partner team signs in,
/// and a partner signs in with their own team's provider to reach the
/// publisher's Partner Workspace.
async fn partnerships_show_each_partner_team_method(backend: Backend) {
    let Some(app) = spawn(backend).await else { return };
    let Some(idp) = Provider::start().await else { return };
    let p = app.partnership("5").await;
    async fn partnerships(c: &crate::helpers::Client, team: &str) -> Value {
        c.get(&format!("/api/teams/{team}/partnerships")).await.1
    }
    let before = partnerships(&p.alice, &p.acme).await;
    assert_eq!(before["asPublisher"][0]["signIn"], "password", "{before}");
    let (s, b) = p
        .gina
        .put(
            &format!("/api/teams/{}/sign-in", p.globex),
            json!({ "issuer": idp.issuer, "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let after = partnerships(&p.alice, &p.acme).await;
    assert_eq!(after["asPublisher"][0]["signIn"], "sso", "{after}");
    // Gina signs in through her own team's provider and reaches Acme's
    // Partner Workspace; Acme's settings play no part.
    idp.account("gina@globex.example", true).await;
    let browser = Browser::new(&app);
    let landed = browser.sign_in(&p.globex).await;
    assert_eq!(landed.status, StatusCode::SEE_OTHER, "{}", landed.body);
    let r = browser.get(&format!("{}/api/workspaces/{}", app.base, p.pw)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        partnerships(&p.gina, &p.globex).await["asPartner"][0]["signIn"],
        "password"
    );
}

/// Issue 12 with several processes (PostgreSQL): a sign-in started on one
/// process finishes on another of the same deployment (the attempt is in
/// the database, the secrets are sealed with the shared server key), and
/// its state still works once only.
async fn a_sign_in_started_on_one_process_finishes_on_another(backend: Backend) {
    let Some(app) = spawn(backend).await else { return };
    let Some(other) = app.beside_with(|c| c.app.allow_private_identity_providers = true).await else {
        return;
    };
    let Some(idp) = Provider::start().await else { return };
    let p = configured(&app, &idp, false).await;
    idp.account("alice@acme.example", true).await;
    let browser = Browser::new(&app);
    let callback = browser.to_callback(&format!("/sso/{}/start", p.acme)).await.unwrap();
    let elsewhere = callback.replace(&app.base, &other.base);
    // The browser's cookie is for this host and port's origin: carry it over.
    let state = query(&callback, "state");
    let r = browser
        .http
        .get(&elsewhere)
        .header("cookie", format!("portico_sso={state}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap_or_default()
    );
    // Cookies are shared across ports of one host: the finished sign-in
    // cleared it, so the replay brings the state's cookie itself.
    let again = browser
        .http
        .get(&callback)
        .header("cookie", format!("portico_sso={state}"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert_eq!(page_code(&again.text().await.unwrap()), "sign_in_expired");
}

crate::on_both_backends_with_config!(
    members_sign_in_through_their_team_provider,
    first_sign_in_at_a_captured_domain_provisions_the_account,
    enforced_sso_refuses_member_passwords_only,
    wrong_state_and_replayed_codes_are_refused,
    id_tokens_for_another_audience_or_expired_are_refused,
    a_provider_down_or_answering_garbage_gives_clear_errors,
    provider_settings_are_checked,
    partnerships_show_each_partner_team_method,
    a_sign_in_started_on_one_process_finishes_on_another,
);
