//! The operations available inside one transaction.

use portico_domain::ids::{ApiKeyId, CollectionId, EnvironmentId, TeamId, UserId, WorkspaceId};
use portico_domain::plan::Plan;
use portico_domain::roles::TeamRoles;
use portico_domain::values::{Domain, Email};
use portico_domain::workspace::WorkspaceRole;

use crate::StoreError;
use crate::records::*;

type R<T> = Result<T, StoreError>;

/// Everything a use case may ask of the database inside one transaction.
///
/// Lookups return `Ok(None)` for missing rows; a write that breaks a unique
/// rule answers [`StoreError::UniqueViolation`].
pub trait Tx {
    // users
    fn count_users(&mut self) -> R<i64>;
    fn insert_user(&mut self, user: &UserRecord) -> R<()>;
    fn user_by_id(&mut self, id: UserId) -> R<Option<UserRecord>>;
    fn user_by_email(&mut self, email: &Email) -> R<Option<UserRecord>>;
    fn set_user_password(&mut self, id: UserId, hash: &str) -> R<()>;
    fn set_server_admin(&mut self, id: UserId, is_admin: bool) -> R<()>;
    /// How many accounts are operators.
    fn count_server_admins(&mut self) -> R<i64>;
    /// Removes an account's personal data, keeping its id for what it
    /// wrote: the email and name become `email` and `name`, the password
    /// and operator flag go, and so do its sessions, API keys (revoked at
    /// `now`), element roles, notifications, email settings, unread
    /// markers and runs. Team and workspace roles are left to the caller.
    fn remove_user(&mut self, id: UserId, email: &Email, name: &str, now: Millis) -> R<()>;

    // sessions (ids stored as hashes)
    fn insert_session(
        &mut self,
        id_hash: &str,
        user: UserId,
        csrf_token: &str,
        created_at: Millis,
        expires_at: Millis,
    ) -> R<()>;
    /// The unexpired session with this hash and its user.
    fn session_by_hash(&mut self, id_hash: &str, now: Millis) -> R<Option<SessionRecord>>;
    fn delete_session(&mut self, id_hash: &str) -> R<()>;
    /// Ends every session of `user`; answers how many there were.
    fn delete_sessions_of(&mut self, user: UserId) -> R<u64>;

    // API keys (stored as hashes)
    fn insert_api_key(&mut self, key: &ApiKeyRecord, key_hash: &str) -> R<()>;
    fn api_keys_of(&mut self, user: UserId) -> R<Vec<ApiKeyRecord>>;
    /// Revokes a key of this user; `false` when there was none.
    fn revoke_api_key(&mut self, user: UserId, id: ApiKeyId, now: Millis) -> R<bool>;
    /// The owner of an unrevoked key with this hash.
    fn user_by_api_key_hash(&mut self, key_hash: &str) -> R<Option<UserRecord>>;

    // teams
    fn insert_team(&mut self, team: &TeamRecord) -> R<()>;
    fn team_by_id(&mut self, id: TeamId) -> R<Option<TeamRecord>>;
    /// Whether some member holds `partner_manager`.
    fn team_has_partner_manager(&mut self, id: TeamId) -> R<bool>;
    fn set_team_plan(&mut self, id: TeamId, plan: Plan) -> R<()>;
    fn set_team_name(&mut self, id: TeamId, name: &str) -> R<()>;
    fn memberships_of(&mut self, user: UserId) -> R<Vec<MembershipRecord>>;

