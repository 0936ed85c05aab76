//! The notification list, newest unread first, with "Mark all as read".

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use portico_store::NotificationRecord;
use serde::Deserialize;

use super::html::{csrf_field, escape, when};
use super::layout::{self, Section};
use super::session::{Viewer, WebError, WebForm, see_other};
use crate::AppState;

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// Whether an id from a notification's data is safe in a link.
fn plain_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Where a notification leads: the pull request it is about, or its
/// workspace's Updates tab, when it has one.
fn link_of(data: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(data).ok()?;
    if let Some(pr) = v.get("pullRequestId").and_then(|p| p.as_str()).filter(|p| plain_id(p)) {
        return Some(format!("/pull-requests/{pr}"));
    }
    let ws = v.get("workspaceId")?.as_str()?;
    if !plain_id(ws) {
        return None;
    }
    let anchor = match (
        v.get("commentId").and_then(|c| c.as_i64()),
        v.get("updateId").and_then(|u| u.as_i64()),
    ) {
        (Some(c), _) => format!("#comment-{c}"),
        (None, Some(u)) => format!("#update-{u}"),
        _ => String::new(),
    };
    Some(format!("/workspaces/{ws}/updates{anchor}"))
}

/// One list item per notification: unread ones marked, each linking to what
/// it is about when it can.
fn rows(items: &[NotificationRecord]) -> String {
    let mut out = String::new();
    for n in items {
        let text = escape(&n.message);
        let text = match link_of(&n.data) {
            Some(href) => format!("<a href=\"{}\">{text}</a>", escape(&href)),
            None => text,
        };
        out.push_str(&format!(
            "<li class=\"row{cls}\"><div class=\"row-main\">{unread}{text}</div>\
             <div class=\"row-meta muted small\">{at}</div></li>",
            cls = if n.read_at.is_none() { " unread" } else { "" },
            unread = if n.read_at.is_none() {
                "<span class=\"dot\" aria-hidden=\"true\"></span><span class=\"sr-only\">Unread: </span>"
            } else {
                ""
            },
            at = when(n.created_at),
        ));
    }
    out
}

/// The notifications panel that the bell opens: the newest few, as an HTML
/// fragment the script puts under the bell (and refreshes as events arrive).
pub async fn panel(State(s): State<AppState>, v: Viewer) -> Result<Response, WebError> {
    let (items, unread) = s.app.notifications(&v.who, Some(PANEL_SIZE)).await?;
    let mut html = format!(
        "<div class=\"panel-head\"><h2 id=\"notif-panel-title\">Notifications</h2>\
         <span class=\"muted small\">{unread} unread</span></div>"
    );
    if items.is_empty() {
        html.push_str("<p class=\"muted\">You have no notifications.</p>");
    } else {
        html.push_str(&format!("<ul class=\"list\">{}</ul>", rows(&items)));
    }
    html.push_str("<div class=\"panel-foot\">");
    if unread > 0 {
        html.push_str(&format!(
            "<form method=\"post\" action=\"/notifications/read-all\" class=\"inline\">{}\
             <button type=\"submit\" class=\"link-button\">Mark all as read</button></form>",
            csrf_field(v.csrf())
        ));
    }
    html.push_str("<a href=\"/notifications\">All notifications</a></div>");
    Ok(Html(html).into_response())
}

/// How many notifications the panel shows.
const PANEL_SIZE: u32 = 8;

pub async fn list(State(s): State<AppState>, v: Viewer) -> Result<Response, WebError> {
    let (items, unread) = s.app.notifications(&v.who, Some(50)).await?;
    let mut body = String::from("<div class=\"page-head\"><h1>Notifications</h1>");
    if unread > 0 {
        body.push_str(&format!(
            "<form method=\"post\" action=\"/notifications/read-all\">{}\
             <button type=\"submit\" class=\"button secondary\">Mark all as read</button></form>",
            csrf_field(v.csrf())
        ));
    }
    body.push_str("</div>");
    if items.is_empty() {
        body.push_str("<div class=\"card empty\"><p>You have no notifications.</p></div>");
    } else {
        body.push_str(&format!("<ul class=\"card list\">{}</ul>", rows(&items)));
    }
    Ok(layout::page(&s, &v, "Notifications", Section::Notifications, &body).await)
}

pub async fn read_all(
    State(s): State<AppState>,
    v: Viewer,
    WebForm(f): WebForm<CsrfForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    s.app.mark_notifications_read(&v.who, None).await?;
    Ok(see_other("/notifications"))
}

#[cfg(test)]
mod tests {
    use super::link_of;

    #[test]
    fn notifications_link_to_their_pull_request_or_update() {
        assert_eq!(
            link_of(r#"{"pullRequestId":"7f3c-1","collectionId":"c"}"#).as_deref(),
            Some("/pull-requests/7f3c-1")
        );
        assert_eq!(
            link_of(r#"{"workspaceId":"w-1","updateId":4}"#).as_deref(),
            Some("/workspaces/w-1/updates#update-4")
        );
        assert_eq!(link_of(r#"{"pullRequestId":"x\"><script>"}"#), None);
        assert_eq!(link_of("not json"), None);
    }
}
