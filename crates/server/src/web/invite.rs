//! The invite dialog of a workspace: partners (R-INV-3, R-ROLE-2) or team
//! members by email, one per line or from a CSV/TXT file the page reads into
//! the list; the pending partner invitations with Revoke (R-INV-1).
//!
//! The dialog is a `<dialog>` on the overview that the script opens; without
//! the script its button is a link to `/workspaces/{id}/invite`, the same
//! form as a page. The answer to an invite is a page of results per email,
//! shown once (like a new API key): it carries the invitation links.

use axum::extract::{Path, State};
use axum::response::Response;
use portico_app::partners::{InviteStatus, collect_emails};
use portico_app::workspaces::{RoleChange, WorkspaceView};
use portico_domain::ids::{InvitationId, WorkspaceId};
use portico_domain::policy::Action;
use portico_domain::workspace::WorkspaceKind;
use portico_store::{InvitationGrant, InvitationRecord};
use serde::Deserialize;

use super::html::{csrf_field, escape, when};
use super::layout::{self, Section};
use super::session::{Viewer, WebError, WebForm, see_other};
use super::workspaces::{Tab, header, workspace_id};
use crate::AppState;

#[derive(Debug, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    pub csrf: String,
    /// `partner` or `member`.
    #[serde(default)]
    pub kind: String,
    /// `viewer`, `editor` or (members only) `admin`.
    #[serde(default)]
    pub role: String,
    /// A checkbox: present when ticked (partners only).
    pub lead: Option<String>,
    /// Emails, one per line; a pasted or loaded CSV works too.
    #[serde(default)]
    pub emails: String,
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// Whether the viewer may invite anyone here: partners (as a manager, or as
/// a Partner Lead within their team) or team members.
pub fn may_invite(ws: &WorkspaceView, v: &Viewer) -> bool {
    may_invite_partners(ws, v) || ws.allows(&v.who, Action::InviteTeamMember)
}

fn may_invite_partners(ws: &WorkspaceView, v: &Viewer) -> bool {
    ws.access.workspace.kind == WorkspaceKind::Partner
        && ws.allows(
            &v.who,
            Action::InvitePartner {
                as_lead: false,
                within_leads_reach: true,
            },
        )
}

fn radio(name: &str, value: &str, label: &str, checked: bool) -> String {
    format!(
        "<label class=\"choice\"><input type=\"radio\" name=\"{name}\" value=\"{value}\"{c}> {label}</label>",
        c = if checked { " checked" } else { "" },
    )
}

/// The invite form with the pending invitations: the dialog's content and
/// the fallback page's.
async fn form_html(s: &AppState, v: &Viewer, ws: &WorkspaceView) -> Result<String, WebError> {
    let id = escape(&ws.access.workspace.id.to_string());
    let partners = may_invite_partners(ws, v);
    let members = ws.allows(&v.who, Action::InviteTeamMember);
    let mut kinds = String::new();
    if partners {
        kinds.push_str(&radio("kind", "partner", "Partners", true));
    }
    if members {
        kinds.push_str(&radio("kind", "member", "Team members", !partners));
    }
    let lead = if partners
        && ws.allows(
            &v.who,
            Action::InvitePartner {
                as_lead: true,
                within_leads_reach: true,
            },
        ) {
        "<div class=\"field check\"><input id=\"invite-lead\" name=\"lead\" type=\"checkbox\" value=\"on\" aria-describedby=\"invite-lead-hint\">\
         <label for=\"invite-lead\">Make them Partner Lead</label></div>\
         <p class=\"hint\" id=\"invite-lead-hint\">A Partner Lead may invite more people of their own team. Partners only.</p>"
    } else {
        ""
    };
    let admin = if members {
        "<option value=\"admin\">Admin (team members only)</option>"
    } else {
        ""
    };
    let multi = if ws.access.workspace.multi_partner {
        "<p class=\"hint\">Multi-partner workspace: partners can only be Viewers.</p>"
    } else {
        ""
    };
    let pending = if members {
        pending_html(s, v, ws).await?
    } else {
        String::new()
    };
    Ok(format!(
        "<form method=\"post\" action=\"/workspaces/{id}/invitations\" class=\"stack\" id=\"invite-form\">{csrf}\
         <fieldset class=\"field\"><legend>Invite</legend><div class=\"choices\">{kinds}</div>\
         <p class=\"hint\">Partners are people of another team; team members already belong to this workspace's team.</p></fieldset>\
         <div class=\"field\"><label for=\"invite-emails\">Emails</label>\
         <textarea id=\"invite-emails\" name=\"emails\" rows=\"4\" required aria-describedby=\"invite-emails-hint\" \
         placeholder=\"ann@globex.example&#10;bob@globex.example\"></textarea>\
         <p class=\"hint\" id=\"invite-emails-hint\">One per line, up to 100. Commas and CSV columns work too: \
         every field with an @ counts.</p></div>\
         <div class=\"field\"><label for=\"invite-file\">Or load a CSV or text file</label>\
         <input id=\"invite-file\" type=\"file\" accept=\".csv,.txt,text/csv,text/plain\" data-fill=\"invite-emails\"></div>\
         <div class=\"field-row\"><div class=\"field\"><label for=\"invite-role\">Role</label>\
         <select id=\"invite-role\" name=\"role\"><option value=\"viewer\">Viewer</option>\
         <option value=\"editor\">Editor</option>{admin}</select></div>{lead}</div>{multi}\
         <div><button type=\"submit\" class=\"button\">Send invites</button></div></form>{pending}",
        csrf = csrf_field(v.csrf()),
    ))
}

