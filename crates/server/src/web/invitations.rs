//! The page an invitation link opens (R-INV-1, R-INV-2). Signed out: the
//! invitation and Sign in / Create account links that come back here.
//! Signed in: the team to accept with (one of the invitee's teams or a new
//! one), or the one team their captured email domain allows, and Accept.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portico_app::Principal;
use portico_app::invitations::{InvitationPreview, InvitationStatus, TeamChoice};
use portico_domain::ErrorKind;
use portico_domain::ids::TeamId;
use portico_store::InvitationGrant;
use serde::Deserialize;

use super::html::{csrf_field, escape, url_encode};
use super::layout::{self, Section};
use super::session::{Viewer, WebError, WebForm, see_other, viewer};
use crate::AppState;

#[derive(Debug, Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    pub csrf: String,
    /// A team id, or `new` with `new_team_name`.
    pub team: Option<String>,
    pub new_team_name: Option<String>,
}

fn not_found() -> Response {
    layout::message(
        StatusCode::NOT_FOUND,
        "Invitation",
        "<section class=\"card narrow\"><h1>Invitation not found</h1><p>This link is not valid.</p></section>",
    )
}

fn what(p: &InvitationPreview) -> String {
    match (&p.invitation.grant, &p.workspace_name) {
        (InvitationGrant::Partner { role, lead, .. }, Some(ws)) => format!(
            "<p><strong>{team}</strong> invites you to its Partner Workspace <strong>{ws}</strong> as \
             <strong>{role}</strong>.</p>",
            team = escape(&p.team_name),
            ws = escape(ws),
            role = escape(role.display_name(*lead)),
        ),
        _ => format!(
            "<p>You are invited to join the team <strong>{}</strong>.</p>",
            escape(&p.team_name)
        ),
    }
}

/// The team choice for a partner invitation (R-INV-2).
async fn team_choice(s: &AppState, who: &Principal, p: &InvitationPreview) -> Result<String, WebError> {
    if let Some(forced) = &p.forced_team {
        return Ok(format!(
            "<input type=\"hidden\" name=\"team\" value=\"{id}\">\
             <p class=\"note\" data-only-team>Your email domain <strong>{domain}</strong> belongs to the team \
             <strong>{name}</strong>, so you accept with that team: only one team is allowed.</p>",
            id = escape(&forced.id.to_string()),
            domain = escape(p.invitation.email.domain().as_str()),
            name = escape(&forced.name),
        ));
    }
    let me = s.app.me(who).await?;
    let teams: Vec<_> = me
        .memberships
        .iter()
        .filter(|m| m.team.id != p.invitation.team_id)
        .collect();
    let mut out = String::from(
        "<fieldset class=\"field\"><legend>Accept with which team?</legend>\
         <p class=\"hint\">The team you choose becomes the publisher's partner team.</p>\
         <div class=\"choices column\">",
    );
    for (i, m) in teams.iter().enumerate() {
        out.push_str(&format!(
            "<label class=\"choice\"><input type=\"radio\" name=\"team\" value=\"{id}\"{c}> {name}</label>",
            id = escape(&m.team.id.to_string()),
            c = if i == 0 { " checked" } else { "" },
            name = escape(&m.team.name),
        ));
    }
    out.push_str(&format!(
        "<label class=\"choice\"><input type=\"radio\" name=\"team\" value=\"new\"{c}> A new team</label></div>\
         <div class=\"field\"><label for=\"new-team-name\">New team name</label>\
         <input id=\"new-team-name\" name=\"new_team_name\" maxlength=\"100\" aria-describedby=\"new-team-hint\">\
         <p class=\"hint\" id=\"new-team-hint\">Only when you choose a new team. It starts on the free plan.</p></div></fieldset>",
        c = if teams.is_empty() { " checked" } else { "" },
    ));
    Ok(out)
}

