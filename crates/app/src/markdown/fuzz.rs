//! The sanitiser against hostile markdown (R-UPD-4, R-SEC-2): the kept list
//! of XSS vectors (`crates/app/tests/xss-vectors.txt`) and markdown generated
//! from a grammar of tags, attributes, URL schemes, entities and the usual
//! obfuscations never panic and never render anything that runs code.
//!
//! 512 generated documents in CI; `PROPTEST_CASES` sets more (the long mode,
//! docs/security.md).

use proptest::prelude::*;

use super::{first_line_text, render};

/// The kept vectors: one per line; `#` starts a comment; `\n` stands for a
/// line break inside a vector.
const VECTORS: &str = include_str!("../../tests/xss-vectors.txt");

pub(super) fn vectors() -> Vec<String> {
    VECTORS
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.replace("\\n", "\n"))
        .collect()
}

/// Elements that run, embed or submit something, or restyle the page.
const ACTIVE_ELEMENTS: &[&str] = &[
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "style",
    "svg",
    "math",
    "base",
    "meta",
    "link",
    "body",
    "html",
    "head",
    "template",
    "noscript",
    "video",
    "audio",
    "source",
    "portal",
    "xmp",
    "plaintext",
    "isindex",
    "marquee",
];

/// Attributes that hold a URL a browser may load or navigate to.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "background",
    "poster",
    "cite",
    "data",
    "lowsrc",
    "dynsrc",
    "longdesc",
    "codebase",
    "ping",
    "srcset",
    "manifest",
    "icon",
];

/// Decodes the character references a browser decodes in an attribute value
/// (once, as a browser does).
fn decode_entities(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        let end = rest
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '#'))
            .map_or(rest.len(), |(i, _)| i);
        let name = &rest[..end];
        let decoded = if let Some(num) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
            u32::from_str_radix(num, 16).ok().and_then(char::from_u32)
        } else if let Some(num) = name.strip_prefix('#') {
            num.parse::<u32>().ok().and_then(char::from_u32)
        } else {
            match name.to_ascii_lowercase().as_str() {
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "colon" => Some(':'),
                "tab" => Some('\t'),
                "newline" => Some('\n'),
                "nbsp" => Some('\u{a0}'),
                _ => None,
            }
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end..];
                rest = rest.strip_prefix(';').unwrap_or(rest);
            }
            None => out.push('&'),
        }
    }
    out.push_str(rest);
    out
}

/// Whether a URL, as a browser reads it, has a scheme that runs or embeds
/// content.
fn is_dangerous_url(value: &str) -> bool {
    let url: String = decode_entities(value)
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "livescript:", "data:"]
        .iter()
        .any(|s| url.starts_with(s))
}

/// The first thing in sanitised HTML that could run code, if any. The input
/// is the sanitiser's output: text has its `<` escaped, so every `<` opens a
/// tag, and attribute values are quoted.
pub(super) fn active_markup(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    if lower.contains("<script") {
        return Some("a <script".into());
    }
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(at) = html[i..].find('<') {
        i += at + 1;
        if html[i..].starts_with("!--") {
            return Some("a comment".into());
        }
        let closing = html[i..].starts_with('/');
        if closing {
            i += 1;
        }
        let name_end = html[i..]
            .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
            .map_or(html.len(), |n| i + n);
        let name = html[i..name_end].to_ascii_lowercase();
        if ACTIVE_ELEMENTS.contains(&name.as_str()) {
            return Some(format!("a <{name}> element"));
        }
        i = name_end;
        // Attributes until the tag's end.
        loop {
            while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
                i += 1;
            }
            if i >= bytes.len() || bytes[i] == b'>' {
                break;
            }
            let attr_end = html[i..]
                .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '>' || c == '/')
                .map_or(html.len(), |n| i + n);
            let attr = html[i..attr_end].to_ascii_lowercase();
            i = attr_end;
            let mut value = "";
            if i < bytes.len() && bytes[i] == b'=' {
                i += 1;
                if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                    let quote = bytes[i] as char;
                    let end = html[i + 1..].find(quote).map_or(html.len(), |n| i + 1 + n);
                    value = &html[i + 1..end];
                    i = (end + 1).min(html.len());
                } else {
                    let end = html[i..]
                        .find(|c: char| c.is_ascii_whitespace() || c == '>')
                        .map_or(html.len(), |n| i + n);
                    value = &html[i..end];
                    i = end;
                }
            }
            if attr.starts_with("on") {
                return Some(format!("an event handler `{attr}`"));
            }
            if ["style", "srcdoc", "formaction"].contains(&attr.as_str()) {
                return Some(format!("a `{attr}` attribute"));
            }
            if URL_ATTRIBUTES.contains(&attr.as_str()) && is_dangerous_url(value) {
                return Some(format!("a `{attr}` URL `{value}`"));
            }
        }
    }
    None
}

