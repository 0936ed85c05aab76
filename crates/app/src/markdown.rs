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
mod fuzz;

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

    #[test]
    fn markdown_renders_links_emphasis_and_code() {
        let out = render("**Bold** and [docs](https://example.com/docs) and `code`");
        assert!(out.contains("<strong>Bold</strong>"), "{out}");
        assert!(out.contains("href=\"https://example.com/docs\""), "{out}");
        assert!(out.contains("rel=\"noopener noreferrer nofollow\""), "{out}");
        assert!(out.contains("<code>code</code>"), "{out}");
    }
}
