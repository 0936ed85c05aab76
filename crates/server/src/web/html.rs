//! Small HTML helpers: escaping, URL encoding, dates, avatars.

use std::time::{Duration, UNIX_EPOCH};

/// Escapes text for HTML element content and quoted attribute values.
/// Every value a page interpolates goes through here.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query parameter value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A `<time>` element: machine-readable instant, readable UTC minute.
pub fn when(ms: i64) -> String {
    let t = UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    let iso = humantime::format_rfc3339_seconds(t).to_string();
    let shown = iso.get(..16).unwrap_or(&iso).replace('T', " ");
    format!("<time datetime=\"{}\">{} UTC</time>", escape(&iso), escape(&shown))
}

/// One or two capital letters standing for a person in an avatar.
pub fn initials(name: &str) -> String {
    let letters: String = name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect();
    if letters.is_empty() { "?".into() } else { letters }
}

/// A person's round avatar; partners carry a diamond (R-ISO-6), which
/// screen readers announce as "partner".
pub fn avatar(name: &str, partner: bool) -> String {
    let (class, diamond) = if partner {
        (
            " avatar-partner",
            "<span class=\"diamond\" role=\"img\" aria-label=\"partner\" title=\"Partner\">◆</span>",
        )
    } else {
        ("", "")
    };
    format!(
        "<span class=\"avatar{class}\"><span aria-hidden=\"true\">{}</span>{diamond}</span>",
        escape(&initials(name)),
    )
}

/// The hidden field carrying the session's CSRF token in every form.
pub fn csrf_field(token: &str) -> String {
    format!("<input type=\"hidden\" name=\"csrf\" value=\"{}\">", escape(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_markup_and_quotes() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
    }

    #[test]
    fn url_encoding_keeps_paths_readable() {
        assert_eq!(url_encode("/workspaces?tab=external"), "/workspaces%3Ftab%3Dexternal");
        assert_eq!(url_encode("a b&c"), "a%20b%26c");
    }

    #[test]
    fn initials_take_two_words() {
        assert_eq!(initials("gina lopez rey"), "GL");
        assert_eq!(initials("  "), "?");
    }

    #[test]
    fn dates_read_as_utc_minutes() {
        assert_eq!(
            when(0),
            "<time datetime=\"1970-01-01T00:00:00Z\">1970-01-01 00:00 UTC</time>"
        );
    }
}
