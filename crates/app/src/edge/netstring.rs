//! Netstrings (`<length>:<bytes>,`), the framing of Kamailio's evapi socket in its default
//! mode. Written here: a dozen lines, no crate does only this.

/// The largest message accepted from the edge; a longer one closes the connection.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// Appends `payload` framed as a netstring to `out`.
pub fn encode(payload: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b':');
    out.extend_from_slice(payload);
    out.push(b',');
}

/// Takes the first whole netstring off the front of `buf`: `Ok(None)` until one has arrived.
pub fn decode(buf: &mut Vec<u8>) -> Result<Option<Vec<u8>>, String> {
    let Some(colon) = buf.iter().position(|&b| b == b':') else {
        if buf.len() > 20 || !buf.iter().all(u8::is_ascii_digit) {
            return Err("no netstring length".into());
        }
        return Ok(None);
    };
    let digits = &buf[..colon];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err("no netstring length".into());
    }
    let len: usize = std::str::from_utf8(digits)
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&n| n <= MAX_MESSAGE_BYTES)
        .ok_or_else(|| format!("netstring longer than {MAX_MESSAGE_BYTES} bytes"))?;
    let end = colon + 1 + len;
    if buf.len() <= end {
        return Ok(None);
    }
    if buf[end] != b',' {
        return Err("netstring not terminated by a comma".into());
    }
    let payload = buf[colon + 1..end].to_vec();
    buf.drain(..=end);
    Ok(Some(payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_arrive_in_pieces() {
        let mut wire = Vec::new();
        encode(br#"{"a":1}"#, &mut wire);
        encode(b"", &mut wire);
        assert_eq!(wire, b"7:{\"a\":1},0:,");
        let mut buf = wire[..5].to_vec();
        assert_eq!(decode(&mut buf), Ok(None));
        buf.extend_from_slice(&wire[5..]);
        assert_eq!(decode(&mut buf), Ok(Some(br#"{"a":1}"#.to_vec())));
        assert_eq!(decode(&mut buf), Ok(Some(Vec::new())));
        assert!(buf.is_empty());
    }

    #[test]
    fn malformed_and_oversized_frames_are_errors() {
        assert!(decode(&mut b"x:abc,".to_vec()).is_err());
        assert!(decode(&mut b"3:abcX".to_vec()).is_err());
        assert!(decode(&mut format!("{}:", MAX_MESSAGE_BYTES + 1).into_bytes()).is_err());
        assert!(decode(&mut b"123456789012345678901".to_vec()).is_err());
    }
}
