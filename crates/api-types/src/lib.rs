//! Request and response shapes of Portico's JSON API, as clients see them.
//! Field names follow the reference API (camelCase); see SPEC §4.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

mod collections;
mod forks;
mod runs;
mod workspaces;
pub use collections::*;
pub use forks::*;
pub use runs::*;
pub use workspaces::*;

/// Every error answer: `{"error": {"name": "snake_case_code", "message": "…"}}`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable code.
    pub name: String,
    /// A sentence for people.
    pub message: String,
}

/// Cursor of the next page, absent on the last page.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageMeta {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    pub limit: u32,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SignupRequest {
    pub email: String,
    pub name: String,
    pub password: String,
}

/// Answer of a sign-up. `verification` is there when the server's
/// `signup` setting is `verify-email` and the account waits for the link
/// emailed to the address: then no session is started, and the answer is
/// the same whether the address already had an account or not (R-SEC-1).
/// Without it, the account exists and the session cookie is set.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SignupEnvelope {
    pub user: UserView,
    /// `email_sent`: open the link in the email to make the account.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "email_sent")]
    pub verification: Option<String>,
}

/// The token of an emailed sign-up link (the last segment of
/// `<public URL>/signup/verify/<token>`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct VerifySignupRequest {
    pub token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// `PUT /api/me/password`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// `DELETE /api/me`: the account's password, to confirm.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RemoveAccountRequest {
    pub password: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub name: String,
    pub is_server_admin: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UserEnvelope {
    pub user: UserView,
}

/// Answer of a sign-in: the user, and the token to send back in the
/// `x-csrf-token` header with every state-changing request made with the
/// session cookie.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionEnvelope {
    pub user: UserView,
    pub csrf_token: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MyTeamView {
    pub id: String,
    pub name: String,
    pub plan: String,
    pub roles: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MeView {
    pub id: String,
    pub email: String,
    pub name: String,
    pub is_server_admin: bool,
    pub teams: Vec<MyTeamView>,
    /// Updates posted by others since the caller last opened each workspace's
    /// Updates tab, summed over their workspaces (R-UPD-3).
    pub unread_updates: u64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MeEnvelope {
    pub user: MeView,
    /// The CSRF token of the current browser session, when called with one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateApiKeyRequest {
    pub name: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewApiKeyView {
    pub id: String,
    pub name: String,
    /// The key itself: shown only in this answer.
    pub key: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewApiKeyEnvelope {
    pub api_key: NewApiKeyView,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyView {
    pub id: String,
    pub name: String,
    /// First characters of the key, to recognise it.
    pub prefix: String,
    pub created_at: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyList {
    pub api_keys: Vec<ApiKeyView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"name": "Globex Integrations"}))]
pub struct CreateTeamRequest {
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTeamRequest {
    pub name: Option<String>,
    /// Operators only.
    pub plan: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamView {
    pub id: String,
    pub name: String,
    pub plan: String,
    pub created_at: String,
    /// Captured email domains.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domains: Option<Vec<String>>,
    /// The caller's roles in the team, when a member.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TeamEnvelope {
    pub team: TeamView,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AddMemberRequest {
    pub email: String,
    pub roles: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SetRolesRequest {
    pub roles: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberView {
    pub id: String,
    pub email: String,
    pub name: String,
    pub roles: Vec<String>,
    /// Partners are people of another team (R-ISO-6); team members never are.
    pub is_partner: bool,
    pub joined_at: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberEnvelope {
    pub member: MemberView,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberList {
    pub members: Vec<MemberView>,
    pub meta: PageMeta,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationView {
    pub id: String,
    pub email: String,
    pub team_id: String,
    pub team_name: String,
    pub kind: String,
    pub roles: Vec<String>,
    /// `open`, `accepted`, `revoked` or `expired`.
    pub status: String,
    pub expires_at: String,
    /// For partner invitations: the workspace and the partner role id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_id: Option<String>,
    /// The team that captured the invitee's email domain: the only team a
    /// partner may accept with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forced_team: Option<TeamRef>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AcceptedInvitation {
    /// The team joined, or the partner team accepted with.
    pub team: TeamView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace: Option<IdOnly>,
    /// The partner role given; may be lower than the invited one (no seat left).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_id: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationSent {
    pub invitation: InvitationView,
    /// The link to send to the invitee; it also went out by email.
    pub invitation_link: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InvitationEnvelope {
    pub invitation: InvitationView,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DomainRequest {
    pub domain: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DomainEnvelope {
    pub domain: String,
}

/// A team's OpenID Connect provider (`PUT /teams/{teamId}/sign-in`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TeamSignInRequest {
    /// The provider's issuer URL (`https://`; `http://` only on loopback).
    pub issuer: String,
    pub client_id: String,
    /// Required the first time; left out, the kept secret stays.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Members may not sign in with a password (operators keep theirs).
    #[serde(default)]
    pub enforce: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamSignInView {
    pub issuer: String,
    pub client_id: String,
    pub enforce: bool,
    /// Where the provider must send people back (register it there).
    pub redirect_uri: String,
    /// A link that starts a sign-in at this team's provider.
    pub sign_in_url: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamSignInEnvelope {
    /// `null` when the team signs in with passwords.
    pub sign_in: Option<TeamSignInView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditActor {
    pub id: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditTeam {
    pub id: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditData {
    pub actor: AuditActor,
    pub team: AuditTeam,
    pub target_type: String,
    pub target_id: String,
    pub details: serde_json::Value,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditTrail {
    pub id: i64,
    pub action: String,
    /// RFC 3339 time.
    pub timestamp: String,
    pub message: String,
    pub data: AuditData,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditLogList {
    pub trails: Vec<AuditTrail>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub store: String,
}
