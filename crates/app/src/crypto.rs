//! Secrets: random tokens, and the hashes they are stored as. Tokens carry
//! 256 bits of entropy, so a plain SHA-256 is a safe way to store them.

use sha2::{Digest, Sha256};

use crate::Result;
use portico_domain::Error;

/// `bytes` random bytes from the operating system, as lowercase hex.
pub fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| {
        tracing::error!(error = %e, "no randomness");
        Error::internal()
    })?;
    Ok(hex::encode(buf))
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let a = random_hex(32).unwrap();
        let b = random_hex(32).unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_ne!(token_hash(&a), a);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}

/// Encrypts a secret with the server key (ChaCha20-Poly1305, a random
/// 96-bit nonce per message): hex of nonce ‖ ciphertext ‖ tag. `label`
/// binds the message to its use (a client secret cannot be opened as a
/// PKCE verifier).
pub fn seal(key: &[u8; 32], label: &str, secret: &str) -> Result<String> {
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    let cipher = chacha20poly1305::ChaCha20Poly1305::new(key.into());
    let mut nonce = [0u8; 12];
    getrandom::fill(&mut nonce).map_err(|e| {
        tracing::error!(error = %e, "no randomness");
        Error::internal()
    })?;
    let sealed = cipher
        .encrypt(
            (&nonce).into(),
            Payload {
                msg: secret.as_bytes(),
                aad: label.as_bytes(),
            },
        )
        .map_err(|_| Error::internal())?;
    let mut out = nonce.to_vec();
    out.extend(sealed);
    Ok(hex::encode(out))
}

/// Opens what [`seal`] made with the same key and label; `None` when the
/// key or label differ or the text was altered.
pub fn open(key: &[u8; 32], label: &str, sealed: &str) -> Option<String> {
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    let bytes = hex::decode(sealed).ok()?;
    if bytes.len() < 12 + 16 {
        return None;
    }
    let (nonce, body) = bytes.split_at(12);
    let cipher = chacha20poly1305::ChaCha20Poly1305::new(key.into());
    let plain = cipher
        .decrypt(
            nonce.into(),
            Payload {
                msg: body,
                aad: label.as_bytes(),
            },
        )
        .ok()?;
    String::from_utf8(plain).ok()
}

#[cfg(test)]
mod seal_tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_label() {
        let key = [7u8; 32];
        let sealed = seal(&key, "client-secret", "s3cret").unwrap();
        assert!(!sealed.contains("s3cret"));
        assert_ne!(
            sealed,
            seal(&key, "client-secret", "s3cret").unwrap(),
            "a fresh nonce each time"
        );
        assert_eq!(open(&key, "client-secret", &sealed).as_deref(), Some("s3cret"));
        assert_eq!(open(&[8u8; 32], "client-secret", &sealed), None);
        assert_eq!(open(&key, "pkce", &sealed), None);
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 1;
        altered[last] = if altered[last] == b'0' { b'1' } else { b'0' };
        assert_eq!(open(&key, "client-secret", &String::from_utf8(altered).unwrap()), None);
        assert_eq!(open(&key, "client-secret", "zz"), None);
    }
}

/// HMAC-SHA256 of `message` under `key`, in hex: the webhook signature.
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    use sha2::Digest;
    portico_domain::integration::hmac_sha256_hex(key, message, |data| sha2::Sha256::digest(data).into())
}

#[cfg(test)]
mod hmac_tests {
    #[test]
    fn hmac_matches_rfc_4231() {
        assert_eq!(
            super::hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block.
        assert_eq!(
            super::hmac_sha256_hex(&[0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }
}
