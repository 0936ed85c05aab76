//! The frame of every page: head, header with the product name, the
//! Workspaces menu, notifications with their live count, the user and
//! Sign out; landmarks (header, nav, main) and a skip link.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::assets::{css_url, js_url};
use super::html::{csrf_field, escape};
use super::session::Viewer;
use crate::AppState;

/// The header link that is the current page.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Workspaces,
    Notifications,
    Account,
}

fn head(title: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · Portico</title><link rel=\"icon\" href=\"data:,\">\
         <link rel=\"stylesheet\" href=\"{}\">\
         <script src=\"{}\" defer></script></head>",
        escape(title),
        css_url(),
        js_url()
    )
}

const BRAND: &str =
    "<a class=\"brand\" href=\"/workspaces\"><span class=\"brand-mark\" aria-hidden=\"true\">◇</span>Portico</a>";

const BELL: &str = "<svg class=\"icon\" viewBox=\"0 0 24 24\" width=\"20\" height=\"20\" aria-hidden=\"true\" focusable=\"false\">\
    <path d=\"M12 3a6 6 0 0 0-6 6v3.6L4.3 16h15.4L18 12.6V9a6 6 0 0 0-6-6zm-2 15a2 2 0 0 0 4 0\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.8\" stroke-linejoin=\"round\"/></svg>";

const PERSON: &str = "<svg class=\"icon\" viewBox=\"0 0 24 24\" width=\"20\" height=\"20\" aria-hidden=\"true\" focusable=\"false\">\
    <circle cx=\"12\" cy=\"8\" r=\"4\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.8\"/>\
    <path d=\"M4 20c1.5-4 4.5-6 8-6s6.5 2 8 6\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.8\" stroke-linecap=\"round\"/></svg>";

/// A page for a signed-in viewer. Reads the viewer's unread notification
/// count for the header.
pub async fn page(s: &AppState, v: &Viewer, title: &str, section: Section, body: &str) -> Response {
    let unread = s.app.notifications(&v.who, Some(1)).await.map_or(0, |(_, n)| n);
    let current = |sec: Section| if sec == section { " aria-current=\"page\"" } else { "" };
    let kinds = portico_app::notifications::KINDS.join(",");
    let html = format!(
        "{head}<body data-events=\"/api/events\" data-event-kinds=\"{kinds}\">\
         <a class=\"skip\" href=\"#main\">Skip to content</a>\
         <header class=\"topbar\"><div class=\"wrap topbar-inner\">{BRAND}\
         <nav class=\"mainnav\" aria-label=\"Main\"><ul>\
         <li><a href=\"/workspaces\"{ws}>Workspaces</a></li></ul></nav>\
         <div class=\"account\">\
         <div class=\"notif\"><a class=\"notif-link\" href=\"/notifications\" data-panel=\"notif-panel\"{nt}>{BELL}<span class=\"sr-only\">Notifications</span>\
         <span class=\"live\" aria-live=\"polite\" aria-atomic=\"true\">{count}</span></a>\
         <div id=\"notif-panel\" class=\"panel\" role=\"region\" aria-labelledby=\"notif-panel-title\" data-src=\"/notifications/panel\" hidden></div></div>\
         <a class=\"account-link\" href=\"/account\" title=\"Account settings ({email})\"{ac}>{PERSON}\
         <span class=\"sr-only\">Account: </span><span class=\"user-name\">{name}</span></a>\
         <form class=\"inline\" method=\"post\" action=\"/sign-out\">{csrf}\
         <button type=\"submit\" class=\"link-button\">Sign out</button></form>\
         </div></div></header>\
         <main id=\"main\" class=\"wrap\" tabindex=\"-1\">{body}</main></body></html>",
        head = head(title),
        kinds = escape(&kinds),
        ws = current(Section::Workspaces),
        nt = current(Section::Notifications),
        ac = current(Section::Account),
        count = count_badge("data-notification-count", unread, "unread notifications"),
        email = escape(v.who.user.email.as_str()),
        name = escape(&v.who.user.name),
        csrf = csrf_field(v.csrf()),
    );
    Html(html).into_response()
}

/// A live count: a badge the script updates (hidden at zero), with words for
/// screen readers. `hook` is the data attribute the script finds it by.
pub fn count_badge(hook: &str, n: i64, what: &str) -> String {
    format!(
        "<span class=\"badge count\" {hook}{hidden}><span data-count>{n}</span><span class=\"sr-only\"> {}</span></span>",
        escape(what),
        hidden = if n > 0 { "" } else { " hidden" },
    )
}

/// A page without the signed-in header, for someone signed out: sign-in,
/// sign-up, invitations and sign-up links.
pub fn bare(status: StatusCode, title: &str, body: &str) -> Response {
    let nav = "<nav class=\"mainnav\" aria-label=\"Account\"><ul>\
               <li><a href=\"/sign-in\">Sign in</a></li><li><a href=\"/sign-up\">Sign up</a></li></ul></nav>";
    shell(status, title, nav, body)
}

/// An error page (not found, refused, expired form): the brand only, for
/// it is shown signed in or out alike.
pub fn message(status: StatusCode, title: &str, body: &str) -> Response {
    shell(status, title, "", body)
}

fn shell(status: StatusCode, title: &str, nav: &str, body: &str) -> Response {
    let html = format!(
        "{head}<body><a class=\"skip\" href=\"#main\">Skip to content</a>\
         <header class=\"topbar\"><div class=\"wrap topbar-inner\">{BRAND}{nav}\
         </div></header><main id=\"main\" class=\"wrap\" tabindex=\"-1\">{body}</main></body></html>",
        head = head(title),
    );
    (status, Html(html)).into_response()
}
