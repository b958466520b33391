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

/// Bytes of a webhook endpoint's signing secret (256 bits).
pub const WEBHOOK_SECRET_BYTES: usize = 32;

/// A new webhook signing secret, `whsec_` and 64 hex digits. Shown once at creation.
pub fn new_webhook_secret() -> String {
    format!("whsec_{}", hex(&random_bytes::<WEBHOOK_SECRET_BYTES>()))
}

/// HMAC-SHA256 of `message` under `key`, as lowercase hex: the webhook signature.
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(message);
    hex(&mac.finalize().into_bytes())
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

/// The time step at which `code` is valid for `secret_b32` at `now` (± [`TOTP_SKEW_STEPS`]),
/// or `None`. Every candidate step is computed and compared without an early exit, so the
/// time taken says nothing about which digits or which step matched (A3).
pub fn totp_verify_step(secret_b32: &str, code: &str, now: i64) -> Option<i64> {
    let secret = base32_decode(secret_b32)?;
    let given = code.trim().as_bytes();
    let step = now.div_euclid(TOTP_STEP_S);
    let mut found = None;
    for d in -TOTP_SKEW_STEPS..=TOTP_SKEW_STEPS {
        let want = format!("{:06}", totp_code(&secret, step + d));
        if constant_time_eq(want.as_bytes(), given) {
            found = Some(step + d);
        }
    }
    found
}

/// Whether `code` is valid for `secret_b32` at `now` (± [`TOTP_SKEW_STEPS`]).
pub fn totp_verify(secret_b32: &str, code: &str, now: i64) -> bool {
    totp_verify_step(secret_b32, code, now).is_some()
}

/// Equality of two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A fixed argon2id hash to verify against when the e-mail is unknown, so a login for an
/// unknown address costs the same time as a wrong password for a known one.
pub fn dummy_password_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password("not a password of any user").expect("a fixed password hashes"))
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
    fn a3_totp_codes_compare_in_constant_time_and_report_their_step() {
        let s = new_totp_secret();
        let raw = base32_decode(&s).unwrap();
        let code = format!("{:06}", totp_code(&raw, 1_000));
        assert_eq!(totp_verify_step(&s, &code, 1_000 * 30 + 5), Some(1_000));
        assert_eq!(totp_verify_step(&s, &code, 1_001 * 30), Some(1_000));
        assert_eq!(totp_verify_step(&s, "12345", 1_000 * 30), None);
        assert!(constant_time_eq(b"123456", b"123456"));
        assert!(!constant_time_eq(b"123456", b"123457"));
        assert!(!constant_time_eq(b"123456", b"12345"));
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
