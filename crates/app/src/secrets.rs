//! Secrets: API tokens (random, stored as SHA-256), passwords (argon2id), TOTP (RFC 6238).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Prefix of every token, so leaked tokens are easy to recognise in logs and scanners.
pub const TOKEN_PREFIX: &str = "tg_";
/// Random bytes in a token (256 bits).
pub const TOKEN_BYTES: usize = 32;
/// TOTP time step (RFC 6238 default).
pub const TOTP_STEP_S: i64 = 30;
/// TOTP steps accepted either side of now, for clock drift.
pub const TOTP_SKEW_STEPS: i64 = 1;
/// Bytes of a TOTP secret (160 bits, RFC 4226 recommendation).
pub const TOTP_SECRET_BYTES: usize = 20;
/// Shortest password accepted (A3 strong passwords).
pub const MIN_PASSWORD_CHARS: usize = 12;

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::getrandom(&mut b).expect("OS random source");
    b
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new API or session token. Shown once; only its hash is stored.
pub fn new_token() -> String {
    format!("{TOKEN_PREFIX}{}", hex(&random_bytes::<TOKEN_BYTES>()))
}

/// The stored form of a token. Tokens carry 256 random bits, so a fast hash is safe here;
/// passwords, which are guessable, use argon2id.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub fn hash_password(password: &str) -> Result<String, String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!(
            "must be at least {MIN_PASSWORD_CHARS} characters (A3)"
        ));
    }
    let salt = SaltString::encode_b64(&random_bytes::<16>()).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

pub fn base32_encode(data: &[u8]) -> String {
    let mut out = String::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in data {
        buf = (buf << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(B32[((buf >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(B32[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| *c != b'=' && *c != b' ') {
        let v = B32.iter().position(|x| *x == c.to_ascii_uppercase())? as u32;
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            out.push((buf >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    Some(out)
}

/// A new TOTP secret, base32.
pub fn new_totp_secret() -> String {
    base32_encode(&random_bytes::<TOTP_SECRET_BYTES>())
}

/// The 6-digit TOTP code for a secret at a time step (RFC 6238, HMAC-SHA1).
pub fn totp_code(secret: &[u8], step: i64) -> u32 {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let off = (h[19] & 0x0f) as usize;
    let bin = (u32::from(h[off]) & 0x7f) << 24
        | u32::from(h[off + 1]) << 16
        | u32::from(h[off + 2]) << 8
        | u32::from(h[off + 3]);
    bin % 1_000_000
}

/// Whether `code` is valid for `secret_b32` at `now` (± [`TOTP_SKEW_STEPS`]).
pub fn totp_verify(secret_b32: &str, code: &str, now: i64) -> bool {
    let Some(secret) = base32_decode(secret_b32) else {
        return false;
    };
    let Ok(code) = code.trim().parse::<u32>() else {
        return false;
    };
    let step = now.div_euclid(TOTP_STEP_S);
    (-TOTP_SKEW_STEPS..=TOTP_SKEW_STEPS).any(|d| totp_code(&secret, step + d) == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_test_vectors() {
        // RFC 6238 appendix B, SHA-1, 8 digits truncated to our 6.
        let secret = b"12345678901234567890";
        assert_eq!(totp_code(secret, 59 / 30), 287_082);
        assert_eq!(totp_code(secret, 1_111_111_109 / 30), 81_804);
        assert_eq!(totp_code(secret, 1_234_567_890 / 30), 5_924);
    }

    #[test]
    fn base32_round_trip_and_verify() {
        let s = new_totp_secret();
        let raw = base32_decode(&s).unwrap();
        assert_eq!(raw.len(), TOTP_SECRET_BYTES);
        assert_eq!(base32_encode(&raw), s);
        let code = format!("{:06}", totp_code(&raw, 1_000));
        assert!(totp_verify(&s, &code, 1_000 * 30 + 5));
        assert!(totp_verify(&s, &code, 1_001 * 30 + 5)); // one step of skew
        assert!(!totp_verify(&s, &code, 1_003 * 30));
    }

    #[test]
    fn a3_passwords_hash_and_verify() {
        assert!(hash_password("short").is_err());
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX));
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
