//! Sign-up, sign-in and sign-out.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portico_api_types::{ErrorBody, LoginRequest, SessionEnvelope, SignupEnvelope, SignupRequest, VerifySignupRequest};
use portico_app::accounts::{SignedIn, SignedUp};

use crate::error::ApiResult;
use crate::extract::{Caller, ClientAddr, Json, session_token};
use crate::{AppState, views};

/// The `Set-Cookie` value that starts the browser session `s` (the API's
/// sign-in and the web pages' share it).
pub(crate) fn session_cookie(state: &AppState, s: &SignedIn) -> String {
    let max_age = (s.expires_at - portico_app::now()) / 1000;
    state.cookie_header(&s.session_token, max_age)
}

/// The `Set-Cookie` value of the session `signed` just started, after
/// ending the session the client sent along, if any: signing in, signing
/// up or opening a sign-up link never leaves an older session id working
/// (R-SEC-1).
pub(crate) async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    signed: &SignedIn,
) -> Result<String, portico_domain::Error> {
    if let Some(old) = session_token(headers) {
        state.app.log_out(&old).await?;
    }
    Ok(session_cookie(state, signed))
}

/// Adds a `Set-Cookie` header to a response.
pub(crate) fn with_cookie(mut res: Response, cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// Creates an account. The first account of an empty server is its operator.
/// With the server's `signup` setting `open` (the default), the account is
/// made at once and signed in (the session cookie is set); an email that has
/// an account answers `409 email_taken`. With `verify-email`, every sign-up
/// but an empty server's first answers `201` with `"verification":
/// "email_sent"` and no cookie, whether the email had an account or not: a
/// link is emailed (see `POST /api/auth/signup/verify`), or the owner of the
/// address is told someone tried.
#[utoipa::path(post, path = "/api/auth/signup", tag = "auth", security(()), request_body = SignupRequest,
    responses((status = 201, body = SignupEnvelope), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn signup(
    State(s): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Json(req): Json<SignupRequest>,
) -> ApiResult<Response> {
    let answer = |user: &portico_store::UserRecord, verification: Option<&str>| {
        (
            StatusCode::CREATED,
            axum::Json(SignupEnvelope {
                user: views::user(user),
                verification: verification.map(String::from),
            }),
        )
            .into_response()
    };
    match s.app.sign_up(&req.email, &req.name, &req.password, &addr, None).await? {
        SignedUp::Account(signed) => Ok(with_cookie(
            answer(&signed.user, None),
            &start_session(&s, &headers, &signed).await?,
        )),
        SignedUp::EmailSent { user } => Ok(answer(&user, Some("email_sent"))),
    }
}

/// Opens an emailed sign-up link (`verify-email`): makes the account with
/// the id the sign-up answered, sets the session cookie and answers the
/// CSRF token. The link works once; a used, expired or made-up token
/// answers `400 signup_link_invalid`.
#[utoipa::path(post, path = "/api/auth/signup/verify", tag = "auth", security(()), request_body = VerifySignupRequest,
    responses((status = 201, body = SessionEnvelope), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn verify_signup(
    State(s): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<VerifySignupRequest>,
) -> ApiResult<Response> {
    let signed = s.app.verify_sign_up(&req.token).await?;
    let body = SessionEnvelope {
        user: views::user(&signed.user),
        csrf_token: signed.csrf_token.clone(),
    };
    Ok(with_cookie(
        (StatusCode::CREATED, axum::Json(body)).into_response(),
        &start_session(&s, &headers, &signed).await?,
    ))
}

/// Signs in with email and password; sets the session cookie and answers
/// the CSRF token to send with state-changing requests. A session cookie
/// sent along ends: every sign-in starts a new session id.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", security(()), request_body = LoginRequest,
    responses((status = 200, body = SessionEnvelope), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(s): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Json(req): Json<LoginRequest>,
) -> ApiResult<Response> {
    let signed = s.app.log_in(&req.email, &req.password, &addr).await?;
    let body = SessionEnvelope {
        user: views::user(&signed.user),
        csrf_token: signed.csrf_token.clone(),
    };
    Ok(with_cookie(
        axum::Json(body).into_response(),
        &start_session(&s, &headers, &signed).await?,
    ))
}

/// Ends the browser session and clears its cookie.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn logout(State(s): State<AppState>, _caller: Caller, headers: HeaderMap) -> ApiResult<Response> {
    if let Some(token) = session_token(&headers) {
        s.app.log_out(&token).await?;
    }
    Ok(with_cookie(
        StatusCode::NO_CONTENT.into_response(),
        &s.cookie_header("", 0),
    ))
}
