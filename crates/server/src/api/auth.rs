//! Sign-up, sign-in and sign-out.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portico_api_types::{ErrorBody, LoginRequest, SessionEnvelope, SignupRequest, UserEnvelope};
use portico_app::accounts::SignedIn;

use crate::error::ApiResult;
use crate::extract::{Caller, ClientAddr, Json, session_token};
use crate::{AppState, views};

/// The `Set-Cookie` value that starts the browser session `s` (the API's
/// sign-in and the web pages' share it).
pub(crate) fn session_cookie(state: &AppState, s: &SignedIn) -> String {
    let max_age = (s.expires_at - portico_app::now()) / 1000;
    state.cookie_header(&s.session_token, max_age)
}

/// Adds a `Set-Cookie` header to a response.
pub(crate) fn with_cookie(mut res: Response, cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// Creates an account. The first account of an empty server is its operator.
/// Also signs the new user in (sets the session cookie).
#[utoipa::path(post, path = "/api/auth/signup", tag = "auth", security(()), request_body = SignupRequest,
    responses((status = 201, body = UserEnvelope), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn signup(
    State(s): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Json(req): Json<SignupRequest>,
) -> ApiResult<Response> {
    let signed = s.app.sign_up(&req.email, &req.name, &req.password, &addr).await?;
    let res = (
        StatusCode::CREATED,
        axum::Json(UserEnvelope {
            user: views::user(&signed.user),
        }),
    )
        .into_response();
    Ok(with_cookie(res, &session_cookie(&s, &signed)))
}

/// Signs in with email and password; sets the session cookie and answers
/// the CSRF token to send with state-changing requests.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", security(()), request_body = LoginRequest,
    responses((status = 200, body = SessionEnvelope), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(s): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Json(req): Json<LoginRequest>,
) -> ApiResult<Response> {
    let signed = s.app.log_in(&req.email, &req.password, &addr).await?;
    let body = SessionEnvelope {
        user: views::user(&signed.user),
        csrf_token: signed.csrf_token.clone(),
    };
    Ok(with_cookie(
        axum::Json(body).into_response(),
        &session_cookie(&s, &signed),
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
