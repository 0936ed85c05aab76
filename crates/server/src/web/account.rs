//! Account settings: who you are, API keys (created, shown once with a Copy
//! button, revoked; R-SEC-1) and which notifications also come by email
//! (R-UPD-5).

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

#[derive(Debug, Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
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
         <div><button type=\"submit\" class=\"button\">Save email settings</button></div></form></section>",
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
