//! Markdown of workspace updates and comments, rendered to HTML that is safe
//! to show (R-UPD-4): no script, no event handler, no `javascript:` or
//! `data:` URL survives. Rendering goes through CommonMark (pulldown-cmark),
//! then a maintained allow-list sanitiser (ammonia).

use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{Options, Parser, html};

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.url_schemes(HashSet::from(["http", "https", "mailto"]))
            .link_rel(Some("noopener noreferrer nofollow"))
            .url_relative(ammonia::UrlRelative::Deny);
        b
    })
}

/// Renders markdown to sanitised HTML.
pub fn render(markdown: &str) -> String {
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    sanitizer().clean(&raw).to_string()
}

/// The text of markdown's first paragraph, without its markup: a one-line
/// summary for lists (to be escaped like any text).
pub fn first_line_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, TagEnd};
    let mut out = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) if !out.is_empty() => break,
            _ => {}
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_is_the_first_paragraph_without_markup() {
        assert_eq!(
            first_line_text("The **Orders API** for `partners`.\n\nMore."),
            "The Orders API for partners."
        );
        assert_eq!(first_line_text("# Title\n\nBody"), "Title");
        assert_eq!(first_line_text("<script>x</script>"), "");
        assert_eq!(first_line_text("Hello <b>world</b>"), "Hello world");
        assert_eq!(first_line_text(""), "");
    }

    /// Vectors from the OWASP XSS filter evasion cheat sheet and friends.
    pub const XSS_VECTORS: &[&str] = &[
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<svg/onload=alert(1)>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<body onload=alert(1)>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "<a href=\"&#106;avascript:alert(1)\">x</a>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<object data=\"javascript:alert(1)\"></object>",
        "<form action=\"javascript:alert(1)\"><button>x</button></form>",
        "<input autofocus onfocus=alert(1)>",
        "[x](vbscript:msgbox(1))",
        "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    ];

    /// The HTML tags of a rendered text (escaped text has no `<`).
    fn tags(html: &str) -> Vec<String> {
        html.split('<')
            .skip(1)
            .filter_map(|t| t.split_once('>').map(|(tag, _)| tag.to_lowercase()))
            .collect()
    }

    /// Whether a tag could run code: a dangerous element, an event handler
    /// attribute, or a URL with a scheme that runs or embeds content.
    pub fn is_active(tag: &str) -> bool {
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("");
        let elements = [
            "script", "iframe", "object", "embed", "form", "input", "style", "svg", "math", "base", "meta", "link",
        ];
        let handler = tag
            .split_whitespace()
            .skip(1)
            .any(|a| a.starts_with("on") && a.contains('='));
        let decoded = tag.replace("&#106;", "j").replace("&#x09;", "").replace('\t', "");
        let scheme = ["javascript:", "vbscript:", "data:"]
            .iter()
            .any(|s| decoded.contains(s));
        elements.contains(&name) || handler || scheme || tag.contains("style=")
    }

    #[test]
    fn r_upd_4_every_xss_vector_comes_out_inert() {
        for v in XSS_VECTORS {
            let out = render(v);
            for tag in tags(&out) {
                assert!(!is_active(&tag), "{v:?} rendered as {out:?}");
            }
        }
        // The checker itself catches live markup.
        assert!(is_active("img src=x onerror=alert(1)"));
        assert!(is_active("a href=\"javascript:alert(1)\""));
        assert!(is_active("script"));
    }

    #[test]
    fn markdown_renders_links_emphasis_and_code() {
        let out = render("**Bold** and [docs](https://example.com/docs) and `code`");
        assert!(out.contains("<strong>Bold</strong>"), "{out}");
        assert!(out.contains("href=\"https://example.com/docs\""), "{out}");
        assert!(out.contains("rel=\"noopener noreferrer nofollow\""), "{out}");
        assert!(out.contains("<code>code</code>"), "{out}");
    }
}
