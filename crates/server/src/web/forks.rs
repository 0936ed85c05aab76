//! Forks in the browser, on a collection's page: the **Fork** dialog
//! offering exactly the destinations the policy allows, the collection's
//! **forks** and pull requests, and on a fork its **source status** (behind
//! and ahead) with **Pull changes** and **Create pull request**; a pull with
//! conflicts answers a page with a choice per conflict, posted back as the
//! pull's resolutions (R-FORK-1..3).

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portico_domain::ErrorKind;
use portico_domain::collection::{Conflict, Resolutions, Side};
use portico_domain::ids::WorkspaceId;
use portico_domain::policy::Action;
use serde::Deserialize;
use serde_json::Value;

use super::collections::{Loaded, collection_id, frame};
use super::html::{csrf_field, escape, when};
use super::layout::{self, Section};
use super::session::{Viewer, WebError, WebForm, see_other};
use crate::AppState;

/// Longest value a conflict shows before cutting it.
const SHOWN: usize = 200;

/// The fork sections of a collection's page: its source status (when it is
/// a fork), its forks, and the Fork dialog (when the policy allows).
pub async fn sections(s: &AppState, v: &Viewer, c: &Loaded) -> Result<String, WebError> {
    let mut out = status_section(s, v, c).await?;
    out.push_str(&super::pull_requests::section(s, v, c).await?);
    out.push_str(&list_section(s, v, c).await?);
    if c.ws.allows(&v.who, Action::Fork) {
        out.push_str(&dialog(s, v, c).await?);
    }
    Ok(out)
}

/// Team names the viewer knows: those of their own teams.
async fn team_names(s: &AppState, v: &Viewer) -> Result<HashMap<String, String>, WebError> {
    let me = s.app.me(&v.who).await?;
    Ok(me
        .memberships
        .into_iter()
        .map(|m| (m.team.id.to_string(), m.team.name))
        .collect())
}

fn team_label(names: &HashMap<String, String>, team: &str, publisher: &str) -> String {
    match names.get(team) {
        Some(n) => n.clone(),
        None if team == publisher => "Publishing team".into(),
        None => "Another team".into(),
    }
}

/// "N revisions behind", "N changes ahead", **Pull changes** and
/// **Create pull request**, on a fork.
async fn status_section(s: &AppState, v: &Viewer, c: &Loaded) -> Result<String, WebError> {
    let status = match s.app.fork_status(&v.who, c.record.id).await {
        Ok(st) => st,
        // Not a fork: nothing to show.
        Err(e) if e.kind == ErrorKind::Invalid => return Ok(String::new()),
        Err(e) => return Err(e.into()),
    };
    let fork = &status.fork;
    let source = fork.parent_id.to_string();
    let behind = match status.behind {
        0 => "<span data-behind=\"0\">Up to date with the source.</span>".to_string(),
        1 => "<span data-behind=\"1\"><strong>1 revision behind</strong> the source.</span>".to_string(),
        n => format!("<span data-behind=\"{n}\"><strong>{n} revisions behind</strong> the source.</span>"),
    };
    let ahead = match status.ahead {
        None => String::new(),
        Some(0) => " <span data-ahead=\"0\">No changes the source lacks.</span>".to_string(),
        Some(1) => " <span data-ahead=\"1\"><strong>1 change ahead</strong> of the source.</span>".to_string(),
        Some(n) => format!(" <span data-ahead=\"{n}\"><strong>{n} changes ahead</strong> of the source.</span>"),
    };
    let editor = c.ws.allows(&v.who, Action::EditElements);
    let pull = if status.behind > 0 && editor {
        format!(
            "<form method=\"post\" action=\"/collections/{id}/pull\" class=\"inline\">{csrf}\
             <input type=\"hidden\" name=\"base\" value=\"{rev}\">\
             <button type=\"submit\" class=\"button\">Pull changes</button></form>",
            id = escape(&c.id()),
            csrf = csrf_field(v.csrf()),
            rev = c.record.revision,
        )
    } else {
        String::new()
    };
    let propose = if editor && status.ahead.is_some_and(|n| n > 0) {
        format!(
            "<a class=\"button secondary\" href=\"/collections/{}/pull-requests/new\">Create pull request</a>",
            escape(&c.id())
        )
    } else {
        String::new()
    };
    Ok(format!(
        "<section class=\"card\" aria-labelledby=\"source-h\"><h2 id=\"source-h\">Source</h2>\
         <p>Forked as <strong>{label}</strong> from <a href=\"/collections/{source}\">the source collection</a> \
         (its revision {base}).</p><p class=\"fork-status\">{behind}{ahead}</p>\
         <div class=\"actions\">{pull}{propose}</div></section>",
        label = escape(&fork.label),
        source = escape(&source),
        base = fork.base_revision,
    ))
}

