//! The run's HTTP client: timeouts, redirects, TLS, cookies, and the target
//! guard that refuses private, loopback and link-local addresses.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use portico_domain::integration::is_internal;
use portico_script::{HttpRequest, HttpResponse};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Client settings.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    pub timeout: Option<Duration>,
    pub follow_redirects: bool,
    pub max_redirects: usize,
    pub insecure: bool,
    pub allow_private_targets: bool,
    /// Internal addresses allowed even when private targets are refused.
    pub allowed_private: Vec<IpAddr>,
    /// The largest response body read; a larger one fails the request.
    pub max_response_bytes: Option<usize>,
}

/// Which targets a run refuses.
#[derive(Debug, Clone, Default)]
pub struct Guard {
    /// Refuse internal addresses.
    pub enabled: bool,
    pub allowed: Arc<Vec<IpAddr>>,
    /// The largest response body read (a bound on what one target can make
    /// the run hold in memory).
    pub max_response_bytes: Option<usize>,
}

impl Guard {
    pub fn refuses(&self, ip: IpAddr) -> bool {
        self.enabled && is_internal(ip) && !self.allowed.contains(&ip)
    }

    /// Whether a URL names a refused IP address literally.
    pub fn refuses_url(&self, url: &reqwest::Url) -> bool {
        url.host_str().is_some_and(|h| {
            h.trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<IpAddr>()
                .is_ok_and(|ip| self.refuses(ip))
        })
    }
}

const REFUSED: &str = "refused: the target is a private, loopback or link-local address";

/// Resolves host names and drops internal addresses, so that neither a
/// name nor a DNS answer that changes between requests reaches them.
struct GuardResolver(Guard);

impl Resolve for GuardResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let guard = self.0.clone();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let allowed: Vec<SocketAddr> = found.filter(|a| !guard.refuses(a.ip())).collect();
            if allowed.is_empty() {
                return Err(format!("{host}: {REFUSED}").into());
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

impl HttpOptions {
    pub fn guard(&self) -> Guard {
        Guard {
            enabled: !self.allow_private_targets,
            allowed: Arc::new(self.allowed_private.clone()),
            max_response_bytes: self.max_response_bytes,
        }
    }
}

/// A client; every client of a run shares its cookie jar.
pub fn client(o: &HttpOptions, jar: Arc<reqwest::cookie::Jar>) -> Result<reqwest::Client, String> {
    let guard = o.guard();
    let hop_guard = guard.clone();
    let follow = o.follow_redirects;
    let max = o.max_redirects;
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        if !follow {
            attempt.stop()
        } else if attempt.previous().len() > max {
            attempt.error(format!("more than {max} redirects"))
        } else if hop_guard.refuses_url(attempt.url()) {
            attempt.error(REFUSED)
        } else {
            attempt.follow()
        }
    });
    let mut b = reqwest::Client::builder()
        .redirect(policy)
        .cookie_provider(jar)
        .danger_accept_invalid_certs(o.insecure)
        .user_agent(concat!("Portico/", env!("CARGO_PKG_VERSION")));
    if guard.enabled {
        b = b.dns_resolver(Arc::new(GuardResolver(guard)));
    }
    b.build().map_err(|e| e.to_string())
}

/// Sends one request and reads the whole response.
pub async fn send(
    client: &reqwest::Client,
    req: &HttpRequest,
    timeout: Option<Duration>,
    guard: &Guard,
) -> Result<HttpResponse, String> {
    let url = reqwest::Url::parse(&req.url).map_err(|e| format!("invalid URL {:?}: {e}", req.url))?;
    if guard.refuses_url(&url) {
        return Err(REFUSED.into());
    }
    let method =
        reqwest::Method::from_bytes(req.method.as_bytes()).map_err(|_| format!("invalid method {:?}", req.method))?;
    let mut b = client.request(method, url);
    for (k, v) in &req.headers {
        b = b.header(k.as_str(), v.as_str());
    }
    if let Some(body) = &req.body {
        b = b.body(body.clone());
    }
    if let Some(t) = timeout {
        b = b.timeout(t);
    }
    let started = Instant::now();
    let resp = b.send().await.map_err(describe)?;
    let code = resp.status().as_u16();
    let status = resp.status().canonical_reason().unwrap_or_default().to_owned();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut resp = resp;
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(describe)? {
        if guard
            .max_response_bytes
            .is_some_and(|max| body.len() + chunk.len() > max)
        {
            return Err(format!(
                "the response is larger than {} bytes, the most a run reads",
                guard.max_response_bytes.unwrap_or_default()
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(HttpResponse {
        code,
        status,
        headers,
        body,
        response_time_ms: started.elapsed().as_millis() as u64,
    })
}

/// The error and its causes in one line (reqwest hides the cause otherwise).
fn describe(e: reqwest::Error) -> String {
    let mut msg = if e.is_timeout() {
        "request timed out".to_owned()
    } else {
        e.to_string()
    };
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
        source = s.source();
    }
    msg
}