fn role_of(i: &InvitationRecord) -> &'static str {
    match &i.grant {
        InvitationGrant::Partner { role, lead, .. } => role.display_name(*lead),
        InvitationGrant::Team(_) => "Team member",
    }
}

async fn pending_html(s: &AppState, v: &Viewer, ws: &WorkspaceView) -> Result<String, WebError> {
    let id = ws.access.workspace.id;
    let list = s.app.pending_invitations(&v.who, id).await?;
    if list.is_empty() {
        return Ok("<h3 class=\"sub\">Pending invitations</h3><p class=\"muted\" data-pending>None.</p>".into());
    }
    let rows: String = list
        .iter()
        .map(|i| {
            format!(
                "<li class=\"row\" data-pending-email=\"{email}\"><div class=\"row-main\"><span>{email}</span>\
                 <span class=\"muted small\">Partner · {role} · expires {exp}</span></div>\
                 <form method=\"post\" action=\"/workspaces/{ws}/invitations/{inv}/revoke\">{csrf}\
                 <button type=\"submit\" class=\"button secondary small\" aria-label=\"Revoke the invitation of {email}\">Revoke</button></form></li>",
                email = escape(i.email.as_str()),
                role = escape(role_of(i)),
                exp = when(i.expires_at),
                ws = escape(&id.to_string()),
                inv = escape(&i.id.to_string()),
                csrf = csrf_field(v.csrf()),
            )
        })
        .collect();
    Ok(format!(
        "<h3 class=\"sub\">Pending invitations</h3><ul class=\"list bordered\" data-pending>{rows}</ul>"
    ))
}

/// The Invite button and its dialog, for the overview of those who may invite.
pub async fn dialog(s: &AppState, v: &Viewer, ws: &WorkspaceView) -> Result<String, WebError> {
    if !may_invite(ws, v) {
        return Ok(String::new());
    }
    let id = escape(&ws.access.workspace.id.to_string());
    Ok(format!(
        "<p class=\"actions\"><a class=\"button\" href=\"/workspaces/{id}/invite\" data-dialog=\"invite-dialog\">Invite</a></p>\
         <dialog id=\"invite-dialog\" class=\"card dialog\" aria-labelledby=\"invite-dialog-h\">\
         <div class=\"dialog-head\"><h2 id=\"invite-dialog-h\">Invite people to {name}</h2>\
         <button type=\"button\" class=\"link-button\" data-close-dialog aria-label=\"Close\">✕</button></div>{form}</dialog>",
        name = escape(&ws.access.workspace.name),
        form = form_html(s, v, ws).await?,
    ))
}

