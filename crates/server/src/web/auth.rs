//! Sign in, sign up, sign out. The session and its cookie are the ones the
//! JSON API makes (`api::auth`).

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portico_app::accounts::SignedUp;
use portico_domain::ErrorKind;
use serde::Deserialize;

use super::html::{escape, url_encode};
use super::layout;
use super::session::{Viewer, WebError, WebForm, local_next, same_origin, see_other, signed_in};
use crate::AppState;
use crate::api::auth::{start_session, with_cookie};
use crate::extract::ClientAddr;

#[derive(Debug, Deserialize)]
pub struct NextParam {
    pub next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    pub next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct SignUpForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    pub next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

fn error_box(error: Option<&str>) -> String {
    error.map_or_else(String::new, |e| {
        format!("<p class=\"alert\" role=\"alert\">{}</p>", escape(e))
    })
}

fn other_way(path: &str, label: &str, next: &str) -> String {
    let q = if next == "/workspaces" {
        String::new()
    } else {
        format!("?next={}", url_encode(next))
    };
    format!("<a href=\"{path}{q}\">{label}</a>")
}

fn sign_in_form(next: &str, email: &str, error: Option<&str>) -> String {
    format!(
        "<section class=\"card narrow auth\" aria-labelledby=\"title\"><h1 id=\"title\">Sign in to Portico</h1>{err}\
         <form method=\"post\" action=\"/sign-in\" class=\"stack\">\
         <input type=\"hidden\" name=\"next\" value=\"{next}\">\
         <div class=\"field\"><label for=\"email\">Email</label>\
         <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" required value=\"{email}\"></div>\
         <div class=\"field\"><label for=\"password\">Password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required></div>\
         <button type=\"submit\" class=\"button\">Sign in</button></form>\
         <p>{sso}</p>\
         <p class=\"muted\">No account yet? {other}</p></section>",
        err = error_box(error),
        next = escape(next),
        email = escape(email),
        other = other_way("/sign-up", "Create one", next),
        sso = other_way("/sso", "Sign in with single sign-on", next),
    )
}

fn sign_up_form(next: &str, name: &str, email: &str, error: Option<&str>) -> String {
    format!(
        "<section class=\"card narrow auth\" aria-labelledby=\"title\"><h1 id=\"title\">Create your account</h1>{err}\
         <form method=\"post\" action=\"/sign-up\" class=\"stack\">\
         <input type=\"hidden\" name=\"next\" value=\"{next}\">\
         <div class=\"field\"><label for=\"name\">Your name</label>\
         <input id=\"name\" name=\"name\" autocomplete=\"name\" required value=\"{name}\"></div>\
         <div class=\"field\"><label for=\"email\">Email</label>\
         <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" required value=\"{email}\"></div>\
         <div class=\"field\"><label for=\"password\">Password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" minlength=\"8\" required aria-describedby=\"password-hint\">\
         <p class=\"hint\" id=\"password-hint\">At least 8 characters.</p></div>\
         <button type=\"submit\" class=\"button\">Create account</button></form>\
         <p class=\"muted\">Already have an account? {other}</p></section>",
        err = error_box(error),
        next = escape(next),
        name = escape(name),
        email = escape(email),
        other = other_way("/sign-in", "Sign in", next),
    )
}

fn status_of(e: &WebError) -> StatusCode {
    match e {
        WebError::Refused(status, _) => *status,
        WebError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::UNAUTHORIZED,
    }
}

fn message_of(e: &WebError) -> &str {
    match e {
        WebError::Refused(_, m) => m,
        WebError::Internal => "The server could not do this. Try again in a moment.",
        _ => "The email or password is wrong.",
    }
}

pub async fn sign_in_page(State(s): State<AppState>, headers: HeaderMap, Query(q): Query<NextParam>) -> Response {
    let next = local_next(q.next.as_deref());
    if signed_in(&s, &headers).await.is_some() {
        return see_other(&next);
    }
    layout::bare(StatusCode::OK, "Sign in", &sign_in_form(&next, "", None))
}

pub async fn sign_in(
    State(s): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    WebForm(f): WebForm<SignInForm>,
) -> Result<Response, WebError> {
    if !same_origin(&headers) {
        return Err(WebError::Csrf);
    }
    let next = local_next(f.next.as_deref());
    match s.app.log_in(&f.email, &f.password, &addr).await {
        Ok(signed) => Ok(with_cookie(
            see_other(&next),
            &start_session(&s, &headers, &signed).await?,
        )),
        Err(e) if e.code == "sso_required" => {
            let page = sign_in_form(&next, &f.email, Some(&e.message));
            Ok(layout::bare(StatusCode::FORBIDDEN, "Sign in", &page))
        }
        Err(e) => {
            let e = WebError::from(e);
            let page = sign_in_form(&next, &f.email, Some(message_of(&e)));
            Ok(layout::bare(status_of(&e), "Sign in", &page))
        }
    }
}

pub async fn sign_up_page(State(s): State<AppState>, headers: HeaderMap, Query(q): Query<NextParam>) -> Response {
    let next = local_next(q.next.as_deref());
    if signed_in(&s, &headers).await.is_some() {
        return see_other(&next);
    }
    layout::bare(StatusCode::OK, "Sign up", &sign_up_form(&next, "", "", None))
}

pub async fn sign_up(
    State(s): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    WebForm(f): WebForm<SignUpForm>,
) -> Result<Response, WebError> {
    if !same_origin(&headers) {
        return Err(WebError::Csrf);
    }
    let next = local_next(f.next.as_deref());
    let then = (next != "/workspaces").then_some(next.as_str());
    match s.app.sign_up(&f.email, &f.name, &f.password, &addr, then).await {
        Ok(SignedUp::Account(signed)) => Ok(with_cookie(
            see_other(&next),
            &start_session(&s, &headers, &signed).await?,
        )),
        Ok(SignedUp::EmailSent { user }) => Ok(layout::bare(
            StatusCode::OK,
            "Check your email",
            &check_your_email(user.email.as_str(), s.app.config.signup_link_ttl_ms / 3_600_000),
        )),
        Err(e) => {
            let e = WebError::from(e);
            let page = sign_up_form(&next, &f.name, &f.email, Some(message_of(&e)));
            Ok(layout::bare(status_of(&e), "Sign up", &page))
        }
    }
}

/// What a sign-up shows with `signup = "verify-email"`: the same for an
/// address that has an account and one that has not (R-SEC-1).
fn check_your_email(email: &str, hours: i64) -> String {
    format!(
        "<section class=\"card narrow auth\" aria-labelledby=\"title\" data-check-email>\
         <h1 id=\"title\">Check your email</h1>\
         <p>We sent a message to <strong>{email}</strong>. Open the link in it to finish creating your \
         account; it works once, for {hours} hours.</p>\
         <p class=\"muted\">If this address already has an account, the message says so: sign in instead. \
         Nothing arrived? Look in your spam folder, or sign up again.</p>\
         <p><a href=\"/sign-in\">Sign in</a></p></section>",
        email = escape(email),
    )
}

/// The link of a sign-up email (`verify-email`): a page with one button
/// that finishes the sign-up. Opening the link changes nothing, so a mail
/// scanner or a browser's prefetch that follows it makes no account and
/// gets no session.
pub async fn verify_sign_up_page(Path(token): Path<String>, Query(q): Query<NextParam>) -> Response {
    let next = local_next(q.next.as_deref());
    let body = format!(
        "<section class=\"card narrow auth\" aria-labelledby=\"title\" data-finish-signup>\
         <h1 id=\"title\">Finish signing up</h1>\
         <p>Your email address is confirmed by this link. Create the account to sign in.</p>\
         <form method=\"post\" action=\"/signup/verify/{token}\">\
         <input type=\"hidden\" name=\"next\" value=\"{next}\">\
         <button type=\"submit\" class=\"button\">Create my account</button></form></section>",
        token = url_encode(&token),
        next = escape(&next),
    );
    layout::bare(StatusCode::OK, "Finish signing up", &body)
}

/// The button of that page: makes the account, signs in and goes on to
/// `next` (an invitation, for instance). Works once.
pub async fn verify_sign_up(
    State(s): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    WebForm(f): WebForm<NextParam>,
) -> Result<Response, WebError> {
    if !same_origin(&headers) {
        return Err(WebError::Csrf);
    }
    let next = local_next(f.next.as_deref());
    match s.app.verify_sign_up(&token).await {
        Ok(signed) => Ok(with_cookie(
            see_other(&next),
            &start_session(&s, &headers, &signed).await?,
        )),
        Err(e) if e.kind == ErrorKind::Internal => Err(e.into()),
        Err(e) => {
            let status = if e.code == "email_taken" {
                StatusCode::CONFLICT
            } else {
                StatusCode::BAD_REQUEST
            };
            let body = format!(
                "<section class=\"card narrow auth\" aria-labelledby=\"title\" data-signup-link=\"{code}\">\
                 <h1 id=\"title\">This link does not work</h1>{err}\
                 <p><a class=\"button\" href=\"/sign-in\">Sign in</a> \
                 <a class=\"button secondary\" href=\"/sign-up\">Sign up again</a></p></section>",
                code = escape(e.code),
                err = error_box(Some(&e.message)),
            );
            Ok(layout::bare(status, "Sign up", &body))
        }
    }
}

pub async fn sign_out(
    State(s): State<AppState>,
    v: Viewer,
    WebForm(f): WebForm<CsrfForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    s.app.log_out(&v.session).await?;
    Ok(with_cookie(see_other("/sign-in"), &s.cookie_header("", 0)))
}
