//! How a shared cache's keys and values cross processes: serde into
//! postcard (compact, and a documented wire format that stays the same
//! across processes, platforms and restarts), and a header on every value.
//!
//! The header is the format version and the entry's type identity: FNV-1a
//! (64 bits, no per-process seed) over the key and value types' names. A
//! value written by another build whose types differ, or in another format,
//! is not decoded: it is a miss, and the load that follows overwrites it.

use std::any::type_name;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The layout of the stored bytes: this header, then the postcard value.
pub(crate) const FORMAT: u8 = 1;

/// The header's length: the format byte and the 8-byte identity.
pub(crate) const HEADER: usize = 9;

/// The header of every value of a cache with keys `K` and values `V`.
pub(crate) fn header<K, V>() -> [u8; HEADER] {
    let mut hash = Fnv::new();
    hash.write(type_name::<K>().as_bytes());
    hash.write(&[0]);
    hash.write(type_name::<V>().as_bytes());
    let mut header = [0; HEADER];
    header[0] = FORMAT;
    header[1..].copy_from_slice(&hash.0.to_le_bytes());
    header
}

/// `value` as stored: `header`, then its postcard bytes; `None` when its
/// `Serialize` fails (it is then kept in memory only).
pub(crate) fn encode_value<V: Serialize>(header: &[u8; HEADER], value: &V) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(HEADER + 32);
    out.extend_from_slice(header);
    postcard::to_extend(value, out).ok()
}

/// The value in `bytes`, when they carry `header` and decode completely.
pub(crate) fn decode_value<V: DeserializeOwned>(header: &[u8; HEADER], bytes: &[u8]) -> Option<V> {
    let body = bytes.strip_prefix(header.as_slice())?;
    match postcard::take_from_bytes(body) {
        Ok((value, [])) => Some(value),
        _ => None,
    }
}

/// A key's bytes: the same for equal keys in every process.
pub(crate) fn encode_key<K: Serialize>(key: &K) -> Option<Vec<u8>> {
    postcard::to_stdvec(key).ok()
}

/// The key in `bytes` (from an invalidation announced by another instance).
pub(crate) fn decode_key<K: DeserializeOwned>(bytes: &[u8]) -> Option<K> {
    match postcard::take_from_bytes(bytes) {
        Ok((key, [])) => Some(key),
        _ => None,
    }
}

/// Lower-case hex, for key bytes in pub/sub messages (which are text).
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 15)] as char);
    }
    out
}

/// The bytes of [`hex`] text.
pub(crate) fn unhex(text: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let text = text.as_bytes();
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

/// FNV-1a, 64 bits: a stable hash of the type names.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_reads_back_only_under_its_own_types_and_format() {
        let header = header::<u64, String>();
        let bytes = encode_value(&header, &"ada".to_owned()).unwrap();
        assert_eq!(bytes[0], FORMAT);
        assert_eq!(
            decode_value::<String>(&header, &bytes).as_deref(),
            Some("ada")
        );
        // Another value type, another key type, another format: a miss.
        assert_eq!(
            decode_value::<String>(&super::header::<u64, u64>(), &bytes),
            None
        );
        assert_eq!(
            decode_value::<String>(&super::header::<u32, String>(), &bytes),
            None
        );
        let mut old = bytes.clone();
        old[0] = 0;
        assert_eq!(decode_value::<String>(&header, &old), None);
        // Truncated, or with bytes left over: a miss, never a panic.
        assert_eq!(
            decode_value::<String>(&header, &bytes[..bytes.len() - 1]),
            None
        );
        let mut longer = bytes;
        longer.push(7);
        assert_eq!(decode_value::<String>(&header, &longer), None);
        assert_eq!(decode_value::<String>(&header, &[]), None);
    }

    #[test]
    fn identities_are_stable_hashes_of_the_type_names() {
        // FNV-1a of "u64\0alloc::string::String": the same in every process.
        assert_eq!(header::<u64, String>(), header::<u64, String>());
        let mut hash = Fnv::new();
        hash.write(b"u64\0alloc::string::String");
        assert_eq!(header::<u64, String>()[1..], hash.0.to_le_bytes());
        let mut empty = Fnv::new();
        empty.write(b"a");
        assert_eq!(empty.0, 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn keys_encode_the_same_way_every_time_and_round_trip() {
        let key = (7u64, "ada".to_owned());
        let bytes = encode_key(&key).unwrap();
        assert_eq!(bytes, [7, 3, b'a', b'd', b'a']);
        assert_eq!(decode_key::<(u64, String)>(&bytes), Some(key));
        assert_eq!(unhex(&hex(&bytes)).unwrap(), bytes);
        assert_eq!(hex(&[0, 255, 16]), "00ff10");
        assert_eq!(unhex("0g"), None);
        assert_eq!(unhex("abc"), None);
    }
}
