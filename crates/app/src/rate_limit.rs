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

    pub fn clear(&self, key: &str) {
        self.hits.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
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
}
