//! Collections in the browser: the Collections section of a workspace's
//! overview with Import and Export, and a collection's page: the tree of
//! folders and requests beside the selected request (R-COL-1).
//!
//! The tree is read from the collection's v2.1 export (the same use case as
//! `GET /api/collections/{id}`), so the page shows what an export holds.

use axum::extract::{Path, State};
use axum::response::Response;
use portico_app::Principal;
use portico_app::collections::CollectionInput;
use portico_app::workspaces::WorkspaceView;
use portico_domain::ids::CollectionId;
use portico_domain::policy::Action;
use portico_store::CollectionRecord;
use serde::Deserialize;
use serde_json::Value;

use super::html::{csrf_field, escape, when};
use super::layout::{self, Section};
use super::session::{Viewer, WebError, WebForm, see_other};
use super::workspaces::workspace_id;
use crate::AppState;

/// A path id that cannot be a collection reads as a missing one.
pub fn collection_id(id: &str) -> Result<CollectionId, WebError> {
    CollectionId::parse(id).map_err(|_| WebError::NotFound)
}

/// Percent-encodes one path segment (element ids come from imported files
/// and may hold any character).
pub fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A collection as a page shows it: its record, its v2.1 document and the
/// workspace it lives in (which decides what the page offers).
pub struct Loaded {
    pub record: CollectionRecord,
    pub doc: Value,
    pub ws: WorkspaceView,
}

impl Loaded {
    pub async fn read(s: &AppState, who: &Principal, id: CollectionId) -> Result<Self, WebError> {
        let (record, text) = s.app.collection(who, id, false).await?;
        let doc: Value = serde_json::from_str(&text).map_err(|_| WebError::Internal)?;
        let ws = s.app.workspace(who, record.workspace_id).await?;
        Ok(Self { record, doc, ws })
    }

    pub fn id(&self) -> String {
        self.record.id.to_string()
    }

    /// The request `rid` of the tree, with its v2.1 fields.
    pub fn request(&self, rid: &str) -> Option<&Value> {
        fn find<'a>(items: &'a [Value], rid: &str) -> Option<&'a Value> {
            items.iter().find_map(|i| {
                if i.get("request").is_some() && i.get("id").and_then(Value::as_str) == Some(rid) {
                    Some(i)
                } else {
                    find(items_of(i), rid)
                }
            })
        }
        find(items_of(&self.doc), rid)
    }
}

