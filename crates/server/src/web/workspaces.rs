//! The workspace list (All / External Workspaces) and a workspace's
//! Overview and Settings tabs.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use portico_app::Principal;
use portico_app::workspaces::{WorkspaceFilter, WorkspaceView};
use portico_domain::ErrorKind;
use portico_domain::ids::WorkspaceId;
use portico_domain::policy::Action;
use portico_store::ActivityRecord;
use serde::Deserialize;

use super::html::{avatar, escape, url_encode, when};
use super::layout::{self, Section, count_badge};
use super::session::{Viewer, WebError};
use crate::AppState;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub tab: Option<String>,
    pub cursor: Option<String>,
}

/// A path id that cannot be a workspace reads as a missing one.
pub fn workspace_id(id: &str) -> Result<WorkspaceId, WebError> {
    WorkspaceId::parse(id).map_err(|_| WebError::NotFound)
}

/// The type badge: internal, partner or multi-partner.
pub fn type_badge(v: &WorkspaceView) -> String {
    let w = &v.access.workspace;
    let (class, label) = if w.kind.is_internal() {
        ("type-internal", "internal")
    } else if w.multi_partner {
        ("type-multi", "multi-partner")
    } else {
        ("type-partner", "partner")
    };
    let mut out = format!("<span class=\"badge {class}\">{label}</span>");
    if w.pending_approval {
        out.push_str(" <span class=\"badge type-pending\">awaiting approval</span>");
    }
    out
}

/// The **EXTERNAL** tag of a partner workspace of another team (R-ISO-5).
pub fn external_tag(v: &WorkspaceView) -> &'static str {
    if v.external {
        " <span class=\"tag external\">EXTERNAL</span>"
    } else {
        ""
    }
}

