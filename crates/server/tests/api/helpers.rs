//! Starting a test server and talking to it like a client would.

use portico_app::AppConfig;
use portico_server::ServerConfig;
use portico_store::Store;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Keeps the database alive as long as the test.
#[allow(dead_code)]
enum DbGuard {
    Dir(tempfile::TempDir),
    Schema(portico_store_postgres::testing::SchemaGuard),
}

pub struct TestApp {
    pub base: String,
    pub store: Store,
    /// Stops the server as a shutdown signal would; answers when it has
    /// stopped (`stop`).
    stopper: std::sync::Mutex<Option<Stopper>>,
    _db: DbGuard,
}

/// A second server process on the same database (`TestApp::beside`).
pub struct Beside {
    pub base: String,
    stopper: std::sync::Mutex<Option<Stopper>>,
}

impl Beside {
    /// `c`'s credentials (its cookie jar or API key) used against this
    /// process.
    pub fn client_like(&self, c: &Client) -> Client {
        Client {
            base: self.base.clone(),
            http: c.http.clone(),
            csrf: c.csrf.clone(),
            api_key: c.api_key.clone(),
            user_id: c.user_id.clone(),
        }
    }

    /// Stops this process (see `TestApp::stop`).
    pub async fn stop(&self, within: std::time::Duration) -> bool {
        let Some((stop, running)) = self.stopper.lock().expect("stopper").take() else {
            return true;
        };
        let _ = stop.send(());
        tokio::time::timeout(within, running).await.is_ok()
    }
}

/// The stop signal of a test server, and the task serving until it comes.
type Stopper = (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
);

pub const PASSWORD: &str = "correct horse battery";

/// The server key of test servers (every process of one test shares it, as
/// processes of one deployment do).
pub const TEST_SERVER_KEY: [u8; 32] = [7; 32];

/// Runs the named async test functions on both backends.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite).await {
                        super::$name(app).await;
                    }
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Postgres).await {
                        super::$name(app).await;
                    }
                }
            )*
        }
    };
}

/// Runs the named async test functions, which take a `Backend` and start
/// their own server (for tests that change its configuration), on both backends.
#[macro_export]
macro_rules! on_both_backends_with_config {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() { super::$name($crate::helpers::Backend::Sqlite).await }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() { super::$name($crate::helpers::Backend::Postgres).await }
            )*
        }
    };
}

