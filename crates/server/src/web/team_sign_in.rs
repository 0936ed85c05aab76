//! A team's Sign-in tab (team admins and operators): the OpenID Connect
//! provider its people sign in with, whether passwords are refused, and
//! what to register at the provider.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::html::{csrf_field, escape};
use super::session::{Viewer, WebError, WebForm, see_other};
use super::teams::{TeamTab, header, team_id, team_page};
use crate::{AppState, views};

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub issuer: String,
    #[serde(default)]
    pub client_id: String,
    #[serde(default)]
    pub client_secret: String,
    pub enforce: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    pub csrf: String,
}

pub async fn page(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> Result<Response, WebError> {
    render(&s, &v, &id, None, None).await
}

async fn render(
    s: &AppState,
    v: &Viewer,
    id: &str,
    typed: Option<&SignInForm>,
    error: Option<&str>,
) -> Result<Response, WebError> {
    let team = team_id(id)?;
    let t = s.app.team(&v.who, team).await?;
    let current = s.app.team_sign_in(&v.who, team).await?;
    let view = current.as_ref().map(|c| views::team_sign_in(&s.app.config, team, c));
    let tid = escape(&team.to_string());
    let csrf = csrf_field(v.csrf());
    let status = match &view {
        Some(c) => format!(
            "<dl class=\"facts\" data-sign-in=\"sso\"><dt>Method</dt><dd>Single sign-on{enforced}</dd>\
             <dt>Issuer</dt><dd>{issuer}</dd><dt>Client id</dt><dd>{client}</dd>\
             <dt>Sign-in link</dt><dd><code>{link}</code></dd></dl>\
             <form method=\"post\" action=\"/teams/{tid}/sign-in/remove\" data-confirm=\"Go back to passwords for this team?\">{csrf}\
             <button type=\"submit\" class=\"button secondary small\">Go back to passwords</button></form>",
            enforced = if c.enforce {
                ", passwords refused"
            } else {
                ", passwords still accepted"
            },
            issuer = escape(&c.issuer),
            client = escape(&c.client_id),
            link = escape(&c.sign_in_url),
        ),
        None => "<p data-sign-in=\"password\">This team's people sign in with a password.</p>".into(),
    };
    let (issuer, client_id, enforce) = match (typed, &view) {
        (Some(f), _) => (f.issuer.clone(), f.client_id.clone(), f.enforce.is_some()),
        (None, Some(c)) => (c.issuer.clone(), c.client_id.clone(), c.enforce),
        (None, None) => (String::new(), String::new(), false),
    };
    let err = error.map_or_else(String::new, |e| {
        format!("<p class=\"alert\" role=\"alert\">{}</p>", escape(e))
    });
    let secret_hint = if view.is_some() {
        "Leave empty to keep the secret already given."
    } else {
        "Kept encrypted; never shown again."
    };
    let body = format!(
        "{head}<section class=\"card\" aria-labelledby=\"si-h\"><h2 id=\"si-h\">Sign-in</h2>{status}</section>\
         <section class=\"card\" aria-labelledby=\"oidc-h\"><h2 id=\"oidc-h\">OpenID Connect provider</h2>{err}\
         <p>Register this redirect URI at your provider: <code data-redirect-uri>{redirect}</code>. \
         People whose email is at one of this team's captured domains get an account and join the team at their first sign-in. \
         Partners in this team's Partner Workspaces keep signing in the way their own team does.</p>\
         <form method=\"post\" action=\"/teams/{tid}/sign-in\" class=\"stack\">{csrf}\
         <div class=\"field\"><label for=\"issuer\">Issuer URL</label>\
         <input id=\"issuer\" name=\"issuer\" required placeholder=\"https://login.acme.example\" value=\"{issuer}\" autocomplete=\"off\"></div>\
         <div class=\"field\"><label for=\"client_id\">Client id</label>\
         <input id=\"client_id\" name=\"client_id\" required value=\"{client_id}\" autocomplete=\"off\"></div>\
         <div class=\"field\"><label for=\"client_secret\">Client secret</label>\
         <input id=\"client_secret\" name=\"client_secret\" type=\"password\" autocomplete=\"new-password\" aria-describedby=\"secret-hint\">\
         <p class=\"hint\" id=\"secret-hint\">{secret_hint}</p></div>\
         <div class=\"field\"><label><input type=\"checkbox\" name=\"enforce\" value=\"on\"{checked}> \
         Members must use single sign-on (passwords refused; the server's operators keep theirs)</label></div>\
         <button type=\"submit\" class=\"button\">Save</button></form></section>",
        head = header(&t, v, TeamTab::SignIn),
        redirect = escape(&s.app.config.sign_in_callback()),
        issuer = escape(&issuer),
        client_id = escape(&client_id),
        checked = if enforce { " checked" } else { "" },
    );
    Ok(team_page(s, v, &t, "Sign-in", &body).await)
}

pub async fn save(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    WebForm(f): WebForm<SignInForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let team = team_id(&id)?;
    let secret = Some(f.client_secret.as_str()).filter(|s| !s.is_empty());
    match crate::oidc::configure(
        &s.app,
        &v.who,
        team,
        &f.issuer,
        &f.client_id,
        secret,
        f.enforce.is_some(),
    )
    .await
    {
        Ok(_) => Ok(see_other(&format!("/teams/{team}/sign-in"))),
        Err(e) if e.kind == portico_domain::ErrorKind::Invalid => render(&s, &v, &id, Some(&f), Some(&e.message)).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn remove(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    WebForm(f): WebForm<CsrfOnly>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let team = team_id(&id)?;
    s.app.remove_team_sign_in(&v.who, team).await?;
    Ok(see_other(&format!("/teams/{team}/sign-in")))
}
