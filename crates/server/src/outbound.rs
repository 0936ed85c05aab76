//! Requests this server makes to addresses its users give (webhooks,
//! OpenID providers): the name is resolved once, internal addresses are
//! refused (unless the operator allows them), and the request then goes to
//! the very address that was checked. A name whose DNS answer changes
//! between the check and the connection (DNS rebinding) cannot reach the
//! server's own network.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use portico_domain::integration::{Target, is_internal};

type Lookup =
    dyn Fn(String, u16) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<SocketAddr>>> + Send>> + Send + Sync;

/// Turns a host name into addresses: the system's resolver, or one a test
/// controls.
#[derive(Clone)]
pub struct Resolver(Arc<Lookup>);

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Resolver")
    }
}

impl Default for Resolver {
    /// The system's resolver.
    fn default() -> Self {
        Resolver::new(|host, port| async move { Ok(tokio::net::lookup_host((host.as_str(), port)).await?.collect()) })
    }
}

impl Resolver {
    pub fn new<F, Fut>(lookup: F) -> Self
    where
        F: Fn(String, u16) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = std::io::Result<Vec<SocketAddr>>> + Send + 'static,
    {
        Resolver(Arc::new(move |host, port| Box::pin(lookup(host, port))))
    }

    /// The address to connect to for `target`: its IP, or the first
    /// address its name resolves to that may be reached. `what` names the
    /// requests in messages ("webhooks").
    pub async fn pick(&self, target: &Target, allow_private: bool, what: &str) -> Result<SocketAddr, String> {
        let addrs = match target.ip() {
            Some(ip) => vec![SocketAddr::new(ip, target.port)],
            None => (self.0)(target.host.clone(), target.port)
                .await
                .map_err(|e| format!("cannot resolve {}: {e}", target.host))?,
        };
        let addr = addrs
            .into_iter()
            .find(|a| allow_private || !is_internal(a.ip()))
            .ok_or_else(|| format!("{} resolves to an address {what} may not reach", target.host))?;
        if !allow_private && target.is_local_name() {
            return Err(format!("{what} may not reach this server's own names"));
        }
        Ok(addr)
    }
}

/// The same resolver as the HTTP client's DNS: a client whose connection
/// is pinned to a checked address never asks it; one that is not would
/// get the name's current answer.
impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let lookup = (self.0)(name.as_str().to_owned(), 0);
        Box::pin(async move {
            let addrs = lookup.await?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}
