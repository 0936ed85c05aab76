//! A team's Audit log tab (R-SEC-3): every security-relevant action, newest
//! first, fifty a page. Team admins and super admins read it; for anyone
//! else the page is "Not found" and the tab is not shown.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use portico_app::audit::AuditEntry;
use serde::Deserialize;
use serde_json::Value;

use super::html::{escape, url_encode, when};
use super::session::{Viewer, WebError};
use super::teams::{TeamTab, header, team_id, team_page};
use crate::AppState;

const PAGE: u32 = 50;

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    pub cursor: Option<String>,
}

/// The details of a row as `key: value` pairs, values cut short.
fn details(v: &Value) -> String {
    let Value::Object(map) = v else {
        return String::new();
    };
    map.iter()
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let short: String = text.chars().take(120).collect();
            format!("{}: {}", escape(k), escape(&short))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

fn row(e: &AuditEntry) -> String {
    let r = &e.record;
    let who = match (&e.actor_name, r.actor_id) {
        (Some(n), _) => escape(n),
        (None, None) => "The operator (console)".into(),
        (None, Some(id)) => format!("Account {}", escape(&id.to_string())),
    };
    format!(
        "<tr data-audit=\"{action}\"><td>{at}</td><td>{who}</td><td><code>{action}</code></td>\
         <td>{tt} <code>{tid}</code></td><td class=\"small\">{details}</td></tr>",
        at = when(r.created_at),
        action = escape(&r.action),
        tt = escape(&r.target_type),
        tid = escape(&r.target_id),
        details = details(&r.details),
    )
}

pub async fn page(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let team = team_id(&id)?;
    let t = s.app.team(&v.who, team).await?;
    let log = s.app.team_audit_log(&v.who, team, q.cursor.clone(), Some(PAGE)).await?;
    let table = if log.items.is_empty() {
        "<p class=\"muted\">Nothing has been logged yet.</p>".to_string()
    } else {
        format!(
            "<div class=\"table-scroll\"><table class=\"kv audit\"><caption class=\"sr-only\">Audit log, newest first</caption>\
             <thead><tr><th scope=\"col\">When</th><th scope=\"col\">Who</th><th scope=\"col\">Action</th>\
             <th scope=\"col\">On</th><th scope=\"col\">Details</th></tr></thead><tbody>{}</tbody></table></div>",
            log.items.iter().map(row).collect::<String>()
        )
    };
    let tid = escape(&team.to_string());
    let mut nav = Vec::new();
    if q.cursor.is_some() {
        nav.push(format!(
            "<a class=\"button secondary\" href=\"/teams/{tid}/audit\">Newest</a>"
        ));
    }
    if let Some(c) = log.next_cursor {
        nav.push(format!(
            "<a class=\"button secondary\" href=\"/teams/{tid}/audit?cursor={}\" rel=\"next\">Older entries</a>",
            escape(&url_encode(&c))
        ));
    }
    let body = format!(
        "{head}<section class=\"card\" aria-labelledby=\"audit-h\"><h2 id=\"audit-h\">Audit log</h2>\
         <p>Invitations, acceptances, removals, role changes, Partner Workspace changes, forks, merges and exports, \
         newest first. The same entries are in <code>GET /api/audit/logs</code>.</p>{table}\
         <p class=\"actions\">{nav}</p></section>",
        head = header(&t, &v, TeamTab::Audit),
        nav = nav.join(" "),
    );
    Ok(team_page(&s, &v, &t, "Audit log", &body).await)
}