    // members
    fn member_roles(&mut self, team: TeamId, user: UserId) -> R<Option<TeamRoles>>;
    fn member(&mut self, team: TeamId, user: UserId) -> R<Option<MemberRecord>>;
    fn insert_member(&mut self, team: TeamId, user: UserId, roles: &TeamRoles, at: Millis) -> R<()>;
    fn set_member_roles(&mut self, team: TeamId, user: UserId, roles: &TeamRoles) -> R<bool>;
    fn delete_member(&mut self, team: TeamId, user: UserId) -> R<bool>;
    /// A page of members ordered by join time, then user id.
    fn members(&mut self, team: TeamId, after: Option<&PageAfter>, limit: u32) -> R<Vec<MemberRecord>>;
    /// How many members hold `admin` (or `super_admin`).
    fn count_team_admins(&mut self, team: TeamId) -> R<i64>;
    /// Members holding `partner_manager`.
    fn partner_managers(&mut self, team: TeamId) -> R<Vec<UserId>>;

    // captured domains
    fn insert_domain(&mut self, team: TeamId, domain: &Domain, at: Millis) -> R<()>;
    fn delete_domain(&mut self, team: TeamId, domain: &Domain) -> R<bool>;
    fn domains_of(&mut self, team: TeamId) -> R<Vec<Domain>>;
    fn team_capturing(&mut self, domain: &Domain) -> R<Option<TeamId>>;

    // collection runs, private to who ran them
    fn insert_run(&mut self, r: &RunRecord) -> R<()>;
    /// The user's runs of a collection, newest first, without their report.
    fn runs_of(&mut self, collection: CollectionId, user: UserId, limit: u32) -> R<Vec<RunRecord>>;
    fn run(&mut self, id: &str) -> R<Option<RunRecord>>;
    /// Keeps the user's newest `keep` runs of the collection.
    fn prune_runs(&mut self, collection: CollectionId, user: UserId, keep: u32) -> R<()>;

    // team sign-in with OpenID Connect
    fn team_sign_in(&mut self, team: TeamId) -> R<Option<TeamSignInRecord>>;
    /// Creates or replaces the team's provider.
    fn put_team_sign_in(&mut self, r: &TeamSignInRecord) -> R<()>;
    fn delete_team_sign_in(&mut self, team: TeamId) -> R<bool>;
    /// Whether the user is a member of a team that enforces its provider.
    fn member_of_enforcing_team(&mut self, user: UserId) -> R<bool>;
    /// Keeps a new attempt and drops those expired at `now`.
    fn insert_sign_in_attempt(&mut self, a: &SignInAttemptRecord, now: Millis) -> R<()>;
    /// Removes and answers the attempt if it exists and has not expired at
    /// `now` (so a `state` works once); expired attempts are dropped.
    fn take_sign_in_attempt(&mut self, state_hash: &str, now: Millis) -> R<Option<SignInAttemptRecord>>;

    // sign-ups waiting for their emailed link (tokens stored as hashes)
    /// Keeps a pending sign-up. It replaces any pending sign-up of the same
    /// email (the earlier link stops working); expired ones are dropped.
    fn insert_pending_signup(&mut self, p: &PendingSignupRecord, token_hash: &str, now: Millis) -> R<()>;
    /// Removes and answers the pending sign-up if it exists and has not
    /// expired at `now` (so a link works once); expired ones are dropped.
    fn take_pending_signup(&mut self, token_hash: &str, now: Millis) -> R<Option<PendingSignupRecord>>;

    // invitations (tokens stored as hashes)
    fn insert_invitation(&mut self, inv: &InvitationRecord, token_hash: &str) -> R<()>;
    fn invitation_by_token_hash(&mut self, token_hash: &str) -> R<Option<InvitationRecord>>;
    /// Marks an open invitation accepted; `false` when it was already used or
    /// revoked (so exactly one of several racing acceptances wins).
    fn accept_invitation(&mut self, id: portico_domain::ids::InvitationId, by: UserId, at: Millis) -> R<bool>;
    /// Revokes every open team invitation of this team to this email.
    fn revoke_open_team_invitations(&mut self, team: TeamId, email: &Email, now: Millis) -> R<u64>;
    /// The open partner invitation of this email to this workspace.
    fn open_partner_invitation(&mut self, ws: WorkspaceId, email: &Email, now: Millis) -> R<Option<InvitationRecord>>;
    /// Open (unaccepted, unrevoked, unexpired) team invitations to this email.
    fn open_team_invitation(&mut self, team: TeamId, email: &Email, now: Millis) -> R<Option<InvitationRecord>>;

