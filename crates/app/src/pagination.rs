//! Cursor pagination: opaque cursors that encode where the next page starts.

use portico_domain::Error;
use portico_store::PageAfter;

/// Largest page any list answers with.
pub const MAX_PAGE_SIZE: u32 = 100;
pub const DEFAULT_PAGE_SIZE: u32 = 50;

/// A page request: the size is clamped to 1..=MAX_PAGE_SIZE.
pub fn page_size(requested: Option<u32>) -> u32 {
    requested.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE)
}

fn bad_cursor() -> Error {
    Error::invalid("invalid_cursor", "The cursor is not one this server gave out.")
}

/// Encodes a keyset position as an opaque cursor.
pub fn encode_after(after: &PageAfter) -> String {
    hex_encode(format!("{}:{}", after.at, after.id).as_bytes())
}

pub fn decode_after(cursor: &str) -> Result<PageAfter, Error> {
    let raw = hex_decode(cursor).ok_or_else(bad_cursor)?;
    let s = String::from_utf8(raw).map_err(|_| bad_cursor())?;
    let (at, id) = s.split_once(':').ok_or_else(bad_cursor)?;
    Ok(PageAfter {
        at: at.parse().map_err(|_| bad_cursor())?,
        id: id.to_string(),
    })
}

/// Encodes an id-descending position (audit log).
pub fn encode_before_id(id: i64) -> String {
    hex_encode(format!("id:{id}").as_bytes())
}

pub fn decode_before_id(cursor: &str) -> Result<i64, Error> {
    let raw = hex_decode(cursor).ok_or_else(bad_cursor)?;
    let s = String::from_utf8(raw).map_err(|_| bad_cursor())?;
    s.strip_prefix("id:")
        .and_then(|n| n.parse().ok())
        .ok_or_else(bad_cursor)
}

fn hex_encode(b: &[u8]) -> String {
    hex::encode(b)
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if s.len() > 512 {
        return None;
    }
    hex::decode(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let p = PageAfter {
            at: 42,
            id: "abc".into(),
        };
        assert_eq!(decode_after(&encode_after(&p)), Ok(p));
        assert_eq!(decode_before_id(&encode_before_id(7)), Ok(7));
        assert_eq!(decode_after("zz").unwrap_err().code, "invalid_cursor");
        assert_eq!(
            decode_before_id(&encode_after(&PageAfter { at: 1, id: "x".into() }))
                .unwrap_err()
                .code,
            "invalid_cursor"
        );
        assert_eq!(page_size(Some(10_000)), MAX_PAGE_SIZE);
        assert_eq!(page_size(Some(0)), 1);
        assert_eq!(page_size(None), DEFAULT_PAGE_SIZE);
    }
}
