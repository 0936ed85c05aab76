//! The webhook sender (R-ISO-7). Use cases queue deliveries in the
//! transaction of the change they report; this task sends them, signed with
//! HMAC-SHA256, retrying with growing delays, and records every attempt in
//! the delivery log.
//!
//! Each attempt resolves the target again and refuses internal addresses
//! (unless the operator allows them), then connects to the very address it
//! checked, and follows no redirects: a name cannot be re-pointed at the
//! server's own network between the check and the request.

use std::time::Duration;

use portico_domain::Error;
use portico_domain::integration::Target;

use crate::outbound::Resolver;
use portico_store::{DeliveryRecord, IntegrationRecord, Store};

/// How long a claimed delivery is reserved for one attempt.
const LEASE_MS: i64 = 60_000;
/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: i64 = 6;
/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Webhook sender settings.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    pub allow_private_targets: bool,
    pub poll_interval: Duration,
    /// Delay before the first retry; each later one doubles it.
    pub first_retry: Duration,
    /// How target names are resolved.
    pub resolver: Resolver,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            allow_private_targets: false,
            poll_interval: Duration::from_secs(1),
            first_retry: Duration::from_secs(30),
            resolver: Resolver::default(),
        }
    }
}

fn retry_delay_ms(config: &WebhookConfig, attempts: i64) -> i64 {
    let first = i64::try_from(config.first_retry.as_millis()).unwrap_or(30_000);
    let exp = u32::try_from(attempts.clamp(0, 10)).unwrap_or(10);
    first.saturating_mul(2_i64.pow(exp)).min(6 * 3_600_000)
}

/// The signature header value: `sha256=` and the HMAC of
/// `"{timestamp}.{body}"` under the webhook's secret.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let signed = format!("{timestamp}.{body}");
    format!(
        "sha256={}",
        portico_app::crypto::hmac_sha256_hex(secret.as_bytes(), signed.as_bytes())
    )
}

/// Sends one delivery; answers the response status, or why it failed.
async fn send(
    d: &DeliveryRecord,
    hook: &IntegrationRecord,
    config: &WebhookConfig,
) -> Result<u16, (Option<u16>, String)> {
    let target = Target::parse(&hook.url).map_err(|e| (None, e.message))?;
    let addr = config
        .resolver
        .pick(&target, config.allow_private_targets, "webhooks")
        .await
        .map_err(|e| (None, e))?;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .dns_resolver(std::sync::Arc::new(config.resolver.clone()))
        .resolve(&target.host, addr)
        .user_agent("Portico-Webhooks/1")
        .build()
        .map_err(|e| (None, e.to_string()))?;
    let timestamp = portico_app::now();
    let response = client
        .post(&hook.url)
        .header("content-type", "application/json")
        .header("x-portico-event", &d.event)
        .header("x-portico-delivery", d.id.to_string())
        .header("x-portico-timestamp", timestamp.to_string())
        .header("x-portico-signature", signature(&hook.secret, timestamp, &d.payload))
        .body(d.payload.clone())
        .send()
        .await
        .map_err(|e| (None, e.to_string()))?;
    let status = response.status();
    if status.is_success() {
        Ok(status.as_u16())
    } else {
        Err((Some(status.as_u16()), format!("the target answered {status}")))
    }
}

/// One pass: sends every due delivery. Answers how many succeeded.
pub async fn deliver_due(store: &Store, config: &WebhookConfig) -> Result<usize, Error> {
    let now = portico_app::now();
    // An idle pass only reads: a write would wake every process's live
    // event streams for nothing.
    if !store
        .read(move |tx| tx.deliveries_due(now).map_err(Error::from))
        .await?
    {
        return Ok(0);
    }
    let due = store
        .write(move |tx| tx.claim_deliveries(now, now + LEASE_MS, 20).map_err(Error::from))
        .await?;
    let mut delivered = 0;
    for (d, hook) in due {
        let outcome = send(&d, &hook, config).await;
        let at = portico_app::now();
        let id = d.id;
        let (ok, status, error, next) = match outcome {
            Ok(status) => {
                delivered += 1;
                (true, Some(i64::from(status)), None, None)
            }
            Err((status, error)) => {
                let attempts = d.attempts + 1;
                let next = (attempts < MAX_ATTEMPTS).then(|| at + retry_delay_ms(config, d.attempts));
                tracing::warn!(id, attempts, error = %error, "webhook delivery failed");
                (false, status.map(i64::from), Some(error), next)
            }
        };
        store
            .write(move |tx| {
                tx.delivery_attempted(id, ok, status, error.as_deref(), next, at)
                    .map_err(Error::from)
            })
            .await?;
    }
    Ok(delivered)
}

/// Starts the sender in the background.
pub fn spawn_webhook_sender(store: Store, config: WebhookConfig) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = deliver_due(&store, &config).await {
                tracing::error!(error = %e, "webhook pass failed");
            }
            tokio::time::sleep(config.poll_interval).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_from_the_first_delay() {
        let c = WebhookConfig::default();
        assert_eq!(retry_delay_ms(&c, 0), 30_000);
        assert_eq!(retry_delay_ms(&c, 2), 120_000);
        assert_eq!(retry_delay_ms(&c, 20), 6 * 3_600_000);
    }
}
