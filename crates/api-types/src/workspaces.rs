//! Shapes of workspaces, roles, partner invitations, activity and
//! notifications. Field names follow the reference API.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::PageMeta;

/// A workspace as the caller sees it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceView {
    pub id: String,
    pub name: String,
    /// `personal`, `private`, `team` or `partner`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Same as `type` (the reference API carries both).
    pub visibility: String,
    pub about: String,
    pub team_id: String,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: String,
    pub updated_at: String,
    /// A workspace of a team the caller does not belong to (R-ISO-5).
    pub external: bool,
    /// `["EXTERNAL"]` on external workspaces.
    pub tags: Vec<String>,
    pub multi_partner: bool,
    /// A Partner Workspace request waiting for a Partner Manager (R-PLAN-2).
    pub pending_approval: bool,
    /// Updates posted by others since the caller last opened the Updates tab.
    pub unread_updates: u64,
    /// The caller's role id in the workspace, if they hold one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collections: Option<Vec<ElementRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environments: Option<Vec<ElementRef>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ElementRef {
    pub id: String,
    pub name: String,
    pub uid: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WorkspaceEnvelope {
    pub workspace: WorkspaceView,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WorkspaceList {
    pub workspaces: Vec<WorkspaceView>,
    pub meta: PageMeta,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewWorkspace {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub about: Option<String>,
    /// The owning team; optional for members of one team only.
    pub team_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"workspace": {"name": "Payments sandbox", "type": "team", "about": "Requests we try first"}}))]
