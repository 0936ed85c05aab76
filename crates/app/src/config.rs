//! Settings the use cases need, filled by the server's configuration.

use std::collections::HashMap;

use portico_domain::plan::{Plan, PlanLimits};

/// How people make their own accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignupMode {
    /// Sign-up makes the account at once and signs in (SPEC §4); an email
    /// that has an account answers `409 email_taken`.
    #[default]
    Open,
    /// Sign-up answers the same for every email and sends a link; opening
    /// it makes the account. Nobody learns whether an email has an account
    /// (R-SEC-1). The first account of an empty server is still made at once.
    VerifyEmail,
}

impl SignupMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SignupMode::Open => "open",
            SignupMode::VerifyEmail => "verify-email",
        }
    }
}

impl std::str::FromStr for SignupMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "open" => Ok(SignupMode::Open),
            "verify-email" => Ok(SignupMode::VerifyEmail),
            other => Err(format!("signup must be \"open\" or \"verify-email\", not '{other}'")),
        }
    }
}

#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Base URL people reach this server at; invitation links start with it.
    pub public_url: String,
    /// Plan given to new teams.
    pub default_plan: Plan,
    /// Per-plan limits (R-PLAN-1).
    pub plan_limits: HashMap<Plan, PlanLimits>,
    pub session_ttl_ms: i64,
    pub invitation_ttl_ms: i64,
    /// Failed logins allowed per account and per client address in a window.
    pub login_attempts_per_window: u32,
    pub login_window_ms: i64,
    /// Let webhooks reach loopback, private and link-local addresses
    /// (R-ISO-7); off by default.
    pub allow_private_webhook_targets: bool,
    /// Reverse proxies whose `X-Forwarded-For` is believed: behind them the
    /// client's address (for the failed sign-in limit) is the nearest one
    /// they forwarded, not the proxy's own.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Per account and hour: invitation emails (partner and team invites),
    /// forks, and collection or environment exports. Past it, `429` with
    /// `Retry-After` (OWASP API4/API6).
    pub invites_per_hour: u32,
    pub forks_per_hour: u32,
    pub exports_per_hour: u32,
    /// Collection runs inside the app, per account and hour.
    pub runs_per_hour: u32,
    /// Collection runs going on at once in one process; past it, `429`.
    pub runs_at_once: usize,
    /// Let collection runs inside the app reach loopback, private and
    /// link-local addresses (issue 11); off by default.
    pub allow_private_run_targets: bool,
    /// The key that seals secrets kept for later use (teams' OpenID Connect
    /// client secrets, PKCE verifiers). Every process of one deployment
    /// needs the same key. `None`: team sign-in cannot be configured.
    pub server_key: Option<[u8; 32]>,
    /// Let teams' OpenID Connect providers live on loopback, private and
    /// link-local addresses; off by default.
    pub allow_private_identity_providers: bool,
    /// How people make their own accounts.
    pub signup: SignupMode,
    /// How long an emailed sign-up link works (`verify-email`).
    pub signup_link_ttl_ms: i64,
    /// Sign-ups per client address and per hour (`verify-email`: every
    /// one sends an email, to a new or a taken address alike).
    pub signups_per_hour: u32,
    /// Sign-ups of one email per hour (`verify-email`).
    pub signups_per_email_per_hour: u32,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:8080".into(),
            default_plan: Plan::Free,
            plan_limits: Plan::ALL.into_iter().map(|p| (p, PlanLimits::default_for(p))).collect(),
            session_ttl_ms: 14 * 24 * 3600 * 1000,
            invitation_ttl_ms: 7 * 24 * 3600 * 1000,
            login_attempts_per_window: 10,
            login_window_ms: 15 * 60 * 1000,
            allow_private_webhook_targets: false,
            trusted_proxies: Vec::new(),
            invites_per_hour: 1_000,
            forks_per_hour: 200,
            exports_per_hour: 1_000,
            runs_per_hour: 100,
            runs_at_once: 4,
            allow_private_run_targets: false,
            server_key: None,
            allow_private_identity_providers: false,
            signup: SignupMode::Open,
            signup_link_ttl_ms: 24 * 3600 * 1000,
            signups_per_hour: 20,
            signups_per_email_per_hour: 3,
        }
    }
}

impl AppConfig {
    pub fn limits(&self, plan: Plan) -> PlanLimits {
        self.plan_limits
            .get(&plan)
            .copied()
            .unwrap_or_else(|| PlanLimits::default_for(plan))
    }

    /// Where a team's provider sends people back after they sign in.
    pub fn sign_in_callback(&self) -> String {
        format!("{}/sso/callback", self.public_url.trim_end_matches('/'))
    }

    /// The link of a sign-up email (`verify-email`); `next` is the local
    /// page to go to once signed in (an invitation, for instance).
    pub fn signup_link(&self, token: &str, next: Option<&str>) -> String {
        let base = format!("{}/signup/verify/{token}", self.public_url.trim_end_matches('/'));
        match next {
            Some(next) => format!("{base}?next={}", query_encode(next)),
            None => base,
        }
    }

    /// The link an invitee opens.
    pub fn invitation_link(&self, token: &str) -> String {
        format!("{}/invitations/{token}", self.public_url.trim_end_matches('/'))
    }
}

/// Percent-encodes everything but unreserved characters and `/`.
fn query_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signup_link_carries_its_next_page_encoded() {
        let c = AppConfig {
            public_url: "https://portico.example/".into(),
            ..AppConfig::default()
        };
        assert_eq!(c.signup_link("abc", None), "https://portico.example/signup/verify/abc");
        assert_eq!(
            c.signup_link("abc", Some("/invitations/x y?a=1&b")),
            "https://portico.example/signup/verify/abc?next=/invitations/x%20y%3Fa%3D1%26b"
        );
        assert_eq!("verify-email".parse(), Ok(SignupMode::VerifyEmail));
        assert_eq!("open".parse(), Ok(SignupMode::Open));
        assert!("closed".parse::<SignupMode>().is_err());
    }
}
