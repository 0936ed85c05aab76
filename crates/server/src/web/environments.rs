//! Environments in the browser: the Environments section of a workspace's
//! overview with **New environment**, and an environment's page: its
//! variables, where a secret's value is never in the page (shown as ••••),
//! with the editor for those who may edit elements and Delete. Partner
//! viewers and workspace viewers read only.

use std::collections::{BTreeSet, HashMap};

use axum::extract::{Path, Query, State};
use axum::response::Response;
use portico_app::environments::EnvironmentView;
use portico_app::workspaces::WorkspaceView;
use portico_domain::environment::VariableEdit;
use portico_domain::ids::EnvironmentId;
use portico_domain::policy::Action;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::html::{csrf_field, escape, when};
use super::layout::{self, Section};
use super::session::{Viewer, WebError, WebForm, see_other};
use super::workspaces::workspace_id;
use crate::AppState;

/// Blank rows the editor offers for new variables.
const NEW_ROWS: usize = 3;

/// A path id that cannot be an environment reads as a missing one.
fn environment_id(id: &str) -> Result<EnvironmentId, WebError> {
    EnvironmentId::parse(id).map_err(|_| WebError::NotFound)
}

/// The Environments section of a workspace's overview.
pub async fn section(s: &AppState, v: &Viewer, ws: &WorkspaceView) -> Result<String, WebError> {
    let id = ws.access.workspace.id;
    let list = s.app.list_environments(&v.who, Some(id)).await?;
    let rows: String = list
        .iter()
        .map(|e| {
            format!(
                "<li class=\"row\" data-environment=\"{eid}\"><div class=\"row-main\">\
                 <a class=\"row-title\" href=\"/environments/{eid}\">{name}</a>\
                 <span class=\"row-sub muted small\">Updated {at} · revision {rev}</span></div></li>",
                eid = escape(&e.id.to_string()),
                name = escape(&e.name),
                at = when(e.updated_at),
                rev = e.revision,
            )
        })
        .collect();
    let listing = if rows.is_empty() {
        "<p class=\"muted\">No environments yet.</p>".to_string()
    } else {
        format!("<ul class=\"list bordered coll-list\">{rows}</ul>")
    };
    let create = if ws.allows(&v.who, Action::EditElements) {
        format!(
            "<details class=\"composer import\"><summary>New environment</summary>\
             <form method=\"post\" action=\"/workspaces/{wid}/environments\" class=\"field-row\">{csrf}\
             <div class=\"field grow\"><label for=\"env-name\">Name</label>\
             <input id=\"env-name\" name=\"name\" required maxlength=\"500\" placeholder=\"Staging\"></div>\
             <div class=\"field\"><button type=\"submit\" class=\"button\">Create</button></div></form></details>",
            wid = escape(&id.to_string()),
            csrf = csrf_field(v.csrf()),
        )
    } else {
        String::new()
    };
    Ok(format!(
        "<section class=\"card\" aria-labelledby=\"environments-h\"><h2 id=\"environments-h\">Environments \
         <span class=\"muted small\">{n}</span></h2>{listing}{create}</section>",
        n = list.len(),
    ))
}

#[derive(Debug, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
}

pub async fn create(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    WebForm(f): WebForm<CreateForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let ws = workspace_id(&id)?;
    let body = serde_json::json!({ "environment": { "name": f.name, "values": [] } });
    let saved = s.app.create_environment(&v.who, ws, body).await?;
    Ok(see_other(&format!("/environments/{}", saved.record.id)))
}

fn is_secret(v: &Map<String, Value>) -> bool {
    v.get("type").and_then(Value::as_str) == Some("secret")
}

fn is_enabled(v: &Map<String, Value>) -> bool {
    v.get("enabled").and_then(Value::as_bool) != Some(false)
}

fn key_of(v: &Map<String, Value>) -> &str {
    v.get("key").and_then(Value::as_str).unwrap_or("")
}

/// A non-secret value as text (files may hold numbers or booleans).
fn value_text(v: &Map<String, Value>) -> String {
    match v.get("value") {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => String::new(),
        Some(other) => other.to_string(),
    }
}

const MASK: &str = "<span class=\"secret-mask\" data-secret><span aria-hidden=\"true\">••••</span>\
                    <span class=\"sr-only\">secret value, hidden</span></span>";