    // workspaces
    fn insert_workspace(&mut self, ws: &WorkspaceRecord) -> R<()>;
    fn update_workspace(&mut self, ws: &WorkspaceRecord) -> R<()>;
    fn delete_workspace(&mut self, id: WorkspaceId) -> R<bool>;
    /// One workspace with the user's standing in it.
    fn workspace_access(&mut self, id: WorkspaceId, user: UserId) -> R<Option<WorkspaceAccess>>;
    /// Every workspace the user might see: those of their teams and those
    /// they hold a role in. The policy decides which they do see.
    fn workspace_accesses(&mut self, user: UserId) -> R<Vec<WorkspaceAccess>>;
    /// Partner Workspaces of a team, pending requests included when asked.
    fn count_partner_workspaces(&mut self, team: TeamId) -> R<i64>;
    fn workspace_members(&mut self, ws: WorkspaceId) -> R<Vec<WorkspaceMemberRecord>>;
    fn workspace_member(&mut self, ws: WorkspaceId, user: UserId) -> R<Option<WorkspaceMemberRecord>>;
    /// Locks the workspace's row until the transaction ends, so that
    /// concurrent changes to its members queue instead of racing
    /// (PostgreSQL; a SQLite writer already runs alone).
    fn lock_workspace(&mut self, ws: WorkspaceId) -> R<()>;
    /// Gives a user a role in a workspace, replacing any role they held.
    fn set_workspace_member(
        &mut self,
        ws: WorkspaceId,
        user: UserId,
        role: WorkspaceRole,
        lead: bool,
        partner_team: Option<TeamId>,
        at: Millis,
    ) -> R<()>;
    fn delete_workspace_member(&mut self, ws: WorkspaceId, user: UserId) -> R<bool>;
    /// Removes the team-member roles a user holds in the team's workspaces
    /// (when they leave the team); answers the workspaces touched.
    fn delete_team_workspace_roles(&mut self, team: TeamId, user: UserId) -> R<Vec<WorkspaceId>>;
    /// Revokes an open invitation; `false` when it was not open.
    fn revoke_invitation(&mut self, id: portico_domain::ids::InvitationId, at: Millis) -> R<bool>;
    /// Open partner invitations of a workspace, oldest first.
    fn open_partner_invitations(&mut self, ws: WorkspaceId, now: Millis) -> R<Vec<InvitationRecord>>;
    /// Users holding a partner editor role in any workspace of the team
    /// (paid seats, R-ROLE-4).
    fn partner_editor_seats(&mut self, team: TeamId) -> R<Vec<UserId>>;
    /// The Partner Workspaces of `team` where `user` holds a partner role.
    fn partner_workspaces_of(&mut self, team: TeamId, user: UserId) -> R<Vec<(WorkspaceRecord, WorkspaceRole, bool)>>;

    // partnerships
    fn insert_partnership(&mut self, publisher: TeamId, partner: TeamId, at: Millis) -> R<()>;
    fn partnership_exists(&mut self, publisher: TeamId, partner: TeamId) -> R<bool>;
    /// Partnerships where the team is the publisher or the partner.
    fn partnerships_of(&mut self, team: TeamId) -> R<Vec<PartnershipRecord>>;

    // activity feed
    fn insert_activity(&mut self, row: &ActivityRecord) -> R<()>;
    /// Newest first, below `before_id`.
    fn activities(&mut self, ws: WorkspaceId, before_id: Option<i64>, limit: u32) -> R<Vec<ActivityRecord>>;

