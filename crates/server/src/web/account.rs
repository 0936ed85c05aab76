//! Account settings: who you are, API keys (created, shown once with a Copy
//! button, revoked; R-SEC-1) and which notifications also come by email
//! (R-UPD-5), changing the password and removing the account (R-SEC-1).

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use portico_app::notifications::KINDS;
use portico_domain::ids::ApiKeyId;
use portico_store::MembershipRecord;
use serde::Deserialize;

use super::html::{csrf_field, escape, when};
use super::layout::{self, Section};
use super::session::{Viewer, WebError, WebForm, see_other};
use crate::AppState;
use crate::api::auth::{session_cookie, with_cookie};
use crate::extract::ClientAddr;

#[derive(Debug, Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub current_password: String,
    #[serde(default)]
    pub new_password: String,
}

#[derive(Debug, Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub password: String,
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

/// What each notification kind means, in the product's words.
fn kind_label(kind: &str) -> &'static str {
    match kind {
        "update_posted" => "A workspace update is posted",
        "comment_on_your_update" => "Someone comments on your update",
        "reply_to_you" => "Someone replies to your comment",
        "partner_added" => "You are added to a Partner Workspace",
        "partner_joined" => "A partner you invited joins",
        "partner_removed" => "You are removed from a Partner Workspace",
        "partner_role_downgraded" => "Your partner role is lowered (multi-partner mode)",
        "partner_workspace_requested" => "A Partner Workspace is requested (Partner Managers)",
        "partner_workspace_decision" => "Your Partner Workspace request is decided",
        "workspace_converted" => "A workspace you are in becomes a Partner Workspace",
        "mention" => "Someone mentions you",
        _ => "Other",
    }
}

/// The viewer's teams, each linking to its team pages.
fn teams_html(memberships: &[MembershipRecord]) -> String {
    let list = if memberships.is_empty() {
        "<p class=\"muted\">You belong to no team yet.</p>".to_string()
    } else {
        let rows: String = memberships
            .iter()
            .map(|m| {
                let roles: Vec<&str> = m.roles.iter().map(super::teams::role_label).collect();
                format!(
                    "<li class=\"row\" data-team=\"{id}\"><div class=\"row-main\">\
                     <a class=\"row-title\" href=\"/teams/{id}\">{name}</a>\
                     <span class=\"row-sub muted small\">{plan} plan · {roles}</span></div></li>",
                    id = escape(&m.team.id.to_string()),
                    name = escape(&m.team.name),
                    plan = super::teams::plan_label(m.team.plan),
                    roles = roles.join(", "),
                )
            })
            .collect();
        format!("<ul class=\"list bordered team-list\">{rows}</ul>")
    };
    format!(
        "<section class=\"card\" aria-labelledby=\"teams-h\"><h2 id=\"teams-h\">Teams</h2>\
         <p>Members, domains, plan, partnerships and, for admins, the audit log of each team you belong to.</p>{list}</section>"
    )
}