/// The forks of this collection the viewer may see (the app's listing).
async fn list_section(s: &AppState, v: &Viewer, c: &Loaded) -> Result<String, WebError> {
    let list = s.app.collection_forks(&v.who, c.record.id).await?;
    if list.forks.is_empty() && list.hidden == 0 {
        return Ok(String::new());
    }
    let names = team_names(s, v).await?;
    let publisher = c.ws.access.workspace.team_id.to_string();
    let mut rows = String::new();
    for f in &list.forks {
        let place = match s.app.workspace(&v.who, f.collection.workspace_id).await {
            Ok(ws) => format!(
                "{} / {}",
                escape(&team_label(
                    &names,
                    &ws.access.workspace.team_id.to_string(),
                    &publisher
                )),
                escape(&ws.access.workspace.name)
            ),
            Err(_) => "A workspace you cannot open".into(),
        };
        rows.push_str(&format!(
            "<li class=\"row\" data-fork=\"{id}\"><div class=\"row-main\">\
             <a class=\"row-title\" href=\"/collections/{id}\">{label}</a>\
             <span class=\"row-sub muted small\">{place} · forked {at}</span></div></li>",
            id = escape(&f.collection.id.to_string()),
            label = escape(&f.fork.label),
            at = when(f.fork.created_at),
        ));
    }
    let hidden = match list.hidden {
        0 => String::new(),
        1 => "<p class=\"muted small\">1 more fork is in a workspace you cannot see.</p>".into(),
        n => format!("<p class=\"muted small\">{n} more forks are in workspaces you cannot see.</p>"),
    };
    let listing = if rows.is_empty() {
        String::new()
    } else {
        format!("<ul class=\"list bordered fork-list\">{rows}</ul>")
    };
    Ok(format!(
        "<section class=\"card\" aria-labelledby=\"forks-h\"><h2 id=\"forks-h\">Forks \
         <span class=\"muted small\">{n}</span></h2>{listing}{hidden}</section>",
        n = list.forks.len(),
    ))
}

/// The Fork dialog: a label and a destination among exactly the workspaces
/// R-FORK-1 allows, grouped by team (the publisher's first).
async fn dialog(s: &AppState, v: &Viewer, c: &Loaded) -> Result<String, WebError> {
    let groups = s.app.fork_destinations(&v.who, c.record.id).await?;
    // Nowhere to fork into: no dialog.
    if groups.is_empty() {
        return Ok(String::new());
    }
    let mut opts = String::new();
    for g in &groups {
        let team = match (&g.team_name, g.publisher) {
            (Some(name), true) => name.clone(),
            (Some(name), false) => format!("{name} (your team)"),
            (None, true) => "Publishing team".to_string(),
            (None, false) => "Another team".to_string(),
        };
        let options: String = g
            .workspaces
            .iter()
            .map(|w| {
                format!(
                    "<option value=\"{}\">{}</option>",
                    escape(&w.id.to_string()),
                    escape(&w.name)
                )
            })
            .collect();
        opts.push_str(&format!(
            "<optgroup label=\"{}\" data-team=\"{}\">{options}</optgroup>",
            escape(&team),
            escape(&g.team_id.to_string())
        ));
    }
    let form = format!(
        "<form method=\"post\" action=\"/collections/{id}/fork\" class=\"stack\">{csrf}\
         <div class=\"field\"><label for=\"fork-label\">Fork label</label>\
         <input id=\"fork-label\" name=\"label\" required maxlength=\"255\" autocomplete=\"off\"></div>\
         <div class=\"field\"><label for=\"fork-workspace\">Destination workspace</label>\
         <select id=\"fork-workspace\" name=\"workspace\" required aria-describedby=\"fork-hint\">{opts}</select>\
         <p class=\"hint\" id=\"fork-hint\">The workspaces your role lets you fork into, by team.</p></div>\
         <div><button type=\"submit\" class=\"button\">Fork</button></div></form>",
        id = escape(&c.id()),
        csrf = csrf_field(v.csrf()),
    );
    Ok(format!(
        "<section class=\"card\" aria-labelledby=\"fork-h\"><details class=\"composer fork-dialog\">\
         <summary id=\"fork-h\">Fork this collection</summary>{form}</details></section>"
    ))
}

#[derive(Debug, Deserialize)]
pub struct ForkForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub workspace: String,
}

