//! A request beside its collection's tree: read-only for those who may
//! only look, an editor for those who may change the collection. A save
//! goes through the same use case as `PUT /api/collections/{id}/requests/{rid}`
//! with the revision the page was rendered from (R-COL-2); in a Partner
//! Workspace its answer offers **Post an update** prefilled with the changes
//! since the last update (R-UPD-2).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portico_app::collections::{ElementChange, ItemWrite};
use portico_domain::ErrorKind;
use portico_domain::collection::NodeKind;
use portico_domain::policy::Action;
use serde::Deserialize;
use serde_json::Value;

use super::collections::{Loaded, collection_id, frame, method_badge, method_of, segment};
use super::html::{csrf_field, escape};
use super::layout::{self, Section};
use super::request_fields::{RequestDraft, query_params};
use super::session::{Viewer, WebError, WebForm, see_other};
use super::updates::category_label;
use crate::AppState;

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

#[derive(Debug, Deserialize)]
pub struct RequestQuery {
    pub saved: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct SaveForm {
    #[serde(default)]
    pub csrf: String,
    /// The collection revision the editor was rendered from (`If-Match`);
    /// text, as fields next to a flattened struct are read as text.
    #[serde(default)]
    pub revision: String,
    #[serde(flatten)]
    pub draft: RequestDraft,
}

/// What the editor shows above the request, besides the request itself.
enum Notice {
    None,
    Saved,
    Conflict(String),
    Nudge(Vec<ElementChange>),
}

fn options(current: &str, all: &[(&str, &str)]) -> String {
    let mut out = String::new();
    let mut found = false;
    for (value, label) in all {
        found |= *value == current;
        let sel = if *value == current { " selected" } else { "" };
        out.push_str(&format!(
            "<option value=\"{}\"{sel}>{}</option>",
            escape(value),
            escape(label)
        ));
    }
    if !found {
        out.push_str(&format!("<option value=\"{0}\" selected>{0}</option>", escape(current)));
    }
    out
}

fn textarea(id: &str, label: &str, value: &str, rows: u8, hint: &str) -> String {
    let (described, hint) = if hint.is_empty() {
        (String::new(), String::new())
    } else {
        (
            format!(" aria-describedby=\"{id}-hint\""),
            format!("<p class=\"hint\" id=\"{id}-hint\">{hint}</p>"),
        )
    };
    format!(
        "<div class=\"field\"><label for=\"{id}\">{label}</label>\
         <textarea id=\"{id}\" name=\"{id}\" rows=\"{rows}\" class=\"code\" spellcheck=\"false\"{described}>{}</textarea>{hint}</div>",
        escape(value)
    )
}

fn editor(coll: &str, rid: &str, d: &RequestDraft, revision: i64, csrf: &str) -> String {
    let methods: Vec<(&str, &str)> = METHODS.iter().map(|m| (*m, *m)).collect();
    let mut modes = vec![("none", "No body"), ("raw", "Raw text")];
    if !matches!(d.body_mode.as_str(), "none" | "raw") {
        modes.push((d.body_mode.as_str(), "kept as it is"));
    }
    let mut auths = vec![("inherit", "Inherit from parent"), ("noauth", "No auth")];
    if !matches!(d.auth.as_str(), "inherit" | "noauth") {
        auths.insert(0, (d.auth.as_str(), d.auth.as_str()));
    }
    format!(
        "<form method=\"post\" action=\"/collections/{coll}/requests/{rid}\" class=\"card stack editor\" aria-labelledby=\"req-h\">{csrf}\
         <input type=\"hidden\" name=\"revision\" value=\"{revision}\">\
         <h2 id=\"req-h\">Edit request</h2>\
         <div class=\"field\"><label for=\"name\">Name</label><input id=\"name\" name=\"name\" required maxlength=\"500\" value=\"{name}\"></div>\
         <div class=\"url-row\"><div class=\"field\"><label for=\"method\">Method</label><select id=\"method\" name=\"method\">{methods}</select></div>\
         <div class=\"field grow\"><label for=\"url\">URL</label><input id=\"url\" name=\"url\" value=\"{url}\" spellcheck=\"false\" class=\"code\"></div></div>\
         {params}\
         {headers}\
         <div class=\"field-row\"><div class=\"field\"><label for=\"body_mode\">Body</label><select id=\"body_mode\" name=\"body_mode\">{modes}</select></div>\
         <div class=\"field\"><label for=\"auth\">Auth</label><select id=\"auth\" name=\"auth\">{auths}</select></div></div>\
         {raw}{pre}{tests}\
         <div class=\"actions\"><button type=\"submit\" class=\"button\">Save</button>\
         <span class=\"muted small\">Based on revision {revision}</span></div></form>",
        csrf = csrf_field(csrf),
        name = escape(&d.name),
        methods = options(&d.method, &methods),
        url = escape(&d.url),
        params = params_table(&query_params(Some(&Value::String(d.url.clone())))),
        headers = textarea(
            "headers",
            "Headers",
            &d.headers,
            3,
            "One <code>Key: Value</code> a line; start a line with <code>//</code> to turn it off."
        ),
        modes = options(&d.body_mode, &modes),
        auths = options(&d.auth, &auths),
        raw = textarea("body_raw", "Raw body", &d.body_raw, 6, "Used when Body is Raw text."),
        pre = textarea("prerequest", "Pre-request script", &d.prerequest, 3, ""),
        tests = textarea("tests", "Tests", &d.tests, 3, ""),
    )
}

fn params_table(params: &[(String, String, bool)]) -> String {
    if params.is_empty() {
        return String::new();
    }
    let rows: String = params
        .iter()
        .map(|(k, v, off)| {
            format!(
                "<tr{}><td><code>{}</code></td><td>{}</td></tr>",
                if *off { " class=\"muted\"" } else { "" },
                escape(k),
                if v.is_empty() {
                    String::new()
                } else {
                    format!("<code>{}</code>", escape(v))
                }
            )
        })
        .collect();
    format!(
        "<table class=\"kv\"><caption>Query parameters</caption><thead><tr><th scope=\"col\">Key</th>\
         <th scope=\"col\">Value</th></tr></thead><tbody>{rows}</tbody></table>"
    )
}

fn read_only(item: &Value, d: &RequestDraft) -> String {
    let request = item.get("request");
    let block = |title: &str, text: &str| {
        if text.trim().is_empty() {
            String::new()
        } else {
            format!(
                "<h3 class=\"sub\">{title}</h3><pre class=\"code-block\">{}</pre>",
                escape(text)
            )
        }
    };
    format!(
        "<section class=\"card\" aria-labelledby=\"req-h\"><h2 id=\"req-h\">{name}</h2>\
         <p class=\"url-line\">{badge} <code>{url}</code></p>{params}\
         <dl class=\"facts\"><dt>Body</dt><dd>{mode}</dd><dt>Auth</dt><dd>{auth}</dd></dl>\
         {headers}{raw}{pre}{tests}</section>",
        name = escape(&d.name),
        badge = method_badge(&method_of(item)),
        url = escape(&d.url),
        params = params_table(&query_params(request.and_then(|r| r.get("url")))),
        mode = escape(&d.body_mode),
        auth = escape(if d.auth == "inherit" {
            "inherited from the parent"
        } else {
            &d.auth
        }),
        headers = block("Headers", &d.headers),
        raw = block("Body", &d.body_raw),
        pre = block("Pre-request script", &d.prerequest),
        tests = block("Tests", &d.tests),
    )
}

fn responses(item: &Value) -> String {
    let list = item
        .get("response")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    if list.is_empty() {
        return "<section class=\"card\" aria-labelledby=\"resp-h\"><h2 id=\"resp-h\">Saved responses</h2>\
                <p class=\"muted\">No saved responses.</p></section>"
            .into();
    }
    let rows: String = list
        .iter()
        .map(|r| {
            let code = r
                .get("code")
                .and_then(Value::as_i64)
                .map(|c| c.to_string())
                .unwrap_or_default();
            let status = r.get("status").and_then(Value::as_str).unwrap_or("");
            format!(
                "<li class=\"row\"><div class=\"row-main\"><span class=\"row-title\">{}</span></div>\
                 <div class=\"row-meta\"><span class=\"badge\">{} {}</span></div></li>",
                escape(r.get("name").and_then(Value::as_str).unwrap_or("Response")),
                escape(&code),
                escape(status)
            )
        })
        .collect();
    format!(
        "<section class=\"card\" aria-labelledby=\"resp-h\"><h2 id=\"resp-h\">Saved responses \
         <span class=\"muted small\">{}</span></h2><ul class=\"list bordered\">{rows}</ul></section>",
        list.len()
    )
}

/// The save nudge (R-UPD-2): the update form, prefilled with the changes
/// since the workspace's last update, posted to the Updates tab's form.
fn nudge(c: &Loaded, changes: &[ElementChange], csrf: &str) -> String {
    let ws = escape(&c.ws.access.workspace.id.to_string());
    let mut description = String::new();
    for ch in changes {
        description.push_str(&format!(
            "- {} {} **{}**\n",
            capitalised(&ch.action),
            ch.element_type,
            ch.name.replace('*', "\\*")
        ));
    }
    let topic = format!("Changes to {}", c.record.name);
    let json = serde_json::to_string(changes).unwrap_or_else(|_| "[]".into());
    let categories: String = portico_app::updates::CATEGORIES
        .iter()
        .map(|k| {
            let sel = if *k == "improvement" { " selected" } else { "" };
            format!("<option value=\"{k}\"{sel}>{}</option>", category_label(k))
        })
        .collect();
    format!(
        "<section class=\"card nudge\" aria-labelledby=\"nudge-h\" data-nudge>\
         <h2 id=\"nudge-h\">Post an update</h2>\
         <p class=\"muted\">Saved. Tell the partners of this workspace what changed: the form lists the changes since the last update.</p>\
         <form method=\"post\" action=\"/workspaces/{ws}/updates\" class=\"stack\">{csrf}\
         <input type=\"hidden\" name=\"related_collection\" value=\"{cid}\">\
         <input type=\"hidden\" name=\"element_changes\" value=\"{json}\">\
         <div class=\"field\"><label for=\"topic\">Topic</label><input id=\"topic\" name=\"topic\" required maxlength=\"200\" value=\"{topic}\"></div>\
         <div class=\"field\"><label for=\"description\">Description</label>\
         <textarea id=\"description\" name=\"description\" rows=\"5\" maxlength=\"10000\">{description}</textarea></div>\
         <div class=\"field\"><label for=\"category\">Category</label><select id=\"category\" name=\"category\">{categories}</select></div>\
         <div class=\"actions\"><button type=\"submit\" class=\"button\">Post update</button>\
         <a href=\"/collections/{cid}\" class=\"button secondary\">Not now</a></div></form></section>",
        csrf = csrf_field(csrf),
        cid = escape(&c.id()),
        json = escape(&json),
        topic = escape(&topic),
        description = escape(&description),
    )
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn render(v: &Viewer, c: &Loaded, rid: &str, item: &Value, draft: Option<&RequestDraft>, notice: &Notice) -> String {
    let stored = RequestDraft::of(item.as_object().unwrap_or(&serde_json::Map::new()));
    let d = draft.unwrap_or(&stored);
    let mut detail = match notice {
        Notice::None => String::new(),
        Notice::Saved => "<p class=\"ok\" role=\"status\">Saved.</p>".into(),
        Notice::Conflict(m) => format!(
            "<div class=\"alert\" role=\"alert\"><p><strong>Not saved.</strong> {}</p>\
             <p>Your changes are still in the form below. <a href=\"/collections/{}/requests/{}\">Open the current version</a> in another tab, \
             then apply them again.</p></div>",
            escape(m),
            escape(&c.id()),
            escape(&segment(rid))
        ),
        Notice::Nudge(changes) => nudge(c, changes, v.csrf()),
    };
    if c.ws.allows(&v.who, Action::EditElements) {
        detail.push_str(&editor(
            &escape(&c.id()),
            &escape(&segment(rid)),
            d,
            c.record.revision,
            v.csrf(),
        ));
    } else {
        detail.push_str(&read_only(item, d));
    }
    detail.push_str(&responses(item));
    frame(v, c, Some(rid), &detail)
}

pub async fn page(
    State(s): State<AppState>,
    v: Viewer,
    Path((id, rid)): Path<(String, String)>,
    Query(q): Query<RequestQuery>,
) -> Result<Response, WebError> {
    let c = Loaded::read(&s, &v.who, collection_id(&id)?).await?;
    let item = c.request(&rid).ok_or(WebError::NotFound)?;
    let notice = if q.saved.is_some() { Notice::Saved } else { Notice::None };
    let body = render(&v, &c, &rid, item, None, &notice);
    let title = format!(
        "{} · {}",
        item.get("name").and_then(Value::as_str).unwrap_or("Request"),
        c.record.name
    );
    Ok(layout::page(&s, &v, &title, Section::Workspaces, &body).await)
}

pub async fn save(
    State(s): State<AppState>,
    v: Viewer,
    Path((id, rid)): Path<(String, String)>,
    WebForm(f): WebForm<SaveForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let cid = collection_id(&id)?;
    let revision: i64 = f.revision.trim().parse().map_err(|_| {
        WebError::Refused(
            StatusCode::BAD_REQUEST,
            "The form does not say which revision it edits.".into(),
        )
    })?;
    let current = s.app.item(&v.who, cid, NodeKind::Request, rid.clone()).await?;
    let write = ItemWrite {
        body: Some(Value::Object(f.draft.apply(&current.fields))),
        ..ItemWrite::default()
    };
    let outcome = s
        .app
        .update_item(&v.who, cid, NodeKind::Request, rid.clone(), write, Some(revision))
        .await;
    match outcome {
        Ok((saved, _)) if saved.post_update_suggested => {
            let c = Loaded::read(&s, &v.who, cid).await?;
            let item = c.request(&rid).ok_or(WebError::NotFound)?;
            let body = render(&v, &c, &rid, item, None, &Notice::Nudge(saved.element_changes));
            Ok(layout::page(&s, &v, &c.record.name, Section::Workspaces, &body).await)
        }
        Ok(_) => Ok(see_other(&format!(
            "/collections/{cid}/requests/{}?saved=1",
            segment(&rid)
        ))),
        Err(e) if e.kind == ErrorKind::Conflict => {
            // Keep the person's input: the form again, on the revision it was
            // based on, with the conflict's sentence.
            let mut stale = Loaded::read(&s, &v.who, cid).await?;
            stale.record.revision = revision;
            let item = stale.request(&rid).ok_or(WebError::NotFound)?;
            let body = render(&v, &stale, &rid, item, Some(&f.draft), &Notice::Conflict(e.message));
            let page = layout::page(&s, &v, &stale.record.name, Section::Workspaces, &body).await;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
