//! A team's pages, for its members (and the server's operator): the tabs
//! Members · Domains · Plan · Partnerships · Audit log, and the Members tab
//! with what team admins do there: add a member by email (an account is
//! added, anyone else gets the team's invitation link), change roles,
//! remove. Anyone else gets the "Not found" page (R-ISO-2, R-ISO-3); the
//! forms show only to those the policy lets use them.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portico_app::teams::{AddMember, TeamDetail};
use portico_domain::ids::{TeamId, UserId};
use portico_domain::plan::Plan;
use portico_domain::policy::Action;
use portico_domain::roles::{TeamRole, TeamRoles};
use portico_store::MemberRecord;
use serde::Deserialize;

use super::html::{avatar, csrf_field, escape, url_encode};
use super::layout::{self, Section};
use super::session::{Viewer, WebError, WebForm, see_other};
use crate::AppState;

/// A path id that cannot be a team reads as a missing one.
pub fn team_id(id: &str) -> Result<TeamId, WebError> {
    TeamId::parse(id).map_err(|_| WebError::NotFound)
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TeamTab {
    Members,
    Domains,
    Plan,
    Partnerships,
    SignIn,
    Audit,
}

/// A role in the product's words.
pub fn role_label(r: TeamRole) -> &'static str {
    match r {
        TeamRole::Admin => "Admin",
        TeamRole::SuperAdmin => "Super admin",
        TeamRole::Billing => "Billing",
        TeamRole::Developer => "Developer",
        TeamRole::CommunityManager => "Community manager",
        TeamRole::PartnerManager => "Partner Manager",
    }
}

pub fn plan_label(p: Plan) -> &'static str {
    match p {
        Plan::Free => "Free",
        Plan::Basic => "Basic",
        Plan::Professional => "Professional",
        Plan::Enterprise => "Enterprise",
    }
}

/// Title, plan badge and the team's tabs (Audit log only for those who may
/// read it).
pub fn header(t: &TeamDetail, v: &Viewer, tab: TeamTab) -> String {
    let id = escape(&t.team.id.to_string());
    let cur = |x: TeamTab| if x == tab { " aria-current=\"page\"" } else { "" };
    let audit = if t.allows(&v.who, Action::ReadTeamAuditLog) {
        format!(
            "<li><a href=\"/teams/{id}/audit\"{}>Audit log</a></li>",
            cur(TeamTab::Audit)
        )
    } else {
        String::new()
    };
    let sign_in = if t.allows(&v.who, Action::ManageTeamSignIn) {
        format!(
            "<li><a href=\"/teams/{id}/sign-in\"{}>Sign-in</a></li>",
            cur(TeamTab::SignIn)
        )
    } else {
        String::new()
    };
    let mine = t.my_roles.as_ref().map_or_else(
        || "<span class=\"badge\">operator</span>".to_string(),
        |r| {
            r.iter()
                .map(|r| format!("<span class=\"badge role\">{}</span>", role_label(r)))
                .collect::<Vec<_>>()
                .join(" ")
        },
    );
    format!(
        "<div class=\"ws-head\"><p class=\"crumbs\"><a href=\"/account#teams-h\">Your teams</a></p>\
         <h1>{name}</h1><p class=\"badges\"><span class=\"badge type-partner\">{plan} plan</span> \
         <span class=\"sr-only\">Your roles:</span>{mine}</p></div>\
         <nav class=\"tabs\" aria-label=\"Team\"><ul>\
         <li><a href=\"/teams/{id}\"{m}>Members</a></li>\
         <li><a href=\"/teams/{id}/domains\"{d}>Domains</a></li>\
         <li><a href=\"/teams/{id}/plan\"{p}>Plan</a></li>\
         <li><a href=\"/teams/{id}/partnerships\"{pa}>Partnerships</a></li>{sign_in}{audit}</ul></nav>",
        name = escape(&t.team.name),
        plan = plan_label(t.team.plan),
        m = cur(TeamTab::Members),
        d = cur(TeamTab::Domains),
        p = cur(TeamTab::Plan),
        pa = cur(TeamTab::Partnerships),
    )
}

/// A team page in the frame, titled with the tab and the team.
pub async fn team_page(s: &AppState, v: &Viewer, t: &TeamDetail, tab: &str, body: &str) -> Response {
    let title = format!("{tab} · {}", t.team.name);
    layout::page(s, v, &title, Section::Account, body).await
}