#[test]
fn r_upd_4_every_kept_xss_vector_comes_out_inert() {
    let vectors = vectors();
    assert!(vectors.len() >= 80, "the kept list has {} vectors", vectors.len());
    for v in &vectors {
        let out = render(v);
        assert_eq!(active_markup(&out), None, "{v:?} rendered as {out:?}");
        first_line_text(v);
    }
}

#[test]
fn the_checker_catches_live_markup() {
    for live in [
        "<script>alert(1)</script>",
        "<img src=\"x\" onerror=\"alert(1)\">",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"&#106;avascript:alert(1)\">x</a>",
        "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
        "<a href=\" JaVaScRiPt&colon;alert(1)\">x</a>",
        "<a title=\"a>b\" href=\"vbscript:x\">x</a>",
        "<img src=\"data:text/html,x\">",
        "<iframe></iframe>",
        "<p style=\"x\">",
        "<SVG/onload=alert(1)>",
    ] {
        assert!(active_markup(live).is_some(), "{live}");
    }
    for inert in [
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
        "<a href=\"https://example.com/javascript:x\" rel=\"noopener\">x</a>",
        "<p title=\"javascript:alert(1)\">on=1</p>",
        "<img src=\"https://x.example/a.png\" alt=\"onerror=alert(1)\">",
    ] {
        assert_eq!(active_markup(inert), None, "{inert}");
    }
}

/// `javascript:alert(1)` and friends, spelled the ways filters miss.
fn hostile_url() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(vec![
        "javascript",
        "vbscript",
        "data",
        "livescript",
        "jav\tascript",
        "java\0script",
    ]);
    let payload = prop::sample::select(vec![
        ":alert(1)",
        ":text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        ":text/html,<script>alert(1)</script>",
        ":msgbox(1)",
        ":image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
    ]);
    (
        scheme,
        payload,
        any::<u64>(),
        any::<u64>(),
        0usize..4,
        prop::sample::select(vec!["", " ", "\t", "\u{1}", "\n", "&#32;", "%20"]),
    )
        .prop_map(|(scheme, payload, case, encode, sep, lead)| {
            let text = format!("{scheme}{payload}");
            let mut out = String::from(lead);
            for (i, c) in text.chars().enumerate() {
                let c = if case >> (i % 64) & 1 == 1 {
                    c.to_ascii_uppercase()
                } else {
                    c
                };
                let spelled = match (encode >> ((i * 2) % 64)) & 3 {
                    1 if c.is_ascii_alphabetic() || c == ':' => format!("&#{};", c as u32),
                    2 if c.is_ascii_alphabetic() || c == ':' => format!("&#x{:X}", c as u32),
                    3 if c == ':' => "&colon;".to_owned(),
                    3 if i == sep => format!("{c}&Tab;"),
                    _ => c.to_string(),
                };
                out.push_str(&spelled);
            }
            out
        })
}

fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => hostile_url(),
        1 => prop::sample::select(vec!["https://example.com/a?b=c&d=e", "mailto:a@b.example", "#top", "/relative", "//evil.example"]).prop_map(str::to_owned),
    ]
}

fn tag_name() -> impl Strategy<Value = String> {
    let names = prop::sample::select(vec![
        "script",
        "img",
        "svg",
        "a",
        "iframe",
        "object",
        "embed",
        "math",
        "style",
        "body",
        "input",
        "form",
        "details",
        "video",
        "audio",
        "base",
        "meta",
        "link",
        "div",
        "p",
        "span",
        "table",
        "td",
        "marquee",
        "button",
        "select",
        "textarea",
        "template",
        "noscript",
        "xmp",
        "title",
        "image",
        "animate",
        "set",
        "use",
        "foreignObject",
    ]);
    (names, any::<bool>()).prop_map(|(n, upper)| if upper { n.to_ascii_uppercase() } else { n.to_owned() })
}