    // notifications
    fn insert_notification(&mut self, user: UserId, kind: &str, message: &str, data: &str, at: Millis) -> R<()>;
    fn notifications(&mut self, user: UserId, limit: u32) -> R<Vec<NotificationRecord>>;
    /// For each user with notifications newer than `after_id`, the newest
    /// one's id (the live-event dispatcher's one query per commit).
    fn notification_heads_after(&mut self, after_id: i64) -> R<Vec<(UserId, i64)>>;
    /// The newest notification id of the server (0 without any).
    fn last_notification_id(&mut self) -> R<i64>;
    /// Notifications newer than `after_id`, oldest first (live events).
    fn notifications_after(&mut self, user: UserId, after_id: i64, limit: u32) -> R<Vec<NotificationRecord>>;
    /// Marks one (`Some(id)`) or every notification of the user read;
    /// answers how many changed.
    fn mark_notifications_read(&mut self, user: UserId, id: Option<i64>, at: Millis) -> R<u64>;
    fn unread_notification_count(&mut self, user: UserId) -> R<i64>;
    /// The kinds of notification the user also wants by email.
    fn email_kinds(&mut self, user: UserId) -> R<Vec<String>>;
    fn set_email_kinds(&mut self, user: UserId, kinds: &[String]) -> R<()>;

    // collections
    fn insert_collection(&mut self, c: &CollectionRecord) -> R<()>;
    fn collection(&mut self, id: CollectionId) -> R<Option<CollectionRecord>>;
    /// The collection, its row locked until the transaction ends, so that
    /// concurrent writers of one collection queue instead of failing on its
    /// revision (PostgreSQL; a SQLite writer already runs alone).
    fn collection_for_update(&mut self, id: CollectionId) -> R<Option<CollectionRecord>>;
    fn collections_in(&mut self, ws: WorkspaceId) -> R<Vec<CollectionRecord>>;
    /// Moves the head to `c.revision` (name and who changed it too) if it is
    /// still at `expected`; answers false, changing nothing, otherwise. The
    /// row stays locked to the transaction, so concurrent writers queue.
    fn advance_collection_head(&mut self, c: &CollectionRecord, expected: i64) -> R<bool>;
    fn delete_collection(&mut self, id: CollectionId) -> R<bool>;
    /// Stores bodies by hash; bodies already stored are kept as they are.
    fn put_blobs(&mut self, blobs: &[(String, String)]) -> R<()>;
    /// Adds node versions valid from `rev` on.
    fn insert_nodes(&mut self, id: CollectionId, rev: i64, nodes: &[NodeRecord]) -> R<()>;
    /// Ends the current versions of these nodes at `rev`.
    fn close_nodes(&mut self, id: CollectionId, uids: &[String], rev: i64) -> R<()>;
    /// The tree of a revision (`None`: the head), with bodies, in no order.
    fn nodes_at(&mut self, id: CollectionId, rev: Option<i64>) -> R<Vec<NodeWithBody>>;
    /// The current version of one node.
    fn current_node(&mut self, id: CollectionId, uid: &str) -> R<Option<NodeWithBody>>;
    /// The version of one node that was current at revision `rev`.
    fn node_version(&mut self, id: CollectionId, uid: &str, rev: i64) -> R<Option<NodeWithBody>>;
    /// The current children of a node, ordered.
    fn current_children(&mut self, id: CollectionId, parent: &str) -> R<Vec<NodeRecord>>;
    fn insert_revision(&mut self, r: &RevisionRecord) -> R<()>;

