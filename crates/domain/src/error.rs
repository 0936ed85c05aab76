//! The one error type of Portico's rules.
//!
//! Every refusal carries a stable snake_case `code` that clients can match on
//! and a sentence a person understands. The `kind` says what sort of refusal
//! it is; only the HTTP edge turns a kind into a status code.

use std::fmt;

/// What sort of refusal an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input is malformed or breaks a rule about its shape.
    Invalid,
    /// The caller is not signed in, or its credentials are wrong.
    Unauthenticated,
    /// The caller may see the object but not do the action.
    Forbidden,
    /// The object does not exist, or the caller may not see it.
    NotFound,
    /// The action clashes with the current state (duplicate, stale revision…).
    Conflict,
    /// The input is larger than allowed.
    TooLarge,
    /// Too many attempts in a short time.
    RateLimited,
    /// The server's storage is full: nothing was written (507).
    StorageFull,
    /// Something broke on our side; details are logged, never shown.
    Internal,
}

/// A refusal with a stable code and a human sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub message: String,
}

impl Error {
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            code,
            message: message.into(),
        }
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, code, message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, code, message)
    }

    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, code, message)
    }

    /// The single answer for "does not exist" and "you may not see it" (R-ISO-3):
    /// same code and sentence whatever the reason, so nothing leaks.
    pub fn not_found(what: &'static str) -> Self {
        Self::new(ErrorKind::NotFound, "not_found", format!("The {what} was not found."))
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            ErrorKind::Unauthenticated,
            "unauthenticated",
            "Sign in, or send a valid API key in the x-api-key header.",
        )
    }

    pub fn internal() -> Self {
        Self::new(
            ErrorKind::Internal,
            "internal_error",
            "Something went wrong on the server. It has been logged.",
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}