fn attribute() -> impl Strategy<Value = String> {
    let handler = prop::sample::select(vec![
        "onerror",
        "onload",
        "onclick",
        "onmouseover",
        "onfocus",
        "ontoggle",
        "onbegin",
        "onanimationstart",
        "ONERROR",
    ]);
    let url_attr = prop::sample::select(vec![
        "href",
        "src",
        "action",
        "formaction",
        "xlink:href",
        "data",
        "srcdoc",
        "background",
        "poster",
        "srcset",
    ]);
    let quote = prop::sample::select(vec!["\"", "'", "", "`"]);
    prop_oneof![
        (handler, quote.clone()).prop_map(|(h, q)| format!("{h}={q}alert(1){q}")),
        (url_attr, url(), quote.clone()).prop_map(|(a, u, q)| format!("{a}={q}{u}{q}")),
        (url(), quote).prop_map(|(u, q)| format!("style={q}background:url({u}){q}")),
        Just("autofocus".to_owned()),
        Just("title=\"x\"".to_owned()),
        Just("open".to_owned()),
    ]
}

fn html_tag() -> impl Strategy<Value = String> {
    let separator = prop::sample::select(vec![" ", "/", "\t", "\n", " /"]);
    (
        tag_name(),
        prop::collection::vec((separator, attribute()), 0..4),
        0u8..4,
        "[a-z0-9 ]{0,6}",
    )
        .prop_map(|(name, attrs, close, text)| {
            let attrs: String = attrs.into_iter().map(|(s, a)| format!("{s}{a}")).collect();
            match close {
                0 => format!("<{name}{attrs}>{text}</{name}>"),
                1 => format!("<{name}{attrs}/>"),
                2 => format!("<{name}{attrs}>{text}"),
                _ => format!("<{name}{attrs}"),
            }
        })
}

fn markdown_link() -> impl Strategy<Value = String> {
    (url(), 0u8..7, "[a-z ]{0,5}").prop_map(|(u, form, text)| match form {
        0 => format!("[{text}]({u})"),
        1 => format!("[{text}](<{u}>)"),
        2 => format!("![{text}]({u})"),
        3 => format!("<{u}>"),
        4 => format!("[{text}][r]\n\n[r]: {u}\n"),
        5 => format!("[{text}]({u} \"t\")"),
        _ => format!("[![{text}]({u})]({u})"),
    })
}

fn noise() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "<!-- x -->",
            "<![CDATA[<script>alert(1)</script>]]>",
            "`<script>`",
            "```\n<script>\n```\n",
            "<",
            ">",
            "\"",
            "'",
            "&",
            "&#",
            "\\",
            "\n\n",
            "    <script>alert(1)</script>\n",
            "> <img src=x onerror=alert(1)>\n",
            "- [ ] <b>x</b>\n",
            "| a | <script> |\n|---|---|\n",
            "**<i>x</i>**",
            "</",
            "<<script>script>",
            "<scr<script>ipt>",
        ])
        .prop_map(str::to_owned),
        "\\PC{0,8}",
    ]
}

fn hostile_markdown() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![3 => html_tag(), 3 => markdown_link(), 2 => noise()];
    prop::collection::vec(fragment, 1..8).prop_map(|parts| parts.concat())
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(512),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn r_upd_4_generated_hostile_markdown_comes_out_inert(markdown in hostile_markdown()) {
        let out = render(&markdown);
        prop_assert_eq!(active_markup(&out), None, "{:?} rendered as {:?}", markdown, out);
        first_line_text(&markdown);
    }

    #[test]
    fn r_sec_2_any_text_renders_without_panicking(text in "\\PC{0,200}") {
        let out = render(&text);
        prop_assert_eq!(active_markup(&out), None, "{:?} rendered as {:?}", text, out);
        first_line_text(&text);
    }
}

/// The grammar is worth its name: most of what it makes is live markup
/// before the sanitiser.
#[test]
fn the_grammar_makes_live_markup_before_sanitising() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = hostile_markdown();
    let mut live = 0;
    for _ in 0..200 {
        let markdown = strategy.new_tree(&mut runner).map(|t| t.current()).unwrap_or_default();
        let mut raw = String::new();
        pulldown_cmark::html::push_html(&mut raw, pulldown_cmark::Parser::new(&markdown));
        if active_markup(&raw).is_some() {
            live += 1;
        }
    }
    assert!(
        live >= 100,
        "only {live} of 200 generated texts are live before sanitising"
    );
}
