//! A workspace's Settings tab, for those who may change its settings
//! (workspace admins, Partner Managers, super admins; SPEC §3); anyone else
//! gets the "Not found" page. Name, summary and type (R-PLAN-4), the
//! irreversible multi-partner switch behind a confirmation (R-MULTI-1),
//! partner emails (R-INV-5) and deleting the workspace.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use portico_app::workspaces::{WorkspaceChanges, WorkspaceView};
use portico_domain::plan::Plan;
use portico_domain::policy::Action;
use portico_domain::workspace::WorkspaceKind;
use serde::Deserialize;

use super::html::{csrf_field, escape};
use super::layout::{self, Section};
use super::session::{Viewer, WebError, WebForm, see_other};
use super::workspaces::{Tab, header, workspace_id};
use crate::AppState;

#[derive(Debug, Deserialize)]
pub struct GeneralForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub about: String,
    #[serde(default)]
    pub kind: String,
}

#[derive(Debug, Deserialize)]
pub struct MultiPartnerForm {
    #[serde(default)]
    pub csrf: String,
    /// The "I understand this cannot be undone" checkbox.
    pub confirm: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    pub csrf: String,
    /// The workspace's name, typed again.
    #[serde(default)]
    pub confirm_name: String,
}

fn kind_label(k: WorkspaceKind) -> &'static str {
    match k {
        WorkspaceKind::Personal => "Personal · only you",
        WorkspaceKind::Private => "Private · invited members",
        WorkspaceKind::Team => "Team · the whole team",
        WorkspaceKind::Partner => "Partner · with partners",
    }
}

/// The workspace, when the viewer may change its settings; else "Not found".
async fn editable(s: &AppState, v: &Viewer, id: &str) -> Result<WorkspaceView, WebError> {
    let ws = s.app.workspace(&v.who, workspace_id(id)?).await?;
    if !ws.allows(&v.who, Action::EditWorkspaceSettings) {
        return Err(WebError::NotFound);
    }
    Ok(ws)
}

fn general(ws: &WorkspaceView, csrf: &str) -> String {
    let w = &ws.access.workspace;
    let options: String = WorkspaceKind::ALL
        .iter()
        .map(|k| {
            format!(
                "<option value=\"{v}\"{sel}>{l}</option>",
                v = k.as_str(),
                sel = if *k == w.kind { " selected" } else { "" },
                l = kind_label(*k),
            )
        })
        .collect();
    let approval = if ws.access.team_plan == Plan::Enterprise && w.kind.is_internal() {
        "<p class=\"hint\" id=\"kind-hint\" data-approval-note>On the Enterprise plan, making this a Partner Workspace \
         needs a Partner Manager's approval (unless you are one, or a super admin): it stays internal, marked \
         \"awaiting approval\", until they decide. Every member is told.</p>"
    } else if w.kind.is_internal() {
        "<p class=\"hint\" id=\"kind-hint\">Making this a Partner Workspace lets you invite partners; every member is told.</p>"
    } else {
        "<p class=\"hint\" id=\"kind-hint\">A Partner Workspace becomes internal again only once every partner is removed.</p>"
    };
    let pending = if w.pending_approval {
        "<p class=\"note\">A Partner Manager has yet to approve making this a Partner Workspace.</p>"
    } else {
        ""
    };
    format!(
        "<section class=\"card\" aria-labelledby=\"general-h\"><h2 id=\"general-h\">General</h2>\
         <form method=\"post\" action=\"/workspaces/{id}/settings\" class=\"stack\">{csrf}\
         <div class=\"field\"><label for=\"ws-name\">Name</label>\
         <input id=\"ws-name\" name=\"name\" required maxlength=\"100\" value=\"{name}\"></div>\
         <div class=\"field\"><label for=\"ws-about\">Summary</label>\
         <textarea id=\"ws-about\" name=\"about\" rows=\"5\" maxlength=\"10000\" aria-describedby=\"about-hint\">{about}</textarea>\
         <p class=\"hint\" id=\"about-hint\">Markdown, shown under About on the overview.</p></div>\
         <div class=\"field\"><label for=\"ws-kind\">Type</label>\
         <select id=\"ws-kind\" name=\"kind\" aria-describedby=\"kind-hint\">{options}</select>{approval}</div>{pending}\
         <div><button type=\"submit\" class=\"button\">Save</button></div></form></section>",
        id = escape(&w.id.to_string()),
        csrf = csrf_field(csrf),
        name = escape(&w.name),
        about = escape(&w.about),
    )
}

