//! The notification list, newest unread first, with "Mark all as read".

use axum::extract::State;
use axum::response::Response;
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

/// Where a notification leads: its workspace's Updates tab, when it has one.
fn link_of(data: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(data).ok()?;
    let ws = v.get("workspaceId")?.as_str()?;
    if !ws.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
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
        body.push_str("<ul class=\"card list\">");
        for n in &items {
            let text = escape(&n.message);
            let text = match link_of(&n.data) {
                Some(href) => format!("<a href=\"{}\">{text}</a>", escape(&href)),
                None => text,
            };
            body.push_str(&format!(
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
        body.push_str("</ul>");
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