fn read_only(view: &EnvironmentView) -> String {
    if view.content.values.is_empty() {
        return "<p class=\"muted\">This environment has no variables yet.</p>".into();
    }
    let rows: String = view
        .content
        .values
        .iter()
        .map(|var| {
            let secret = is_secret(var);
            format!(
                "<tr data-variable=\"{key}\"><td><code>{key}</code></td><td>{value}</td><td>{kind}</td><td>{on}</td></tr>",
                key = escape(key_of(var)),
                value = if secret {
                    MASK.to_string()
                } else {
                    format!("<code>{}</code>", escape(&value_text(var)))
                },
                kind = if secret { "secret" } else { "default" },
                on = if is_enabled(var) { "yes" } else { "no" },
            )
        })
        .collect();
    format!(
        "<div class=\"table-scroll\"><table class=\"kv env-vars\"><caption class=\"sr-only\">Variables</caption>\
         <thead><tr><th scope=\"col\">Key</th><th scope=\"col\">Value</th><th scope=\"col\">Type</th>\
         <th scope=\"col\">Enabled</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )
}

/// One editable row; `var` is `None` for a blank row (a new variable).
fn edit_row(n: usize, var: Option<&Map<String, Value>>) -> String {
    let key = var.map_or("", key_of);
    let secret = var.is_some_and(is_secret);
    let label = if key.is_empty() {
        format!("new variable {}", n + 1)
    } else {
        key.to_string()
    };
    let value = if secret {
        format!(
            "<input type=\"password\" name=\"value.{n}\" value=\"\" autocomplete=\"new-password\" \
             placeholder=\"•••• unchanged\" aria-label=\"New value of {l} (blank keeps the secret)\">\
             <input type=\"hidden\" name=\"keep.{n}\" value=\"on\">",
            l = escape(&label),
        )
    } else {
        format!(
            "<input name=\"value.{n}\" value=\"{val}\" class=\"code\" spellcheck=\"false\" aria-label=\"Value of {l}\">",
            val = escape(&var.map(value_text).unwrap_or_default()),
            l = escape(&label),
        )
    };
    let orig = var.map_or_else(String::new, |_| {
        format!("<input type=\"hidden\" name=\"orig.{n}\" value=\"{}\">", escape(key))
    });
    let sel = |on: bool| if on { " selected" } else { "" };
    format!(
        "<tr data-variable=\"{k}\"><td>{orig}<input name=\"key.{n}\" value=\"{k}\" class=\"code\" spellcheck=\"false\" aria-label=\"Key of {l}\"></td>\
         <td>{value}</td><td><select name=\"type.{n}\" aria-label=\"Type of {l}\">\
         <option value=\"default\"{d}>default</option><option value=\"secret\"{s}>secret</option></select></td>\
         <td class=\"center\"><input type=\"checkbox\" name=\"enabled.{n}\" value=\"on\" aria-label=\"{l} enabled\"{on}></td>\
         <td class=\"center\">{remove}</td></tr>",
        k = escape(key),
        l = escape(&label),
        d = sel(!secret),
        s = sel(secret),
        on = if var.is_none_or(is_enabled) { " checked" } else { "" },
        remove = if var.is_some() {
            format!(
                "<input type=\"checkbox\" name=\"remove.{n}\" value=\"on\" aria-label=\"Remove {}\">",
                escape(&label)
            )
        } else {
            String::new()
        },
    )
}

fn editor(view: &EnvironmentView, v: &Viewer) -> String {
    let id = escape(&view.record.id.to_string());
    let existing = view.content.values.len();
    let rows: String = view
        .content
        .values
        .iter()
        .enumerate()
        .map(|(n, var)| edit_row(n, Some(var)))
        .chain((existing..existing + NEW_ROWS).map(|n| edit_row(n, None)))
        .collect();
    format!(
        "<form method=\"post\" action=\"/environments/{id}\" class=\"stack env-editor\">{csrf}\
         <input type=\"hidden\" name=\"revision\" value=\"{rev}\">\
         <div class=\"field\"><label for=\"env-name\">Name</label>\
         <input id=\"env-name\" name=\"name\" required maxlength=\"500\" value=\"{name}\"></div>\
         <div class=\"table-scroll\"><table class=\"kv env-vars env-edit\"><caption class=\"sr-only\">Variables</caption>\
         <thead><tr><th scope=\"col\">Key</th><th scope=\"col\">Value</th><th scope=\"col\">Type</th>\
         <th scope=\"col\">Enabled</th><th scope=\"col\">Remove</th></tr></thead><tbody>{rows}</tbody></table></div>\
         <p class=\"hint\">Secret values are never shown: leave one blank to keep it, or type a new one. \
         Fill a blank row to add a variable; save to get more blank rows.</p>\
         <div><button type=\"submit\" class=\"button\">Save environment</button></div></form>",
        csrf = csrf_field(v.csrf()),
        rev = view.record.revision,
        name = escape(&view.record.name),
    )
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    pub saved: Option<String>,
}

pub async fn page(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let view = s.app.environment(&v.who, environment_id(&id)?, false).await?;
    let ws = s.app.workspace(&v.who, view.record.workspace_id).await?;
    let w = &ws.access.workspace;
    let eid = escape(&view.record.id.to_string());
    let wid = escape(&w.id.to_string());
    let saved = match q.saved.as_deref() {
        Some("nudge") => format!(
            "<p class=\"ok\" role=\"status\">Saved. Partners follow this workspace's updates: \
             <a href=\"/workspaces/{wid}/updates\">post an update</a> about the change.</p>"
        ),
        Some(_) => "<p class=\"ok\" role=\"status\">Saved.</p>".into(),
        None => String::new(),
    };
    let export = if ws.allows(&v.who, Action::ExportElements) {
        format!(
            "<a class=\"button secondary small\" href=\"/api/environments/{eid}?download=true\" download>Export</a>"
        )
    } else {
        String::new()
    };
    let (main, delete) = if view.can_edit {
        (
            editor(&view, &v),
            format!(
                "<section class=\"card danger-zone\" aria-labelledby=\"del-h\"><h2 id=\"del-h\">Delete this environment</h2>\
                 <form method=\"post\" action=\"/environments/{eid}/delete\" data-confirm=\"Delete this environment for everyone?\">{csrf}\
                 <button type=\"submit\" class=\"button danger\">Delete environment</button></form></section>",
                csrf = csrf_field(v.csrf()),
            ),
        )
    } else {
        (read_only(&view), String::new())
    };
    let body = format!(
        "<div class=\"page-head\"><div><p class=\"crumbs\"><a href=\"/workspaces\">Workspaces</a> / \
         <a href=\"/workspaces/{wid}\">{ws_name}</a></p><h1>{name}</h1></div>\
         <p class=\"actions\">{export}</p></div>{saved}\
         <section class=\"card\" aria-labelledby=\"vars-h\"><h2 id=\"vars-h\">{heading} \
         <span class=\"muted small\">revision {rev} · updated {at}</span></h2>{main}</section>{delete}",
        heading = if view.can_edit {
            "Name and variables"
        } else {
            "Variables"
        },
        ws_name = escape(&w.name),
        name = escape(&view.record.name),
        rev = view.record.revision,
        at = when(view.record.updated_at),
    );
    Ok(layout::page(&s, &v, &view.record.name, Section::Workspaces, &body).await)
}

/// The rows of the editor's form, in order: `key.N`, `value.N`, `type.N`,
/// `enabled.N`, `orig.N` (the key it was shown with), `keep.N` (a secret
/// shown blank), `remove.N`.
fn rows_of(f: &HashMap<String, String>) -> Vec<VariableEdit> {
    let numbers: BTreeSet<usize> = f.keys().filter_map(|k| k.strip_prefix("key.")?.parse().ok()).collect();
    let get = |field: &str, n: usize| f.get(&format!("{field}.{n}"));
    numbers
        .into_iter()
        .filter(|n| get("remove", *n).is_none())
        .map(|n| {
            let value = get("value", n).cloned().unwrap_or_default();
            let original_key = get("orig", n).cloned();
            let keep = value.is_empty() && original_key.is_some() && get("keep", n).is_some();
            VariableEdit {
                original_key,
                key: get("key", n).cloned().unwrap_or_default(),
                value: (!keep).then_some(value),
                secret: get("type", n).is_some_and(|t| t == "secret"),
                enabled: get("enabled", n).is_some(),
            }
        })
        .collect()
}

pub async fn save(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    WebForm(f): WebForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    v.check_csrf(f.get("csrf").map_or("", String::as_str))?;
    let id = environment_id(&id)?;
    let revision = f.get("revision").and_then(|r| r.parse().ok()).ok_or_else(|| {
        WebError::Refused(
            axum::http::StatusCode::BAD_REQUEST,
            "The form lacks its revision.".into(),
        )
    })?;
    let name = f.get("name").cloned().unwrap_or_default();
    let saved = s.app.edit_environment(&v.who, id, name, rows_of(&f), revision).await?;
    let mark = if saved.post_update_suggested { "nudge" } else { "1" };
    Ok(see_other(&format!("/environments/{id}?saved={mark}")))
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

pub async fn delete(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    WebForm(f): WebForm<CsrfForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let gone = s.app.delete_environment(&v.who, environment_id(&id)?).await?;
    Ok(see_other(&format!("/workspaces/{}", gone.workspace_id)))
}