/// `/workspaces/{id}/invite`: the dialog as a page (no script, or a link).
pub async fn page(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> Result<Response, WebError> {
    let ws = s.app.workspace(&v.who, workspace_id(&id)?).await?;
    if !may_invite(&ws, &v) {
        return Err(WebError::NotFound);
    }
    let body = format!(
        "{head}<section class=\"card narrow-wide\" aria-labelledby=\"invite-h\"><h2 id=\"invite-h\">Invite people</h2>{form}</section>",
        head = header(&ws, &v.who, Tab::Overview, ws.unread_updates),
        form = form_html(&s, &v, &ws).await?,
    );
    Ok(layout::page(
        &s,
        &v,
        &format!("Invite · {}", ws.access.workspace.name),
        Section::Workspaces,
        &body,
    )
    .await)
}

/// One line of the results: the email, what happened, and why.
struct Outcome {
    email: String,
    done: &'static str,
    class: &'static str,
    note: Option<String>,
    link: Option<String>,
}

fn refused(email: &str, why: String) -> Outcome {
    Outcome {
        email: email.to_string(),
        done: "refused",
        class: "refused",
        note: Some(why),
        link: None,
    }
}

async fn invite_partners(
    s: &AppState,
    v: &Viewer,
    id: WorkspaceId,
    f: &InviteForm,
    emails: Vec<String>,
) -> Result<Vec<Outcome>, WebError> {
    let lead = f.lead.is_some();
    let role = match (f.role.as_str(), lead) {
        ("viewer", false) => "4",
        ("editor", false) => "5",
        ("viewer", true) => "6",
        ("editor", true) => "7",
        _ => {
            return Err(WebError::Refused(
                axum::http::StatusCode::BAD_REQUEST,
                "Partners are Viewers or Editors.".into(),
            ));
        }
    };
    let out = s.app.invite_partners(&v.who, id, role, emails).await?;
    Ok(out
        .results
        .into_iter()
        .map(|r| {
            let (done, class) = match r.status {
                InviteStatus::PartnerAdded => ("added", "added"),
                InviteStatus::EmailSent => ("invited", "invited"),
                InviteStatus::AlreadyInvited => ("already invited", "already"),
                InviteStatus::Failed => ("refused", "refused"),
            };
            Outcome {
                email: r.email,
                done,
                class,
                note: r.message,
                link: r.invitation_link.filter(|_| r.status == InviteStatus::EmailSent),
            }
        })
        .collect())
}

/// Team members get a workspace role; they must already be in the team.
async fn invite_members(
    s: &AppState,
    v: &Viewer,
    ws: &WorkspaceView,
    f: &InviteForm,
    emails: Vec<String>,
) -> Result<Vec<Outcome>, WebError> {
    let role = match f.role.as_str() {
        "viewer" => "1",
        "editor" => "2",
        "admin" => "3",
        _ => {
            return Err(WebError::Refused(
                axum::http::StatusCode::BAD_REQUEST,
                "Choose Viewer, Editor or Admin.".into(),
            ));
        }
    };
    let team = ws.access.workspace.team_id;
    let mut members = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = s.app.members(&v.who, team, cursor.as_deref(), Some(100)).await?;
        members.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let mut out = Vec::new();
    for email in emails.into_iter().take(portico_app::partners::MAX_INVITES) {
        let Some(m) = members
            .iter()
            .find(|m| m.email.as_str().eq_ignore_ascii_case(email.trim()))
        else {
            out.push(refused(&email, "Not a member of this workspace's team. Team admins add people to the team first; people of another team are invited as partners.".into()));
            continue;
        };
        let change = RoleChange {
            add: true,
            partner: false,
            user_id: m.user_id.to_string(),
            role: role.into(),
        };
        match s
            .app
            .change_workspace_roles(&v.who, ws.access.workspace.id, vec![change])
            .await
        {
            Ok(_) => out.push(Outcome {
                email,
                done: "added",
                class: "added",
                note: None,
                link: None,
            }),
            Err(e) if e.kind == portico_domain::ErrorKind::Internal => return Err(e.into()),
            Err(e) => out.push(refused(&email, e.message)),
        }
    }
    Ok(out)
}

pub async fn send(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    WebForm(f): WebForm<InviteForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let id = workspace_id(&id)?;
    let ws = s.app.workspace(&v.who, id).await?;
    let emails = collect_emails(&[], Some(&f.emails));
    let results = if f.kind == "member" {
        invite_members(&s, &v, &ws, &f, emails).await?
    } else {
        invite_partners(&s, &v, id, &f, emails).await?
    };
    let rows: String = results
        .iter()
        .map(|r| {
            let link = r.link.as_deref().map_or_else(String::new, |l| {
                format!(
                    "<span class=\"small\">Invitation link (also emailed): <a href=\"{l}\" data-invitation-link>{l}</a></span>",
                    l = escape(l)
                )
            });
            format!(
                "<li class=\"row\" data-result=\"{class}\"><div class=\"row-main\"><span>{email}</span>{note}{link}</div>\
                 <span class=\"badge result-{class}\">{done}</span></li>",
                class = r.class,
                email = escape(&r.email),
                done = r.done,
                note = r.note.as_deref().map_or_else(String::new, |n| format!("<span class=\"muted small\">{}</span>", escape(n))),
            )
        })
        .collect();
    let body = format!(
        "{head}<section class=\"card\" aria-labelledby=\"results-h\"><h2 id=\"results-h\">Invitations sent</h2>\
         <ul class=\"list bordered results\">{rows}</ul>\
         <p><a class=\"button\" href=\"/workspaces/{wid}\">Back to the workspace</a> \
         <a class=\"button secondary\" href=\"/workspaces/{wid}/invite\">Invite more people</a></p></section>",
        head = header(&ws, &v.who, Tab::Overview, ws.unread_updates),
        wid = escape(&id.to_string()),
    );
    Ok(layout::page(
        &s,
        &v,
        &format!("Invitations · {}", ws.access.workspace.name),
        Section::Workspaces,
        &body,
    )
    .await)
}

pub async fn revoke(
    State(s): State<AppState>,
    v: Viewer,
    Path((id, inv)): Path<(String, String)>,
    WebForm(f): WebForm<CsrfForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let id = workspace_id(&id)?;
    let inv = InvitationId::parse(&inv).map_err(|_| WebError::NotFound)?;
    s.app.revoke_invitation(&v.who, id, inv).await?;
    Ok(see_other(&format!("/workspaces/{id}/invite")))
}