async fn render(s: &AppState, v: &Viewer, new_key: Option<(&str, &str)>) -> Result<Response, WebError> {
    let keys = s.app.list_api_keys(&v.who).await?;
    let email_kinds = s.app.email_kinds(&v.who).await?;
    let csrf = csrf_field(v.csrf());
    let shown = new_key.map_or_else(String::new, |(name, key)| {
        format!(
            "<div class=\"new-key\" role=\"status\"><p><strong>Your new API key “{name}”.</strong> Copy it now: it is \
             shown only this once.</p><div class=\"copy-row\"><label class=\"sr-only\" for=\"new-key\">Your new API key</label>\
             <input id=\"new-key\" readonly value=\"{key}\" data-new-key>\
             <button type=\"button\" class=\"button secondary\" data-copy=\"new-key\">Copy</button></div></div>",
            name = escape(name),
            key = escape(key),
        )
    });
    let list = if keys.is_empty() {
        "<p class=\"muted\">No API keys yet.</p>".to_string()
    } else {
        let rows: String = keys
            .iter()
            .map(|k| {
                format!(
                    "<li class=\"row\" data-key-prefix=\"{prefix}\"><div class=\"row-main\"><span class=\"row-title\">{name}</span>\
                     <span class=\"muted small\"><code>{prefix}…</code> · created {at}</span></div>\
                     <form method=\"post\" action=\"/account/api-keys/{id}/revoke\" data-confirm=\"Revoke this key? Scripts using it stop working.\">{csrf}\
                     <button type=\"submit\" class=\"button secondary small\" aria-label=\"Revoke the key {name}\">Revoke</button></form></li>",
                    prefix = escape(&k.prefix),
                    name = escape(&k.name),
                    at = when(k.created_at),
                    id = escape(&k.id.to_string()),
                )
            })
            .collect();
        format!("<ul class=\"list bordered\">{rows}</ul>")
    };
    let boxes: String = KINDS
        .iter()
        .map(|k| {
            format!(
                "<div class=\"field check\"><input id=\"email-{k}\" name=\"email.{k}\" type=\"checkbox\" value=\"on\"{c}>\
                 <label for=\"email-{k}\">{l}</label></div>",
                c = if email_kinds.iter().any(|e| e == k) { " checked" } else { "" },
                l = kind_label(k),
            )
        })
        .collect();
    let user = &v.who.user;
    let teams = teams_html(&s.app.me(&v.who).await?.memberships);
    let body = format!(
        "<h1>Account</h1>\
         <section class=\"card\" aria-labelledby=\"me-h\"><h2 id=\"me-h\">You</h2>\
         <dl class=\"facts\"><dt>Name</dt><dd>{name}</dd><dt>Email</dt><dd>{email}</dd></dl>\
         <p class=\"hint\">Your name and email cannot be changed here yet.</p>\
         <form method=\"post\" action=\"/sign-out\">{csrf}<button type=\"submit\" class=\"button secondary\">Sign out</button></form></section>\
         {teams}\
         <section class=\"card\" aria-labelledby=\"keys-h\"><h2 id=\"keys-h\">API keys</h2>\
         <p>Scripts use a key in the <code>x-api-key</code> header of the API at <code>/api</code>.</p>{shown}{list}\
         <form method=\"post\" action=\"/account/api-keys\" class=\"field-row\">{csrf}\
         <div class=\"field grow\"><label for=\"key-name\">Key name</label>\
         <input id=\"key-name\" name=\"name\" required maxlength=\"100\" placeholder=\"CI pipeline\"></div>\
         <div class=\"field\"><button type=\"submit\" class=\"button\">Create key</button></div></form></section>\
         <section class=\"card\" aria-labelledby=\"notif-h\"><h2 id=\"notif-h\">Email notifications</h2>\
         <form method=\"post\" action=\"/account/notifications\" class=\"stack\">{csrf}\
         <fieldset class=\"field\"><legend>Also email me when…</legend><div class=\"checks\">{boxes}</div>\
         <p class=\"hint\">Every notification shows under Notifications in any case.</p></fieldset>\
         <div><button type=\"submit\" class=\"button\">Save email settings</button></div></form></section>\
         <section class=\"card\" aria-labelledby=\"password-h\"><h2 id=\"password-h\">Change password</h2>\
         <p>Changing your password signs you out everywhere else: every other browser must sign in again. \
         API keys keep working; revoke them above if needed.</p>\
         <form method=\"post\" action=\"/account/password\" class=\"stack\">{csrf}\
         <div class=\"field\"><label for=\"current-password\">Current password</label>\
         <input id=\"current-password\" name=\"current_password\" type=\"password\" required autocomplete=\"current-password\"></div>\
         <div class=\"field\"><label for=\"new-password\">New password</label>\
         <input id=\"new-password\" name=\"new_password\" type=\"password\" required minlength=\"8\" autocomplete=\"new-password\"></div>\
         <div><button type=\"submit\" class=\"button\">Change password</button></div></form></section>\
         <section class=\"card\" aria-labelledby=\"remove-h\"><h2 id=\"remove-h\">Remove account</h2>\
         <p>Removing your account signs you out everywhere, revokes your API keys, takes you out of every team \
         and workspace, and removes your name and email. What you wrote stays, shown as “Removed account”. \
         It cannot be undone. If you are the last admin of a team with other members, make someone else admin first.</p>\
         <form method=\"post\" action=\"/account/remove\" class=\"stack\" \
         data-confirm=\"Remove your account for good? This cannot be undone.\">{csrf}\
         <div class=\"field\"><label for=\"remove-password\">Your password, to confirm</label>\
         <input id=\"remove-password\" name=\"password\" type=\"password\" required autocomplete=\"current-password\"></div>\
         <div><button type=\"submit\" class=\"button danger\">Remove my account</button></div></form></section>",
        name = escape(&user.name),
        email = escape(user.email.as_str()),
    );
    let status = if new_key.is_some() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let page = layout::page(s, v, "Account", Section::Account, &body).await;
    Ok((status, page).into_response())
}

