//! Sign-in through a team's OpenID Connect provider: the "Sign in with
//! single sign-on" page (by email domain), the start (state, nonce and PKCE
//! remembered, the browser sent to the provider with a cookie binding it to
//! this sign-in) and the callback (one use of the state, code exchange, ID
//! token checks, then the session).

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portico_domain::{Error, ErrorKind};
use serde::Deserialize;

use super::html::{escape, url_encode};
use super::layout;
use super::session::{WebForm, local_next, same_origin, see_other};
use crate::AppState;
use crate::api::auth::{session_cookie, start_session, with_cookie};
use crate::oidc;

const COOKIE: &str = "portico_sso";
const SECURE_COOKIE: &str = "__Host-portico_sso";

#[derive(Debug, Deserialize)]
pub struct SsoQuery {
    pub next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct SsoForm {
    #[serde(default)]
    pub email: String,
    pub next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

fn form(next: &str, email: &str, error: Option<&str>) -> String {
    let err = error.map_or_else(String::new, |e| {
        format!("<p class=\"alert\" role=\"alert\">{}</p>", escape(e))
    });
    format!(
        "<section class=\"card narrow auth\" aria-labelledby=\"title\"><h1 id=\"title\">Sign in with single sign-on</h1>{err}\
         <p>Enter your work email: you go on to your team's identity provider.</p>\
         <form method=\"post\" action=\"/sso\" class=\"stack\">\
         <input type=\"hidden\" name=\"next\" value=\"{next}\">\
         <div class=\"field\"><label for=\"email\">Work email</label>\
         <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" required value=\"{email}\"></div>\
         <button type=\"submit\" class=\"button\">Continue</button></form>\
         <p class=\"muted\"><a href=\"/sign-in\">Sign in with a password</a></p></section>",
        next = escape(next),
        email = escape(email),
    )
}

/// A sign-in that went wrong, said plainly, with the way back.
fn failed(e: &Error) -> Response {
    let status = crate::error::status_of(e.kind);
    let message = if e.kind == ErrorKind::NotFound {
        "This team does not sign in with single sign-on."
    } else {
        e.message.as_str()
    };
    layout::bare(
        status,
        "Sign-in failed",
        &format!(
            "<div class=\"card narrow\"><h1>Sign-in failed</h1>\
             <p class=\"alert\" role=\"alert\" data-error-code=\"{code}\">{msg}</p>\
             <p><a href=\"/sso\">Try single sign-on again</a> · <a href=\"/sign-in\">Sign in with a password</a></p></div>",
            code = escape(e.code),
            msg = escape(message),
        ),
    )
}

fn cookie(s: &AppState, value: &str, max_age: i64) -> String {
    let (name, secure) = if s.secure_cookies {
        (SECURE_COOKIE, "; Secure")
    } else {
        (COOKIE, "")
    };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

fn cookie_state(headers: &HeaderMap) -> Option<String> {
    crate::extract::cookie(headers, &[COOKIE, SECURE_COOKIE])
}

pub async fn page(Query(q): Query<SsoQuery>) -> Response {
    let next = local_next(q.next.as_deref());
    layout::bare(StatusCode::OK, "Single sign-on", &form(&next, "", None))
}

/// Finds the team that captured the email's domain and has a provider.
pub async fn by_email(State(s): State<AppState>, headers: HeaderMap, WebForm(f): WebForm<SsoForm>) -> Response {
    let next = local_next(f.next.as_deref());
    if !same_origin(&headers) {
        return failed(&Error::forbidden(
            "cross_site_form",
            "This form was sent from another site.",
        ));
    }
    match s.app.sign_in_team_for_email(&f.email).await {
        Ok(team) => see_other(&format!("/sso/{team}/start?next={}", url_encode(&next))),
        Err(e) => layout::bare(
            StatusCode::BAD_REQUEST,
            "Single sign-on",
            &form(&next, &f.email, Some(&e.message)),
        ),
    }
}

/// Sends the browser to the team's provider.
pub async fn start(State(s): State<AppState>, Path(team): Path<String>, Query(q): Query<SsoQuery>) -> Response {
    match begin(&s, &team, q.next.as_deref()).await {
        Ok((url, state)) => with_cookie(see_other(&url), &cookie(&s, &state, 600)),
        Err(e) => failed(&e),
    }
}

async fn begin(s: &AppState, team: &str, next: Option<&str>) -> Result<(String, String), Error> {
    let team = portico_domain::ids::TeamId::parse(team).map_err(|_| Error::not_found("sign-in provider"))?;
    let provider = s.app.sign_in_provider(team).await?;
    let allow_private = s.app.config.allow_private_identity_providers;
    let started = oidc::start(&provider, &s.app.config.sign_in_callback(), allow_private).await?;
    let next = local_next(next);
    s.app
        .begin_sign_in(team, &started.state, &started.nonce, &started.pkce_verifier, &next)
        .await?;
    Ok((started.authorize_url, started.state))
}

/// Where the provider sends the browser back.
pub async fn callback(State(s): State<AppState>, headers: HeaderMap, Query(q): Query<CallbackQuery>) -> Response {
    let clear = cookie(&s, "", 0);
    match finish(&s, &headers, q).await {
        Ok((signed, next)) => {
            // Rotated: a session this browser held before ends (R-SEC-1).
            let started = match start_session(&s, &headers, &signed).await {
                Ok(c) => c,
                Err(_) => session_cookie(&s, &signed),
            };
            with_cookie(with_cookie(see_other(&next), &clear), &started)
        }
        Err(e) => with_cookie(failed(&e), &clear),
    }
}

async fn finish(
    s: &AppState,
    headers: &HeaderMap,
    q: CallbackQuery,
) -> Result<(portico_app::accounts::SignedIn, String), Error> {
    let state = q.state.unwrap_or_default();
    if state.is_empty() || state.len() > 200 {
        return Err(portico_app::sign_in::sign_in_expired());
    }
    // The state must be the one this browser was given: a link made in
    // another browser cannot sign this one in.
    let bound =
        cookie_state(headers).is_some_and(|c| portico_app::crypto::constant_time_eq(c.as_bytes(), state.as_bytes()));
    if !bound {
        return Err(Error::invalid(
            "sign_in_not_started_here",
            "This sign-in was not started in this browser. Start again from the sign-in page.",
        ));
    }
    let pending = s.app.take_sign_in(&state).await?;
    if let Some(error) = q.error {
        let detail = q.error_description.map(|d| format!(": {d}")).unwrap_or_default();
        return Err(Error::invalid(
            "sign_in_refused",
            format!("The identity provider did not sign you in ({error}{detail})."),
        ));
    }
    let code = q
        .code
        .filter(|c| !c.is_empty() && c.len() <= 2_000)
        .ok_or_else(|| Error::invalid("sign_in_refused", "The identity provider sent no authorization code."))?;
    let allow_private = s.app.config.allow_private_identity_providers;
    let who = oidc::finish(&pending, &code, &s.app.config.sign_in_callback(), allow_private).await?;
    let signed = s.app.finish_sign_in(pending.provider.team_id, who).await?;
    Ok((signed, pending.return_to))
}
