//! A fixed-window counter of failures per key (an account, an address),
//! kept in this process's memory.

use std::collections::HashMap;
use std::sync::Mutex;

use portico_store::Millis;

pub struct RateLimiter {
    limit: u32,
    window_ms: i64,
    hits: Mutex<HashMap<String, (Millis, u32)>>,
}

impl RateLimiter {
    pub fn new(limit: u32, window_ms: i64) -> Self {
        Self {
            limit,
            window_ms,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Milliseconds until `key` may try again, if it is over its limit.
    pub fn blocked_for(&self, key: &str, now: Millis) -> Option<i64> {
        let hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        let (start, n) = hits.get(key)?;
        let ends = start + self.window_ms;
        (now < ends && *n >= self.limit).then_some(ends - now)
    }

    /// Counts one failure of `key`.
    pub fn record(&self, key: &str, now: Millis) {
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        if hits.len() > 100_000 {
            hits.retain(|_, (start, _)| now < *start + self.window_ms);
        }
        let entry = hits.entry(key.to_string()).or_insert((now, 0));
        if now >= entry.0 + self.window_ms {
            *entry = (now, 0);
        }
        entry.1 += 1;
    }

    /// Takes `n` from `key`'s allowance for this window, or answers the
    /// milliseconds until the window ends when fewer than `n` are left
    /// (taking nothing).
    pub fn try_take(&self, key: &str, n: u32, now: Millis) -> Result<(), i64> {
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        if hits.len() > 100_000 {
            hits.retain(|_, (start, _)| now < *start + self.window_ms);
        }
        let entry = hits.entry(key.to_string()).or_insert((now, 0));
        if now >= entry.0 + self.window_ms {
            *entry = (now, 0);
        }
        if entry.1.saturating_add(n) > self.limit {
            return Err(entry.0 + self.window_ms - now);
        }
        entry.1 += n;
        Ok(())
    }

    pub fn clear(&self, key: &str) {
        self.hits.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
    }
}

/// What an account may do so many times an hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quota {
    /// Invitation emails, counted per address.
    Invites,
    Forks,
    Exports,
    /// Collection runs inside the app.
    Runs,
}

const HOUR_MS: i64 = 3_600_000;

/// The hourly allowances of every account, per [`Quota`], in this
/// process's memory (each process of a scaled-out server counts its own).
pub struct Quotas {
    invites: RateLimiter,
    forks: RateLimiter,
    exports: RateLimiter,
    runs: RateLimiter,
    /// Sign-ups by client address, and by email (`verify-email`).
    signups_by_address: RateLimiter,
    signups_by_email: RateLimiter,
}

impl Quotas {
    pub fn new(config: &crate::config::AppConfig) -> Self {
        Self {
            invites: RateLimiter::new(config.invites_per_hour, HOUR_MS),
            forks: RateLimiter::new(config.forks_per_hour, HOUR_MS),
            exports: RateLimiter::new(config.exports_per_hour, HOUR_MS),
            runs: RateLimiter::new(config.runs_per_hour, HOUR_MS),
            signups_by_address: RateLimiter::new(config.signups_per_hour, HOUR_MS),
            signups_by_email: RateLimiter::new(config.signups_per_email_per_hour, HOUR_MS),
        }
    }

    /// Takes `n` of `user`'s hourly `quota`, or refuses with `429`.
    pub fn take(&self, quota: Quota, user: portico_domain::ids::UserId, n: u32, now: Millis) -> crate::Result<()> {
        let (limiter, what) = match quota {
            Quota::Invites => (&self.invites, "invitation emails"),
            Quota::Forks => (&self.forks, "forks"),
            Quota::Exports => (&self.exports, "exports"),
            Quota::Runs => (&self.runs, "collection runs"),
        };
        limiter.try_take(&user.to_string(), n, now).map_err(|ms| {
            // The first number of the sentence is the wait (Retry-After).
            portico_domain::Error::new(
                portico_domain::ErrorKind::RateLimited,
                "rate_limited",
                format!(
                    "Try again in {} seconds: this account has reached its hourly limit of {what} ({}).",
                    (ms + 999) / 1000,
                    limiter.limit
                ),
            )
        })
    }
}

impl Quotas {
    /// Takes one sign-up from the client address's hourly allowance, then
    /// one from the email's, or refuses with `429`. Every sign-up counts,
    /// for a new email or a taken one alike, so the limit tells nothing
    /// about accounts.
    pub fn take_signup(&self, client: &str, email: &str, now: Millis) -> crate::Result<()> {
        let refuse = |ms: i64, what: &str| {
            // The first number of the sentence is the wait (Retry-After).
            portico_domain::Error::new(
                portico_domain::ErrorKind::RateLimited,
                "too_many_attempts",
                format!("Too many sign-ups {what}. Try again in {} seconds.", (ms + 999) / 1000),
            )
        };
        self.signups_by_address
            .try_take(client, 1, now)
            .map_err(|ms| refuse(ms, "from this address"))?;
        self.signups_by_email
            .try_take(email, 1, now)
            .map_err(|ms| refuse(ms, "for this email"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_blocked_after_its_limit_until_the_window_ends() {
        let rl = RateLimiter::new(3, 1_000);
        for t in 0..3 {
            assert_eq!(rl.blocked_for("a", t), None);
            rl.record("a", t);
        }
        assert_eq!(rl.blocked_for("a", 10), Some(990));
        assert_eq!(rl.blocked_for("b", 10), None);
        assert_eq!(rl.blocked_for("a", 1_000), None);
        rl.record("a", 1_000);
        assert_eq!(rl.blocked_for("a", 1_001), None);
    }

    #[test]
    fn an_allowance_is_taken_whole_or_not_at_all() {
        let rl = RateLimiter::new(10, 1_000);
        assert_eq!(rl.try_take("a", 7, 0), Ok(()));
        assert_eq!(rl.try_take("a", 4, 100), Err(900));
        assert_eq!(rl.try_take("a", 3, 100), Ok(()));
        assert_eq!(rl.try_take("a", 1, 200), Err(800));
        assert_eq!(rl.try_take("b", 10, 200), Ok(()));
        assert_eq!(rl.try_take("a", 10, 1_000), Ok(()));
    }
}