    // forks and copy-on-write trees
    fn insert_fork(&mut self, f: &ForkRecord) -> R<()>;
    /// The fork record of a collection, if it is a fork.
    fn fork_of(&mut self, id: CollectionId) -> R<Option<ForkRecord>>;
    /// The forks of a collection, oldest first.
    fn forks_of(&mut self, parent: CollectionId) -> R<Vec<ForkRecord>>;
    fn fork_count(&mut self, parent: CollectionId) -> R<usize>;
    /// The forks a user made, oldest first.
    fn forks_by(&mut self, user: UserId) -> R<Vec<ForkRecord>>;
    fn set_fork_base(&mut self, id: CollectionId, base_revision: i64) -> R<()>;
    /// From revision `from_rev` on, the collection's tree is its own rows
    /// over `layer` (`None`: its own rows alone).
    fn set_layer(&mut self, id: CollectionId, from_rev: i64, layer: Option<Layer>) -> R<()>;
    /// The layer under a revision of the collection (`None`: the head).
    fn layer_at(&mut self, id: CollectionId, rev: Option<i64>) -> R<Option<Layer>>;
    /// The collections whose current or past trees read through `id`.
    fn layered_on(&mut self, id: CollectionId) -> R<Vec<CollectionId>>;
    /// The collection's own current rows, hiding rows included (for copying
    /// a fork's changes into a fork of it).
    fn own_nodes(&mut self, id: CollectionId) -> R<Vec<NodeRecord>>;
    /// Every layer entry of a collection: from which revision on which
    /// layer applies, oldest first.
    fn layers(&mut self, id: CollectionId) -> R<Vec<(i64, Option<Layer>)>>;
    /// Every own row of a collection ever, with the revisions it is valid
    /// for (`to_rev` `None`: still current).
    fn node_history(&mut self, id: CollectionId) -> R<Vec<(NodeRecord, i64, Option<i64>)>>;
    /// Adds node rows valid for the given revisions.
    fn insert_node_versions(&mut self, id: CollectionId, rows: &[(NodeRecord, i64, Option<i64>)]) -> R<()>;
    /// Forgets every layer of the collection: it stands alone at every
    /// revision.
    fn clear_layers(&mut self, id: CollectionId) -> R<()>;
    fn insert_merge_task(&mut self, t: &MergeTaskRecord) -> R<()>;
    // pull requests
    fn insert_pull_request(&mut self, p: &PullRequestRecord) -> R<()>;
    fn pull_request(&mut self, id: &str) -> R<Option<PullRequestRecord>>;
    /// The pull requests into or out of a collection, oldest first.
    fn pull_requests_of(&mut self, collection: CollectionId) -> R<Vec<PullRequestRecord>>;
    fn save_pull_request(&mut self, p: &PullRequestRecord) -> R<()>;
    /// Replaces the reviewers; approvals of those kept stay.
    fn set_reviewers(&mut self, id: &str, users: &[UserId]) -> R<()>;
    /// Each reviewer with whether they approve.
    fn reviewers(&mut self, id: &str) -> R<Vec<(UserId, bool)>>;
    fn set_approval(&mut self, id: &str, user: UserId, approved: bool) -> R<()>;
    fn merge_checks(&mut self, team: TeamId) -> R<MergeChecks>;
    fn set_merge_checks(&mut self, team: TeamId, checks: MergeChecks) -> R<()>;
    fn insert_pull_request_comment(&mut self, c: &PullRequestCommentRecord) -> R<()>;
    fn pull_request_comments(&mut self, id: &str) -> R<Vec<PullRequestCommentRecord>>;
    fn insert_environment_fork(&mut self, f: &EnvironmentForkRecord) -> R<()>;
    fn environment_fork_of(&mut self, id: EnvironmentId) -> R<Option<EnvironmentForkRecord>>;
    /// The forks of an environment, oldest first.
    fn environment_forks_of(&mut self, parent: EnvironmentId) -> R<Vec<EnvironmentForkRecord>>;
    fn set_environment_fork_base(&mut self, id: EnvironmentId, base_vars: &str, base_revision: i64) -> R<()>;
    fn merge_task(&mut self, id: &str) -> R<Option<MergeTaskRecord>>;
    /// Whether a current element of this kind (`collection`, `folder`,
    /// `request`, `response`) with this id lives in the workspace.
    fn element_in_workspace(&mut self, ws: WorkspaceId, kind: &str, id: &str) -> R<bool>;
    /// Revisions of every collection of the workspace made after `since`,
    /// newest first.
    fn workspace_revisions_since(&mut self, ws: WorkspaceId, since: Millis, limit: u32) -> R<Vec<RevisionRecord>>;
    /// When the newest live update of the workspace was posted.
    fn last_update_at(&mut self, ws: WorkspaceId) -> R<Option<Millis>>;
    /// Newest first, below `before`.
    fn revisions(&mut self, id: CollectionId, before: Option<i64>, limit: u32) -> R<Vec<RevisionRecord>>;

