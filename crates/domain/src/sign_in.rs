//! Team sign-in with OpenID Connect: which settings a team admin may give,
//! and who must use the team's provider. No IO: discovery, the code
//! exchange and token checks happen in the server.

use crate::Error;
use crate::integration::Target;

/// Longest issuer URL or client id accepted.
const MAX_LEN: usize = 500;

/// A team's OpenID Connect provider as a team admin gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSettings {
    /// The issuer URL exactly as the provider names itself (its discovery
    /// document lives at `{issuer}/.well-known/openid-configuration`).
    pub issuer: String,
    pub client_id: String,
    /// Members may not sign in with a password (operators keep theirs).
    pub enforce: bool,
}

impl ProviderSettings {
    /// Checks what a team admin typed. The issuer must be `https://`, or
    /// `http://` on this machine's loopback (a provider under test).
    pub fn parse(issuer: &str, client_id: &str, enforce: bool) -> Result<Self, Error> {
        let issuer = issuer.trim();
        if issuer.is_empty() || issuer.len() > MAX_LEN {
            return Err(Error::invalid(
                "invalid_issuer",
                "Give the provider's issuer URL (at most 500 characters).",
            ));
        }
        let target = Target::parse(issuer).map_err(|_| {
            Error::invalid(
                "invalid_issuer",
                "The issuer must be an https:// URL with a host and no user name or password.",
            )
        })?;
        if issuer.contains(['?', '#']) {
            return Err(Error::invalid(
                "invalid_issuer",
                "The issuer URL may not have a query or a fragment.",
            ));
        }
        let loopback = target.ip().is_some_and(|ip| ip.is_loopback()) || target.is_local_name();
        if !target.https && !loopback {
            return Err(Error::invalid(
                "invalid_issuer",
                "The issuer must use https:// (http:// is accepted only on this machine's loopback).",
            ));
        }
        let client_id = client_id.trim();
        if client_id.is_empty()
            || client_id.len() > MAX_LEN
            || client_id.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(Error::invalid(
                "invalid_client_id",
                "Give the client id the provider issued (no spaces, at most 500 characters).",
            ));
        }
        Ok(Self {
            issuer: issuer.to_owned(),
            client_id: client_id.to_owned(),
            enforce,
        })
    }
}

/// Checks a client secret as given (kept encrypted at rest by the caller).
pub fn parse_client_secret(secret: &str) -> Result<&str, Error> {
    if secret.is_empty() || secret.len() > 2_000 || secret.chars().any(char::is_control) {
        return Err(Error::invalid(
            "invalid_client_secret",
            "Give the client secret the provider issued (at most 2,000 characters).",
        ));
    }
    Ok(secret)
}

/// Whether a password sign-in must be refused: the account belongs to a
/// team that enforces its provider, and is not an operator (who keep a
/// password to get in when a provider fails). Partner roles in another
/// team's workspaces never count: a partner signs in the way their own team
/// does.
pub fn password_refused(is_operator: bool, member_of_enforcing_team: bool) -> bool {
    member_of_enforcing_team && !is_operator
}

/// The display name for an account made at first sign-in: the provider's
/// name when it gives a usable one, else the email's local part.
pub fn provisioned_name(claimed: Option<&str>, email: &str) -> String {
    let claimed = claimed
        .map(str::trim)
        .filter(|n| !n.is_empty() && n.chars().count() <= 100);
    match claimed {
        Some(n) => n.chars().filter(|c| !c.is_control()).collect(),
        None => email.split('@').next().unwrap_or(email).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuers_must_be_https_except_on_loopback() {
        assert!(ProviderSettings::parse("https://login.acme.example", "portico", true).is_ok());
        assert!(ProviderSettings::parse("https://login.acme.example/realms/x", "portico", false).is_ok());
        assert!(ProviderSettings::parse("http://127.0.0.1:9000", "portico", false).is_ok());
        assert!(ProviderSettings::parse("http://localhost:9000", "portico", false).is_ok());
        for bad in [
            "http://login.acme.example",
            "ftp://login.acme.example",
            "https://user:pw@login.acme.example",
            "https://login.acme.example/?x=1",
            "https://login.acme.example/#x",
            "",
            "login.acme.example",
        ] {
            let e = ProviderSettings::parse(bad, "portico", false).err();
            assert_eq!(e.map(|e| e.code), Some("invalid_issuer"), "{bad}");
        }
    }

    #[test]
    fn client_ids_and_secrets_are_checked() {
        for bad in ["", " ", "a b", "a\nb"] {
            assert!(
                ProviderSettings::parse("https://idp.example", bad, false).is_err(),
                "{bad:?}"
            );
        }
        assert!(parse_client_secret("s3cret").is_ok());
        assert!(parse_client_secret("").is_err());
        assert!(parse_client_secret("a\u{0}b").is_err());
    }

    #[test]
    fn operators_keep_their_password() {
        assert!(password_refused(false, true));
        assert!(!password_refused(true, true));
        assert!(!password_refused(false, false));
    }

    #[test]
    fn provisioned_names_fall_back_to_the_email() {
        assert_eq!(
            provisioned_name(Some(" Ada Lovelace "), "ada@acme.example"),
            "Ada Lovelace"
        );
        assert_eq!(provisioned_name(Some(""), "ada@acme.example"), "ada");
        assert_eq!(provisioned_name(None, "ada@acme.example"), "ada");
    }
}
