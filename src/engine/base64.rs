//! Standard base64, as EC2 takes user data.

/// Standard base64 with padding; None if `text` is not base64 of UTF-8 text.
pub fn decode(text: &str) -> Option<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let clean: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if clean.is_empty() || clean.len() % 4 != 0 {
        return None;
    }
    // Padding is one or two `=` at the very end: `====`, `A===` or `=` inside are not base64
    // (and a pad count of 3 or 4 would leave nothing to decode).
    let padding = clean.iter().rev().take_while(|&&b| b == b'=').count();
    if padding > 2 || clean[..clean.len() - padding].contains(&b'=') {
        return None;
    }
    let mut out = Vec::with_capacity(clean.len() / 4 * 3);
    for chunk in clean.chunks(4) {
        let mut n: u32 = 0;
        let mut pad = 0;
        for &c in chunk {
            n <<= 6;
            if c == b'=' {
                pad += 1;
            } else {
                n |= ALPHABET.iter().position(|&a| a == c)? as u32;
            }
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    String::from_utf8(out).ok()
}

/// Standard base64 with padding, as EC2 takes a launch template's user data.
pub fn encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (k, &b)| n | u32::from(b) << (16 - 8 * k));
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn encoding_then_decoding_gives_the_text_back() {
        for text in [
            "",
            "a",
            "ab",
            "abc",
            "#!/bin/bash\necho ECS_CLUSTER=demo >> /etc/ecs/ecs.config",
        ] {
            let encoded = super::encode(text.as_bytes());
            assert_eq!(encoded.len() % 4, 0);
            if !text.is_empty() {
                assert_eq!(super::decode(&encoded).as_deref(), Some(text));
            }
        }
        assert_eq!(super::encode(b"ab"), "YWI=");
        assert_eq!(super::encode(b"abc"), "YWJj");
    }
}
