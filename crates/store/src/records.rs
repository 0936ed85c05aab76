//! Rows as the use cases see them: domain types, no SQL.

use portico_domain::ids::{ApiKeyId, CollectionId, EnvironmentId, InvitationId, TeamId, UserId, WorkspaceId};
use portico_domain::plan::Plan;
use portico_domain::roles::TeamRoles;
use portico_domain::values::Email;
use portico_domain::workspace::{WorkspaceKind, WorkspaceRole};

/// Milliseconds since the Unix epoch (UTC).
pub type Millis = i64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: UserId,
    pub email: Email,
    pub name: String,
    /// PHC string of the argon2id hash; `None` for accounts without a password.
    pub password_hash: Option<String>,
    pub is_server_admin: bool,
    pub created_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub user: UserRecord,
    pub csrf_token: String,
    pub expires_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    pub id: ApiKeyId,
    pub user_id: UserId,
    pub name: String,
    /// The first characters of the key, to recognise it in a list.
    pub prefix: String,
    pub created_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRecord {
    pub id: TeamId,
    pub name: String,
    pub plan: Plan,
    pub created_at: Millis,
}

/// A team with the roles one user holds in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipRecord {
    pub team: TeamRecord,
    pub roles: TeamRoles,
}

/// A member of a team, for listings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    pub team_id: TeamId,
    pub user_id: UserId,
    pub email: Email,
    pub name: String,
    pub roles: TeamRoles,
    pub joined_at: Millis,
}

/// What an invitation gives once accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvitationGrant {
    /// Membership of the team with these roles.
    Team(TeamRoles),
    /// A partner role in one Partner Workspace of the team.
    Partner {
        workspace_id: WorkspaceId,
        role: WorkspaceRole,
        lead: bool,
    },
}

impl InvitationGrant {
    pub fn kind(&self) -> &'static str {
        match self {
            InvitationGrant::Team(_) => "team",
            InvitationGrant::Partner { .. } => "partner",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRecord {
    pub id: InvitationId,
    /// The inviting team (the publisher, for partner invitations).
    pub team_id: TeamId,
    pub email: Email,
    pub grant: InvitationGrant,
    pub invited_by: UserId,
    pub created_at: Millis,
    pub expires_at: Millis,
    pub accepted_at: Option<Millis>,
    pub revoked_at: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceRecord {
    pub id: WorkspaceId,
    pub team_id: TeamId,
    pub name: String,
    pub kind: WorkspaceKind,
    pub about: String,
    pub multi_partner: bool,
    pub pending_approval: bool,
    pub created_by: UserId,
    pub updated_by: UserId,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// A workspace with everything the policy needs to know about one user's
/// standing in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceAccess {
    pub workspace: WorkspaceRecord,
    pub team_plan: Plan,
    pub team_has_partner_manager: bool,
    /// The user's roles in the workspace's team.
    pub team_roles: Option<TeamRoles>,
    /// The user's workspace role. A partner's role is left out when they are
    /// no longer in the team that gave them access (R-ISO-4).
    pub role: Option<WorkspaceRole>,
    pub lead: bool,
    /// The partner team through which a partner has access.
    pub partner_team_id: Option<TeamId>,
    /// Updates by others since the user last opened the workspace's Updates
    /// tab (R-UPD-3), read with the access in the same query.
    pub unread_updates: i64,
}

/// Someone holding a role in a workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceMemberRecord {
    pub user_id: UserId,
    pub email: Email,
    pub name: String,
    pub role: WorkspaceRole,
    pub lead: bool,
    pub partner_team_id: Option<TeamId>,
    /// For partners: still a member of their partner team (R-ISO-4).
    pub active: bool,
    pub added_at: Millis,
}

/// A team-to-team partnership seen from one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnershipRecord {
    pub publisher: TeamRecord,
    pub partner: TeamRecord,
    pub created_at: Millis,
}

/// An entry of a workspace's activity feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRecord {
    pub id: i64,
    pub workspace_id: WorkspaceId,
    pub actor_id: Option<UserId>,
    pub actor_name: Option<String>,
    /// The actor's partner team, when the actor acted as a partner.
    pub partner_team_id: Option<TeamId>,
    /// The partner team of the person the entry is about (a partner who
    /// joined or left), when that differs from the workspace's team.
    pub subject_team_id: Option<TeamId>,
    pub action: String,
    pub element_type: String,
    pub element_id: String,
    pub element_name: String,
    pub created_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRecord {
    pub id: i64,
    pub user_id: UserId,
    pub kind: String,
    pub message: String,
    pub data: String,
    pub created_at: Millis,
    pub read_at: Option<Millis>,
}

/// A row of the audit log (R-SEC-3).
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub id: i64,
    pub team_id: Option<TeamId>,
    pub actor_id: Option<UserId>,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub details: serde_json::Value,
    pub created_at: Millis,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditRecord {
    pub team_id: Option<TeamId>,
    pub actor_id: Option<UserId>,
    pub action: &'static str,
    pub target_type: &'static str,
    pub target_id: String,
    pub details: serde_json::Value,
    pub created_at: Millis,
}

/// Filters of an audit log listing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub action: Option<String>,
    pub since: Option<Millis>,
    pub until: Option<Millis>,
    /// Only rows with an id below this one (cursor of the previous page).
    pub before_id: Option<i64>,
    pub limit: u32,
}