/// Forks through the fork use case, then opens the new fork.
pub async fn fork(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    WebForm(f): WebForm<ForkForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let cid = collection_id(&id)?;
    let ws = WorkspaceId::parse(&f.workspace).map_err(|_| WebError::NotFound)?;
    // A destination R-FORK-1 does not allow (a forged form: the dialog
    // offers none) is refused with the use case's reason (403).
    let (created, _) = s.app.fork_collection(&v.who, cid, ws, &f.label).await?;
    Ok(see_other(&format!("/collections/{}", created.id)))
}

/// Pulls the source's changes. The form's fields are `csrf`, `base` (the
/// fork revision the page showed) and, for each conflict `i` of an earlier
/// answer, `uid.i`, `path.i` and `side.i` (`source` or `destination`).
pub async fn pull(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    WebForm(fields): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, val)| val.as_str())
    };
    v.check_csrf(field("csrf"))?;
    let cid = collection_id(&id)?;
    let base = field("base").parse::<i64>().ok();
    let mut resolutions = Resolutions::new();
    for (k, uid) in &fields {
        let Some(i) = k.strip_prefix("uid.") else { continue };
        let side = match field(&format!("side.{i}")) {
            "source" => Side::Source,
            "destination" => Side::Destination,
            _ => continue,
        };
        resolutions.insert(uid.clone(), field(&format!("path.{i}")), side);
    }
    let outcome = s.app.pull_collection(&v.who, cid, resolutions, base).await?;
    if outcome.conflicts.is_empty() {
        return Ok(see_other(&format!("/collections/{cid}")));
    }
    let c = Loaded::read(&s, &v.who, cid).await?;
    let detail = conflicts_form(v.csrf(), &c.id(), c.record.revision, &outcome.conflicts);
    let body = frame(&v, &c, None, &detail);
    let title = format!("Pull conflicts · {}", c.record.name);
    let mut res = layout::page(&s, &v, &title, Section::Workspaces, &body).await;
    *res.status_mut() = StatusCode::CONFLICT;
    Ok(res.into_response())
}

fn shown(v: Option<&Value>) -> String {
    let text = match v {
        None => return "<span class=\"muted\">(deleted)</span>".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let cut: String = text.chars().take(SHOWN).collect();
    let more = if cut.len() < text.len() { "…" } else { "" };
    format!("<code>{}{more}</code>", escape(&cut))
}

/// The conflicts of a pull, each with **Keep mine** / **Take theirs**.
fn conflicts_form(csrf: &str, id: &str, revision: i64, conflicts: &[Conflict]) -> String {
    let mut items = String::new();
    for (i, c) in conflicts.iter().enumerate() {
        let what = if c.path.is_empty() {
            "the item itself (one side deleted it)".to_string()
        } else {
            format!("<code>{}</code>", escape(&c.path))
        };
        items.push_str(&format!(
            "<li class=\"conflict\" data-conflict=\"{i}\"><fieldset><legend>{kind} <strong>{name}</strong>: {what}</legend>\
             <input type=\"hidden\" name=\"uid.{i}\" value=\"{uid}\"><input type=\"hidden\" name=\"path.{i}\" value=\"{path}\">\
             <div class=\"table-scroll\"><table class=\"kv diff\"><tbody>\
             <tr><th scope=\"row\">When you forked</th><td>{base}</td></tr>\
             <tr><th scope=\"row\">Source now (theirs)</th><td>{source}</td></tr>\
             <tr><th scope=\"row\">Your fork (mine)</th><td>{dest}</td></tr></tbody></table></div>\
             <div class=\"choices\">\
             <label class=\"choice\"><input type=\"radio\" name=\"side.{i}\" value=\"destination\" checked> Keep mine</label>\
             <label class=\"choice\"><input type=\"radio\" name=\"side.{i}\" value=\"source\"> Take theirs</label>\
             </div></fieldset></li>",
            kind = escape(c.kind.as_str()),
            name = escape(c.name.as_deref().unwrap_or("Untitled")),
            uid = escape(&c.uid),
            path = escape(&c.path),
            base = shown(c.base.as_ref()),
            source = shown(c.source.as_ref()),
            dest = shown(c.destination.as_ref()),
        ));
    }
    format!(
        "<section class=\"card\" aria-labelledby=\"conflicts-h\"><h2 id=\"conflicts-h\">Pull changes: choose for each conflict</h2>\
         <p class=\"error\">The source and your fork changed the same things differently. Nothing was pulled yet.</p>\
         <form method=\"post\" action=\"/collections/{id}/pull\" class=\"stack\">{csrf}\
         <input type=\"hidden\" name=\"base\" value=\"{revision}\"><ol class=\"conflicts\">{items}</ol>\
         <div><button type=\"submit\" class=\"button\">Pull with these choices</button> \
         <a class=\"button secondary\" href=\"/collections/{id}\">Cancel</a></div></form></section>",
        id = escape(id),
        csrf = csrf_field(csrf),
    )
}
