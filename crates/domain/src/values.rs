//! Validated values parsed from untrusted input ("parse, don't validate"):
//! once a value of these types exists, it is known to be well formed.

use std::fmt;

use crate::Error;

fn check_len(value: &str, field: &'static str, code: &'static str, min: usize, max: usize) -> Result<(), Error> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(Error::invalid(
            code,
            format!("The {field} must be between {min} and {max} characters long."),
        ));
    }
    Ok(())
}

/// The domain of removed accounts' addresses (`.invalid` is reserved by
/// RFC 2606 and never resolves).
const REMOVED_DOMAIN: &str = "removed.invalid";

/// An email address, trimmed and lowercased so that lookups are case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, Error> {
        let s = input.trim().to_lowercase();
        let bad = || Error::invalid("invalid_email", format!("'{}' is not an email address.", input.trim()));
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(bad)?;
        if local.is_empty() || local.len() > 64 || local.contains('@') || Domain::parse(domain).is_err() {
            return Err(bad());
        }
        if domain == REMOVED_DOMAIN {
            // Held by removed accounts only: nobody signs up, signs in or
            // is invited with it.
            return Err(bad());
        }
        Ok(Self(s))
    }

    /// The address a removed account keeps in place of its own: unique,
    /// and refused by [`Email::parse`], so it can never be typed and the
    /// old address is free again.
    pub fn removed(id: &str) -> Self {
        Self(format!("{}@{REMOVED_DOMAIN}", id.to_lowercase()))
    }

    /// An address read back from storage: what [`Email::parse`] accepts,
    /// or a removed account's.
    pub fn from_storage(stored: &str) -> Result<Self, Error> {
        match stored.rsplit_once('@') {
            Some((local, REMOVED_DOMAIN)) if !local.is_empty() => Ok(Self(stored.to_string())),
            _ => Self::parse(stored),
        }
    }

    /// Whether this is a removed account's address.
    pub fn is_removed(&self) -> bool {
        self.0.ends_with(&format!("@{REMOVED_DOMAIN}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the `@`, used for captured domains (R-INV-2).
    pub fn domain(&self) -> Domain {
        let d = self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
        Domain(d.to_string())
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An email domain such as `example.com`, lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Domain(String);

impl Domain {
    pub fn parse(input: &str) -> Result<Self, Error> {
        let s = input.trim().trim_end_matches('.').to_lowercase();
        let bad = || Error::invalid("invalid_domain", format!("'{}' is not a domain name.", input.trim()));
        if s.is_empty() || s.len() > 253 || !s.contains('.') {
            return Err(bad());
        }
        for label in s.split('.') {
            let ok = !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !ok {
                return Err(bad());
            }
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(input: &str) -> Result<Self, Error> {
        let s = input.trim();
        check_len(s, "name", "invalid_name", 1, 100)?;
        if s.chars().any(char::is_control) {
            return Err(Error::invalid(
                "invalid_name",
                "The name may not contain control characters.",
            ));
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The name of a team, or of an API key: short free text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label(String);

impl Label {
    pub fn parse(input: &str, field: &'static str) -> Result<Self, Error> {
        let s = input.trim();
        check_len(s, field, "invalid_name", 1, 100)?;
        if s.chars().any(char::is_control) {
            return Err(Error::invalid(
                "invalid_name",
                format!("The {field} may not contain control characters."),
            ));
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password, checked against the length rules (OWASP ASVS: 8 to 128
/// characters, no composition rules).
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(input: &str) -> Result<Self, Error> {
        let n = input.chars().count();
        if n < 8 {
            return Err(Error::invalid(
                "weak_password",
                "Use a password of at least 8 characters.",
            ));
        }
        if n > 128 {
            return Err(Error::invalid(
                "invalid_password",
                "Use a password of at most 128 characters.",
            ));
        }
        Ok(Self(input.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_case_insensitive() {
        let a = Email::parse("  Ada@Example.COM ").unwrap();
        assert_eq!(a.as_str(), "ada@example.com");
        assert_eq!(a.domain().as_str(), "example.com");
    }

    /// A removed account's address cannot be typed (sign-up, sign-in,
    /// invitations all parse), but reads back from storage.
    #[test]
    fn a_removed_accounts_address_cannot_be_typed() {
        let removed = Email::removed("0b6c6bd2-6f5e-4b57-a7d2-1f3a3c1d2e4f");
        assert!(removed.is_removed());
        for typed in [removed.as_str(), "ada@removed.invalid", "ADA@Removed.Invalid "] {
            assert_eq!(Email::parse(typed).map_err(|e| e.code), Err("invalid_email"), "{typed}");
        }
        assert_eq!(Email::from_storage(removed.as_str()).unwrap(), removed);
        assert_eq!(
            Email::from_storage("ada@example.com").unwrap().as_str(),
            "ada@example.com"
        );
        assert!(Email::from_storage("not an email").is_err());
        assert!(!Email::parse("ada@example.com").unwrap().is_removed());
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "ada@localhost",
            "a da@example.com",
            "ada@exa_mple.com",
        ] {
            assert_eq!(Email::parse(bad).unwrap_err().code, "invalid_email", "{bad}");
        }
    }

    #[test]
    fn domains_are_checked_label_by_label() {
        assert_eq!(Domain::parse("Globex.example.").unwrap().as_str(), "globex.example");
        for bad in ["globex", "-a.com", "a..com", "a_b.com", "x@y.com"] {
            assert!(Domain::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_are_bounded() {
        assert!(DisplayName::parse("").is_err());
        assert!(DisplayName::parse(&"x".repeat(101)).is_err());
        assert_eq!(DisplayName::parse(" Ada ").unwrap().as_str(), "Ada");
        assert!(Label::parse("a\u{0}b", "team name").is_err());
    }

    #[test]
    fn passwords_need_eight_characters() {
        assert_eq!(NewPassword::parse("short").unwrap_err().code, "weak_password");
        assert!(NewPassword::parse("correct horse").is_ok());
        assert!(NewPassword::parse(&"p".repeat(129)).is_err());
    }
}