pub async fn page(State(s): State<AppState>, v: Viewer) -> Result<Response, WebError> {
    render(&s, &v, None).await
}

/// Creates a key and shows it once, on the answer to this form.
pub async fn create_key(
    State(s): State<AppState>,
    v: Viewer,
    WebForm(f): WebForm<KeyForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let created = s.app.create_api_key(&v.who, &f.name).await?;
    render(&s, &v, Some((&created.record.name, &created.key))).await
}

pub async fn revoke_key(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    WebForm(f): WebForm<CsrfForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let id = ApiKeyId::parse(&id).map_err(|_| WebError::NotFound)?;
    s.app.revoke_api_key(&v.who, id).await?;
    Ok(see_other("/account"))
}

/// Checkboxes named `email.<kind>`: the ticked ones are the kinds emailed.
pub async fn save_notifications(
    State(s): State<AppState>,
    v: Viewer,
    WebForm(f): WebForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    v.check_csrf(f.get("csrf").map_or("", String::as_str))?;
    let kinds = f
        .keys()
        .filter_map(|k| k.strip_prefix("email."))
        .map(str::to_string)
        .collect();
    s.app.set_email_kinds(&v.who, kinds).await?;
    Ok(see_other("/account#notif-h"))
}

/// Changes the password: every other session ends, and this browser gets a
/// fresh one (new cookie, new CSRF token).
pub async fn change_password(
    State(s): State<AppState>,
    v: Viewer,
    ClientAddr(addr): ClientAddr,
    WebForm(f): WebForm<PasswordForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let fresh = s
        .app
        .change_password(&v.who, &f.current_password, &f.new_password, &addr, true)
        .await?;
    let to = see_other("/account#password-h");
    Ok(match fresh {
        Some(signed) => with_cookie(to, &session_cookie(&s, &signed)),
        None => to,
    })
}

/// Removes the account (the form asks the browser to confirm first), clears
/// the cookie and says it is done.
pub async fn remove_account(
    State(s): State<AppState>,
    v: Viewer,
    ClientAddr(addr): ClientAddr,
    WebForm(f): WebForm<RemoveForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    s.app.remove_account(&v.who, &f.password, &addr).await?;
    let page = layout::bare(
        StatusCode::OK,
        "Account removed",
        "<div class=\"card narrow\"><h1>Your account is removed</h1>\
         <p>You are signed out everywhere and your API keys no longer work.</p>\
         <p><a href=\"/sign-up\">Sign up</a> · <a href=\"/sign-in\">Sign in</a></p></div>",
    );
    Ok(with_cookie(page, &s.cookie_header("", 0)))
}