async fn render(
    s: &AppState,
    viewer: Option<&Viewer>,
    token: &str,
    p: &InvitationPreview,
    error: Option<&str>,
) -> Result<Response, WebError> {
    let who = viewer.map(|v| &v.who);
    let here = format!("/invitations/{token}");
    let email = escape(p.invitation.email.as_str());
    let alert = error.map_or_else(String::new, |e| {
        format!("<p class=\"alert\" role=\"alert\">{}</p>", escape(e))
    });
    let action = match (p.status, who) {
        (InvitationStatus::Open, None) => format!(
            "<p>Sign in as <strong>{email}</strong>, or create that account, to accept it. You come back here after.</p>\
             <p class=\"actions\"><a class=\"button\" href=\"/sign-in?next={next}\">Sign in</a> \
             <a class=\"button secondary\" href=\"/sign-up?next={next}\">Create account</a></p>",
            next = escape(&url_encode(&here)),
        ),
        (InvitationStatus::Open, Some(who)) if who.user.email != p.invitation.email => format!(
            "<p class=\"note\">This invitation is for <strong>{email}</strong>; you are signed in as <strong>{me}</strong>. \
             Sign out and sign in as {email} to accept it.</p>",
            me = escape(who.user.email.as_str()),
        ),
        (InvitationStatus::Open, Some(who)) => {
            let choice = match p.invitation.grant {
                InvitationGrant::Partner { .. } => team_choice(s, who, p).await?,
                InvitationGrant::Team(_) => String::new(),
            };
            let csrf = viewer.map_or("", Viewer::csrf);
            format!(
                "<form method=\"post\" action=\"{here}\" class=\"stack\">{csrf}{choice}\
                 <div><button type=\"submit\" class=\"button\">Accept invitation</button></div></form>",
                here = escape(&here),
                csrf = csrf_field(csrf),
            )
        }
        (status, _) => format!(
            "<p class=\"note\">This invitation is <strong>{}</strong>: it can no longer be accepted. Ask for a new one.</p>",
            escape(status.as_str())
        ),
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = format!(
        "<section class=\"card narrow invitation\" aria-labelledby=\"title\"><h1 id=\"title\">Join {team}</h1>{alert}{what}\
         <p class=\"muted small\">For {email}.</p>{action}</section>",
        team = escape(&p.team_name),
        what = what(p),
    );
    Ok(match viewer {
        Some(v) => (
            status,
            layout::page(s, v, "Invitation", Section::Workspaces, &body).await,
        )
            .into_response(),
        None => layout::bare(status, "Invitation", &body),
    })
}

pub async fn preview(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let Ok(p) = s.app.invitation_preview(&token).await else {
        return Ok(not_found());
    };
    let v = viewer(&s, &headers).await;
    render(&s, v.as_ref(), &token, &p, None).await
}

pub async fn accept(
    State(s): State<AppState>,
    v: Viewer,
    Path(token): Path<String>,
    WebForm(f): WebForm<AcceptForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let Ok(p) = s.app.invitation_preview(&token).await else {
        return Ok(not_found());
    };
    let choice = match f.team.as_deref() {
        Some("new") => TeamChoice {
            team_id: None,
            new_team_name: Some(f.new_team_name.unwrap_or_default()),
        },
        Some(t) => match TeamId::parse(t) {
            Ok(id) => TeamChoice {
                team_id: Some(id),
                new_team_name: None,
            },
            Err(_) => {
                let why = "You can only accept with a team you belong to.";
                return render(&s, Some(&v), &token, &p, Some(why)).await;
            }
        },
        None => TeamChoice::default(),
    };
    match s.app.accept_invitation(&v.who, &token, choice).await {
        Ok(done) => Ok(see_other(&match done.workspace {
            Some(ws) => format!("/workspaces/{}", ws.id),
            None => "/workspaces".to_string(),
        })),
        Err(e) if e.kind == ErrorKind::Internal => Err(e.into()),
        // The invitee holds the link: they may read why it did not work.
        Err(e) => render(&s, Some(&v), &token, &p, Some(&e.message)).await,
    }
}
