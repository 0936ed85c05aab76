//! The stylesheet and the script, embedded in the binary. Their URLs carry
//! a hash of their content, so browsers may keep them for a year.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

const CSS: &str = include_str!("assets/portico.css");
const JS: &str = include_str!("assets/portico.js");
const LONG_CACHE: &str = "public, max-age=31536000, immutable";

/// FNV-1a of both files: changes whenever either does.
fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in CSS.bytes().chain(JS.bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")
    })
}

pub fn css_url() -> String {
    format!("/assets/portico.css?v={}", version())
}

pub fn js_url() -> String {
    format!("/assets/portico.js?v={}", version())
}

pub async fn serve(Path(file): Path<String>) -> Response {
    let (body, kind) = match file.as_str() {
        "portico.css" => (CSS, "text/css; charset=utf-8"),
        "portico.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, LONG_CACHE)],
        body,
    )
        .into_response()
}