/// The ticked `role.<name>` checkboxes of a form.
fn picked_roles(f: &HashMap<String, String>) -> Vec<String> {
    TeamRole::ALL
        .iter()
        .filter(|r| f.contains_key(&format!("role.{}", r.as_str())))
        .map(|r| r.as_str().to_string())
        .collect()
}

/// The role checkboxes; `idp` keeps the ids of one form unique on the page.
fn role_checks(idp: &str, plan: Plan, checked: Option<&TeamRoles>) -> String {
    TeamRole::ALL
        .iter()
        .filter(|r| r.allowed_on(plan) || checked.is_some_and(|c| c.contains(**r)))
        .map(|r| {
            let name = r.as_str();
            let on = match checked {
                Some(c) => c.contains(*r),
                None => *r == TeamRole::Developer,
            };
            format!(
                "<div class=\"field check\"><input id=\"{idp}-{name}\" name=\"role.{name}\" type=\"checkbox\" value=\"on\"{c}>\
                 <label for=\"{idp}-{name}\">{label}</label></div>",
                c = if on { " checked" } else { "" },
                label = role_label(*r),
            )
        })
        .collect()
}

fn member_row(t: &TeamDetail, v: &Viewer, m: &MemberRecord, manage: bool) -> String {
    let tid = escape(&t.team.id.to_string());
    let uid = escape(&m.user_id.to_string());
    let me = m.user_id == v.who.id();
    let roles: String = m
        .roles
        .iter()
        .map(|r| format!("<span class=\"badge role\">{}</span>", role_label(r)))
        .collect::<Vec<_>>()
        .join(" ");
    let csrf = csrf_field(v.csrf());
    let edit = if manage {
        format!(
            "<details class=\"member-edit\"><summary>Change roles<span class=\"sr-only\"> of {name}</span></summary>\
             <form method=\"post\" action=\"/teams/{tid}/members/{uid}/roles\" class=\"stack\">{csrf}\
             <fieldset class=\"field\"><legend>Roles of {name}</legend><div class=\"checks\">{checks}</div></fieldset>\
             <div><button type=\"submit\" class=\"button small\">Save roles</button></div></form></details>",
            name = escape(&m.name),
            checks = role_checks(&format!("r-{uid}"), t.team.plan, Some(&m.roles)),
        )
    } else {
        String::new()
    };
    let remove = if manage && !me {
        format!(
            "<form method=\"post\" action=\"/teams/{tid}/members/{uid}/remove\" data-confirm=\"Remove {name} from the team? Their workspace roles in this team go too.\">{csrf}\
             <button type=\"submit\" class=\"button secondary small\" aria-label=\"Remove {name} from the team\">Remove</button></form>",
            name = escape(&m.name),
        )
    } else if me && t.my_roles.is_some() {
        format!(
            "<form method=\"post\" action=\"/teams/{tid}/members/{uid}/remove\" data-confirm=\"Leave this team? You lose its workspaces.\">{csrf}\
             <button type=\"submit\" class=\"button secondary small\">Leave team</button></form>"
        )
    } else {
        String::new()
    };
    format!(
        "<li class=\"row team-member\" id=\"member-{uid}\" data-member=\"{uid}\">{avatar}\
         <div class=\"row-main\"><span class=\"member-name\">{name}{you}</span>\
         <span class=\"muted small\">{email}</span><span class=\"badges\">{roles}</span>{edit}</div>{remove}</li>",
        avatar = avatar(&m.name, false),
        name = escape(&m.name),
        you = if me { " <span class=\"muted\">(you)</span>" } else { "" },
        email = escape(m.email.as_str()),
    )
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    pub cursor: Option<String>,
}