/// An email waiting in (or sent from) the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRecord {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: Millis,
    pub sent_at: Option<Millis>,
    pub attempts: i64,
    /// How it was delivered: `smtp`, or `log` when no mail server is configured.
    pub delivery: Option<String>,
    pub last_error: Option<String>,
}

/// Position after which a keyset page starts: the sort time and the id of the
/// last row of the previous page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageAfter {
    pub at: Millis,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionRecord {
    pub id: CollectionId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    /// The current (head) revision.
    pub revision: i64,
    pub created_by: UserId,
    pub updated_by: UserId,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// One node of a collection's tree in one revision: the collection itself
/// (`kind` `collection`, no parent), a folder, a request or a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeRecord {
    pub uid: String,
    pub parent_uid: Option<String>,
    /// Order among siblings (ascending).
    pub position: i64,
    pub kind: String,
    /// Hash of the node's own JSON (without its children), stored once.
    pub blob_hash: String,
}

/// The `kind` (and blob hash) of a node row that hides a node of the layer
/// below it in a copy-on-write tree; never returned by the tree reads.
pub const HIDDEN_NODE: &str = "deleted";

/// A collection forked from another (R-FORK-2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForkRecord {
    pub collection_id: CollectionId,
    pub parent_id: CollectionId,
    pub label: String,
    /// The parent revision the fork was made from or last pulled.
    pub base_revision: i64,
    pub created_by: UserId,
    pub created_at: Millis,
}

/// A forked environment (R-FORK-2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentForkRecord {
    pub environment_id: EnvironmentId,
    pub parent_id: EnvironmentId,
    pub label: String,
    /// The parent's variables (JSON) as of the fork or the last pull.
    pub base_vars: String,
    pub base_revision: i64,
    pub created_by: UserId,
    pub created_at: Millis,
}

/// A pull request from a fork into its parent (R-PR-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequestRecord {
    pub id: String,
    /// The fork.
    pub source_id: CollectionId,
    /// Its parent, where the changes go.
    pub destination_id: CollectionId,
    pub title: String,
    pub description: String,
    /// `open`, `approved`, `declined` or `merged`.
    pub status: String,
    pub decline_comment: Option<String>,
    pub created_by: UserId,
    pub updated_by: UserId,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// What a team requires before a pull request into its collections may be
/// merged (R-PR-1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeChecks {
    /// At least one reviewer approves.
    pub require_approval: bool,
    /// At least one approving reviewer may edit the destination collection.
    pub require_editor_approval: bool,
}

/// A team's OpenID Connect provider. The client secret is kept sealed
/// with the server key (never in the clear).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamSignInRecord {
    pub team_id: TeamId,
    pub issuer: String,
    pub client_id: String,
    pub client_secret_sealed: String,
    pub enforce: bool,
    pub updated_at: Millis,
}

/// A sign-in started at a team's provider and not finished yet; found by
/// the hash of its `state` and taken once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInAttemptRecord {
    pub state_hash: String,
    pub team_id: TeamId,
    pub nonce: String,
    /// The PKCE verifier, sealed with the server key.
    pub verifier_sealed: String,
    /// Where to go once signed in (a path on this server).
    pub return_to: String,
    pub expires_at: Millis,
}

