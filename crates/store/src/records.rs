//! Rows as the use cases see them: domain types, no SQL.

use portico_domain::ids::{ApiKeyId, InvitationId, TeamId, UserId};
use portico_domain::plan::Plan;
use portico_domain::roles::TeamRoles;
use portico_domain::values::Email;

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

/// What an invitation leads to once accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationKind {
    /// Joining the team as a member with the given roles.
    Team,
}

impl InvitationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationKind::Team => "team",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "team" => Some(InvitationKind::Team),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRecord {
    pub id: InvitationId,
    pub kind: InvitationKind,
    pub team_id: TeamId,
    pub email: Email,
    pub roles: TeamRoles,
    pub invited_by: UserId,
    pub created_at: Millis,
    pub expires_at: Millis,
    pub accepted_at: Option<Millis>,
    pub revoked_at: Option<Millis>,
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
}

/// Position after which a keyset page starts: the sort time and the id of the
/// last row of the previous page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageAfter {
    pub at: Millis,
    pub id: String,
}