fn items_of(v: &Value) -> &[Value] {
    v.get("item").and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn name_of(v: &Value) -> &str {
    v.get("name").and_then(Value::as_str).unwrap_or("Untitled")
}

/// A request's method, upper case (`GET` when the file names none).
pub fn method_of(item: &Value) -> String {
    item.get("request")
        .and_then(|r| r.get("method"))
        .and_then(Value::as_str)
        .unwrap_or("GET")
        .to_ascii_uppercase()
}

/// The coloured method badge of a request.
pub fn method_badge(method: &str) -> String {
    let class = match method {
        "GET" | "POST" | "PUT" | "PATCH" | "DELETE" => method.to_ascii_lowercase(),
        _ => "other".into(),
    };
    format!("<span class=\"method m-{class}\">{}</span>", escape(method))
}

fn count_requests(items: &[Value]) -> usize {
    items
        .iter()
        .map(|i| {
            if i.get("request").is_some() {
                1
            } else {
                count_requests(items_of(i))
            }
        })
        .sum()
}

fn tree_html(out: &mut String, coll: &str, items: &[Value], selected: Option<&str>) {
    out.push_str("<ul>");
    for i in items {
        let id = i.get("id").and_then(Value::as_str).unwrap_or("");
        if i.get("request").is_some() {
            let current = if selected == Some(id) {
                " aria-current=\"page\""
            } else {
                ""
            };
            out.push_str(&format!(
                "<li class=\"tree-request\"><a href=\"/collections/{coll}/requests/{rid}\"{current}>{badge}\
                 <span class=\"tree-name\">{name}</span></a></li>",
                rid = escape(&segment(id)),
                badge = method_badge(&method_of(i)),
                name = escape(name_of(i)),
            ));
        } else {
            out.push_str(&format!(
                "<li class=\"tree-folder\" data-folder=\"{}\"><details open><summary><span class=\"folder-name\">{}</span></summary>",
                escape(id),
                escape(name_of(i)),
            ));
            let children = items_of(i);
            if children.is_empty() {
                out.push_str("<p class=\"muted small tree-empty\">Empty folder</p>");
            } else {
                tree_html(out, coll, children, selected);
            }
            out.push_str("</details></li>");
        }
    }
    out.push_str("</ul>");
}

/// The frame of a collection's pages: crumbs, title, Export and Changelog,
/// then the tree beside `detail` (below it on narrow screens).
pub fn frame(v: &Viewer, c: &Loaded, selected: Option<&str>, detail: &str) -> String {
    let id = escape(&c.id());
    let ws = &c.ws.access.workspace;
    let export = if c.ws.allows(&v.who, Action::ExportElements) {
        format!("<a class=\"button secondary small\" href=\"/api/collections/{id}?download=true\" download>Export</a>")
    } else {
        String::new()
    };
    let mut tree = String::new();
    let items = items_of(&c.doc);
    if items.is_empty() {
        tree.push_str("<p class=\"muted\">This collection has no requests yet.</p>");
    } else {
        tree_html(&mut tree, &id, items, selected);
    }
    format!(
        "<div class=\"page-head\"><div><p class=\"crumbs\"><a href=\"/workspaces\">Workspaces</a> / \
         <a href=\"/workspaces/{ws_id}\">{ws_name}</a></p><h1>{name}</h1></div>\
         <p class=\"actions\"><a class=\"button secondary small\" href=\"/collections/{id}/changelog\">Changelog</a>{export}</p></div>\
         <div class=\"coll-grid\"><nav class=\"card tree\" aria-label=\"Folders and requests\">\
         <h2 class=\"sr-only\">Folders and requests</h2>\
         <p class=\"muted small\"><a href=\"/collections/{id}\">{name}</a> · revision {rev}</p>{tree}</nav>\
         <div class=\"coll-detail\">{detail}</div></div>",
        ws_id = escape(&ws.id.to_string()),
        ws_name = escape(&ws.name),
        name = escape(&c.record.name),
        rev = c.record.revision,
    )
}

/// The Collections section of a workspace's overview, with the Import form
/// for those who may add collections.
pub async fn section(s: &AppState, v: &Viewer, ws: &WorkspaceView) -> Result<String, WebError> {
    let id = ws.access.workspace.id;
    let list = s.app.list_collections(&v.who, Some(id), None).await?;
    let mut rows = String::new();
    for c in &list {
        rows.push_str(&format!(
            "<li class=\"row\" data-collection=\"{cid}\"><div class=\"row-main\">\
             <a class=\"row-title\" href=\"/collections/{cid}\">{name}</a>\
             <span class=\"row-sub muted small\">Updated {at} · revision {rev}{forks}</span></div></li>",
            cid = escape(&c.record.id.to_string()),
            name = escape(&c.record.name),
            at = when(c.record.updated_at),
            rev = c.record.revision,
            forks = match c.forks {
                0 => String::new(),
                1 => " · 1 fork".into(),
                n => format!(" · {n} forks"),
            },
        ));
    }
    let listing = if rows.is_empty() {
        "<p class=\"muted\">No collections yet.</p>".to_string()
    } else {
        format!("<ul class=\"list bordered coll-list\">{rows}</ul>")
    };
    let import = if ws.allows(&v.who, Action::EditElements) {
        format!(
            "<details class=\"composer import\"><summary>Import a collection</summary>\
             <form method=\"post\" action=\"/workspaces/{wid}/collections\" class=\"stack\">{csrf}\
             <div class=\"field\"><label for=\"collection-file\">Collection file (v2.1, v2.0 or v1 JSON)</label>\
             <input id=\"collection-file\" type=\"file\" accept=\".json,.yaml,.yml,application/json,application/yaml\" data-fill=\"collection-text\" data-replace data-max=\"33554432\"></div>\
             <div class=\"field\"><label for=\"collection-text\">Or paste its JSON</label>\
             <textarea id=\"collection-text\" name=\"collection\" rows=\"6\" required spellcheck=\"false\" class=\"code\" aria-describedby=\"collection-hint\"></textarea>\
             <p class=\"hint\" id=\"collection-hint\">The file is read in your browser into this box; check it, then import.</p></div>\
             <div><button type=\"submit\" class=\"button\">Import</button></div></form></details>",
            wid = escape(&id.to_string()),
            csrf = csrf_field(v.csrf()),
        )
    } else {
        String::new()
    };
    Ok(format!(
        "<section class=\"card\" aria-labelledby=\"collections-h\"><h2 id=\"collections-h\">Collections \
         <span class=\"muted small\">{n}</span></h2>{listing}{import}</section>",
        n = list.len(),
    ))
}

#[derive(Debug, Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub collection: String,
}

/// Imports the posted collection text through the import use case; a
/// refused file shows the use case's message and nothing is written.
pub async fn import(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    WebForm(f): WebForm<ImportForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let ws = workspace_id(&id)?;
    let saved = s
        .app
        .create_collection(&v.who, ws, CollectionInput::upload(f.collection.into_bytes())?)
        .await?;
    Ok(see_other(&format!("/collections/{}", saved.collection.id)))
}

/// A collection's page: the tree, and a summary where a request would be.
pub async fn page(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> Result<Response, WebError> {
    let c = Loaded::read(&s, &v.who, collection_id(&id)?).await?;
    let info = c.doc.get("info");
    let about = info
        .and_then(|i| i.get("description"))
        .and_then(|d| d.as_str().or_else(|| d.get("content").and_then(Value::as_str)))
        .map(|d| format!("<div class=\"prose\">{}</div>", portico_app::markdown::render(d)))
        .unwrap_or_default();
    let detail = format!(
        "<section class=\"card\" aria-labelledby=\"coll-h\"><h2 id=\"coll-h\">About this collection</h2>{about}\
         <dl class=\"facts\"><dt>Requests</dt><dd>{n}</dd><dt>Revision</dt><dd>{rev}</dd>\
         <dt>Updated</dt><dd>{at}</dd></dl>\
         <p class=\"muted\">Choose a request in the tree to see it{edit}.</p></section>{run}{forks}",
        n = count_requests(items_of(&c.doc)),
        rev = c.record.revision,
        at = when(c.record.updated_at),
        run = super::runs::section(&s, &v, &c).await?,
        forks = super::forks::sections(&s, &v, &c).await?,
        edit = if c.ws.allows(&v.who, Action::EditElements) {
            " and edit it"
        } else {
            ""
        },
    );
    let body = frame(&v, &c, None, &detail);
    Ok(layout::page(&s, &v, &c.record.name, Section::Workspaces, &body).await)
}