/// The live unread-updates badge of a workspace (R-UPD-3).
pub fn unread_badge(v: &WorkspaceView, unread: i64) -> String {
    count_badge(
        &format!("data-unread-ws=\"{}\"", escape(&v.access.workspace.id.to_string())),
        unread,
        "unread updates",
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Overview,
    Updates,
    Settings,
}

/// Title, badges and the tabs Overview · Updates · Settings (the last one
/// only for those who may change the settings).
pub fn header(v: &WorkspaceView, who: &Principal, tab: Tab, unread: i64) -> String {
    let id = escape(&v.access.workspace.id.to_string());
    let cur = |t: Tab| if t == tab { " aria-current=\"page\"" } else { "" };
    let settings = if v.allows(who, Action::EditWorkspaceSettings) {
        format!(
            "<li><a href=\"/workspaces/{id}/settings\"{}>Settings</a></li>",
            cur(Tab::Settings)
        )
    } else {
        String::new()
    };
    format!(
        "<div class=\"ws-head\"><p class=\"crumbs\"><a href=\"/workspaces\">Workspaces</a></p>\
         <h1>{name}</h1><p class=\"badges\">{badge}{ext}</p></div>\
         <nav class=\"tabs\" aria-label=\"Workspace\"><ul>\
         <li><a href=\"/workspaces/{id}\"{o}>Overview</a></li>\
         <li><a href=\"/workspaces/{id}/updates\"{u}>Updates <span class=\"live\" aria-live=\"polite\" aria-atomic=\"true\">{badge_u}</span></a></li>\
         {settings}</ul></nav>",
        name = escape(&v.access.workspace.name),
        badge = type_badge(v),
        ext = external_tag(v),
        o = cur(Tab::Overview),
        u = cur(Tab::Updates),
        badge_u = unread_badge(v, unread),
    )
}

pub async fn list(State(s): State<AppState>, v: Viewer, Query(q): Query<ListQuery>) -> Result<Response, WebError> {
    let external = q.tab.as_deref() == Some("external");
    let page = s
        .app
        .list_workspaces(
            &v.who,
            WorkspaceFilter {
                external_only: external,
                cursor: q.cursor.clone(),
                limit: Some(50),
                ..WorkspaceFilter::default()
            },
        )
        .await?;
    let cur = |on: bool| if on { " aria-current=\"page\"" } else { "" };
    let mut body = format!(
        "<h1>Workspaces</h1>\
         <nav class=\"tabs\" aria-label=\"Workspace lists\"><ul>\
         <li><a href=\"/workspaces\"{all}>All workspaces</a></li>\
         <li><a href=\"/workspaces?tab=external\"{ext}>External Workspaces</a></li></ul></nav>",
        all = cur(!external),
        ext = cur(external),
    );
    if page.items.is_empty() {
        body.push_str(if external {
            "<div class=\"card empty\"><p>No external workspaces yet.</p><p class=\"muted\">When another team invites \
             you to one of its Partner Workspaces, it appears here with the EXTERNAL tag.</p></div>"
        } else {
            "<div class=\"card empty\"><p>No workspaces yet.</p><p class=\"muted\">Workspaces you create or are invited \
             to appear here.</p></div>"
        });
    } else {
        body.push_str("<ul class=\"card list ws-list\">");
        for w in &page.items {
            let about = portico_app::markdown::first_line_text(&w.access.workspace.about);
            body.push_str(&format!(
                "<li class=\"row\"><div class=\"row-main\">\
                 <a class=\"row-title\" href=\"/workspaces/{id}\">{name}</a>\
                 <span class=\"row-sub muted\">{about}</span></div>\
                 <div class=\"row-meta\">{badge}{ext} <span class=\"live\" aria-live=\"polite\">{unread}</span></div></li>",
                id = escape(&w.access.workspace.id.to_string()),
                name = escape(&w.access.workspace.name),
                about = escape(&about),
                badge = type_badge(w),
                ext = external_tag(w),
                unread = unread_badge(w, w.unread_updates),
            ));
        }
        body.push_str("</ul>");
    }
    if let Some(c) = page.next_cursor {
        let tab = if external { "tab=external&amp;" } else { "" };
        body.push_str(&format!(
            "<p><a class=\"button secondary\" href=\"/workspaces?{tab}cursor={}\">More workspaces</a></p>",
            escape(&url_encode(&c))
        ));
    }
    Ok(layout::page(&s, &v, "Workspaces", Section::Workspaces, &body).await)
}

fn activity_line(a: &ActivityRecord) -> String {
    let who = a.actor_name.as_deref().unwrap_or("Someone");
    let verb = match a.action.as_str() {
        "create" => "created",
        "update" => "updated",
        "delete" => "deleted",
        "join" => "joined",
        "leave" => "left",
        other => other,
    };
    let what = if a.element_type == "user" {
        String::new()
    } else {
        format!(
            " {} <strong>{}</strong>",
            escape(&a.element_type),
            escape(&a.element_name)
        )
    };
    format!(
        "<li><span>{who} {verb}{what}</span> <span class=\"muted small\">{at}</span></li>",
        who = escape(who),
        verb = escape(verb),
        at = when(a.created_at),
    )
}

pub async fn overview(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> Result<Response, WebError> {
    let id = workspace_id(&id)?;
    let ws = s.app.workspace(&v.who, id).await?;
    let (_, members) = s.app.workspace_members(&v.who, id).await?;
    // Activity is optional on the page: a viewer who may not read it sees none.
    let activity = match s.app.workspace_activities(&v.who, id, None, Some(10)).await {
        Ok(p) => p.items,
        Err(e) if matches!(e.kind, ErrorKind::NotFound | ErrorKind::Forbidden) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let about = if ws.access.workspace.about.trim().is_empty() {
        "<p class=\"muted\">This workspace has no description yet.</p>".to_string()
    } else {
        format!(
            "<div class=\"prose\">{}</div>",
            portico_app::markdown::render(&ws.access.workspace.about)
        )
    };
    let mut people = String::new();
    for m in &members {
        let r = &m.member;
        let me = r.user_id == v.who.id();
        people.push_str(&format!(
            "<li class=\"member\" data-member=\"{uid}\">{avatar}<div class=\"member-text\"><span class=\"member-name\">{name}{you}</span>\
             <span class=\"muted small\">{role}{email}</span></div></li>",
            uid = escape(&r.user_id.to_string()),
            avatar = avatar(&r.name, r.role.is_partner()),
            name = escape(&r.name),
            you = if me { " <span class=\"muted\">(you)</span>" } else { "" },
            role = if r.role.is_partner() {
                format!("Partner · {}", escape(r.role.display_name(r.lead)))
            } else {
                escape(r.role.display_name(r.lead))
            },
            email = if m.show_email { format!(" · {}", escape(r.email.as_str())) } else { String::new() },
        ));
    }
    let activity_html = if activity.is_empty() {
        "<p class=\"muted\">Nothing has happened here yet.</p>".to_string()
    } else {
        format!(
            "<ul class=\"activity\">{}</ul>",
            activity.iter().map(activity_line).collect::<String>()
        )
    };
    let body = format!(
        "{head}{invite}<div class=\"grid\"><div class=\"col-main\">\
         <section class=\"card\" aria-labelledby=\"about-h\"><h2 id=\"about-h\">About</h2>{about}</section>\
         {collections}{environments}<section class=\"card\" aria-labelledby=\"activity-h\"><h2 id=\"activity-h\">Recent activity</h2>{activity_html}</section>\
         </div><aside class=\"col-side\"><section class=\"card\" aria-labelledby=\"members-h\">\
         <h2 id=\"members-h\">Members <span class=\"muted small\">{n}</span></h2><ul class=\"members\">{people}</ul>\
         <p class=\"muted small legend\"><span aria-hidden=\"true\">◆</span> marks partners from other teams.</p></section></aside></div>",
        head = header(&ws, &v.who, Tab::Overview, ws.unread_updates),
        n = members.len(),
        invite = super::invite::dialog(&s, &v, &ws).await?,
        collections = super::collections::section(&s, &v, &ws).await?,
        environments = super::environments::section(&s, &v, &ws).await?,
    );
    Ok(layout::page(&s, &v, &ws.access.workspace.name, Section::Workspaces, &body).await)
}