pub struct CreateWorkspaceRequest {
    pub workspace: NewWorkspace,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkspaceChanges {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub about: Option<String>,
    /// `true` enables multi-partner mode; it cannot be turned off (R-MULTI-1).
    pub multi_partner: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateWorkspaceRequest {
    pub workspace: WorkspaceChanges,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IdOnly {
    pub id: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeletedWorkspace {
    pub workspace: IdOnly,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ApprovalRequest {
    /// `approve` or `deny`.
    pub decision: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleName {
    pub id: String,
    pub display_name: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RoleCatalog {
    pub user: Vec<RoleName>,
    pub usergroup: Vec<RoleName>,
    pub partner: Vec<RoleName>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AllWorkspaceRoles {
    pub roles: RoleCatalog,
}

/// One role of a workspace and who holds it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceRoleHolders {
    pub id: String,
    pub display_name: String,
    pub user: Vec<String>,
    pub usergroup: Vec<String>,
    pub partner: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WorkspaceRoles {
    pub roles: Vec<WorkspaceRoleHolders>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RoleGrant {
    /// A user id.
    pub id: String,
    /// A role id: 1-3 for team members, 4-7 for partners.
    pub role: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RoleOperation {
    /// `add` or `remove`.
    pub op: String,
    /// `/user` or `/partner`.
    pub path: String,
    pub value: Vec<RoleGrant>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateWorkspaceRolesRequest {
    pub roles: Vec<RoleOperation>,
}

/// A person of a workspace.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceMemberView {
    pub id: String,
    pub name: String,
    /// Shown to the people who manage the workspace only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub role: String,
    pub role_id: String,
    pub display_name: String,
    /// A person of another team (R-ISO-6): drawn with a diamond.
    pub is_partner: bool,
    pub partner_lead: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_team_id: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WorkspaceMemberList {
    pub members: Vec<WorkspaceMemberView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActivityUser {
    pub id: Option<String>,
    pub name: Option<String>,
    pub is_partner: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActivityView {
    pub id: i64,
    pub workspace_id: String,
    pub created_at: String,
    pub updated_at: String,
    pub user: ActivityUser,
    pub action: String,
    pub element_type: String,
    pub element_id: String,
    pub element_name: String,
    pub trigger: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ActivityFeed {
    pub data: Vec<ActivityView>,
    pub meta: PageMeta,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationTarget {
    #[serde(default)]
    pub emails: Vec<String>,
    /// The text of a CSV or TXT file of emails (bulk invites).
    pub file: Option<String>,
    #[serde(default)]
    pub user_ids: Vec<String>,
}

/// `POST /invitations`: `invite_partner` or `remove_partner`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManagePartnersRequest {
    pub action: String,
    /// `workspace`, or `team` (remove from every Partner Workspace of the team).
    pub target_entity: String,
    pub target_entity_id: String,
    /// `4`-`7` for `invite_partner`.
    pub role_id: Option<String>,
    pub target: InvitationTarget,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManagePartnersResult {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// `PARTNER_ADDED`, `EMAIL_SENT`, `ALREADY_INVITED`, `REMOVED` or `FAILED`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation_link: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManagePartnersResponse {
    pub target_entity: String,
    pub target_entity_id: String,
    pub action: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_display_name: Option<String>,
    pub results: Vec<ManagePartnersResult>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AcceptInvitationRequest {
    /// One of the caller's teams to accept with (partner invitations).
    pub team_id: Option<String>,
    /// Or a new team to create, on the default plan.
    pub new_team_name: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PendingInvitation {
    pub id: String,
    pub email: String,
    pub role_id: String,
    pub created_at: String,
    pub expires_at: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PendingInvitationList {
    pub invitations: Vec<PendingInvitation>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartnerWorkspaceRef {
    pub id: String,
    pub name: String,
    pub role_id: String,
    pub display_name: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PartnerResources {
    pub user: crate::UserView,
    pub workspaces: Vec<PartnerWorkspaceRef>,
    pub collections: Vec<ElementRef>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TeamRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PartnershipView {
    /// The team on the other side.
    pub team: TeamRef,
    pub since: String,
    /// How that team's people sign in: `password` or `sso` (their own
    /// team's OpenID Connect provider).
    #[serde(rename = "signIn")]
    pub sign_in: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Partnerships {
    /// Partner teams this team publishes to.
    pub as_publisher: Vec<PartnershipView>,
    /// Publisher teams this team is a partner of.
    pub as_partner: Vec<PartnershipView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationView {
    pub id: i64,
    pub kind: String,
    pub message: String,
    pub data: serde_json::Value,
    pub created_at: String,
    pub read: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationList {
    pub notifications: Vec<NotificationView>,
    pub unread_count: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RelatedResource {
    /// `collection`, `folder`, `request` or `response`.
    pub resource: String,
    pub resource_id: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UpdateAuthor {
    pub id: String,
    pub name: String,
}

/// A workspace update.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateView {
    pub id: i64,
    pub workspace_id: String,
    pub topic: String,
    /// Markdown.
    pub description: String,
    /// The description rendered to sanitised HTML.
    pub description_html: String,
    /// `improvement`, `new_feature`, `bug_fix`, `breaking_change` or `announcement`.
    pub category: String,
    pub is_pinned: bool,
    pub related_resources: Vec<RelatedResource>,
    /// The element changes the update announces (from the save nudge).
    pub element_changes: serde_json::Value,
    pub created_by: UpdateAuthor,
    pub updated_by: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UpdateList {
    pub data: Vec<UpdateView>,
    pub meta: PageMeta,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"topic": "Refunds are live", "description": "Use **POST /refunds**.", "category": "new_feature", "isPinned": false}))]
pub struct UpdateRequest {
    pub topic: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub related_resources: Option<Vec<RelatedResource>>,
    pub is_pinned: Option<bool>,
    pub element_changes: Option<serde_json::Value>,
}

/// A comment on an update, or a reply (`parentId`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommentView {
    pub id: i64,
    pub update_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<i64>,
    /// Markdown, as written.
    pub body: String,
    /// The markdown rendered to sanitised HTML.
    pub body_html: String,
    pub created_by: UpdateAuthor,
    /// Written by a partner (drawn with a diamond).
    pub is_partner: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CommentList {
    pub data: Vec<CommentView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"body": "Thanks, this works for us."}))]
pub struct CommentRequest {
    pub body: String,
    /// Reply to this comment (one level of replies).
    pub parent_id: Option<i64>,
    /// People to notify: `{"@gina": {"type": "user", "id": "…"}}`.
    #[serde(default)]
    pub tags: std::collections::BTreeMap<String, crate::CommentTag>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationSettings {
    /// The kinds also sent by email.
    pub email: Vec<String>,
    /// Every kind there is.
    pub kinds: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettingsRequest {
    pub email: Vec<String>,
}

/// A webhook to add to an internal workspace.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntegrationRequest {
    pub name: String,
    /// `https://…` (or `http://…`); internal addresses are refused unless
    /// the operator allows them.
    pub url: String,
    /// Events to send: `update_posted`, `comment_posted`,
    /// `collection_changed`, `environment_changed`.
    pub events: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationView {
    pub id: String,
    pub name: String,
    pub url: String,
    pub events: Vec<String>,
    pub created_by: String,
    pub created_at: String,
    /// The HMAC-SHA256 signing key: only in the answer that created it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IntegrationCreated {
    pub integration: IntegrationView,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IntegrationList {
    pub integrations: Vec<IntegrationView>,
}

/// One delivery of a webhook and how it went.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    pub id: i64,
    pub event: String,
    /// `pending`, `delivered` or `failed` (given up).
    pub status: String,
    pub attempts: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_status: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<String>,
    /// When a pending delivery is tried next.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeliveryList {
    pub deliveries: Vec<DeliveryView>,
}