    // element roles
    /// The user's role on an element (`collection`, id), if any.
    fn element_role(&mut self, kind: &str, id: &str, user: UserId) -> R<Option<String>>;
    /// Every role on an element, by user.
    fn element_roles(&mut self, kind: &str, id: &str) -> R<Vec<(UserId, String)>>;
    /// Sets (`Some`) or removes (`None`) a user's role on an element.
    fn set_element_role(&mut self, kind: &str, id: &str, user: UserId, role: Option<&str>) -> R<()>;
    fn delete_element_roles(&mut self, kind: &str, id: &str) -> R<()>;

    // comments on collections and their elements
    /// Inserts a comment; answers its id.
    fn insert_element_comment(&mut self, c: &ElementCommentRecord) -> R<i64>;
    fn element_comment(&mut self, collection: CollectionId, id: i64) -> R<Option<ElementCommentRecord>>;
    /// The comments on one element, oldest first.
    fn element_comments(&mut self, collection: CollectionId, kind: &str, element: &str)
    -> R<Vec<ElementCommentRecord>>;
    fn save_element_comment(&mut self, id: i64, body: &str, resolved: bool, at: Millis) -> R<()>;
    /// Deletes a comment, and with a thread's first comment the thread.
    fn delete_element_comment(&mut self, id: i64) -> R<bool>;

    // integrations (outgoing webhooks)
    fn insert_integration(&mut self, i: &IntegrationRecord) -> R<()>;
    fn integrations_in(&mut self, ws: WorkspaceId) -> R<Vec<IntegrationRecord>>;
    fn integration(&mut self, id: &str) -> R<Option<IntegrationRecord>>;
    fn delete_integration(&mut self, id: &str) -> R<bool>;
    fn insert_delivery(&mut self, integration: &str, event: &str, payload: &str, at: Millis) -> R<i64>;
    /// Pending deliveries that are due, oldest first, with their webhook;
    /// each is leased until `lease_until` so that no other sender takes it.
    fn claim_deliveries(
        &mut self,
        now: Millis,
        lease_until: Millis,
        limit: u32,
    ) -> R<Vec<(DeliveryRecord, IntegrationRecord)>>;
    /// Records an attempt: delivered (`next_attempt_at` None and `ok`),
    /// to be retried at `next_attempt_at`, or given up (`None`, not `ok`).
    fn delivery_attempted(
        &mut self,
        id: i64,
        ok: bool,
        response_status: Option<i64>,
        error: Option<&str>,
        next_attempt_at: Option<Millis>,
        at: Millis,
    ) -> R<()>;
    /// The newest deliveries of a webhook.
    fn deliveries(&mut self, integration: &str, limit: u32) -> R<Vec<DeliveryRecord>>;

    // environments
    fn insert_environment(&mut self, e: &EnvironmentRecord) -> R<()>;
    fn environment(&mut self, id: EnvironmentId) -> R<Option<EnvironmentRecord>>;
    /// The environment, its row locked until the transaction ends (see
    /// `collection_for_update`).
    fn environment_for_update(&mut self, id: EnvironmentId) -> R<Option<EnvironmentRecord>>;
    fn environments_in(&mut self, ws: WorkspaceId) -> R<Vec<EnvironmentRecord>>;
    /// Saves name and variables as revision `e.revision` if the stored one
    /// is still `expected`; answers false, changing nothing, otherwise.
    fn save_environment(&mut self, e: &EnvironmentRecord, expected: i64) -> R<bool>;
    fn delete_environment(&mut self, id: EnvironmentId) -> R<bool>;
    /// Keeps a revision of the environment as it now is, with what changed.
    fn insert_environment_revision(&mut self, e: &EnvironmentRecord, changes: &str) -> R<()>;
    /// Revisions of the workspace's environments after `since`, newest first.
    fn environment_revisions_since(
        &mut self,
        ws: WorkspaceId,
        since: Millis,
        limit: u32,
    ) -> R<Vec<EnvironmentRevisionRecord>>;

