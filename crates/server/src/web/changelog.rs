//! A collection's changelog: its revisions, newest first, with author,
//! time and the fields each touched element changed; **Restore** for those
//! who may edit brings back an earlier revision as a new one (R-COL-3).

use axum::extract::{Path, Query, State};
use axum::response::Response;
use portico_app::collections::{ChangeWithDiff, RevisionView};
use portico_domain::policy::Action;
use serde::Deserialize;
use serde_json::Value;

use super::collections::{Loaded, collection_id, frame};
use super::html::{csrf_field, escape, url_encode, when};
use super::layout::{self, Section};
use super::session::{Viewer, WebError, WebForm, see_other};
use crate::AppState;

const PAGE: u32 = 20;
/// Longest value a diff shows before cutting it.
const SHOWN: usize = 160;

#[derive(Debug, Deserialize)]
pub struct ChangelogQuery {
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct RestoreForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub revision: i64,
    /// The head revision the page showed (`If-Match`).
    #[serde(default)]
    pub base: i64,
}

pub(super) fn shown(v: Option<&Value>) -> String {
    let text = match v {
        None => return "<span class=\"muted\">—</span>".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let cut: String = text.chars().take(SHOWN).collect();
    let more = if cut.len() < text.len() { "…" } else { "" };
    format!("<code>{}{more}</code>", escape(&cut))
}

fn change_html(c: &ChangeWithDiff) -> String {
    let diff = match &c.diff {
        None => "<p class=\"muted small\">Too many elements changed to show each difference.</p>".to_string(),
        Some(fields) if fields.is_empty() => String::new(),
        Some(fields) => {
            let rows: String = fields
                .iter()
                .map(|f| {
                    format!(
                        "<tr><th scope=\"row\"><code>{}</code></th><td class=\"from\">{}</td><td class=\"to\">{}</td></tr>",
                        escape(&f.path),
                        shown(f.from.as_ref()),
                        shown(f.to.as_ref())
                    )
                })
                .collect();
            format!(
                "<div class=\"table-scroll\"><table class=\"kv diff\"><thead><tr><th scope=\"col\">Field</th>\
                 <th scope=\"col\">Before</th><th scope=\"col\">After</th></tr></thead><tbody>{rows}</tbody></table></div>"
            )
        }
    };
    format!(
        "<li><p><span class=\"badge change-{action}\">{action}</span> {kind} <strong>{name}</strong></p>{diff}</li>",
        action = escape(&c.change.action),
        kind = escape(&c.change.element_type),
        name = escape(&c.change.name),
    )
}

fn revision_html(r: &RevisionView, head: i64, restore: Option<(&str, &str)>) -> String {
    let action = match restore {
        Some((coll, csrf)) if r.revision < head => format!(
            "<form method=\"post\" action=\"/collections/{coll}/restore\" class=\"inline\" \
             data-confirm=\"Restore the collection as it was at revision {rev}? This makes a new revision; nothing is deleted.\">{csrf}\
             <input type=\"hidden\" name=\"revision\" value=\"{rev}\"><input type=\"hidden\" name=\"base\" value=\"{head}\">\
             <button type=\"submit\" class=\"button secondary small\">Restore revision {rev}</button></form>",
            rev = r.revision,
            csrf = csrf_field(csrf),
        ),
        _ if r.revision == head => "<span class=\"badge\">Current</span>".into(),
        _ => String::new(),
    };
    let changes: String = r.changes.iter().map(change_html).collect();
    format!(
        "<li class=\"revision\" id=\"revision-{rev}\" data-revision=\"{rev}\"><div class=\"page-head\">\
         <h2>Revision {rev}</h2>{action}</div>\
         <p class=\"muted small\">{author} · {at}{note}</p><ul class=\"changes\">{changes}</ul></li>",
        rev = r.revision,
        author = escape(if r.author_name.is_empty() {
            "Someone"
        } else {
            &r.author_name
        }),
        at = when(r.created_at),
        note = r
            .note
            .as_deref()
            .map(|n| format!(" · {}", escape(n)))
            .unwrap_or_default(),
    )
}

pub async fn page(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Query(q): Query<ChangelogQuery>,
) -> Result<Response, WebError> {
    let cid = collection_id(&id)?;
    let c = Loaded::read(&s, &v.who, cid).await?;
    let log = s.app.changelog(&v.who, cid, q.cursor, Some(PAGE)).await?;
    let coll = escape(&c.id());
    let restore =
        c.ws.allows(&v.who, Action::EditElements)
            .then_some((coll.as_str(), v.csrf()));
    let items: String = log
        .items
        .iter()
        .map(|r| revision_html(r, c.record.revision, restore))
        .collect();
    let more = log
        .next_cursor
        .map(|cur| {
            format!(
                "<p><a class=\"button secondary\" href=\"/collections/{coll}/changelog?cursor={}\">Older revisions</a></p>",
                escape(&url_encode(&cur))
            )
        })
        .unwrap_or_default();
    let detail = format!(
        "<section class=\"card\" aria-labelledby=\"log-h\"><h2 id=\"log-h\">Changelog</h2>\
         <ol class=\"revisions\" reversed>{items}</ol>{more}</section>"
    );
    let body = frame(&v, &c, None, &detail);
    let title = format!("Changelog · {}", c.record.name);
    Ok(layout::page(&s, &v, &title, Section::Workspaces, &body).await)
}

pub async fn restore(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    WebForm(f): WebForm<RestoreForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let cid = collection_id(&id)?;
    let saved = s.app.restore_collection(&v.who, cid, f.revision, Some(f.base)).await?;
    Ok(see_other(&format!(
        "/collections/{cid}/changelog#revision-{}",
        saved.collection.revision
    )))
}
