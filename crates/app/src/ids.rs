//! Identifiers: `<prefix>_<12 hex digits of milliseconds><10 hex random>`, so that ids sort
//! by creation time (keyset pagination) and never collide in practice.

/// A new id with the given prefix (`cus`, `ptn`, `usr`, ...).
pub fn new_id(prefix: &str) -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let mut r = [0u8; 5];
    getrandom::getrandom(&mut r).expect("OS random source");
    let mut s = format!("{prefix}_{ms:012x}");
    for b in r {
        s.push_str(&format!("{b:02x}"));
    }
    s
}
