//! The email outbox sender. Use cases queue messages in the outbox table in
//! their own transaction; this task delivers them: by SMTP when a mail server
//! is configured, otherwise by writing them to the log (read them with
//! `portico admin outbox`). A failed delivery is retried with growing
//! delays; the message, and the invitation it carries, are never lost.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use portico_domain::Error;
use portico_store::{OutboxRecord, Store};

/// Mail settings.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `smtp://user:pass@host:587?tls=required`, `smtps://host:465`, or
    /// `smtp://localhost:25` (plain). `None`: messages are logged only.
    pub smtp_url: Option<String>,
    /// The sender, e.g. `Portico <portico@example.com>`.
    pub from: String,
    /// How often the outbox is looked at.
    pub poll_interval: Duration,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: "Portico <portico@localhost>".into(),
            poll_interval: Duration::from_secs(2),
        }
    }
}

enum Mailer {
    Smtp(Box<AsyncSmtpTransport<Tokio1Executor>>, Mailbox),
    Log,
}

/// How long a claimed message is reserved for one delivery attempt.
const LEASE_MS: i64 = 60_000;
/// Delay before retry n (doubling from 30 s, at most an hour).
fn backoff_ms(attempts: i64) -> i64 {
    let exp = u32::try_from(attempts.clamp(0, 7)).unwrap_or(7);
    (30_000_i64 * 2_i64.pow(exp)).min(3_600_000)
}

impl Mailer {
    fn new(config: &MailConfig) -> Result<Self, String> {
        match &config.smtp_url {
            None => Ok(Mailer::Log),
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("bad SMTP URL {}: {e}", crate::redact_url(url)))?
                    .timeout(Some(Duration::from_secs(20)))
                    .build();
                let from: Mailbox = config
                    .from
                    .parse()
                    .map_err(|e| format!("bad sender address {}: {e}", config.from))?;
                Ok(Mailer::Smtp(Box::new(transport), from))
            }
        }
    }

    async fn deliver(&self, m: &OutboxRecord) -> Result<&'static str, String> {
        match self {
            Mailer::Log => {
                tracing::info!(to = %m.recipient, subject = %m.subject, id = m.id,
                    "email not sent (no mail server configured); the invitation link is in the answer to whoever invited");
                Ok("log")
            }
            Mailer::Smtp(transport, from) => {
                let to: Mailbox = m.recipient.parse().map_err(|e| format!("bad recipient: {e}"))?;
                let message = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(m.subject.clone())
                    .body(m.body.clone())
                    .map_err(|e| format!("cannot build the message: {e}"))?;
                transport.send(message).await.map_err(|e| e.to_string())?;
                Ok("smtp")
            }
        }
    }
}

/// One pass over the outbox: delivers every due message. Answers how many
/// were delivered.
async fn deliver_due(store: &Store, mailer: &Mailer) -> Result<usize, Error> {
    let now = portico_app::now();
    // An idle pass only reads: a write would wake every process's live
    // event streams for nothing.
    if !store.read(move |tx| tx.outbox_due(now).map_err(Error::from)).await? {
        return Ok(0);
    }
    let due = store
        .write(move |tx| tx.claim_outbox(now, now + LEASE_MS, 20).map_err(Error::from))
        .await?;
    let mut sent = 0;
    for m in due {
        let outcome = mailer.deliver(&m).await;
        let at = portico_app::now();
        let id = m.id;
        match outcome {
            Ok(via) => {
                store
                    .write(move |tx| tx.outbox_sent(id, via, at).map_err(Error::from))
                    .await?;
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(id, attempts = m.attempts + 1, error = %e, "email delivery failed; will retry");
                let next = at + backoff_ms(m.attempts);
                store
                    .write(move |tx| tx.outbox_failed(id, &e, next).map_err(Error::from))
                    .await?;
            }
        }
    }
    Ok(sent)
}

/// Starts the sender in the background.
pub fn spawn_outbox_sender(store: Store, config: MailConfig) -> Result<tokio::task::JoinHandle<()>, String> {
    let mailer = Mailer::new(&config)?;
    Ok(tokio::spawn(async move {
        loop {
            if let Err(e) = deliver_due(&store, &mailer).await {
                tracing::error!(error = %e, "outbox pass failed");
            }
            tokio::time::sleep(config.poll_interval).await;
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_30_seconds_to_an_hour() {
        assert_eq!(backoff_ms(0), 30_000);
        assert_eq!(backoff_ms(1), 60_000);
        assert_eq!(backoff_ms(3), 240_000);
        assert_eq!(backoff_ms(50), 3_600_000);
    }
}