    // workspace updates
    /// Inserts an update, numbering it next in its workspace; answers it.
    fn insert_update(&mut self, u: &UpdateRecord) -> R<UpdateRecord>;
    fn update_by_id(&mut self, ws: WorkspaceId, id: i64) -> R<Option<UpdateRecord>>;
    fn save_update(&mut self, u: &UpdateRecord) -> R<()>;
    /// Marks an update deleted; its number stays taken.
    fn delete_update(&mut self, ws: WorkspaceId, id: i64) -> R<bool>;
    /// A page of live updates: pinned first, then newest first; `after` is
    /// the `(pinned, seq)` of the last update of the previous page.
    fn updates(
        &mut self,
        ws: WorkspaceId,
        category: Option<&str>,
        after: Option<(bool, i64)>,
        limit: u32,
    ) -> R<Vec<UpdateRecord>>;
    /// Updates by others since the user's last visit of the Updates tab
    /// (R-UPD-3), counted from numbers and indexes, never by a scan.
    fn unread_updates(&mut self, ws: WorkspaceId, user: UserId) -> R<i64>;
    /// Records that the user has seen every update of the workspace.
    fn mark_updates_seen(&mut self, ws: WorkspaceId, user: UserId, at: Millis) -> R<()>;

    // comments on updates
    fn insert_comment(&mut self, c: &CommentRecord) -> R<i64>;
    fn comment(&mut self, update: i64, id: i64) -> R<Option<CommentRecord>>;
    /// Every comment of an update, oldest first.
    fn comments(&mut self, update: i64) -> R<Vec<CommentRecord>>;
    fn save_comment_body(&mut self, id: i64, body: &str, at: Millis) -> R<()>;
    /// Deletes a comment and its replies.
    fn delete_comment(&mut self, id: i64) -> R<bool>;

    // audit log
    fn insert_audit(&mut self, row: &NewAuditRecord) -> R<()>;
    fn audit_rows(&mut self, team: TeamId, q: &AuditQuery) -> R<Vec<AuditRecord>>;

    // email outbox
    fn insert_outbox(&mut self, recipient: &str, subject: &str, body: &str, at: Millis) -> R<i64>;
    fn outbox(&mut self, limit: u32) -> R<Vec<OutboxRecord>>;
    /// Emails not sent yet.
    fn outbox_pending(&mut self) -> R<i64>;
    /// Whether an unsent email is due at `now` (a read before claiming, so
    /// that an idle pass writes nothing).
    fn outbox_due(&mut self, now: Millis) -> R<bool>;
    /// Whether a webhook delivery is due at `now`.
    fn deliveries_due(&mut self, now: Millis) -> R<bool>;
    /// Unsent messages whose next attempt is due, oldest first; each is
    /// leased until `lease_until` so that no other sender takes it meanwhile.
    fn claim_outbox(&mut self, now: Millis, lease_until: Millis, limit: u32) -> R<Vec<OutboxRecord>>;
    /// Marks a message delivered (`via`: `smtp` or `log`) and erases its
    /// body, which may hold a single-use link.
    fn outbox_sent(&mut self, id: i64, via: &str, at: Millis) -> R<()>;
    /// Records a failed attempt and when to try again.
    fn outbox_failed(&mut self, id: i64, error: &str, next_attempt_at: Millis) -> R<()>;
}
