//! Password hashing with argon2id and OWASP's parameters (m = 19 MiB, t = 2,
//! p = 1). Hashing is slow on purpose, so it runs on a blocking thread.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::Result;
use portico_domain::Error;

/// The parameters new hashes get: memory in KiB, passes, lanes.
const M_COST: u32 = 19 * 1024;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

fn hasher() -> Result<Argon2<'static>> {
    let params = Params::new(M_COST, T_COST, P_COST, None).map_err(|e| {
        tracing::error!(error = %e, "argon2 parameters");
        Error::internal()
    })?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn hash_blocking(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| Error::internal())?;
    let salt = SaltString::encode_b64(&salt).map_err(|_| Error::internal())?;
    hasher()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing");
            Error::internal()
        })
}

/// A hash that matches no password, verified when the account does not exist
/// so that the answer takes as long as for a real account (R-SEC-1).
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$gJ7Nz7OY0Zx8mqPr6Jc7VqBvd8Fwp0sXkEaH7wqM0mE";

fn verify_blocking(password: &str, hash: Option<&str>) -> bool {
    let Ok(argon) = hasher() else { return false };
    let target = hash.unwrap_or(DUMMY_HASH);
    let Ok(parsed) = PasswordHash::new(target) else {
        return false;
    };
    let ok = argon.verify_password(password.as_bytes(), &parsed).is_ok();
    ok && hash.is_some()
}

/// Whether a stored hash is weaker than what new hashes get (another
/// algorithm, or less memory or fewer passes): it is replaced at the next
/// successful sign-in, when the password is at hand.
pub fn needs_rehash(hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return true;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return true;
    };
    parsed.algorithm.as_str() != "argon2id" || params.m_cost() < M_COST || params.t_cost() < T_COST
}

pub async fn hash(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|_| Error::internal())?
}

pub async fn verify(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || verify_blocking(&password, hash.as_deref()))
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_sec_1_weaker_hashes_are_marked_for_rehashing() {
        assert!(!needs_rehash(DUMMY_HASH));
        let weaker = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(4096, 1, 1, None).unwrap(),
        )
        .hash_password(b"pw", &SaltString::encode_b64(b"somesaltsomesalt").unwrap())
        .unwrap()
        .to_string();
        assert!(needs_rehash(&weaker), "{weaker}");
        let argon2i = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x13,
            Params::new(M_COST, T_COST, P_COST, None).unwrap(),
        )
        .hash_password(b"pw", &SaltString::encode_b64(b"somesaltsomesalt").unwrap())
        .unwrap()
        .to_string();
        assert!(needs_rehash(&argon2i), "{argon2i}");
        assert!(needs_rehash("not a hash"));
        // The weaker hash still verifies: the password is checked with the
        // hash's own parameters before it is replaced.
        assert!(verify_blocking("pw", Some(&weaker)));
    }

    #[test]
    fn r_sec_1_passwords_are_hashed_with_argon2id_owasp_parameters() {
        let h = hash_blocking("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_blocking("correct horse battery", Some(&h)));
        assert!(!verify_blocking("wrong horse", Some(&h)));
        assert!(!verify_blocking("anything", None));
        // The stand-in hash must parse, or unknown accounts would answer faster.
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }
}