impl TestApp {
    /// Starts a server on a fresh database; `None` when PostgreSQL is absent
    /// outside CI (under `CI=true` that fails the test instead).
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Like `spawn`, with changes to the server's configuration.
    pub async fn spawn_with(backend: Backend, configure: impl FnOnce(&mut ServerConfig)) -> Option<TestApp> {
        let (store, guard) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("tempdir");
                let path = dir.path().join("portico.db");
                let store = Store::open_with(move || portico_store_sqlite::open(&path, &Default::default()))
                    .await
                    .expect("open sqlite");
                (store, DbGuard::Dir(dir))
            }
            Backend::Postgres => {
                let available = tokio::task::spawn_blocking(portico_store_postgres::testing::available)
                    .await
                    .expect("join");
                if !available {
                    if std::env::var("CI").is_ok_and(|v| v == "true") {
                        panic!("PostgreSQL is not reachable and CI=true");
                    }
                    eprintln!("skipped: PostgreSQL not reachable");
                    return None;
                }
                let (store, guard) = tokio::task::spawn_blocking(portico_store_postgres::testing::fresh_store)
                    .await
                    .expect("join")
                    .expect("fresh postgres store");
                (store, DbGuard::Schema(guard))
            }
        };
        let mut config = ServerConfig {
            listen: "127.0.0.1:0".into(),
            app: AppConfig {
                public_url: "http://portico.test".into(),
                server_key: Some(TEST_SERVER_KEY),
                ..AppConfig::default()
            },
            mail: portico_server::mail::MailConfig {
                poll_interval: std::time::Duration::from_millis(50),
                ..Default::default()
            },
            webhooks: portico_server::webhooks::WebhookConfig {
                poll_interval: std::time::Duration::from_millis(50),
                first_retry: std::time::Duration::from_millis(100),
                ..Default::default()
            },
        };
        configure(&mut config);
        let server = portico_server::build(&config, store.clone()).await.expect("bind");
        let addr = server.local_addr().expect("addr");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let running = tokio::spawn(server.run_until(async move {
            let _ = stopped.await;
        }));
        Some(TestApp {
            base: format!("http://{addr}"),
            store,
            stopper: std::sync::Mutex::new(Some((stop, running))),
            _db: guard,
        })
    }

    /// A second server on the same PostgreSQL schema, as a second process
    /// behind the same proxy would be; `None` on SQLite (one process only).
    pub async fn beside(&self) -> Option<Beside> {
        self.beside_with(|_| {}).await
    }

    /// Like `beside`, with changes to that process's configuration.
    pub async fn beside_with(&self, configure: impl FnOnce(&mut ServerConfig)) -> Option<Beside> {
        let DbGuard::Schema(guard) = &self._db else { return None };
        let store = Store::open_with(guard.open_again()).await.expect("second store");
        let mut config = ServerConfig {
            listen: "127.0.0.1:0".into(),
            app: AppConfig {
                public_url: "http://portico.test".into(),
                server_key: Some(TEST_SERVER_KEY),
                ..AppConfig::default()
            },
            // No background work here: its write transactions would wake
            // this process's event streams on their own, hiding whether
            // the other process's commits reach it.
            mail: portico_server::mail::MailConfig {
                poll_interval: std::time::Duration::from_secs(3600),
                ..Default::default()
            },
            webhooks: portico_server::webhooks::WebhookConfig {
                poll_interval: std::time::Duration::from_secs(3600),
                ..Default::default()
            },
        };
        configure(&mut config);
        let server = portico_server::build(&config, store).await.expect("bind");
        let base = format!("http://{}", server.local_addr().expect("addr"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let running = tokio::spawn(server.run_until(async move {
            let _ = stopped.await;
        }));
        Some(Beside {
            base,
            stopper: std::sync::Mutex::new(Some((stop, running))),
        })
    }

    /// Stops the server as SIGTERM would, and waits until it has stopped:
    /// `false` if it did not within `within`.
    pub async fn stop(&self, within: std::time::Duration) -> bool {
        let Some((stop, running)) = self.stopper.lock().expect("stopper").take() else {
            return true;
        };
        let _ = stop.send(());
        tokio::time::timeout(within, running).await.is_ok()
    }

    /// A client with no credentials.
    pub fn anonymous(&self) -> Client {
        Client::new(&self.base)
    }

    /// Signs up a new account and returns its signed-in client.
    pub async fn user(&self, email: &str, name: &str) -> Client {
        let (mut c, body) = self.sign_up(email, name).await;
        c.login(email, PASSWORD).await;
        c.user_id = body["user"]["id"].as_str().expect("id").to_string();
        c
    }

    /// Posts a sign-up with the shared password: answers the anonymous
    /// client that sent it and the `201` body.
    async fn sign_up(&self, email: &str, name: &str) -> (Client, Value) {
        let c = self.anonymous();
        let (status, body) = c
            .post(
                "/api/auth/signup",
                json!({ "email": email, "name": name, "password": PASSWORD }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "signup {email}: {body}");
        (c, body)
    }

    /// Creates a team as `owner` and answers its id.
    pub async fn team(&self, owner: &Client, name: &str) -> String {
        let (status, body) = owner.post("/api/teams", json!({ "name": name })).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["team"]["id"].as_str().expect("team id").to_string()
    }
}

/// Posts `body` to `path` of the server at `base`, sending `cookie` (a
/// session held by hand, `name=value`) when given, and nothing else.
pub async fn post_holding(base: &str, path: &str, cookie: Option<&str>, body: Value) -> reqwest::Response {
    let mut rb = reqwest::Client::new().post(format!("{base}{path}")).json(&body);
    if let Some(c) = cookie {
        rb = rb.header("cookie", c);
    }
    rb.send().await.unwrap()
}

/// The `name=value` of the cookie an answer sets.
pub fn set_cookie_of(res: &reqwest::Response) -> String {
    let header = res.headers()["set-cookie"].to_str().unwrap();
    header.split(';').next().unwrap().to_string()
}

/// The status of `GET /api/me` sending only `cookie`.
pub async fn me_holding(base: &str, cookie: &str) -> StatusCode {
    let rb = reqwest::Client::new()
        .get(format!("{base}/api/me"))
        .header("cookie", cookie);
    rb.send().await.unwrap().status()
}

/// A client: a cookie jar, plus the CSRF token or API key it authenticates with.
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
    pub csrf: Option<String>,
    pub api_key: Option<String>,
    pub user_id: String,
}

impl Client {
    /// Another handle on the same credentials and cookie jar.
    pub fn client_like_self(&self) -> Client {
        Client {
            base: self.base.clone(),
            http: self.http.clone(),
            csrf: self.csrf.clone(),
            api_key: self.api_key.clone(),
            user_id: self.user_id.clone(),
        }
    }

    pub fn new(base: &str) -> Self {
        Self {
            base: base.to_string(),
            http: reqwest::Client::builder().cookie_store(true).build().expect("client"),
            csrf: None,
            api_key: None,
            user_id: String::new(),
        }
    }

    /// A client authenticating with an API key only (no cookies).
    pub fn with_api_key(base: &str, key: &str) -> Self {
        Self {
            api_key: Some(key.to_string()),
            ..Self::new(base)
        }
    }

    pub async fn login(&mut self, email: &str, password: &str) -> (StatusCode, Value) {
        let (status, body) = self
            .post("/api/auth/login", json!({ "email": email, "password": password }))
            .await;
        if status == StatusCode::OK {
            self.csrf = body["csrfToken"].as_str().map(String::from);
        }
        (status, body)
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut rb = self.http.request(method.clone(), format!("{}{path}", self.base));
        if let Some(k) = &self.api_key {
            rb = rb.header("x-api-key", k);
        }
        if let Some(c) = self.csrf.as_ref().filter(|_| method != Method::GET) {
            rb = rb.header("x-csrf-token", c);
        }
        rb
    }

    pub async fn send(&self, rb: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let res = rb.send().await.expect("request");
        let status = res.status();
        let text = res.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, body)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(self.request(Method::GET, path)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(self.request(Method::POST, path).json(&body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(self.request(Method::PATCH, path).json(&body)).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.send(self.request(Method::DELETE, path)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(self.request(Method::PUT, path).json(&body)).await
    }
}

/// A publisher and a partner: Alice's team Acme (professional) has a
/// Partner Workspace `pw` where Gina of Globex holds the role `role`
/// ("4" partner viewer, "5" partner editor…).
pub struct Partnership {
    pub alice: Client,
    pub gina: Client,
    pub acme: String,
    #[allow(dead_code)]
    pub globex: String,
    pub pw: String,
}

/// Invites `email` as a partner of workspace `ws` with role `role`; answers
/// the invitation's token.
pub async fn invitation_token(by: &Client, ws: &str, email: &str, role: &str) -> String {
    let (_, inv) = by
        .post("/api/invitations", json!({ "action": "invite_partner", "targetEntity": "workspace", "targetEntityId": ws, "roleId": role, "target": { "emails": [email] } }))
        .await;
    inv["results"][0]["invitationLink"]
        .as_str()
        .and_then(|l| l.rsplit('/').next())
        .unwrap_or_else(|| panic!("no invitation link: {inv}"))
        .to_string()
}

impl TestApp {
    /// A new account `email`, invited by `by` into workspace `ws` with role
    /// `role`, who accepts with a new team of their own.
    pub async fn partner_with_new_team(&self, by: &Client, ws: &str, email: &str, name: &str, role: &str) -> Client {
        let who = self.user(email, name).await;
        let token = invitation_token(by, ws, email, role).await;
        let (status, body) = who
            .post(
                &format!("/api/invitations/{token}"),
                json!({ "newTeamName": format!("{name}'s team") }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        who
    }

    pub async fn partnership(&self, role: &str) -> Partnership {
        let ops = self.user("ops@portico.example", "Olive").await;
        let alice = self.user("alice@acme.example", "Alice").await;
        let gina = self.user("gina@globex.example", "Gina").await;
        let acme = self.team(&alice, "Acme").await;
        ops.patch(&format!("/api/teams/{acme}"), json!({ "plan": "professional" }))
            .await;
        let globex = self.team(&gina, "Globex").await;
        let (_, ws) = alice
            .post(
                "/api/workspaces",
                json!({ "workspace": { "name": "PW", "type": "partner", "teamId": acme } }),
            )
            .await;
        let pw = ws["workspace"]["id"].as_str().expect("pw").to_string();
        let token = invitation_token(&alice, &pw, "gina@globex.example", role).await;
        let (status, body) = gina
            .post(&format!("/api/invitations/{token}"), json!({ "teamId": globex }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        Partnership {
            alice,
            gina,
            acme,
            globex,
            pw,
        }
    }
}

/// Asserts an error answer with this status and code.
#[track_caller]
pub fn assert_error(got: &(StatusCode, Value), status: StatusCode, code: &str) {
    assert_eq!(got.0, status, "{}", got.1);
    assert_eq!(got.1["error"]["name"], code, "{}", got.1);
    assert!(
        got.1["error"]["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        got.1
    );
}

/// Sign-up by emailed link (`signup = "verify-email"`).
impl TestApp {
    /// Starts a server whose sign-up sends a link, on a fresh database. Its
    /// outbox is not emptied (no sender pass after the start), so tests
    /// read the emails, links included, from it.
    pub async fn spawn_verifying(backend: Backend, configure: impl FnOnce(&mut ServerConfig)) -> Option<TestApp> {
        Self::spawn_with(backend, |c| {
            c.app.signup = portico_app::SignupMode::VerifyEmail;
            c.mail.poll_interval = std::time::Duration::from_secs(3600);
            configure(c);
        })
        .await
    }

    /// The emails queued for `to`, oldest first.
    pub async fn emails_to(&self, to: &str) -> Vec<portico_store::OutboxRecord> {
        let store = self.store.clone();
        let mut all =
            tokio::task::spawn_blocking(move || store.run_blocking(portico_store::Mode::Read, |tx| tx.outbox(1000)))
                .await
                .expect("join")
                .unwrap_or_else(|e: portico_store::StoreError| panic!("{e}"));
        all.retain(|m| m.recipient == to);
        all.reverse();
        all
    }

    /// The sign-up link of the newest email to `to` (path and query, from
    /// `/signup/verify/`).
    pub async fn signup_link(&self, to: &str) -> String {
        let mails = self.emails_to(to).await;
        let body = &mails.last().unwrap_or_else(|| panic!("no email to {to}")).body;
        let at = body
            .find("http://portico.test/signup/verify/")
            .unwrap_or_else(|| panic!("no sign-up link: {body}"));
        body[at + "http://portico.test".len()..]
            .split_whitespace()
            .next()
            .expect("link")
            .to_string()
    }

    /// The token of the newest sign-up link emailed to `to`.
    pub async fn signup_token(&self, to: &str) -> String {
        let link = self.signup_link(to).await;
        link["/signup/verify/".len()..]
            .split('?')
            .next()
            .expect("token")
            .to_string()
    }

    /// Signs up `email` and opens the emailed link through the API:
    /// answers the signed-in client (the CSRF token set).
    pub async fn verified_user(&self, email: &str, name: &str) -> Client {
        let (mut c, body) = self.sign_up(email, name).await;
        assert_eq!(body["verification"], "email_sent", "{body}");
        let token = self.signup_token(email).await;
        let (status, made) = c.post("/api/auth/signup/verify", json!({ "token": token })).await;
        assert_eq!(status, StatusCode::CREATED, "verify {email}: {made}");
        c.csrf = made["csrfToken"].as_str().map(String::from);
        c.user_id = made["user"]["id"].as_str().expect("id").to_string();
        c
    }
}