/// A sign-up waiting for its emailed link (`signup = "verify-email"`):
/// the account it becomes once the link is opened. Found by the SHA-256 of
/// the link's token and taken once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSignupRecord {
    /// The id the sign-up answered; the account gets it.
    pub user_id: UserId,
    pub email: Email,
    pub name: String,
    pub password_hash: String,
    pub created_at: Millis,
    pub expires_at: Millis,
}

/// A collection run kept in its runner's history (issue 11): the counts
/// and the JSON report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    pub id: String,
    pub user_id: UserId,
    pub collection_id: CollectionId,
    pub environment_id: Option<EnvironmentId>,
    pub environment_name: Option<String>,
    pub started_at: Millis,
    pub duration_ms: i64,
    pub passed: bool,
    pub requests: i64,
    pub failed_requests: i64,
    pub assertions: i64,
    pub failed_assertions: i64,
    /// The run's JSON report (every request and assertion).
    pub report: String,
}

/// A comment on a pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequestCommentRecord {
    pub id: String,
    pub pull_request_id: String,
    pub author_id: UserId,
    pub body: String,
    pub created_at: Millis,
}

/// A merge of a fork into its parent, as a task (R-FORK-4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeTaskRecord {
    pub id: String,
    pub user_id: UserId,
    pub source_id: CollectionId,
    pub destination_id: CollectionId,
    pub strategy: String,
    /// `successful`, `in-progress` or `failed`.
    pub status: String,
    pub error: Option<String>,
    pub created_at: Millis,
}

/// The tree a collection's own node rows are laid over, from some revision
/// on: `layer_id` at revision `layer_rev`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layer {
    pub layer_id: CollectionId,
    pub layer_rev: i64,
}

/// A node with its JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeWithBody {
    pub node: NodeRecord,
    pub body: String,
}

/// A revision of a collection: who, when, and what changed (JSON list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionRecord {
    pub collection_id: CollectionId,
    pub revision: i64,
    pub author: UserId,
    pub created_at: Millis,
    pub changes: String,
}

/// An environment: named variables of a workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentRecord {
    pub id: EnvironmentId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    /// The variables, a JSON list of `{key, value, type, enabled}`.
    pub vars: String,
    pub revision: i64,
    pub created_by: UserId,
    pub updated_by: UserId,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// A comment on a collection or one of its elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementCommentRecord {
    pub id: i64,
    pub collection_id: CollectionId,
    /// `collection`, `folder`, `request` or `response`.
    pub element_type: String,
    pub element_id: String,
    /// The first comment of the thread; `None` for that first comment.
    pub thread_id: Option<i64>,
    pub author_id: UserId,
    pub author_name: String,
    pub body: String,
    /// Set on a thread's first comment when the thread is resolved.
    pub resolved: bool,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// An outgoing webhook of a workspace (R-ISO-7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationRecord {
    pub id: String,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub url: String,
    /// JSON list of event names.
    pub events: String,
    pub secret: String,
    pub created_by: UserId,
    pub created_at: Millis,
}

/// One webhook delivery and how it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub id: i64,
    pub integration_id: String,
    pub event: String,
    pub payload: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Millis,
    pub response_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: Millis,
    pub delivered_at: Option<Millis>,
}

/// What one revision of an environment changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentRevisionRecord {
    pub environment_id: EnvironmentId,
    pub revision: i64,
    pub author: UserId,
    pub created_at: Millis,
    pub changes: String,
}

/// A workspace update (R-UPD-1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateRecord {
    pub id: i64,
    pub workspace_id: WorkspaceId,
    /// Number of the update in its workspace (1, 2, …).
    pub seq: i64,
    pub author_id: UserId,
    pub author_name: String,
    pub updated_by: UserId,
    pub topic: String,
    pub description: String,
    pub category: String,
    /// JSON array of `{resource, resourceId}`.
    pub related: String,
    /// JSON array of the element changes the update announces (R-UPD-2).
    pub element_changes: String,
    pub is_pinned: bool,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// A comment on a workspace update, or a reply to one (R-UPD-4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentRecord {
    pub id: i64,
    pub update_id: i64,
    /// The comment this one replies to.
    pub parent_id: Option<i64>,
    pub author_id: UserId,
    pub author_name: String,
    /// The author's partner team, when they commented as a partner.
    pub partner_team_id: Option<TeamId>,
    pub body: String,
    pub created_at: Millis,
    pub updated_at: Millis,
}