fn multi_partner(ws: &WorkspaceView, csrf: &str) -> String {
    let w = &ws.access.workspace;
    if w.kind != WorkspaceKind::Partner {
        return String::new();
    }
    let inner = if w.multi_partner {
        "<p data-multi-on>Multi-partner mode is <strong>on</strong>. Several partner teams work here without seeing \
         one another; it cannot be turned off.</p>"
            .to_string()
    } else {
        format!(
            "<p>Let several partner teams into this workspace, each unable to see the others. Partners can then only \
             be Viewers (partner Editors become Viewers and are told) and updates take no comments.</p>\
             <form method=\"post\" action=\"/workspaces/{id}/settings/multi-partner\" class=\"stack\" \
             data-confirm=\"Enable multi-partner mode? This cannot be undone.\">{csrf}\
             <div class=\"field check\"><input id=\"mp-confirm\" name=\"confirm\" type=\"checkbox\" value=\"on\" required>\
             <label for=\"mp-confirm\">I understand this cannot be undone</label></div>\
             <div><button type=\"submit\" class=\"button danger\">Enable multi-partner mode</button></div></form>",
            id = escape(&w.id.to_string()),
            csrf = csrf_field(csrf),
        )
    };
    format!("<section class=\"card\" aria-labelledby=\"mp-h\"><h2 id=\"mp-h\">Multi-partner mode</h2>{inner}</section>")
}

fn partner_emails(ws: &WorkspaceView, v: &Viewer) -> String {
    let w = &ws.access.workspace;
    if w.kind != WorkspaceKind::Partner || !ws.allows(&v.who, Action::OverseePartners) {
        return String::new();
    }
    format!(
        "<section class=\"card\" aria-labelledby=\"pe-h\"><h2 id=\"pe-h\">Partners</h2>\
         <p>Every partner of this workspace with their role and team, as a CSV file.</p>\
         <p><a class=\"button secondary\" href=\"/api/workspaces/{id}/partner-emails\" download>Download partner emails</a></p></section>",
        id = escape(&w.id.to_string()),
    )
}

fn delete(ws: &WorkspaceView, v: &Viewer) -> String {
    let w = &ws.access.workspace;
    if !ws.allows(&v.who, Action::DeleteWorkspace) {
        return String::new();
    }
    format!(
        "<section class=\"card danger-zone\" aria-labelledby=\"del-h\"><h2 id=\"del-h\">Delete this workspace</h2>\
         <p>Its collections, environments, updates and members go with it. Forks elsewhere keep their copies.</p>\
         <form method=\"post\" action=\"/workspaces/{id}/settings/delete\" class=\"stack\" \
         data-confirm=\"Delete this workspace for everyone?\">{csrf}\
         <div class=\"field\"><label for=\"del-name\">Type the workspace name, <strong>{name}</strong>, to confirm</label>\
         <input id=\"del-name\" name=\"confirm_name\" required autocomplete=\"off\"></div>\
         <div><button type=\"submit\" class=\"button danger\">Delete workspace</button></div></form></section>",
        id = escape(&w.id.to_string()),
        csrf = csrf_field(v.csrf()),
        name = escape(&w.name),
    )
}

pub async fn page(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> Result<Response, WebError> {
    let ws = editable(&s, &v, &id).await?;
    let body = format!(
        "{head}<div class=\"settings\">{general}{multi}{emails}{delete}</div>",
        head = header(&ws, &v.who, Tab::Settings, ws.unread_updates),
        general = general(&ws, v.csrf()),
        multi = multi_partner(&ws, v.csrf()),
        emails = partner_emails(&ws, &v),
        delete = delete(&ws, &v),
    );
    let title = format!("Settings · {}", ws.access.workspace.name);
    Ok(layout::page(&s, &v, &title, Section::Workspaces, &body).await)
}

pub async fn save(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    WebForm(f): WebForm<GeneralForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let ws = editable(&s, &v, &id).await?;
    let id = ws.access.workspace.id;
    let changes = WorkspaceChanges {
        name: Some(f.name),
        about: Some(f.about.replace("\r\n", "\n")),
        kind: Some(f.kind).filter(|k| !k.is_empty()),
        multi_partner: None,
    };
    s.app.update_workspace(&v.who, id, changes).await?;
    Ok(see_other(&format!("/workspaces/{id}/settings")))
}

pub async fn enable_multi_partner(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    WebForm(f): WebForm<MultiPartnerForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let ws = editable(&s, &v, &id).await?;
    if f.confirm.is_none() {
        return Err(WebError::Refused(
            StatusCode::BAD_REQUEST,
            "Tick \"I understand this cannot be undone\" to enable multi-partner mode. Nothing was changed.".into(),
        ));
    }
    let id = ws.access.workspace.id;
    let changes = WorkspaceChanges {
        multi_partner: Some(true),
        ..WorkspaceChanges::default()
    };
    s.app.update_workspace(&v.who, id, changes).await?;
    Ok(see_other(&format!("/workspaces/{id}/settings")))
}

pub async fn delete_workspace(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    WebForm(f): WebForm<DeleteForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let ws = editable(&s, &v, &id).await?;
    if f.confirm_name.trim() != ws.access.workspace.name {
        return Err(WebError::Refused(
            StatusCode::BAD_REQUEST,
            "The name typed is not the workspace's name. Nothing was deleted.".into(),
        ));
    }
    s.app.delete_workspace(&v.who, ws.access.workspace.id).await?;
    Ok(see_other("/workspaces"))
}