/// The Members tab; `notice` is shown once above the list (the answer to
/// adding someone without an account, which carries their link).
async fn render_members(
    s: &AppState,
    v: &Viewer,
    team: TeamId,
    cursor: Option<&str>,
    notice: &str,
) -> Result<Response, WebError> {
    let t = s.app.team(&v.who, team).await?;
    let page = s.app.members(&v.who, team, cursor, Some(100)).await?;
    let manage = t.allows(&v.who, Action::ManageTeamMembers);
    let rows: String = page.items.iter().map(|m| member_row(&t, v, m, manage)).collect();
    let tid = escape(&team.to_string());
    let more = page.next_cursor.map_or_else(String::new, |c| {
        format!(
            "<p><a class=\"button secondary\" href=\"/teams/{tid}?cursor={}\">More members</a></p>",
            escape(&url_encode(&c))
        )
    });
    let add = if manage {
        format!(
            "<section class=\"card\" aria-labelledby=\"add-h\"><h2 id=\"add-h\">Add a member</h2>\
             <form method=\"post\" action=\"/teams/{tid}/members\" class=\"stack\">{csrf}\
             <div class=\"field\"><label for=\"add-email\">Email</label>\
             <input id=\"add-email\" name=\"email\" type=\"email\" required autocomplete=\"off\" aria-describedby=\"add-hint\"></div>\
             <fieldset class=\"field\"><legend>Roles</legend><div class=\"checks\">{checks}</div>\
             <p class=\"hint\" id=\"add-hint\">Someone with an account here joins at once; anyone else gets an email with the \
             team's invitation link, which is also shown to you. Super admin exists on the Enterprise plan only.</p></fieldset>\
             <div><button type=\"submit\" class=\"button\">Add member</button></div></form></section>",
            csrf = csrf_field(v.csrf()),
            checks = role_checks("add", t.team.plan, None),
        )
    } else {
        String::new()
    };
    let body = format!(
        "{head}{notice}<section class=\"card\" aria-labelledby=\"members-h\"><h2 id=\"members-h\">Members</h2>\
         <ul class=\"list bordered team-members\">{rows}</ul>{more}\
         <p class=\"muted small\">Partners from other teams are not members: see Partnerships.</p></section>{add}",
        head = header(&t, v, TeamTab::Members),
    );
    Ok(team_page(s, v, &t, "Members", &body).await)
}

pub async fn members(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    render_members(&s, &v, team_id(&id)?, q.cursor.as_deref(), "").await
}

fn csrf_of(f: &HashMap<String, String>) -> &str {
    f.get("csrf").map_or("", String::as_str)
}

/// Adds an account to the team, or invites the email and shows the link
/// once (like invite results, it is the answer to the form).
pub async fn add_member(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    WebForm(f): WebForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    v.check_csrf(csrf_of(&f))?;
    let team = team_id(&id)?;
    let email = f.get("email").map_or("", |e| e.trim());
    match s.app.add_member(&v.who, team, email, &picked_roles(&f)).await? {
        AddMember::Added(m) => Ok(see_other(&format!("/teams/{team}#member-{}", m.user_id))),
        AddMember::Invited { invitation, link } => {
            let notice = format!(
                "<div class=\"new-key\" role=\"status\" data-team-invited><p><strong>{email} has no account here yet.</strong> \
                 An invitation to join the team was emailed; it works once and expires in 7 days. You can also send them \
                 this link:</p><div class=\"copy-row\"><label class=\"sr-only\" for=\"team-link\">Invitation link</label>\
                 <input id=\"team-link\" readonly value=\"{link}\" data-invitation-link>\
                 <button type=\"button\" class=\"button secondary\" data-copy=\"team-link\">Copy</button></div></div>",
                email = escape(invitation.email.as_str()),
                link = escape(&link),
            );
            let page = render_members(&s, &v, team, None, &notice).await?;
            Ok((StatusCode::ACCEPTED, page).into_response())
        }
    }
}

fn user_id(id: &str) -> Result<UserId, WebError> {
    UserId::parse(id).map_err(|_| WebError::NotFound)
}

pub async fn set_roles(
    State(s): State<AppState>,
    v: Viewer,
    Path((id, uid)): Path<(String, String)>,
    WebForm(f): WebForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    v.check_csrf(csrf_of(&f))?;
    let (team, user) = (team_id(&id)?, user_id(&uid)?);
    s.app.set_member_roles(&v.who, team, user, &picked_roles(&f)).await?;
    Ok(see_other(&format!("/teams/{team}#member-{user}")))
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// Removes a member; a member removing themselves leaves the team.
pub async fn remove_member(
    State(s): State<AppState>,
    v: Viewer,
    Path((id, uid)): Path<(String, String)>,
    WebForm(f): WebForm<CsrfForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let (team, user) = (team_id(&id)?, user_id(&uid)?);
    s.app.remove_member(&v.who, team, user).await?;
    if user == v.who.id() {
        return Ok(see_other("/account#teams-h"));
    }
    Ok(see_other(&format!("/teams/{team}")))
}
