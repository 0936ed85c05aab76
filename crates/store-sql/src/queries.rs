//! The store's `Tx`, implemented once in SQL that both SQLite and PostgreSQL
//! accept.

use portico_domain::ids::{ApiKeyId, CollectionId, EnvironmentId, InvitationId, TeamId, UserId, WorkspaceId};
use portico_domain::plan::Plan;
use portico_domain::roles::TeamRoles;
use portico_domain::values::{Domain, Email};
use portico_domain::workspace::{WorkspaceKind, WorkspaceRole};
use portico_store::*;

use crate::{Row, SqlConn, Value};

type R<T> = Result<T, StoreError>;

/// A transaction of either backend, seen as the store's [`Tx`].
pub struct SqlTx<'a> {
    conn: &'a mut dyn SqlConn,
    /// Whether this transaction holds the lock that orders notification
    /// ids (see `insert_notification`).
    notifications_locked: bool,
}

/// The advisory lock that makes notification ids commit in their order.
const NOTIFICATION_ORDER_LOCK: &str = "SELECT 1 FROM pg_advisory_xact_lock(7070707)";

impl<'a> SqlTx<'a> {
    pub fn new(conn: &'a mut dyn SqlConn) -> Self {
        Self {
            conn,
            notifications_locked: false,
        }
    }

    /// The newest `limit` revisions after `since` of a workspace's elements
    /// (collections or environments), newest first. `elements` lists the
    /// workspace's element ids; `revisions` reads one element's
    /// `(id, revision, author, created_at, changes)` newest first with a
    /// limit. One indexed range per element, each stopping at the limit: a
    /// single query over the workspace would sort every revision since
    /// `since`, which grows with each save before the next update.
    fn newest_revisions_since(
        &mut self,
        elements: &'static str,
        revisions: &'static str,
        ws: WorkspaceId,
        since: Millis,
        limit: u32,
    ) -> R<Vec<Row>> {
        let mut out = Vec::new();
        for e in self.rows(elements, &[ws.to_string().into()])? {
            out.extend(self.rows(revisions, &[e.text(0)?.into(), since.into(), i64::from(limit).into()])?);
        }
        let mut keyed = out
            .into_iter()
            .map(|r| Ok(((r.int(3)?, r.int(1)?), r)))
            .collect::<R<Vec<_>>>()?;
        keyed.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
        keyed.truncate(limit as usize);
        Ok(keyed.into_iter().map(|(_, r)| r).collect())
    }

    /// A collection's own node rows at a revision (`None`: the head),
    /// hiding rows included.
    fn own_nodes_at(&mut self, cid: &str, rev: Option<i64>) -> R<Vec<NodeWithBody>> {
        let rows = match rev {
            None => self.rows(
                "SELECT n.uid, n.parent_uid, n.position, n.kind, n.blob_hash, b.body FROM collection_nodes n \
                 JOIN blobs b ON b.hash = n.blob_hash WHERE n.collection_id = $1 AND n.to_rev IS NULL",
                &[cid.into()],
            )?,
            Some(r) => self.rows(
                "SELECT n.uid, n.parent_uid, n.position, n.kind, n.blob_hash, b.body FROM collection_nodes n \
                 JOIN blobs b ON b.hash = n.blob_hash WHERE n.collection_id = $1 AND n.from_rev <= $2 \
                 AND (n.to_rev IS NULL OR n.to_rev > $2)",
                &[cid.into(), r.into()],
            )?,
        };
        rows.iter().map(node_with_body_at).collect()
    }

    /// One own row of a collection as of revision `rev`.
    fn own_version(&mut self, cid: &str, uid: &str, rev: i64) -> R<Option<NodeWithBody>> {
        self.row(
            "SELECT n.uid, n.parent_uid, n.position, n.kind, n.blob_hash, b.body FROM collection_nodes n \
             JOIN blobs b ON b.hash = n.blob_hash WHERE n.collection_id = $1 AND n.uid = $2 AND n.from_rev <= $3 \
             AND (n.to_rev IS NULL OR n.to_rev > $3) ORDER BY n.from_rev DESC LIMIT 1",
            &[cid.into(), uid.into(), rev.into()],
        )?
        .map(|r| node_with_body_at(&r))
        .transpose()
    }

    /// A node the collection reads through its layer (at a revision, or
    /// the head), as the collection sees it.
    fn layer_node(&mut self, id: CollectionId, cid: &str, uid: &str, rev: Option<i64>) -> R<Option<NodeWithBody>> {
        let Some(layer) = Tx::layer_at(self, id, rev)? else {
            return Ok(None);
        };
        let lid = layer.layer_id.to_string();
        let found = self.own_version(&lid, uid, layer.layer_rev)?;
        Ok(found
            .filter(|n| n.node.parent_uid.is_some() && n.node.kind != HIDDEN_NODE)
            .map(|mut n| {
                relink(&mut n.node, &lid, cid);
                n
            }))
    }

    fn exec(&mut self, sql: &'static str, params: &[Value]) -> R<u64> {
        self.conn.execute(sql, params)
    }

    fn rows(&mut self, sql: &'static str, params: &[Value]) -> R<Vec<Row>> {
        self.conn.query(sql, params)
    }

    fn row(&mut self, sql: &'static str, params: &[Value]) -> R<Option<Row>> {
        Ok(self.conn.query(sql, params)?.into_iter().next())
    }
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn user_id(s: &str) -> R<UserId> {
    UserId::parse(s).map_err(|e| corrupt("user id", e))
}

fn team_id(s: &str) -> R<TeamId> {
    TeamId::parse(s).map_err(|e| corrupt("team id", e))
}

fn email(s: &str) -> R<Email> {
    Email::from_storage(s).map_err(|e| corrupt("email", e))
}

fn roles(s: &str) -> R<TeamRoles> {
    TeamRoles::from_storage(s).map_err(|e| corrupt("roles", e))
}

fn plan(s: &str) -> R<Plan> {
    s.parse().map_err(|e| corrupt("plan", e))
}

/// Reads a user from six columns starting at `at`.
fn user_at(r: &Row, at: usize) -> R<UserRecord> {
    Ok(UserRecord {
        id: user_id(r.text(at)?)?,
        email: email(r.text(at + 1)?)?,
        name: r.text(at + 2)?.to_string(),
        password_hash: r.opt_text(at + 3)?.map(str::to_string),
        is_server_admin: r.bool(at + 4)?,
        created_at: r.int(at + 5)?,
    })
}

fn team_at(r: &Row, at: usize) -> R<TeamRecord> {
    Ok(TeamRecord {
        id: team_id(r.text(at)?)?,
        name: r.text(at + 1)?.to_string(),
        plan: plan(r.text(at + 2)?)?,
        created_at: r.int(at + 3)?,
    })
}

fn member_at(r: &Row) -> R<MemberRecord> {
    Ok(MemberRecord {
        team_id: team_id(r.text(0)?)?,
        user_id: user_id(r.text(1)?)?,
        email: email(r.text(2)?)?,
        name: r.text(3)?.to_string(),
        roles: roles(r.text(4)?)?,
        joined_at: r.int(5)?,
    })
}

fn workspace_id(s: &str) -> R<WorkspaceId> {
    WorkspaceId::parse(s).map_err(|e| corrupt("workspace id", e))
}

fn collection_id(s: &str) -> R<CollectionId> {
    CollectionId::parse(s).map_err(|e| corrupt("collection id", e))
}

fn environment_id(s: &str) -> R<EnvironmentId> {
    EnvironmentId::parse(s).map_err(|e| corrupt("environment id", e))
}

/// The layer in columns `i` (its collection) and `i + 1` (its revision).
fn layer_in(r: &Row, i: usize) -> R<Option<Layer>> {
    Ok(match (r.opt_text(i)?, r.opt_int(i + 1)?) {
        (Some(layer), Some(layer_rev)) => Some(Layer {
            layer_id: collection_id(layer)?,
            layer_rev,
        }),
        _ => None,
    })
}

fn workspace_role(s: &str) -> R<WorkspaceRole> {
    WorkspaceRole::parse(s).ok_or_else(|| corrupt("workspace role", s))
}

/// Columns: id, kind, team_id, email, roles, invited_by, created_at,
/// expires_at, accepted_at, revoked_at, workspace_id, workspace_role, partner_lead.
fn invitation_at(r: &Row) -> R<InvitationRecord> {
    let grant = match r.text(1)? {
        "team" => InvitationGrant::Team(roles(r.text(4)?)?),
        "partner" => InvitationGrant::Partner {
            workspace_id: workspace_id(r.opt_text(10)?.unwrap_or_default())?,
            role: workspace_role(r.opt_text(11)?.unwrap_or_default())?,
            lead: r.bool(12)?,
        },
        other => return Err(corrupt("invitation kind", other)),
    };
    Ok(InvitationRecord {
        id: InvitationId::parse(r.text(0)?).map_err(|e| corrupt("invitation id", e))?,
        team_id: team_id(r.text(2)?)?,
        email: email(r.text(3)?)?,
        grant,
        invited_by: user_id(r.text(5)?)?,
        created_at: r.int(6)?,
        expires_at: r.int(7)?,
        accepted_at: r.opt_int(8)?,
        revoked_at: r.opt_int(9)?,
    })
}

/// Columns as in `WORKSPACE_COLS`, starting at `at`.
fn workspace_at(r: &Row, at: usize) -> R<WorkspaceRecord> {
    Ok(WorkspaceRecord {
        id: workspace_id(r.text(at)?)?,
        team_id: team_id(r.text(at + 1)?)?,
        name: r.text(at + 2)?.to_string(),
        kind: r
            .text(at + 3)?
            .parse::<WorkspaceKind>()
            .map_err(|e| corrupt("workspace kind", e))?,
        about: r.text(at + 4)?.to_string(),
        multi_partner: r.bool(at + 5)?,
        pending_approval: r.bool(at + 6)?,
        created_by: user_id(r.text(at + 7)?)?,
        updated_by: user_id(r.text(at + 8)?)?,
        created_at: r.int(at + 9)?,
        updated_at: r.int(at + 10)?,
    })
}

/// Reads a workspace (11 columns), then plan, has_pm, team_roles, role,
/// partner_lead, partner_team_id, partner_ok.
/// Updates by others after a reader's cursor (R-UPD-3), from the
/// workspace's counters (newest update number, deleted updates) and the
/// reader's cursor (seen number, own updates after it, deleted ones passed).
fn unread(head: i64, deleted: i64, seen: i64, own: i64, deleted_seen: i64) -> i64 {
    (head - seen - own - (deleted - deleted_seen)).max(0)
}

fn access_at(r: &Row) -> R<WorkspaceAccess> {
    let partner_ok = r.bool(17)?;
    let role = r.opt_text(14)?.map(workspace_role).transpose()?;
    let role = if partner_ok { role } else { None };
    Ok(WorkspaceAccess {
        workspace: workspace_at(r, 0)?,
        team_plan: plan(r.text(11)?)?,
        team_has_partner_manager: r.bool(12)?,
        team_roles: r.opt_text(13)?.map(roles).transpose()?,
        lead: role.is_some() && r.bool(15)?,
        partner_team_id: r.opt_text(16)?.map(team_id).transpose()?,
        role,
        unread_updates: unread(r.int(18)?, r.int(19)?, r.int(20)?, r.int(21)?, r.int(22)?),
    })
}

/// Whether a workspace's team has a Partner Manager.
macro_rules! has_partner_manager {
    ($team:literal) => {
        concat!(
            "EXISTS (SELECT 1 FROM team_members pm WHERE pm.team_id = ",
            $team,
            " AND pm.roles LIKE '%partner_manager%')"
        )
    };
}

/// A user's access to workspaces. `$pm` is column 12, whether the team has a
/// Partner Manager (`has_partner_manager!`, or `FALSE` for a caller that
/// asks once per team).
macro_rules! sql_access {
    ($pm:expr, $where:literal) => {
        concat!(
            "SELECT w.id, w.team_id, w.name, w.kind, w.about, w.multi_partner, w.pending_approval, \
             w.created_by, w.updated_by, w.created_at, w.updated_at, t.plan, ",
            $pm,
            ", tm.roles, wm.role, wm.partner_lead, wm.partner_team_id, ptm.user_id IS NOT NULL, \
             w.update_seq, w.deleted_updates, COALESCE(uc.seen_seq, 0), COALESCE(uc.own_unseen, 0), \
             COALESCE(uc.deleted_seen, 0) \
             FROM workspaces w JOIN teams t ON t.id = w.team_id \
             LEFT JOIN team_members tm ON tm.team_id = w.team_id AND tm.user_id = $1 \
             LEFT JOIN workspace_members wm ON wm.workspace_id = w.id AND wm.user_id = $1 \
             LEFT JOIN team_members ptm ON ptm.team_id = COALESCE(wm.partner_team_id, w.team_id) AND ptm.user_id = $1 \
             LEFT JOIN update_cursors uc ON uc.workspace_id = w.id AND uc.user_id = $1 ",
            $where
        )
    };
}

macro_rules! sql_member {
    ($where:literal) => {
        concat!(
            "SELECT wm.user_id, u.email, u.name, wm.role, wm.partner_lead, wm.partner_team_id, \
             EXISTS (SELECT 1 FROM team_members ptm JOIN workspaces pw ON pw.id = wm.workspace_id \
                     WHERE ptm.team_id = COALESCE(wm.partner_team_id, pw.team_id) AND ptm.user_id = wm.user_id), \
             wm.added_at FROM workspace_members wm JOIN users u ON u.id = wm.user_id ",
            $where
        )
    };
}

fn ws_member_at(r: &Row) -> R<WorkspaceMemberRecord> {
    Ok(WorkspaceMemberRecord {
        user_id: user_id(r.text(0)?)?,
        email: email(r.text(1)?)?,
        name: r.text(2)?.to_string(),
        role: workspace_role(r.text(3)?)?,
        lead: r.bool(4)?,
        partner_team_id: r.opt_text(5)?.map(team_id).transpose()?,
        active: r.bool(6)?,
        added_at: r.int(7)?,
    })
}

macro_rules! sql_user {
    ($tail:literal) => {
        concat!(
            "SELECT u.id, u.email, u.name, u.password_hash, u.is_server_admin, u.created_at FROM users u ",
            $tail
        )
    };
}

macro_rules! sql_update {
    ($where:literal) => {
        concat!(
            "SELECT u.id, u.workspace_id, u.seq, u.author_id, a.name, u.updated_by, u.topic, u.description, \
             u.category, u.related, u.element_changes, u.is_pinned, u.created_at, u.updated_at \
             FROM workspace_updates u JOIN users a ON a.id = u.author_id ",
            $where
        )
    };
}

fn update_at(r: &Row) -> R<UpdateRecord> {
    Ok(UpdateRecord {
        id: r.int(0)?,
        workspace_id: workspace_id(r.text(1)?)?,
        seq: r.int(2)?,
        author_id: user_id(r.text(3)?)?,
        author_name: r.text(4)?.to_string(),
        updated_by: user_id(r.text(5)?)?,
        topic: r.text(6)?.to_string(),
        description: r.text(7)?.to_string(),
        category: r.text(8)?.to_string(),
        related: r.text(9)?.to_string(),
        element_changes: r.text(10)?.to_string(),
        is_pinned: r.bool(11)?,
        created_at: r.int(12)?,
        updated_at: r.int(13)?,
    })
}

macro_rules! sql_comment {
    ($where:literal) => {
        concat!(
            "SELECT c.id, c.update_id, c.parent_id, c.author_id, a.name, c.partner_team_id, c.body, c.created_at, \
             c.updated_at FROM update_comments c JOIN users a ON a.id = c.author_id ",
            $where
        )
    };
}

macro_rules! sql_element_comment {
    ($where:literal) => {
        concat!(
            "SELECT c.id, c.collection_id, c.element_type, c.element_id, c.thread_id, c.author_id, a.name, c.body, \
             c.resolved, c.created_at, c.updated_at FROM element_comments c JOIN users a ON a.id = c.author_id ",
            $where
        )
    };
}

fn comment_at(r: &Row) -> R<CommentRecord> {
    Ok(CommentRecord {
        id: r.int(0)?,
        update_id: r.int(1)?,
        parent_id: r.opt_int(2)?,
        author_id: user_id(r.text(3)?)?,
        author_name: r.text(4)?.to_string(),
        partner_team_id: r.opt_text(5)?.map(team_id).transpose()?,
        body: r.text(6)?.to_string(),
        created_at: r.int(7)?,
        updated_at: r.int(8)?,
    })
}

fn notification_at(r: &Row) -> R<NotificationRecord> {
    Ok(NotificationRecord {
        id: r.int(0)?,
        user_id: user_id(r.text(1)?)?,
        kind: r.text(2)?.to_string(),
        message: r.text(3)?.to_string(),
        data: r.text(4)?.to_string(),
        created_at: r.int(5)?,
        read_at: r.opt_int(6)?,
    })
}

impl Tx for SqlTx<'_> {
    fn count_users(&mut self) -> R<i64> {
        match self.row("SELECT COUNT(*) FROM users", &[])? {
            Some(r) => r.int(0),
            None => Ok(0),
        }
    }

    fn insert_user(&mut self, u: &UserRecord) -> R<()> {
        self.exec(
            "INSERT INTO users (id, email, name, password_hash, is_server_admin, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                u.id.to_string().into(),
                u.email.as_str().into(),
                u.name.as_str().into(),
                u.password_hash.clone().into(),
                u.is_server_admin.into(),
                u.created_at.into(),
            ],
        )?;
        Ok(())
    }

    fn user_by_id(&mut self, id: UserId) -> R<Option<UserRecord>> {
        self.row(sql_user!("WHERE u.id = $1"), &[id.to_string().into()])?
            .map(|r| user_at(&r, 0))
            .transpose()
    }

    fn user_by_email(&mut self, e: &Email) -> R<Option<UserRecord>> {
        self.row(sql_user!("WHERE u.email = $1"), &[e.as_str().into()])?
            .map(|r| user_at(&r, 0))
            .transpose()
    }

    fn set_user_password(&mut self, id: UserId, hash: &str) -> R<()> {
        self.exec(
            "UPDATE users SET password_hash = $1 WHERE id = $2",
            &[hash.into(), id.to_string().into()],
        )?;
        Ok(())
    }

    fn set_server_admin(&mut self, id: UserId, is_admin: bool) -> R<()> {
        self.exec(
            "UPDATE users SET is_server_admin = $1 WHERE id = $2",
            &[is_admin.into(), id.to_string().into()],
        )?;
        Ok(())
    }

    fn count_server_admins(&mut self) -> R<i64> {
        match self.row("SELECT COUNT(*) FROM users WHERE is_server_admin = $1", &[true.into()])? {
            Some(r) => r.int(0),
            None => Ok(0),
        }
    }

    fn remove_user(&mut self, id: UserId, email: &Email, name: &str, now: Millis) -> R<()> {
        let uid = id.to_string();
        self.exec(
            "UPDATE users SET email = $1, name = $2, password_hash = NULL, is_server_admin = $3 WHERE id = $4",
            &[email.as_str().into(), name.into(), false.into(), uid.clone().into()],
        )?;
        self.exec(
            "UPDATE api_keys SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            &[now.into(), uid.clone().into()],
        )?;
        self.delete_sessions_of(id)?;
        for sql in [
            "DELETE FROM element_roles WHERE user_id = $1",
            "DELETE FROM notifications WHERE user_id = $1",
            "DELETE FROM notification_email_kinds WHERE user_id = $1",
            "DELETE FROM update_cursors WHERE user_id = $1",
            "DELETE FROM runs WHERE user_id = $1",
        ] {
            self.exec(sql, &[uid.clone().into()])?;
        }
        Ok(())
    }

    fn insert_session(
        &mut self,
        id_hash: &str,
        user: UserId,
        csrf: &str,
        created_at: Millis,
        expires_at: Millis,
    ) -> R<()> {
        self.exec(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            &[
                id_hash.into(),
                user.to_string().into(),
                csrf.into(),
                created_at.into(),
                expires_at.into(),
            ],
        )?;
        Ok(())
    }

    fn session_by_hash(&mut self, id_hash: &str, now: Millis) -> R<Option<SessionRecord>> {
        let Some(r) = self.row(
            "SELECT u.id, u.email, u.name, u.password_hash, u.is_server_admin, u.created_at, s.csrf_token, s.expires_at \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.expires_at > $2",
            &[id_hash.into(), now.into()],
        )?
        else {
            return Ok(None);
        };
        Ok(Some(SessionRecord {
            user: user_at(&r, 0)?,
            csrf_token: r.text(6)?.to_string(),
            expires_at: r.int(7)?,
        }))
    }

    fn delete_session(&mut self, id_hash: &str) -> R<()> {
        self.exec("DELETE FROM sessions WHERE id_hash = $1", &[id_hash.into()])?;
        Ok(())
    }

    fn delete_sessions_of(&mut self, user: UserId) -> R<u64> {
        self.exec("DELETE FROM sessions WHERE user_id = $1", &[user.to_string().into()])
    }

    fn insert_api_key(&mut self, k: &ApiKeyRecord, key_hash: &str) -> R<()> {
        self.exec(
            "INSERT INTO api_keys (id, user_id, name, prefix, key_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                k.id.to_string().into(),
                k.user_id.to_string().into(),
                k.name.as_str().into(),
                k.prefix.as_str().into(),
                key_hash.into(),
                k.created_at.into(),
            ],
        )?;
        Ok(())
    }

    fn api_keys_of(&mut self, user: UserId) -> R<Vec<ApiKeyRecord>> {
        self.rows(
            "SELECT id, user_id, name, prefix, created_at FROM api_keys \
             WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at, id",
            &[user.to_string().into()],
        )?
        .iter()
        .map(|r| {
            Ok(ApiKeyRecord {
                id: ApiKeyId::parse(r.text(0)?).map_err(|e| corrupt("api key id", e))?,
                user_id: user_id(r.text(1)?)?,
                name: r.text(2)?.to_string(),
                prefix: r.text(3)?.to_string(),
                created_at: r.int(4)?,
            })
        })
        .collect()
    }

    fn revoke_api_key(&mut self, user: UserId, id: ApiKeyId, now: Millis) -> R<bool> {
        let n = self.exec(
            "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
            &[now.into(), id.to_string().into(), user.to_string().into()],
        )?;
        Ok(n > 0)
    }

    fn user_by_api_key_hash(&mut self, key_hash: &str) -> R<Option<UserRecord>> {
        self.row(
            sql_user!("JOIN api_keys k ON k.user_id = u.id WHERE k.key_hash = $1 AND k.revoked_at IS NULL"),
            &[key_hash.into()],
        )?
        .map(|r| user_at(&r, 0))
        .transpose()
    }

    fn insert_team(&mut self, t: &TeamRecord) -> R<()> {
        self.exec(
            "INSERT INTO teams (id, name, plan, created_at) VALUES ($1, $2, $3, $4)",
            &[
                t.id.to_string().into(),
                t.name.as_str().into(),
                t.plan.as_str().into(),
                t.created_at.into(),
            ],
        )?;
        Ok(())
    }

    fn team_by_id(&mut self, id: TeamId) -> R<Option<TeamRecord>> {
        self.row(
            "SELECT id, name, plan, created_at FROM teams WHERE id = $1",
            &[id.to_string().into()],
        )?
        .map(|r| team_at(&r, 0))
        .transpose()
    }

    fn set_team_plan(&mut self, id: TeamId, p: Plan) -> R<()> {
        self.exec(
            "UPDATE teams SET plan = $1 WHERE id = $2",
            &[p.as_str().into(), id.to_string().into()],
        )?;
        Ok(())
    }

    fn set_team_name(&mut self, id: TeamId, name: &str) -> R<()> {
        self.exec(
            "UPDATE teams SET name = $1 WHERE id = $2",
            &[name.into(), id.to_string().into()],
        )?;
        Ok(())
    }

    fn memberships_of(&mut self, user: UserId) -> R<Vec<MembershipRecord>> {
        self.rows(
            "SELECT t.id, t.name, t.plan, t.created_at, m.roles FROM team_members m \
             JOIN teams t ON t.id = m.team_id WHERE m.user_id = $1 ORDER BY m.joined_at, t.id",
            &[user.to_string().into()],
        )?
        .iter()
        .map(|r| {
            Ok(MembershipRecord {
                team: team_at(r, 0)?,
                roles: roles(r.text(4)?)?,
            })
        })
        .collect()
    }

    fn member_roles(&mut self, team: TeamId, user: UserId) -> R<Option<TeamRoles>> {
        self.row(
            "SELECT roles FROM team_members WHERE team_id = $1 AND user_id = $2",
            &[team.to_string().into(), user.to_string().into()],
        )?
        .map(|r| roles(r.text(0)?))
        .transpose()
    }

    fn insert_member(&mut self, team: TeamId, user: UserId, r: &TeamRoles, at: Millis) -> R<()> {
        self.exec(
            "INSERT INTO team_members (team_id, user_id, roles, joined_at) VALUES ($1, $2, $3, $4)",
            &[
                team.to_string().into(),
                user.to_string().into(),
                r.to_storage().into(),
                at.into(),
            ],
        )?;
        Ok(())
    }

    fn set_member_roles(&mut self, team: TeamId, user: UserId, r: &TeamRoles) -> R<bool> {
        let n = self.exec(
            "UPDATE team_members SET roles = $1 WHERE team_id = $2 AND user_id = $3",
            &[r.to_storage().into(), team.to_string().into(), user.to_string().into()],
        )?;
        Ok(n > 0)
    }

    fn delete_member(&mut self, team: TeamId, user: UserId) -> R<bool> {
        let n = self.exec(
            "DELETE FROM team_members WHERE team_id = $1 AND user_id = $2",
            &[team.to_string().into(), user.to_string().into()],
        )?;
        Ok(n > 0)
    }

    fn member(&mut self, team: TeamId, user: UserId) -> R<Option<MemberRecord>> {
        self.row(
            "SELECT m.team_id, m.user_id, u.email, u.name, m.roles, m.joined_at FROM team_members m \
             JOIN users u ON u.id = m.user_id WHERE m.team_id = $1 AND m.user_id = $2",
            &[team.to_string().into(), user.to_string().into()],
        )?
        .map(|r| member_at(&r))
        .transpose()
    }

    fn members(&mut self, team: TeamId, after: Option<&PageAfter>, limit: u32) -> R<Vec<MemberRecord>> {
        let (at, id) = match after {
            Some(p) => (p.at, p.id.clone()),
            None => (i64::MIN, String::new()),
        };
        self.rows(
            "SELECT m.team_id, m.user_id, u.email, u.name, m.roles, m.joined_at FROM team_members m \
             JOIN users u ON u.id = m.user_id \
             WHERE m.team_id = $1 AND (m.joined_at > $2 OR (m.joined_at = $2 AND m.user_id > $3)) \
             ORDER BY m.joined_at, m.user_id LIMIT $4",
            &[team.to_string().into(), at.into(), id.into(), i64::from(limit).into()],
        )?
        .iter()
        .map(member_at)
        .collect()
    }

    fn count_team_admins(&mut self, team: TeamId) -> R<i64> {
        // Roles are stored sorted and comma-separated; match whole names.
        let rows = self.rows(
            "SELECT roles FROM team_members WHERE team_id = $1",
            &[team.to_string().into()],
        )?;
        let mut n = 0;
        for r in rows {
            let rs = roles(r.text(0)?)?;
            if rs.contains(portico_domain::roles::TeamRole::Admin)
                || rs.contains(portico_domain::roles::TeamRole::SuperAdmin)
            {
                n += 1;
            }
        }
        Ok(n)
    }

    fn insert_domain(&mut self, team: TeamId, d: &Domain, at: Millis) -> R<()> {
        self.exec(
            "INSERT INTO team_domains (domain, team_id, created_at) VALUES ($1, $2, $3)",
            &[d.as_str().into(), team.to_string().into(), at.into()],
        )?;
        Ok(())
    }

    fn delete_domain(&mut self, team: TeamId, d: &Domain) -> R<bool> {
        let n = self.exec(
            "DELETE FROM team_domains WHERE domain = $1 AND team_id = $2",
            &[d.as_str().into(), team.to_string().into()],
        )?;
        Ok(n > 0)
    }

    fn domains_of(&mut self, team: TeamId) -> R<Vec<Domain>> {
        self.rows(
            "SELECT domain FROM team_domains WHERE team_id = $1 ORDER BY domain",
            &[team.to_string().into()],
        )?
        .iter()
        .map(|r| Domain::parse(r.text(0)?).map_err(|e| corrupt("domain", e)))
        .collect()
    }

    fn team_capturing(&mut self, d: &Domain) -> R<Option<TeamId>> {
        self.row(
            "SELECT team_id FROM team_domains WHERE domain = $1",
            &[d.as_str().into()],
        )?
        .map(|r| team_id(r.text(0)?))
        .transpose()
    }

    fn insert_run(&mut self, r: &RunRecord) -> R<()> {
        self.exec(
            "INSERT INTO runs (id, user_id, collection_id, environment_id, environment_name, started_at, duration_ms, \
             passed, requests, failed_requests, assertions, failed_assertions, report) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            &[
                r.id.as_str().into(),
                r.user_id.to_string().into(),
                r.collection_id.to_string().into(),
                r.environment_id.map(|e| e.to_string()).into(),
                r.environment_name.clone().into(),
                r.started_at.into(),
                r.duration_ms.into(),
                r.passed.into(),
                r.requests.into(),
                r.failed_requests.into(),
                r.assertions.into(),
                r.failed_assertions.into(),
                r.report.as_str().into(),
            ],
        )?;
        Ok(())
    }

    fn runs_of(&mut self, collection: CollectionId, user: UserId, limit: u32) -> R<Vec<RunRecord>> {
        self.rows(
            "SELECT id, user_id, collection_id, environment_id, environment_name, started_at, duration_ms, passed, \
             requests, failed_requests, assertions, failed_assertions, '' FROM runs \
             WHERE collection_id = $1 AND user_id = $2 ORDER BY started_at DESC, id DESC LIMIT $3",
            &[
                collection.to_string().into(),
                user.to_string().into(),
                i64::from(limit).into(),
            ],
        )?
        .iter()
        .map(run_at)
        .collect()
    }

    fn run(&mut self, id: &str) -> R<Option<RunRecord>> {
        self.row(
            "SELECT id, user_id, collection_id, environment_id, environment_name, started_at, duration_ms, passed, \
             requests, failed_requests, assertions, failed_assertions, report FROM runs WHERE id = $1",
            &[id.into()],
        )?
        .as_ref()
        .map(run_at)
        .transpose()
    }

    fn prune_runs(&mut self, collection: CollectionId, user: UserId, keep: u32) -> R<()> {
        self.exec(
            "DELETE FROM runs WHERE collection_id = $1 AND user_id = $2 AND id NOT IN \
             (SELECT id FROM runs WHERE collection_id = $1 AND user_id = $2 ORDER BY started_at DESC, id DESC LIMIT $3)",
            &[collection.to_string().into(), user.to_string().into(), i64::from(keep).into()],
        )?;
        Ok(())
    }

    fn team_sign_in(&mut self, team: TeamId) -> R<Option<TeamSignInRecord>> {
        self.row(
            "SELECT team_id, issuer, client_id, client_secret_sealed, enforce, updated_at \
             FROM team_sign_in WHERE team_id = $1",
            &[team.to_string().into()],
        )?
        .map(|r| {
            Ok(TeamSignInRecord {
                team_id: team_id(r.text(0)?)?,
                issuer: r.text(1)?.to_string(),
                client_id: r.text(2)?.to_string(),
                client_secret_sealed: r.text(3)?.to_string(),
                enforce: r.bool(4)?,
                updated_at: r.int(5)?,
            })
        })
        .transpose()
    }

    fn put_team_sign_in(&mut self, r: &TeamSignInRecord) -> R<()> {
        self.exec(
            "INSERT INTO team_sign_in (team_id, issuer, client_id, client_secret_sealed, enforce, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (team_id) DO UPDATE SET issuer = $2, client_id = $3, \
             client_secret_sealed = $4, enforce = $5, updated_at = $6",
            &[
                r.team_id.to_string().into(),
                r.issuer.as_str().into(),
                r.client_id.as_str().into(),
                r.client_secret_sealed.as_str().into(),
                r.enforce.into(),
                r.updated_at.into(),
            ],
        )?;
        Ok(())
    }

    fn delete_team_sign_in(&mut self, team: TeamId) -> R<bool> {
        let n = self.exec(
            "DELETE FROM team_sign_in WHERE team_id = $1",
            &[team.to_string().into()],
        )?;
        Ok(n > 0)
    }

    fn member_of_enforcing_team(&mut self, user: UserId) -> R<bool> {
        Ok(self
            .row(
                "SELECT 1 FROM team_members m JOIN team_sign_in s ON s.team_id = m.team_id \
                 WHERE m.user_id = $1 AND s.enforce = $2 LIMIT 1",
                &[user.to_string().into(), true.into()],
            )?
            .is_some())
    }

    fn insert_sign_in_attempt(&mut self, a: &SignInAttemptRecord, now: Millis) -> R<()> {
        // Attempts nobody finished go as new ones come: the table holds
        // at most the last ten minutes' worth.
        self.exec("DELETE FROM sign_in_attempts WHERE expires_at <= $1", &[now.into()])?;
        self.exec(
            "INSERT INTO sign_in_attempts (state_hash, team_id, nonce, verifier_sealed, return_to, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                a.state_hash.as_str().into(),
                a.team_id.to_string().into(),
                a.nonce.as_str().into(),
                a.verifier_sealed.as_str().into(),
                a.return_to.as_str().into(),
                a.expires_at.into(),
            ],
        )?;
        Ok(())
    }

    fn take_sign_in_attempt(&mut self, state_hash: &str, now: Millis) -> R<Option<SignInAttemptRecord>> {
        self.exec("DELETE FROM sign_in_attempts WHERE expires_at <= $1", &[now.into()])?;
        let found = self
            .row(
                "SELECT state_hash, team_id, nonce, verifier_sealed, return_to, expires_at \
                 FROM sign_in_attempts WHERE state_hash = $1",
                &[state_hash.into()],
            )?
            .map(|r| {
                Ok::<_, StoreError>(SignInAttemptRecord {
                    state_hash: r.text(0)?.to_string(),
                    team_id: team_id(r.text(1)?)?,
                    nonce: r.text(2)?.to_string(),
                    verifier_sealed: r.text(3)?.to_string(),
                    return_to: r.text(4)?.to_string(),
                    expires_at: r.int(5)?,
                })
            })
            .transpose()?;
        if found.is_none() {
            return Ok(None);
        }
        // Only the transaction that deletes the row gets it: two callbacks
        // racing with one state cannot both sign in.
        let n = self.exec(
            "DELETE FROM sign_in_attempts WHERE state_hash = $1",
            &[state_hash.into()],
        )?;
        Ok(if n == 1 { found } else { None })
    }

    fn insert_pending_signup(&mut self, p: &PendingSignupRecord, token_hash: &str, now: Millis) -> R<()> {
        // Links nobody opened go as new sign-ups come, and a new sign-up of
        // an email replaces the one waiting: the last password typed wins.
        self.exec(
            "DELETE FROM pending_signups WHERE expires_at <= $1 OR email = $2",
            &[now.into(), p.email.as_str().into()],
        )?;
        self.exec(
            "INSERT INTO pending_signups (token_hash, user_id, email, name, password_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                token_hash.into(),
                p.user_id.to_string().into(),
                p.email.as_str().into(),
                p.name.as_str().into(),
                p.password_hash.as_str().into(),
                p.created_at.into(),
                p.expires_at.into(),
            ],
        )?;
        Ok(())
    }

    fn take_pending_signup(&mut self, token_hash: &str, now: Millis) -> R<Option<PendingSignupRecord>> {
        self.exec("DELETE FROM pending_signups WHERE expires_at <= $1", &[now.into()])?;
        let found = self
            .row(
                "SELECT user_id, email, name, password_hash, created_at, expires_at \
                 FROM pending_signups WHERE token_hash = $1",
                &[token_hash.into()],
            )?
            .map(|r| {
                Ok::<_, StoreError>(PendingSignupRecord {
                    user_id: user_id(r.text(0)?)?,
                    email: email(r.text(1)?)?,
                    name: r.text(2)?.to_string(),
                    password_hash: r.text(3)?.to_string(),
                    created_at: r.int(4)?,
                    expires_at: r.int(5)?,
                })
            })
            .transpose()?;
        if found.is_none() {
            return Ok(None);
        }
        // Only the transaction that deletes the row gets it: two clicks on
        // one link cannot both make the account.
        let n = self.exec(
            "DELETE FROM pending_signups WHERE token_hash = $1",
            &[token_hash.into()],
        )?;
        Ok(if n == 1 { found } else { None })
    }

    fn insert_invitation(&mut self, i: &InvitationRecord, token_hash: &str) -> R<()> {
        let (roles, ws, role, lead) = match &i.grant {
            InvitationGrant::Team(r) => (r.to_storage(), None, None, false),
            InvitationGrant::Partner {
                workspace_id,
                role,
                lead,
            } => (
                String::new(),
                Some(workspace_id.to_string()),
                Some(role.as_str()),
                *lead,
            ),
        };
        self.exec(
            "INSERT INTO invitations (id, kind, team_id, email, roles, invited_by, created_at, expires_at, token_hash, \
             workspace_id, workspace_role, partner_lead) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            &[
                i.id.to_string().into(),
                i.grant.kind().into(),
                i.team_id.to_string().into(),
                i.email.as_str().into(),
                roles.into(),
                i.invited_by.to_string().into(),
                i.created_at.into(),
                i.expires_at.into(),
                token_hash.into(),
                ws.into(),
                role.into(),
                lead.into(),
            ],
        )?;
        Ok(())
    }

    fn invitation_by_token_hash(&mut self, token_hash: &str) -> R<Option<InvitationRecord>> {
        self.row(
            "SELECT id, kind, team_id, email, roles, invited_by, created_at, expires_at, accepted_at, revoked_at, \
             workspace_id, workspace_role, partner_lead FROM invitations WHERE token_hash = $1",
            &[token_hash.into()],
        )?
        .map(|r| invitation_at(&r))
        .transpose()
    }

    fn accept_invitation(&mut self, id: InvitationId, by: UserId, at: Millis) -> R<bool> {
        let n = self.exec(
            "UPDATE invitations SET accepted_at = $1, accepted_by = $2 \
             WHERE id = $3 AND accepted_at IS NULL AND revoked_at IS NULL",
            &[at.into(), by.to_string().into(), id.to_string().into()],
        )?;
        Ok(n > 0)
    }

    fn revoke_open_team_invitations(&mut self, team: TeamId, e: &Email, now: Millis) -> R<u64> {
        self.exec(
            "UPDATE invitations SET revoked_at = $1 WHERE team_id = $2 AND email = $3 AND kind = 'team' \
             AND accepted_at IS NULL AND revoked_at IS NULL",
            &[now.into(), team.to_string().into(), e.as_str().into()],
        )
    }

    fn open_team_invitation(&mut self, team: TeamId, e: &Email, now: Millis) -> R<Option<InvitationRecord>> {
        self.row(
            "SELECT id, kind, team_id, email, roles, invited_by, created_at, expires_at, accepted_at, revoked_at, \
             workspace_id, workspace_role, partner_lead FROM invitations WHERE team_id = $1 AND email = $2 AND kind = 'team' \
             AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $3 \
             ORDER BY created_at DESC LIMIT 1",
            &[team.to_string().into(), e.as_str().into(), now.into()],
        )?
        .map(|r| invitation_at(&r))
        .transpose()
    }

    fn team_has_partner_manager(&mut self, id: TeamId) -> R<bool> {
        Ok(self
            .row(
                "SELECT 1 FROM team_members WHERE team_id = $1 AND roles LIKE '%partner_manager%' LIMIT 1",
                &[id.to_string().into()],
            )?
            .is_some())
    }

    fn partner_managers(&mut self, team: TeamId) -> R<Vec<UserId>> {
        self.rows(
            "SELECT user_id FROM team_members WHERE team_id = $1 AND roles LIKE '%partner_manager%' ORDER BY joined_at, user_id",
            &[team.to_string().into()],
        )?
        .iter()
        .map(|r| user_id(r.text(0)?))
        .collect()
    }

    fn open_partner_invitation(&mut self, ws: WorkspaceId, e: &Email, now: Millis) -> R<Option<InvitationRecord>> {
        self.row(
            "SELECT id, kind, team_id, email, roles, invited_by, created_at, expires_at, accepted_at, revoked_at, \
             workspace_id, workspace_role, partner_lead FROM invitations WHERE workspace_id = $1 AND email = $2 \
             AND kind = 'partner' AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $3 \
             ORDER BY created_at DESC LIMIT 1",
            &[ws.to_string().into(), e.as_str().into(), now.into()],
        )?
        .map(|r| invitation_at(&r))
        .transpose()
    }

    fn insert_workspace(&mut self, w: &WorkspaceRecord) -> R<()> {
        self.exec(
            "INSERT INTO workspaces (id, team_id, name, kind, about, multi_partner, pending_approval, created_by, \
             updated_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            &[
                w.id.to_string().into(),
                w.team_id.to_string().into(),
                w.name.as_str().into(),
                w.kind.as_str().into(),
                w.about.as_str().into(),
                w.multi_partner.into(),
                w.pending_approval.into(),
                w.created_by.to_string().into(),
                w.updated_by.to_string().into(),
                w.created_at.into(),
                w.updated_at.into(),
            ],
        )?;
        Ok(())
    }

    fn update_workspace(&mut self, w: &WorkspaceRecord) -> R<()> {
        self.exec(
            "UPDATE workspaces SET name = $1, kind = $2, about = $3, multi_partner = $4, pending_approval = $5, \
             updated_by = $6, updated_at = $7 WHERE id = $8",
            &[
                w.name.as_str().into(),
                w.kind.as_str().into(),
                w.about.as_str().into(),
                w.multi_partner.into(),
                w.pending_approval.into(),
                w.updated_by.to_string().into(),
                w.updated_at.into(),
                w.id.to_string().into(),
            ],
        )?;
        Ok(())
    }

    fn delete_workspace(&mut self, id: WorkspaceId) -> R<bool> {
        Ok(self.exec("DELETE FROM workspaces WHERE id = $1", &[id.to_string().into()])? > 0)
    }

    fn workspace_access(&mut self, id: WorkspaceId, user: UserId) -> R<Option<WorkspaceAccess>> {
        self.row(
            sql_access!(has_partner_manager!("w.team_id"), "WHERE w.id = $2"),
            &[user.to_string().into(), id.to_string().into()],
        )?
        .map(|r| access_at(&r))
        .transpose()
    }

    fn workspace_accesses(&mut self, user: UserId) -> R<Vec<WorkspaceAccess>> {
        let mut accesses = self
            .rows(
                sql_access!(
                    "FALSE",
                    "WHERE w.id IN (SELECT workspace_id FROM workspace_members WHERE user_id = $1 \
                     UNION ALL SELECT tw.id FROM team_members tm2 JOIN workspaces tw ON tw.team_id = tm2.team_id \
                     WHERE tm2.user_id = $1) \
                     ORDER BY w.created_at, w.id"
                ),
                &[user.to_string().into()],
            )?
            .iter()
            .map(access_at)
            .collect::<R<Vec<_>>>()?;
        // Whether a team has a Partner Manager, asked once per team rather
        // than once per workspace (a partner's list is mostly one team's).
        let mut known: std::collections::HashMap<TeamId, bool> = std::collections::HashMap::new();
        for a in &mut accesses {
            let team = a.workspace.team_id;
            a.team_has_partner_manager = match known.get(&team) {
                Some(has) => *has,
                None => {
                    let has = self
                        .row(
                            concat!("SELECT ", has_partner_manager!("$1")),
                            &[team.to_string().into()],
                        )?
                        .map(|r| r.bool(0))
                        .transpose()?
                        .unwrap_or(false);
                    known.insert(team, has);
                    has
                }
            };
        }
        Ok(accesses)
    }

    fn count_partner_workspaces(&mut self, team: TeamId) -> R<i64> {
        self.row(
            "SELECT COUNT(*) FROM workspaces WHERE team_id = $1 AND kind = 'partner'",
            &[team.to_string().into()],
        )?
        .map_or(Ok(0), |r| r.int(0))
    }

    fn workspace_members(&mut self, ws: WorkspaceId) -> R<Vec<WorkspaceMemberRecord>> {
        self.rows(
            sql_member!("WHERE wm.workspace_id = $1 ORDER BY wm.added_at, wm.user_id"),
            &[ws.to_string().into()],
        )?
        .iter()
        .map(ws_member_at)
        .collect()
    }

    fn workspace_member(&mut self, ws: WorkspaceId, user: UserId) -> R<Option<WorkspaceMemberRecord>> {
        self.row(
            sql_member!("WHERE wm.workspace_id = $1 AND wm.user_id = $2"),
            &[ws.to_string().into(), user.to_string().into()],
        )?
        .map(|r| ws_member_at(&r))
        .transpose()
    }

    fn lock_workspace(&mut self, ws: WorkspaceId) -> R<()> {
        self.row(
            "SELECT id FROM workspaces WHERE id = $1 FOR UPDATE",
            &[ws.to_string().into()],
        )?;
        Ok(())
    }

    fn set_workspace_member(
        &mut self,
        ws: WorkspaceId,
        user: UserId,
        role: WorkspaceRole,
        lead: bool,
        partner_team: Option<TeamId>,
        at: Millis,
    ) -> R<()> {
        let changed = self.exec(
            "UPDATE workspace_members SET role = $1, partner_lead = $2, partner_team_id = $3 \
             WHERE workspace_id = $4 AND user_id = $5",
            &[
                role.as_str().into(),
                lead.into(),
                partner_team.map(|t| t.to_string()).into(),
                ws.to_string().into(),
                user.to_string().into(),
            ],
        )?;
        if changed == 0 {
            // A concurrent writer may have added the row since the UPDATE
            // looked: then this one's role applies, as it would have.
            self.exec(
                "INSERT INTO workspace_members (workspace_id, user_id, role, partner_lead, partner_team_id, added_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (workspace_id, user_id) DO UPDATE SET \
                 role = excluded.role, partner_lead = excluded.partner_lead, partner_team_id = excluded.partner_team_id",
                &[
                    ws.to_string().into(),
                    user.to_string().into(),
                    role.as_str().into(),
                    lead.into(),
                    partner_team.map(|t| t.to_string()).into(),
                    at.into(),
                ],
            )?;
        }
        Ok(())
    }

    fn delete_team_workspace_roles(&mut self, team: TeamId, user: UserId) -> R<Vec<WorkspaceId>> {
        let ids: Vec<WorkspaceId> = self
            .rows(
                "SELECT wm.workspace_id FROM workspace_members wm JOIN workspaces w ON w.id = wm.workspace_id \
                 WHERE w.team_id = $1 AND wm.user_id = $2 AND wm.partner_team_id IS NULL",
                &[team.to_string().into(), user.to_string().into()],
            )?
            .iter()
            .map(|r| workspace_id(r.text(0)?))
            .collect::<R<_>>()?;
        for id in &ids {
            self.exec(
                "DELETE FROM workspace_members WHERE workspace_id = $1 AND user_id = $2",
                &[id.to_string().into(), user.to_string().into()],
            )?;
        }
        Ok(ids)
    }

    fn revoke_invitation(&mut self, id: InvitationId, at: Millis) -> R<bool> {
        Ok(self.exec(
            "UPDATE invitations SET revoked_at = $1 WHERE id = $2 AND accepted_at IS NULL AND revoked_at IS NULL",
            &[at.into(), id.to_string().into()],
        )? > 0)
    }

    fn open_partner_invitations(&mut self, ws: WorkspaceId, now: Millis) -> R<Vec<InvitationRecord>> {
        self.rows(
            "SELECT id, kind, team_id, email, roles, invited_by, created_at, expires_at, accepted_at, revoked_at, \
             workspace_id, workspace_role, partner_lead FROM invitations WHERE workspace_id = $1 AND kind = 'partner' \
             AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at, id",
            &[ws.to_string().into(), now.into()],
        )?
        .iter()
        .map(invitation_at)
        .collect()
    }

    fn delete_workspace_member(&mut self, ws: WorkspaceId, user: UserId) -> R<bool> {
        Ok(self.exec(
            "DELETE FROM workspace_members WHERE workspace_id = $1 AND user_id = $2",
            &[ws.to_string().into(), user.to_string().into()],
        )? > 0)
    }

    fn partner_editor_seats(&mut self, team: TeamId) -> R<Vec<UserId>> {
        self.rows(
            "SELECT DISTINCT wm.user_id FROM workspace_members wm JOIN workspaces w ON w.id = wm.workspace_id \
             WHERE w.team_id = $1 AND wm.role = 'partner_editor' ORDER BY wm.user_id",
            &[team.to_string().into()],
        )?
        .iter()
        .map(|r| user_id(r.text(0)?))
        .collect()
    }

    fn partner_workspaces_of(&mut self, team: TeamId, user: UserId) -> R<Vec<(WorkspaceRecord, WorkspaceRole, bool)>> {
        self.rows(
            "SELECT w.id, w.team_id, w.name, w.kind, w.about, w.multi_partner, w.pending_approval, w.created_by, \
             w.updated_by, w.created_at, w.updated_at, wm.role, wm.partner_lead \
             FROM workspace_members wm JOIN workspaces w ON w.id = wm.workspace_id \
             WHERE w.team_id = $1 AND wm.user_id = $2 AND wm.partner_team_id IS NOT NULL ORDER BY w.created_at, w.id",
            &[team.to_string().into(), user.to_string().into()],
        )?
        .iter()
        .map(|r| Ok((workspace_at(r, 0)?, workspace_role(r.text(11)?)?, r.bool(12)?)))
        .collect()
    }

    fn insert_partnership(&mut self, publisher: TeamId, partner: TeamId, at: Millis) -> R<()> {
        self.exec(
            "INSERT INTO partnerships (publisher_team_id, partner_team_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
            &[publisher.to_string().into(), partner.to_string().into(), at.into()],
        )?;
        Ok(())
    }

    fn partnership_exists(&mut self, publisher: TeamId, partner: TeamId) -> R<bool> {
        Ok(self
            .row(
                "SELECT 1 FROM partnerships WHERE publisher_team_id = $1 AND partner_team_id = $2",
                &[publisher.to_string().into(), partner.to_string().into()],
            )?
            .is_some())
    }

    fn partnerships_of(&mut self, team: TeamId) -> R<Vec<PartnershipRecord>> {
        self.rows(
            "SELECT a.id, a.name, a.plan, a.created_at, b.id, b.name, b.plan, b.created_at, p.created_at \
             FROM partnerships p JOIN teams a ON a.id = p.publisher_team_id JOIN teams b ON b.id = p.partner_team_id \
             WHERE p.publisher_team_id = $1 OR p.partner_team_id = $1 ORDER BY p.created_at, a.id, b.id",
            &[team.to_string().into()],
        )?
        .iter()
        .map(|r| {
            Ok(PartnershipRecord {
                publisher: team_at(r, 0)?,
                partner: team_at(r, 4)?,
                created_at: r.int(8)?,
            })
        })
        .collect()
    }

    fn insert_activity(&mut self, a: &ActivityRecord) -> R<()> {
        self.exec(
            "INSERT INTO workspace_activities (workspace_id, actor_id, partner_team_id, action, element_type, \
             element_id, element_name, created_at, subject_team_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                a.workspace_id.to_string().into(),
                a.actor_id.map(|u| u.to_string()).into(),
                a.partner_team_id.map(|t| t.to_string()).into(),
                a.action.as_str().into(),
                a.element_type.as_str().into(),
                a.element_id.as_str().into(),
                a.element_name.as_str().into(),
                a.created_at.into(),
                a.subject_team_id.map(|t| t.to_string()).into(),
            ],
        )?;
        Ok(())
    }

    fn activities(&mut self, ws: WorkspaceId, before_id: Option<i64>, limit: u32) -> R<Vec<ActivityRecord>> {
        self.rows(
            "SELECT a.id, a.workspace_id, a.actor_id, u.name, a.partner_team_id, a.action, a.element_type, \
             a.element_id, a.element_name, a.created_at, a.subject_team_id FROM workspace_activities a \
             LEFT JOIN users u ON u.id = a.actor_id WHERE a.workspace_id = $1 AND a.id < $2 ORDER BY a.id DESC LIMIT $3",
            &[ws.to_string().into(), before_id.unwrap_or(i64::MAX).into(), i64::from(limit).into()],
        )?
        .iter()
        .map(|r| {
            Ok(ActivityRecord {
                id: r.int(0)?,
                workspace_id: workspace_id(r.text(1)?)?,
                actor_id: r.opt_text(2)?.map(user_id).transpose()?,
                actor_name: r.opt_text(3)?.map(str::to_string),
                partner_team_id: r.opt_text(4)?.map(team_id).transpose()?,
                action: r.text(5)?.to_string(),
                element_type: r.text(6)?.to_string(),
                element_id: r.text(7)?.to_string(),
                element_name: r.text(8)?.to_string(),
                created_at: r.int(9)?,
                subject_team_id: r.opt_text(10)?.map(team_id).transpose()?,
            })
        })
        .collect()
    }

    fn insert_notification(&mut self, user: UserId, kind: &str, message: &str, data: &str, at: Millis) -> R<()> {
        // Live readers move a cursor over notification ids. Concurrent
        // transactions could commit ids out of order (10 after 11), and a
        // reader past 11 would never see 10: writers of notifications take
        // turns, from their first notification to their commit, so ids
        // become visible in order. (A SQLite writer already runs alone.)
        if !self.notifications_locked {
            self.rows(NOTIFICATION_ORDER_LOCK, &[])?;
            self.notifications_locked = true;
        }
        self.exec(
            "INSERT INTO notifications (user_id, kind, message, data, created_at) VALUES ($1, $2, $3, $4, $5)",
            &[
                user.to_string().into(),
                kind.into(),
                message.into(),
                data.into(),
                at.into(),
            ],
        )?;
        Ok(())
    }

    fn notifications(&mut self, user: UserId, limit: u32) -> R<Vec<NotificationRecord>> {
        self.rows(
            "SELECT id, user_id, kind, message, data, created_at, read_at FROM notifications WHERE user_id = $1 \
             ORDER BY (read_at IS NULL) DESC, id DESC LIMIT $2",
            &[user.to_string().into(), i64::from(limit).into()],
        )?
        .iter()
        .map(notification_at)
        .collect()
    }

    fn insert_collection(&mut self, c: &CollectionRecord) -> R<()> {
        self.exec(
            "INSERT INTO collections (id, workspace_id, name, revision, created_by, updated_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                c.id.to_string().into(),
                c.workspace_id.to_string().into(),
                c.name.as_str().into(),
                c.revision.into(),
                c.created_by.to_string().into(),
                c.updated_by.to_string().into(),
                c.created_at.into(),
                c.updated_at.into(),
            ],
        )?;
        Ok(())
    }

    fn collection(&mut self, id: CollectionId) -> R<Option<CollectionRecord>> {
        self.row(
            "SELECT id, workspace_id, name, revision, created_by, updated_by, created_at, updated_at FROM collections \
             WHERE id = $1",
            &[id.to_string().into()],
        )?
        .map(|r| collection_at(&r))
        .transpose()
    }

    fn collection_for_update(&mut self, id: CollectionId) -> R<Option<CollectionRecord>> {
        self.row(
            "SELECT id, workspace_id, name, revision, created_by, updated_by, created_at, updated_at FROM collections \
             WHERE id = $1 FOR UPDATE",
            &[id.to_string().into()],
        )?
        .map(|r| collection_at(&r))
        .transpose()
    }

    fn collections_in(&mut self, ws: WorkspaceId) -> R<Vec<CollectionRecord>> {
        self.rows(
            "SELECT id, workspace_id, name, revision, created_by, updated_by, created_at, updated_at FROM collections \
             WHERE workspace_id = $1 ORDER BY created_at, id",
            &[ws.to_string().into()],
        )?
        .iter()
        .map(collection_at)
        .collect()
    }

    fn advance_collection_head(&mut self, c: &CollectionRecord, expected: i64) -> R<bool> {
        let changed = self.exec(
            "UPDATE collections SET name = $1, revision = $2, updated_by = $3, updated_at = $4 \
             WHERE id = $5 AND revision = $6",
            &[
                c.name.as_str().into(),
                c.revision.into(),
                c.updated_by.to_string().into(),
                c.updated_at.into(),
                c.id.to_string().into(),
                expected.into(),
            ],
        )?;
        Ok(changed == 1)
    }

    fn delete_collection(&mut self, id: CollectionId) -> R<bool> {
        Ok(self.exec("DELETE FROM collections WHERE id = $1", &[id.to_string().into()])? > 0)
    }

    fn put_blobs(&mut self, blobs: &[(String, String)]) -> R<()> {
        for (hash, body) in blobs {
            self.exec(
                "INSERT INTO blobs (hash, body) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[hash.as_str().into(), body.as_str().into()],
            )?;
        }
        Ok(())
    }

    fn insert_nodes(&mut self, id: CollectionId, rev: i64, nodes: &[NodeRecord]) -> R<()> {
        let cid = id.to_string();
        for n in nodes {
            self.exec(
                "INSERT INTO collection_nodes (collection_id, uid, parent_uid, position, kind, blob_hash, from_rev) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    cid.as_str().into(),
                    n.uid.as_str().into(),
                    n.parent_uid.clone().into(),
                    n.position.into(),
                    n.kind.as_str().into(),
                    n.blob_hash.as_str().into(),
                    rev.into(),
                ],
            )?;
        }
        Ok(())
    }

    fn close_nodes(&mut self, id: CollectionId, uids: &[String], rev: i64) -> R<()> {
        let cid = id.to_string();
        for uid in uids {
            self.exec(
                "UPDATE collection_nodes SET to_rev = $1 WHERE collection_id = $2 AND uid = $3 AND to_rev IS NULL",
                &[rev.into(), cid.as_str().into(), uid.as_str().into()],
            )?;
        }
        Ok(())
    }

    fn nodes_at(&mut self, id: CollectionId, rev: Option<i64>) -> R<Vec<NodeWithBody>> {
        let cid = id.to_string();
        let own = self.own_nodes_at(&cid, rev)?;
        let Some(layer) = self.layer_at(id, rev)? else {
            return Ok(own.into_iter().filter(|n| n.node.kind != HIDDEN_NODE).collect());
        };
        let mine: std::collections::HashSet<String> = own.iter().map(|n| n.node.uid.clone()).collect();
        let lid = layer.layer_id.to_string();
        let mut out: Vec<NodeWithBody> = own.into_iter().filter(|n| n.node.kind != HIDDEN_NODE).collect();
        for mut n in self.own_nodes_at(&lid, Some(layer.layer_rev))? {
            if n.node.parent_uid.is_none() || n.node.kind == HIDDEN_NODE || mine.contains(&n.node.uid) {
                continue;
            }
            relink(&mut n.node, &lid, &cid);
            out.push(n);
        }
        Ok(out)
    }

    fn current_node(&mut self, id: CollectionId, uid: &str) -> R<Option<NodeWithBody>> {
        let cid = id.to_string();
        let own = self
            .row(
                "SELECT n.uid, n.parent_uid, n.position, n.kind, n.blob_hash, b.body FROM collection_nodes n \
                 JOIN blobs b ON b.hash = n.blob_hash WHERE n.collection_id = $1 AND n.uid = $2 AND n.to_rev IS NULL",
                &[cid.as_str().into(), uid.into()],
            )?
            .map(|r| node_with_body_at(&r))
            .transpose()?;
        match own {
            Some(n) if n.node.kind == HIDDEN_NODE => Ok(None),
            Some(n) => Ok(Some(n)),
            None => self.layer_node(id, &cid, uid, None),
        }
    }

    fn node_version(&mut self, id: CollectionId, uid: &str, rev: i64) -> R<Option<NodeWithBody>> {
        let cid = id.to_string();
        match self.own_version(&cid, uid, rev)? {
            Some(n) if n.node.kind == HIDDEN_NODE => Ok(None),
            Some(n) => Ok(Some(n)),
            None => self.layer_node(id, &cid, uid, Some(rev)),
        }
    }

    fn current_children(&mut self, id: CollectionId, parent: &str) -> R<Vec<NodeRecord>> {
        let cid = id.to_string();
        let own: Vec<NodeRecord> = self
            .rows(
                "SELECT uid, parent_uid, position, kind, blob_hash FROM collection_nodes \
                 WHERE collection_id = $1 AND parent_uid = $2 AND to_rev IS NULL ORDER BY position, uid",
                &[cid.as_str().into(), parent.into()],
            )?
            .iter()
            .map(node_at)
            .collect::<R<_>>()?;
        let Some(layer) = self.layer_at(id, None)? else {
            return Ok(own);
        };
        let lid = layer.layer_id.to_string();
        let layer_parent = if parent == cid { lid.as_str() } else { parent };
        let below: Vec<NodeRecord> = self
            .rows(
                "SELECT uid, parent_uid, position, kind, blob_hash FROM collection_nodes \
                 WHERE collection_id = $1 AND parent_uid = $2 AND from_rev <= $3 AND (to_rev IS NULL OR to_rev > $3)",
                &[lid.as_str().into(), layer_parent.into(), layer.layer_rev.into()],
            )?
            .iter()
            .map(node_at)
            .collect::<R<_>>()?;
        let mut out: Vec<NodeRecord> = own.into_iter().filter(|n| n.kind != HIDDEN_NODE).collect();
        if !below.is_empty() {
            let mine: std::collections::HashSet<String> = self
                .rows(
                    "SELECT uid FROM collection_nodes WHERE collection_id = $1 AND to_rev IS NULL",
                    &[cid.as_str().into()],
                )?
                .iter()
                .map(|r| r.text(0).map(str::to_string))
                .collect::<R<_>>()?;
            for mut n in below {
                if !mine.contains(&n.uid) && n.kind != HIDDEN_NODE {
                    relink(&mut n, &lid, &cid);
                    out.push(n);
                }
            }
        }
        out.sort_by(|a, b| (a.position, &a.uid).cmp(&(b.position, &b.uid)));
        Ok(out)
    }

    fn element_in_workspace(&mut self, ws: WorkspaceId, kind: &str, id: &str) -> R<bool> {
        if kind == "collection" {
            let found = self.row(
                "SELECT 1 FROM collections WHERE workspace_id = $1 AND id = $2",
                &[ws.to_string().into(), id.into()],
            )?;
            return Ok(found.is_some());
        }
        let own = self.row(
            "SELECT 1 FROM collection_nodes n JOIN collections c ON c.id = n.collection_id \
             WHERE c.workspace_id = $1 AND n.uid = $2 AND n.kind = $3 AND n.to_rev IS NULL LIMIT 1",
            &[ws.to_string().into(), id.into(), kind.into()],
        )?;
        if own.is_some() {
            return Ok(true);
        }
        // Elements a fork reads through its layer.
        let layered: Vec<CollectionId> = self
            .rows(
                "SELECT DISTINCT c.id FROM collections c JOIN collection_layers l ON l.collection_id = c.id \
                 WHERE c.workspace_id = $1 AND l.layer_id IS NOT NULL",
                &[ws.to_string().into()],
            )?
            .iter()
            .map(|r| collection_id(r.text(0)?))
            .collect::<R<_>>()?;
        for c in layered {
            if self.current_node(c, id)?.is_some_and(|n| n.node.kind == kind) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn insert_fork(&mut self, f: &ForkRecord) -> R<()> {
        self.exec(
            "INSERT INTO collection_forks (collection_id, parent_id, label, base_revision, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                f.collection_id.to_string().into(),
                f.parent_id.to_string().into(),
                f.label.as_str().into(),
                f.base_revision.into(),
                f.created_by.to_string().into(),
                f.created_at.into(),
            ],
        )?;
        Ok(())
    }

    fn fork_of(&mut self, id: CollectionId) -> R<Option<ForkRecord>> {
        self.row(
            "SELECT collection_id, parent_id, label, base_revision, created_by, created_at FROM collection_forks \
             WHERE collection_id = $1",
            &[id.to_string().into()],
        )?
        .map(|r| fork_at(&r))
        .transpose()
    }

    fn forks_of(&mut self, parent: CollectionId) -> R<Vec<ForkRecord>> {
        self.rows(
            "SELECT collection_id, parent_id, label, base_revision, created_by, created_at FROM collection_forks \
             WHERE parent_id = $1 ORDER BY created_at, collection_id",
            &[parent.to_string().into()],
        )?
        .iter()
        .map(fork_at)
        .collect()
    }

    fn fork_count(&mut self, parent: CollectionId) -> R<usize> {
        let n = self
            .row(
                "SELECT COUNT(*) FROM collection_forks WHERE parent_id = $1",
                &[parent.to_string().into()],
            )?
            .map_or(Ok(0), |r| r.int(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    fn forks_by(&mut self, user: UserId) -> R<Vec<ForkRecord>> {
        self.rows(
            "SELECT collection_id, parent_id, label, base_revision, created_by, created_at FROM collection_forks \
             WHERE created_by = $1 ORDER BY created_at, collection_id",
            &[user.to_string().into()],
        )?
        .iter()
        .map(fork_at)
        .collect()
    }

    fn set_fork_base(&mut self, id: CollectionId, base_revision: i64) -> R<()> {
        self.exec(
            "UPDATE collection_forks SET base_revision = $1 WHERE collection_id = $2",
            &[base_revision.into(), id.to_string().into()],
        )?;
        Ok(())
    }

    fn set_layer(&mut self, id: CollectionId, from_rev: i64, layer: Option<Layer>) -> R<()> {
        self.exec(
            "INSERT INTO collection_layers (collection_id, from_rev, layer_id, layer_rev) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (collection_id, from_rev) DO UPDATE SET layer_id = $3, layer_rev = $4",
            &[
                id.to_string().into(),
                from_rev.into(),
                layer.map(|l| l.layer_id.to_string()).into(),
                layer.map(|l| l.layer_rev).into(),
            ],
        )?;
        Ok(())
    }

    fn layer_at(&mut self, id: CollectionId, rev: Option<i64>) -> R<Option<Layer>> {
        let row = self.row(
            "SELECT layer_id, layer_rev FROM collection_layers WHERE collection_id = $1 AND from_rev <= $2 \
             ORDER BY from_rev DESC LIMIT 1",
            &[id.to_string().into(), rev.unwrap_or(i64::MAX).into()],
        )?;
        row.map_or(Ok(None), |r| layer_in(&r, 0))
    }

    fn layered_on(&mut self, id: CollectionId) -> R<Vec<CollectionId>> {
        self.rows(
            "SELECT DISTINCT collection_id FROM collection_layers WHERE layer_id = $1",
            &[id.to_string().into()],
        )?
        .iter()
        .map(|r| collection_id(r.text(0)?))
        .collect()
    }

    fn layers(&mut self, id: CollectionId) -> R<Vec<(i64, Option<Layer>)>> {
        self.rows(
            "SELECT from_rev, layer_id, layer_rev FROM collection_layers WHERE collection_id = $1 ORDER BY from_rev",
            &[id.to_string().into()],
        )?
        .iter()
        .map(|r| Ok((r.int(0)?, layer_in(r, 1)?)))
        .collect()
    }

    fn node_history(&mut self, id: CollectionId) -> R<Vec<(NodeRecord, i64, Option<i64>)>> {
        self.rows(
            "SELECT uid, parent_uid, position, kind, blob_hash, from_rev, to_rev FROM collection_nodes \
             WHERE collection_id = $1",
            &[id.to_string().into()],
        )?
        .iter()
        .map(|r| Ok((node_at(r)?, r.int(5)?, r.opt_int(6)?)))
        .collect()
    }

    fn insert_node_versions(&mut self, id: CollectionId, rows: &[(NodeRecord, i64, Option<i64>)]) -> R<()> {
        let cid = id.to_string();
        for (n, from, to) in rows {
            self.exec(
                "INSERT INTO collection_nodes (collection_id, uid, parent_uid, position, kind, blob_hash, from_rev, to_rev) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    cid.as_str().into(),
                    n.uid.as_str().into(),
                    n.parent_uid.clone().into(),
                    n.position.into(),
                    n.kind.as_str().into(),
                    n.blob_hash.as_str().into(),
                    (*from).into(),
                    (*to).into(),
                ],
            )?;
        }
        Ok(())
    }

    fn clear_layers(&mut self, id: CollectionId) -> R<()> {
        self.exec(
            "DELETE FROM collection_layers WHERE collection_id = $1",
            &[id.to_string().into()],
        )?;
        Ok(())
    }

    fn insert_pull_request(&mut self, p: &PullRequestRecord) -> R<()> {
        self.exec(
            "INSERT INTO pull_requests (id, source_id, destination_id, title, description, status, decline_comment, \
             created_by, updated_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            &[
                p.id.as_str().into(),
                p.source_id.to_string().into(),
                p.destination_id.to_string().into(),
                p.title.as_str().into(),
                p.description.as_str().into(),
                p.status.as_str().into(),
                p.decline_comment.clone().into(),
                p.created_by.to_string().into(),
                p.updated_by.to_string().into(),
                p.created_at.into(),
                p.updated_at.into(),
            ],
        )?;
        Ok(())
    }

    fn pull_request(&mut self, id: &str) -> R<Option<PullRequestRecord>> {
        self.row(
            "SELECT id, source_id, destination_id, title, description, status, decline_comment, created_by, \
             updated_by, created_at, updated_at FROM pull_requests WHERE id = $1",
            &[id.into()],
        )?
        .map(|r| pull_request_at(&r))
        .transpose()
    }

    fn pull_requests_of(&mut self, collection: CollectionId) -> R<Vec<PullRequestRecord>> {
        self.rows(
            "SELECT id, source_id, destination_id, title, description, status, decline_comment, created_by, \
             updated_by, created_at, updated_at FROM pull_requests WHERE destination_id = $1 OR source_id = $1 \
             ORDER BY created_at, id",
            &[collection.to_string().into()],
        )?
        .iter()
        .map(pull_request_at)
        .collect()
    }

    fn save_pull_request(&mut self, p: &PullRequestRecord) -> R<()> {
        self.exec(
            "UPDATE pull_requests SET title = $1, description = $2, status = $3, decline_comment = $4, \
             updated_by = $5, updated_at = $6 WHERE id = $7",
            &[
                p.title.as_str().into(),
                p.description.as_str().into(),
                p.status.as_str().into(),
                p.decline_comment.clone().into(),
                p.updated_by.to_string().into(),
                p.updated_at.into(),
                p.id.as_str().into(),
            ],
        )?;
        Ok(())
    }

    fn set_reviewers(&mut self, id: &str, users: &[UserId]) -> R<()> {
        let keep: Vec<String> = users.iter().map(ToString::to_string).collect();
        for (user, _) in self.reviewers(id)? {
            if !keep.contains(&user.to_string()) {
                self.exec(
                    "DELETE FROM pull_request_reviewers WHERE pull_request_id = $1 AND user_id = $2",
                    &[id.into(), user.to_string().into()],
                )?;
            }
        }
        for user in keep {
            self.exec(
                "INSERT INTO pull_request_reviewers (pull_request_id, user_id, approved) VALUES ($1, $2, $3) \
                 ON CONFLICT (pull_request_id, user_id) DO NOTHING",
                &[id.into(), user.into(), false.into()],
            )?;
        }
        Ok(())
    }

    fn reviewers(&mut self, id: &str) -> R<Vec<(UserId, bool)>> {
        self.rows(
            "SELECT user_id, approved FROM pull_request_reviewers WHERE pull_request_id = $1 ORDER BY user_id",
            &[id.into()],
        )?
        .iter()
        .map(|r| Ok((user_id(r.text(0)?)?, r.int(1)? != 0)))
        .collect()
    }

    fn set_approval(&mut self, id: &str, user: UserId, approved: bool) -> R<()> {
        self.exec(
            "UPDATE pull_request_reviewers SET approved = $1 WHERE pull_request_id = $2 AND user_id = $3",
            &[approved.into(), id.into(), user.to_string().into()],
        )?;
        Ok(())
    }

    fn merge_checks(&mut self, team: TeamId) -> R<MergeChecks> {
        let row = self.row(
            "SELECT require_approval, require_editor_approval FROM team_merge_checks WHERE team_id = $1",
            &[team.to_string().into()],
        )?;
        Ok(match row {
            Some(r) => MergeChecks {
                require_approval: r.int(0)? != 0,
                require_editor_approval: r.int(1)? != 0,
            },
            None => MergeChecks::default(),
        })
    }

    fn set_merge_checks(&mut self, team: TeamId, checks: MergeChecks) -> R<()> {
        self.exec(
            "INSERT INTO team_merge_checks (team_id, require_approval, require_editor_approval) VALUES ($1, $2, $3) \
             ON CONFLICT (team_id) DO UPDATE SET require_approval = $2, require_editor_approval = $3",
            &[
                team.to_string().into(),
                checks.require_approval.into(),
                checks.require_editor_approval.into(),
            ],
        )?;
        Ok(())
    }

    fn insert_pull_request_comment(&mut self, c: &PullRequestCommentRecord) -> R<()> {
        self.exec(
            "INSERT INTO pull_request_comments (id, pull_request_id, author_id, body, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
            &[
                c.id.as_str().into(),
                c.pull_request_id.as_str().into(),
                c.author_id.to_string().into(),
                c.body.as_str().into(),
                c.created_at.into(),
            ],
        )?;
        Ok(())
    }

    fn pull_request_comments(&mut self, id: &str) -> R<Vec<PullRequestCommentRecord>> {
        self.rows(
            "SELECT id, pull_request_id, author_id, body, created_at FROM pull_request_comments \
             WHERE pull_request_id = $1 ORDER BY created_at, id",
            &[id.into()],
        )?
        .iter()
        .map(|r| {
            Ok(PullRequestCommentRecord {
                id: r.text(0)?.to_string(),
                pull_request_id: r.text(1)?.to_string(),
                author_id: user_id(r.text(2)?)?,
                body: r.text(3)?.to_string(),
                created_at: r.int(4)?,
            })
        })
        .collect()
    }

    fn insert_merge_task(&mut self, t: &MergeTaskRecord) -> R<()> {
        self.exec(
            "INSERT INTO merge_tasks (id, user_id, source_id, destination_id, strategy, status, error, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                t.id.as_str().into(),
                t.user_id.to_string().into(),
                t.source_id.to_string().into(),
                t.destination_id.to_string().into(),
                t.strategy.as_str().into(),
                t.status.as_str().into(),
                t.error.clone().into(),
                t.created_at.into(),
            ],
        )?;
        Ok(())
    }

    fn insert_environment_fork(&mut self, f: &EnvironmentForkRecord) -> R<()> {
        self.exec(
            "INSERT INTO environment_forks (environment_id, parent_id, label, base_vars, base_revision, created_by, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                f.environment_id.to_string().into(),
                f.parent_id.to_string().into(),
                f.label.as_str().into(),
                f.base_vars.as_str().into(),
                f.base_revision.into(),
                f.created_by.to_string().into(),
                f.created_at.into(),
            ],
        )?;
        Ok(())
    }

    fn environment_fork_of(&mut self, id: EnvironmentId) -> R<Option<EnvironmentForkRecord>> {
        self.row(
            "SELECT environment_id, parent_id, label, base_vars, base_revision, created_by, created_at \
             FROM environment_forks WHERE environment_id = $1",
            &[id.to_string().into()],
        )?
        .map(|r| environment_fork_at(&r))
        .transpose()
    }

    fn environment_forks_of(&mut self, parent: EnvironmentId) -> R<Vec<EnvironmentForkRecord>> {
        self.rows(
            "SELECT environment_id, parent_id, label, base_vars, base_revision, created_by, created_at \
             FROM environment_forks WHERE parent_id = $1 ORDER BY created_at, environment_id",
            &[parent.to_string().into()],
        )?
        .iter()
        .map(environment_fork_at)
        .collect()
    }

    fn set_environment_fork_base(&mut self, id: EnvironmentId, base_vars: &str, base_revision: i64) -> R<()> {
        self.exec(
            "UPDATE environment_forks SET base_vars = $1, base_revision = $2 WHERE environment_id = $3",
            &[base_vars.into(), base_revision.into(), id.to_string().into()],
        )?;
        Ok(())
    }

    fn merge_task(&mut self, id: &str) -> R<Option<MergeTaskRecord>> {
        self.row(
            "SELECT id, user_id, source_id, destination_id, strategy, status, error, created_at FROM merge_tasks \
             WHERE id = $1",
            &[id.into()],
        )?
        .map(|r| {
            Ok(MergeTaskRecord {
                id: r.text(0)?.to_string(),
                user_id: user_id(r.text(1)?)?,
                source_id: collection_id(r.text(2)?)?,
                destination_id: collection_id(r.text(3)?)?,
                strategy: r.text(4)?.to_string(),
                status: r.text(5)?.to_string(),
                error: r.opt_text(6)?.map(str::to_string),
                created_at: r.int(7)?,
            })
        })
        .transpose()
    }

    fn own_nodes(&mut self, id: CollectionId) -> R<Vec<NodeRecord>> {
        self.rows(
            "SELECT uid, parent_uid, position, kind, blob_hash FROM collection_nodes \
             WHERE collection_id = $1 AND to_rev IS NULL",
            &[id.to_string().into()],
        )?
        .iter()
        .map(node_at)
        .collect()
    }

    fn insert_revision(&mut self, r: &RevisionRecord) -> R<()> {
        self.exec(
            "INSERT INTO collection_revisions (collection_id, revision, author, created_at, changes) \
             VALUES ($1, $2, $3, $4, $5)",
            &[
                r.collection_id.to_string().into(),
                r.revision.into(),
                r.author.to_string().into(),
                r.created_at.into(),
                r.changes.as_str().into(),
            ],
        )?;
        Ok(())
    }

    fn workspace_revisions_since(&mut self, ws: WorkspaceId, since: Millis, limit: u32) -> R<Vec<RevisionRecord>> {
        self.newest_revisions_since(
            "SELECT id FROM collections WHERE workspace_id = $1",
            "SELECT collection_id, revision, author, created_at, changes FROM collection_revisions \
             WHERE collection_id = $1 AND created_at > $2 ORDER BY created_at DESC, revision DESC LIMIT $3",
            ws,
            since,
            limit,
        )?
        .iter()
        .map(revision_at)
        .collect()
    }

    fn last_update_at(&mut self, ws: WorkspaceId) -> R<Option<Millis>> {
        self.row(
            // The newest live update: found from the end of the (workspace,
            // seq) index instead of reading every update of the workspace.
            "SELECT created_at FROM workspace_updates WHERE workspace_id = $1 AND deleted = FALSE \
             ORDER BY seq DESC LIMIT 1",
            &[ws.to_string().into()],
        )?
        .map(|r| r.int(0))
        .transpose()
    }

    fn revisions(&mut self, id: CollectionId, before: Option<i64>, limit: u32) -> R<Vec<RevisionRecord>> {
        self.rows(
            "SELECT collection_id, revision, author, created_at, changes FROM collection_revisions \
             WHERE collection_id = $1 AND revision < $2 ORDER BY revision DESC LIMIT $3",
            &[
                id.to_string().into(),
                before.unwrap_or(i64::MAX).into(),
                i64::from(limit).into(),
            ],
        )?
        .iter()
        .map(revision_at)
        .collect()
    }

    fn element_role(&mut self, kind: &str, id: &str, user: UserId) -> R<Option<String>> {
        self.row(
            "SELECT role FROM element_roles WHERE element_type = $1 AND element_id = $2 AND user_id = $3",
            &[kind.into(), id.into(), user.to_string().into()],
        )?
        .map(|r| r.text(0).map(str::to_string))
        .transpose()
    }

    fn element_roles(&mut self, kind: &str, id: &str) -> R<Vec<(UserId, String)>> {
        self.rows(
            "SELECT user_id, role FROM element_roles WHERE element_type = $1 AND element_id = $2 ORDER BY user_id",
            &[kind.into(), id.into()],
        )?
        .iter()
        .map(|r| Ok((user_id(r.text(0)?)?, r.text(1)?.to_string())))
        .collect()
    }

    fn set_element_role(&mut self, kind: &str, id: &str, user: UserId, role: Option<&str>) -> R<()> {
        match role {
            Some(role) => self.exec(
                "INSERT INTO element_roles (element_type, element_id, user_id, role) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (element_type, element_id, user_id) DO UPDATE SET role = excluded.role",
                &[kind.into(), id.into(), user.to_string().into(), role.into()],
            )?,
            None => self.exec(
                "DELETE FROM element_roles WHERE element_type = $1 AND element_id = $2 AND user_id = $3",
                &[kind.into(), id.into(), user.to_string().into()],
            )?,
        };
        Ok(())
    }

    fn delete_element_roles(&mut self, kind: &str, id: &str) -> R<()> {
        self.exec(
            "DELETE FROM element_roles WHERE element_type = $1 AND element_id = $2",
            &[kind.into(), id.into()],
        )?;
        Ok(())
    }

    fn insert_element_comment(&mut self, c: &ElementCommentRecord) -> R<i64> {
        self.row(
            "INSERT INTO element_comments (collection_id, element_type, element_id, thread_id, author_id, body, \
             resolved, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            &[
                c.collection_id.to_string().into(),
                c.element_type.as_str().into(),
                c.element_id.as_str().into(),
                c.thread_id.into(),
                c.author_id.to_string().into(),
                c.body.as_str().into(),
                c.resolved.into(),
                c.created_at.into(),
                c.updated_at.into(),
            ],
        )?
        .ok_or_else(|| StoreError::Backend("insert returned no id".into()))?
        .int(0)
    }

    fn element_comment(&mut self, collection: CollectionId, id: i64) -> R<Option<ElementCommentRecord>> {
        self.row(
            sql_element_comment!("WHERE c.collection_id = $1 AND c.id = $2"),
            &[collection.to_string().into(), id.into()],
        )?
        .map(|r| element_comment_at(&r))
        .transpose()
    }

    fn element_comments(
        &mut self,
        collection: CollectionId,
        kind: &str,
        element: &str,
    ) -> R<Vec<ElementCommentRecord>> {
        self.rows(
            sql_element_comment!(
                "WHERE c.collection_id = $1 AND c.element_type = $2 AND c.element_id = $3 ORDER BY c.id"
            ),
            &[collection.to_string().into(), kind.into(), element.into()],
        )?
        .iter()
        .map(element_comment_at)
        .collect()
    }

    fn save_element_comment(&mut self, id: i64, body: &str, resolved: bool, at: Millis) -> R<()> {
        self.exec(
            "UPDATE element_comments SET body = $1, resolved = $2, updated_at = $3 WHERE id = $4",
            &[body.into(), resolved.into(), at.into(), id.into()],
        )?;
        Ok(())
    }

    fn delete_element_comment(&mut self, id: i64) -> R<bool> {
        self.exec("DELETE FROM element_comments WHERE thread_id = $1", &[id.into()])?;
        Ok(self.exec("DELETE FROM element_comments WHERE id = $1", &[id.into()])? > 0)
    }

    fn insert_integration(&mut self, i: &IntegrationRecord) -> R<()> {
        self.exec(
            "INSERT INTO integrations (id, workspace_id, name, url, events, secret, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                i.id.as_str().into(),
                i.workspace_id.to_string().into(),
                i.name.as_str().into(),
                i.url.as_str().into(),
                i.events.as_str().into(),
                i.secret.as_str().into(),
                i.created_by.to_string().into(),
                i.created_at.into(),
            ],
        )?;
        Ok(())
    }

    fn integrations_in(&mut self, ws: WorkspaceId) -> R<Vec<IntegrationRecord>> {
        self.rows(
            "SELECT id, workspace_id, name, url, events, secret, created_by, created_at FROM integrations \
             WHERE workspace_id = $1 ORDER BY created_at, id",
            &[ws.to_string().into()],
        )?
        .iter()
        .map(|r| integration_at(r, 0))
        .collect()
    }

    fn integration(&mut self, id: &str) -> R<Option<IntegrationRecord>> {
        self.row(
            "SELECT id, workspace_id, name, url, events, secret, created_by, created_at FROM integrations WHERE id = $1",
            &[id.into()],
        )?
        .map(|r| integration_at(&r, 0))
        .transpose()
    }

    fn delete_integration(&mut self, id: &str) -> R<bool> {
        Ok(self.exec("DELETE FROM integrations WHERE id = $1", &[id.into()])? > 0)
    }

    fn insert_delivery(&mut self, integration: &str, event: &str, payload: &str, at: Millis) -> R<i64> {
        self.row(
            "INSERT INTO webhook_deliveries (integration_id, event, payload, status, attempts, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, 'pending', 0, $4, $4) RETURNING id",
            &[integration.into(), event.into(), payload.into(), at.into()],
        )?
        .ok_or_else(|| StoreError::Backend("insert returned no id".into()))?
        .int(0)
    }

    fn claim_deliveries(
        &mut self,
        now: Millis,
        lease_until: Millis,
        limit: u32,
    ) -> R<Vec<(DeliveryRecord, IntegrationRecord)>> {
        let due = self
            .rows(
                "SELECT d.id, d.integration_id, d.event, d.payload, d.status, d.attempts, d.next_attempt_at, \
                 d.response_status, d.last_error, d.created_at, d.delivered_at, \
                 i.id, i.workspace_id, i.name, i.url, i.events, i.secret, i.created_by, i.created_at \
                 FROM webhook_deliveries d JOIN integrations i ON i.id = d.integration_id \
                 WHERE d.status = 'pending' AND d.next_attempt_at <= $1 ORDER BY d.next_attempt_at, d.id LIMIT $2 \
                 FOR UPDATE OF d SKIP LOCKED",
                &[now.into(), i64::from(limit).into()],
            )?
            .iter()
            .map(|r| Ok((delivery_at(r)?, integration_at(r, 11)?)))
            .collect::<R<Vec<_>>>()?;
        for (d, _) in &due {
            self.exec(
                "UPDATE webhook_deliveries SET next_attempt_at = $1 WHERE id = $2",
                &[lease_until.into(), d.id.into()],
            )?;
        }
        Ok(due)
    }

    fn delivery_attempted(
        &mut self,
        id: i64,
        ok: bool,
        response_status: Option<i64>,
        error: Option<&str>,
        next_attempt_at: Option<Millis>,
        at: Millis,
    ) -> R<()> {
        let status = match (ok, next_attempt_at) {
            (true, _) => "delivered",
            (false, Some(_)) => "pending",
            (false, None) => "failed",
        };
        self.exec(
            "UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, response_status = $2, \
             last_error = $3, next_attempt_at = $4, delivered_at = $5 WHERE id = $6",
            &[
                status.into(),
                response_status.into(),
                error.map(str::to_string).into(),
                next_attempt_at.unwrap_or(at).into(),
                ok.then_some(at).into(),
                id.into(),
            ],
        )?;
        Ok(())
    }

    fn deliveries(&mut self, integration: &str, limit: u32) -> R<Vec<DeliveryRecord>> {
        self.rows(
            "SELECT id, integration_id, event, payload, status, attempts, next_attempt_at, response_status, \
             last_error, created_at, delivered_at FROM webhook_deliveries WHERE integration_id = $1 \
             ORDER BY id DESC LIMIT $2",
            &[integration.into(), i64::from(limit).into()],
        )?
        .iter()
        .map(delivery_at)
        .collect()
    }

    fn insert_environment(&mut self, e: &EnvironmentRecord) -> R<()> {
        self.exec(
            "INSERT INTO environments (id, workspace_id, name, vars, revision, created_by, updated_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                e.id.to_string().into(),
                e.workspace_id.to_string().into(),
                e.name.as_str().into(),
                e.vars.as_str().into(),
                e.revision.into(),
                e.created_by.to_string().into(),
                e.updated_by.to_string().into(),
                e.created_at.into(),
                e.updated_at.into(),
            ],
        )?;
        Ok(())
    }

    fn environment(&mut self, id: EnvironmentId) -> R<Option<EnvironmentRecord>> {
        self.row(
            "SELECT id, workspace_id, name, vars, revision, created_by, updated_by, created_at, updated_at \
             FROM environments WHERE id = $1",
            &[id.to_string().into()],
        )?
        .map(|r| environment_at(&r))
        .transpose()
    }

    fn environment_for_update(&mut self, id: EnvironmentId) -> R<Option<EnvironmentRecord>> {
        self.row(
            "SELECT id, workspace_id, name, vars, revision, created_by, updated_by, created_at, updated_at \
             FROM environments WHERE id = $1 FOR UPDATE",
            &[id.to_string().into()],
        )?
        .map(|r| environment_at(&r))
        .transpose()
    }

    fn environments_in(&mut self, ws: WorkspaceId) -> R<Vec<EnvironmentRecord>> {
        self.rows(
            "SELECT id, workspace_id, name, vars, revision, created_by, updated_by, created_at, updated_at \
             FROM environments WHERE workspace_id = $1 ORDER BY created_at, id",
            &[ws.to_string().into()],
        )?
        .iter()
        .map(environment_at)
        .collect()
    }

    fn save_environment(&mut self, e: &EnvironmentRecord, expected: i64) -> R<bool> {
        let changed = self.exec(
            "UPDATE environments SET name = $1, vars = $2, revision = $3, updated_by = $4, updated_at = $5 \
             WHERE id = $6 AND revision = $7",
            &[
                e.name.as_str().into(),
                e.vars.as_str().into(),
                e.revision.into(),
                e.updated_by.to_string().into(),
                e.updated_at.into(),
                e.id.to_string().into(),
                expected.into(),
            ],
        )?;
        Ok(changed == 1)
    }

    fn delete_environment(&mut self, id: EnvironmentId) -> R<bool> {
        Ok(self.exec("DELETE FROM environments WHERE id = $1", &[id.to_string().into()])? > 0)
    }

    fn insert_environment_revision(&mut self, e: &EnvironmentRecord, changes: &str) -> R<()> {
        self.exec(
            "INSERT INTO environment_revisions (environment_id, revision, author, created_at, name, vars, changes) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                e.id.to_string().into(),
                e.revision.into(),
                e.updated_by.to_string().into(),
                e.updated_at.into(),
                e.name.as_str().into(),
                e.vars.as_str().into(),
                changes.into(),
            ],
        )?;
        Ok(())
    }

    fn environment_revisions_since(
        &mut self,
        ws: WorkspaceId,
        since: Millis,
        limit: u32,
    ) -> R<Vec<EnvironmentRevisionRecord>> {
        self.newest_revisions_since(
            "SELECT id FROM environments WHERE workspace_id = $1",
            "SELECT environment_id, revision, author, created_at, changes FROM environment_revisions \
             WHERE environment_id = $1 AND created_at > $2 ORDER BY created_at DESC, revision DESC LIMIT $3",
            ws,
            since,
            limit,
        )?
        .iter()
        .map(|r| {
            Ok(EnvironmentRevisionRecord {
                environment_id: environment_id(r.text(0)?)?,
                revision: r.int(1)?,
                author: user_id(r.text(2)?)?,
                created_at: r.int(3)?,
                changes: r.text(4)?.to_string(),
            })
        })
        .collect()
    }

    fn insert_update(&mut self, u: &UpdateRecord) -> R<UpdateRecord> {
        let ws = u.workspace_id.to_string();
        let seq = self
            .row(
                "UPDATE workspaces SET update_seq = update_seq + 1 WHERE id = $1 RETURNING update_seq",
                &[ws.as_str().into()],
            )?
            .ok_or_else(|| StoreError::Backend("workspace of the update is gone".into()))?
            .int(0)?;
        let id = self
            .row(
                "INSERT INTO workspace_updates (workspace_id, seq, author_id, updated_by, topic, description, category, \
                 related, element_changes, is_pinned, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                &[
                    ws.as_str().into(),
                    seq.into(),
                    u.author_id.to_string().into(),
                    u.updated_by.to_string().into(),
                    u.topic.as_str().into(),
                    u.description.as_str().into(),
                    u.category.as_str().into(),
                    u.related.as_str().into(),
                    u.element_changes.as_str().into(),
                    u.is_pinned.into(),
                    u.created_at.into(),
                    u.updated_at.into(),
                ],
            )?
            .ok_or_else(|| StoreError::Backend("insert returned no id".into()))?
            .int(0)?;
        // The author does not see their own update as unread (R-UPD-3).
        self.exec(
            "INSERT INTO update_cursors (user_id, workspace_id, seen_seq, seen_at, own_unseen) VALUES ($1, $2, 0, 0, 1) \
             ON CONFLICT (user_id, workspace_id) DO UPDATE SET own_unseen = update_cursors.own_unseen + 1",
            &[u.author_id.to_string().into(), ws.as_str().into()],
        )?;
        self.update_by_id(u.workspace_id, id)?
            .ok_or_else(|| StoreError::Backend("inserted update not found".into()))
    }

    fn update_by_id(&mut self, ws: WorkspaceId, id: i64) -> R<Option<UpdateRecord>> {
        self.row(
            sql_update!("WHERE u.workspace_id = $1 AND u.id = $2 AND u.deleted = FALSE"),
            &[ws.to_string().into(), id.into()],
        )?
        .map(|r| update_at(&r))
        .transpose()
    }

    fn save_update(&mut self, u: &UpdateRecord) -> R<()> {
        self.exec(
            "UPDATE workspace_updates SET topic = $1, description = $2, category = $3, related = $4, \
             element_changes = $5, is_pinned = $6, updated_by = $7, updated_at = $8 WHERE id = $9 AND workspace_id = $10",
            &[
                u.topic.as_str().into(),
                u.description.as_str().into(),
                u.category.as_str().into(),
                u.related.as_str().into(),
                u.element_changes.as_str().into(),
                u.is_pinned.into(),
                u.updated_by.to_string().into(),
                u.updated_at.into(),
                u.id.into(),
                u.workspace_id.to_string().into(),
            ],
        )?;
        Ok(())
    }

    fn delete_update(&mut self, ws: WorkspaceId, id: i64) -> R<bool> {
        let ws = ws.to_string();
        let Some(row) = self.row(
            "UPDATE workspace_updates SET deleted = TRUE WHERE workspace_id = $1 AND id = $2 AND deleted = FALSE \
             RETURNING author_id, seq",
            &[ws.as_str().into(), id.into()],
        )?
        else {
            return Ok(false);
        };
        let seq = row.int(1)?;
        self.exec(
            "UPDATE workspaces SET deleted_updates = deleted_updates + 1 WHERE id = $1",
            &[ws.as_str().into()],
        )?;
        self.exec(
            "UPDATE update_cursors SET deleted_seen = deleted_seen + 1 WHERE workspace_id = $1 AND seen_seq >= $2",
            &[ws.as_str().into(), seq.into()],
        )?;
        // It no longer counts among its author's own unseen updates.
        self.exec(
            "UPDATE update_cursors SET own_unseen = own_unseen - 1 \
             WHERE user_id = $1 AND workspace_id = $2 AND seen_seq < $3 AND own_unseen > 0",
            &[row.text(0)?.into(), ws.as_str().into(), seq.into()],
        )?;
        Ok(true)
    }

    fn updates(
        &mut self,
        ws: WorkspaceId,
        category: Option<&str>,
        after: Option<(bool, i64)>,
        limit: u32,
    ) -> R<Vec<UpdateRecord>> {
        // Order: pinned first, then newest first. A keyset position (p, s)
        // continues with the rest of that pin group, then the unpinned ones.
        let (pinned, seq) = after.unwrap_or((true, i64::MAX));
        self.rows(
            sql_update!(
                "WHERE u.workspace_id = $1 AND u.deleted = FALSE AND u.category = COALESCE($2, u.category) \
                 AND ((u.is_pinned = $3 AND u.seq < $4) OR (u.is_pinned = FALSE AND $3 = TRUE)) \
                 ORDER BY u.is_pinned DESC, u.seq DESC LIMIT $5"
            ),
            &[
                ws.to_string().into(),
                category.into(),
                pinned.into(),
                seq.into(),
                i64::from(limit).into(),
            ],
        )?
        .iter()
        .map(update_at)
        .collect()
    }

    fn unread_updates(&mut self, ws: WorkspaceId, user: UserId) -> R<i64> {
        let (ws, user) = (ws.to_string(), user.to_string());
        // Counters only (R-UPD-3): the newest update number and the deleted
        // ones of the workspace, and the caller's cursor with their own
        // unseen updates and the deleted ones it had passed.
        let Some(w) = self.row(
            "SELECT update_seq, deleted_updates FROM workspaces WHERE id = $1",
            &[ws.as_str().into()],
        )?
        else {
            return Ok(0);
        };
        let (head, deleted) = (w.int(0)?, w.int(1)?);
        let (seen, own, deleted_seen) = match self.row(
            "SELECT seen_seq, own_unseen, deleted_seen FROM update_cursors WHERE user_id = $1 AND workspace_id = $2",
            &[user.as_str().into(), ws.as_str().into()],
        )? {
            Some(c) => (c.int(0)?, c.int(1)?, c.int(2)?),
            None => (0, 0, 0),
        };
        Ok(unread(head, deleted, seen, own, deleted_seen))
    }

    fn mark_updates_seen(&mut self, ws: WorkspaceId, user: UserId, at: Millis) -> R<()> {
        let (ws, user) = (ws.to_string(), user.to_string());
        let Some(w) = self.row(
            "SELECT update_seq, deleted_updates FROM workspaces WHERE id = $1",
            &[ws.as_str().into()],
        )?
        else {
            return Ok(());
        };
        let (head, deleted) = (w.int(0)?, w.int(1)?);
        // Every deleted update is at or before the head.
        self.exec(
            "INSERT INTO update_cursors (user_id, workspace_id, seen_seq, seen_at, own_unseen, deleted_seen) \
             VALUES ($1, $2, $3, $4, 0, $5) \
             ON CONFLICT (user_id, workspace_id) DO UPDATE SET seen_seq = $3, seen_at = $4, own_unseen = 0, deleted_seen = $5",
            &[user.as_str().into(), ws.as_str().into(), head.into(), at.into(), deleted.into()],
        )?;
        Ok(())
    }

    fn insert_comment(&mut self, c: &CommentRecord) -> R<i64> {
        self.row(
            "INSERT INTO update_comments (update_id, parent_id, author_id, partner_team_id, body, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            &[
                c.update_id.into(),
                c.parent_id.into(),
                c.author_id.to_string().into(),
                c.partner_team_id.map(|t| t.to_string()).into(),
                c.body.as_str().into(),
                c.created_at.into(),
                c.updated_at.into(),
            ],
        )?
        .ok_or_else(|| StoreError::Backend("insert returned no id".into()))?
        .int(0)
    }

    fn comment(&mut self, update: i64, id: i64) -> R<Option<CommentRecord>> {
        self.row(
            sql_comment!("WHERE c.update_id = $1 AND c.id = $2"),
            &[update.into(), id.into()],
        )?
        .map(|r| comment_at(&r))
        .transpose()
    }

    fn comments(&mut self, update: i64) -> R<Vec<CommentRecord>> {
        self.rows(sql_comment!("WHERE c.update_id = $1 ORDER BY c.id"), &[update.into()])?
            .iter()
            .map(comment_at)
            .collect()
    }

    fn save_comment_body(&mut self, id: i64, body: &str, at: Millis) -> R<()> {
        self.exec(
            "UPDATE update_comments SET body = $1, updated_at = $2 WHERE id = $3",
            &[body.into(), at.into(), id.into()],
        )?;
        Ok(())
    }

    fn delete_comment(&mut self, id: i64) -> R<bool> {
        Ok(self.exec("DELETE FROM update_comments WHERE id = $1", &[id.into()])? > 0)
    }

    fn notification_heads_after(&mut self, after_id: i64) -> R<Vec<(UserId, i64)>> {
        // The few rows after the cursor, by primary key; grouped here, since a
        // GROUP BY in SQL may walk the (user, id) index from its start.
        let mut heads: std::collections::HashMap<UserId, i64> = std::collections::HashMap::new();
        for r in self.rows(
            "SELECT user_id, id FROM notifications WHERE id > $1 ORDER BY id",
            &[after_id.into()],
        )? {
            heads.insert(user_id(r.text(0)?)?, r.int(1)?);
        }
        Ok(heads.into_iter().collect())
    }

    fn last_notification_id(&mut self) -> R<i64> {
        self.row("SELECT MAX(id) FROM notifications", &[])?
            .map(|r| r.opt_int(0))
            .transpose()
            .map(|v| v.flatten().unwrap_or(0))
    }

    fn notifications_after(&mut self, user: UserId, after_id: i64, limit: u32) -> R<Vec<NotificationRecord>> {
        self.rows(
            "SELECT id, user_id, kind, message, data, created_at, read_at FROM notifications WHERE user_id = $1 \
             AND id > $2 ORDER BY id LIMIT $3",
            &[user.to_string().into(), after_id.into(), i64::from(limit).into()],
        )?
        .iter()
        .map(notification_at)
        .collect()
    }

    fn mark_notifications_read(&mut self, user: UserId, id: Option<i64>, at: Millis) -> R<u64> {
        match id {
            Some(id) => self.exec(
                "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND id = $3 AND read_at IS NULL",
                &[at.into(), user.to_string().into(), id.into()],
            ),
            None => self.exec(
                "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL",
                &[at.into(), user.to_string().into()],
            ),
        }
    }

    fn unread_notification_count(&mut self, user: UserId) -> R<i64> {
        self.row(
            "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
            &[user.to_string().into()],
        )?
        .map_or(Ok(0), |r| r.int(0))
    }

    fn email_kinds(&mut self, user: UserId) -> R<Vec<String>> {
        self.rows(
            "SELECT kind FROM notification_email_kinds WHERE user_id = $1 ORDER BY kind",
            &[user.to_string().into()],
        )?
        .iter()
        .map(|r| Ok(r.text(0)?.to_string()))
        .collect()
    }

    fn set_email_kinds(&mut self, user: UserId, kinds: &[String]) -> R<()> {
        self.exec(
            "DELETE FROM notification_email_kinds WHERE user_id = $1",
            &[user.to_string().into()],
        )?;
        for k in kinds {
            self.exec(
                "INSERT INTO notification_email_kinds (user_id, kind) VALUES ($1, $2)",
                &[user.to_string().into(), k.as_str().into()],
            )?;
        }
        Ok(())
    }

    fn insert_audit(&mut self, a: &NewAuditRecord) -> R<()> {
        self.exec(
            "INSERT INTO audit_logs (team_id, actor_id, action, target_type, target_id, details, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                a.team_id.map(|t| t.to_string()).into(),
                a.actor_id.map(|u| u.to_string()).into(),
                a.action.into(),
                a.target_type.into(),
                a.target_id.as_str().into(),
                a.details.to_string().into(),
                a.created_at.into(),
            ],
        )?;
        Ok(())
    }

    fn audit_rows(&mut self, team: TeamId, q: &AuditQuery) -> R<Vec<AuditRecord>> {
        self.rows(
            "SELECT id, team_id, actor_id, action, target_type, target_id, details, created_at FROM audit_logs \
             WHERE team_id = $1 AND action = COALESCE($2, action) AND created_at >= $3 AND created_at <= $4 AND id < $5 \
             ORDER BY id DESC LIMIT $6",
            &[
                team.to_string().into(),
                q.action.clone().into(),
                q.since.unwrap_or(i64::MIN).into(),
                q.until.unwrap_or(i64::MAX).into(),
                q.before_id.unwrap_or(i64::MAX).into(),
                i64::from(q.limit).into(),
            ],
        )?
        .iter()
        .map(|r| {
            Ok(AuditRecord {
                id: r.int(0)?,
                team_id: r.opt_text(1)?.map(team_id).transpose()?,
                actor_id: r.opt_text(2)?.map(user_id).transpose()?,
                action: r.text(3)?.to_string(),
                target_type: r.text(4)?.to_string(),
                target_id: r.text(5)?.to_string(),
                details: serde_json_value(r.text(6)?)?,
                created_at: r.int(7)?,
            })
        })
        .collect()
    }

    fn insert_outbox(&mut self, recipient: &str, subject: &str, body: &str, at: Millis) -> R<i64> {
        let r = self.row(
            "INSERT INTO outbox (recipient, subject, body, created_at, attempts, next_attempt_at) \
             VALUES ($1, $2, $3, $4, 0, $4) RETURNING id",
            &[recipient.into(), subject.into(), body.into(), at.into()],
        )?;
        r.ok_or_else(|| StoreError::Backend("insert returned no id".into()))?
            .int(0)
    }

    fn outbox_due(&mut self, now: Millis) -> R<bool> {
        Ok(self
            .row(
                "SELECT 1 FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $1 LIMIT 1",
                &[now.into()],
            )?
            .is_some())
    }

    fn deliveries_due(&mut self, now: Millis) -> R<bool> {
        Ok(self
            .row(
                "SELECT 1 FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 LIMIT 1",
                &[now.into()],
            )?
            .is_some())
    }

    fn outbox_pending(&mut self) -> R<i64> {
        self.row("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL", &[])?
            .map_or(Ok(0), |r| r.int(0))
    }

    fn outbox(&mut self, limit: u32) -> R<Vec<OutboxRecord>> {
        self.rows(
            "SELECT id, recipient, subject, body, created_at, sent_at, attempts, delivery, last_error FROM outbox \
             ORDER BY id DESC LIMIT $1",
            &[i64::from(limit).into()],
        )?
        .iter()
        .map(outbox_at)
        .collect()
    }

    fn claim_outbox(&mut self, now: Millis, lease_until: Millis, limit: u32) -> R<Vec<OutboxRecord>> {
        let due: Vec<OutboxRecord> = self
            .rows(
                "SELECT id, recipient, subject, body, created_at, sent_at, attempts, delivery, last_error FROM outbox \
                 WHERE sent_at IS NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2 \
                 FOR UPDATE SKIP LOCKED",
                &[now.into(), i64::from(limit).into()],
            )?
            .iter()
            .map(outbox_at)
            .collect::<R<_>>()?;
        for m in &due {
            self.exec(
                "UPDATE outbox SET next_attempt_at = $1 WHERE id = $2",
                &[lease_until.into(), m.id.into()],
            )?;
        }
        Ok(due)
    }

    fn outbox_sent(&mut self, id: i64, via: &str, at: Millis) -> R<()> {
        self.exec(
            // The body goes once sent: it may hold a single-use link, and
            // no copy of an issued secret stays in the database.
            "UPDATE outbox SET sent_at = $1, delivery = $2, attempts = attempts + 1, last_error = NULL, body = '' WHERE id = $3",
            &[at.into(), via.into(), id.into()],
        )?;
        Ok(())
    }

    fn outbox_failed(&mut self, id: i64, error: &str, next_attempt_at: Millis) -> R<()> {
        self.exec(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3",
            &[error.into(), next_attempt_at.into(), id.into()],
        )?;
        Ok(())
    }
}

fn collection_at(r: &Row) -> R<CollectionRecord> {
    Ok(CollectionRecord {
        id: collection_id(r.text(0)?)?,
        workspace_id: workspace_id(r.text(1)?)?,
        name: r.text(2)?.to_string(),
        revision: r.int(3)?,
        created_by: user_id(r.text(4)?)?,
        updated_by: user_id(r.text(5)?)?,
        created_at: r.int(6)?,
        updated_at: r.int(7)?,
    })
}

fn element_comment_at(r: &Row) -> R<ElementCommentRecord> {
    Ok(ElementCommentRecord {
        id: r.int(0)?,
        collection_id: collection_id(r.text(1)?)?,
        element_type: r.text(2)?.to_string(),
        element_id: r.text(3)?.to_string(),
        thread_id: r.opt_int(4)?,
        author_id: user_id(r.text(5)?)?,
        author_name: r.opt_text(6)?.unwrap_or_default().to_string(),
        body: r.text(7)?.to_string(),
        resolved: r.bool(8)?,
        created_at: r.int(9)?,
        updated_at: r.int(10)?,
    })
}

fn integration_at(r: &Row, at: usize) -> R<IntegrationRecord> {
    Ok(IntegrationRecord {
        id: r.text(at)?.to_string(),
        workspace_id: WorkspaceId::parse(r.text(at + 1)?).map_err(|e| corrupt("workspace id", e))?,
        name: r.text(at + 2)?.to_string(),
        url: r.text(at + 3)?.to_string(),
        events: r.text(at + 4)?.to_string(),
        secret: r.text(at + 5)?.to_string(),
        created_by: user_id(r.text(at + 6)?)?,
        created_at: r.int(at + 7)?,
    })
}

fn delivery_at(r: &Row) -> R<DeliveryRecord> {
    Ok(DeliveryRecord {
        id: r.int(0)?,
        integration_id: r.text(1)?.to_string(),
        event: r.text(2)?.to_string(),
        payload: r.text(3)?.to_string(),
        status: r.text(4)?.to_string(),
        attempts: r.int(5)?,
        next_attempt_at: r.int(6)?,
        response_status: r.opt_int(7)?,
        last_error: r.opt_text(8)?.map(str::to_string),
        created_at: r.int(9)?,
        delivered_at: r.opt_int(10)?,
    })
}

fn environment_at(r: &Row) -> R<EnvironmentRecord> {
    Ok(EnvironmentRecord {
        id: environment_id(r.text(0)?)?,
        workspace_id: WorkspaceId::parse(r.text(1)?).map_err(|e| corrupt("workspace id", e))?,
        name: r.text(2)?.to_string(),
        vars: r.text(3)?.to_string(),
        revision: r.int(4)?,
        created_by: user_id(r.text(5)?)?,
        updated_by: user_id(r.text(6)?)?,
        created_at: r.int(7)?,
        updated_at: r.int(8)?,
    })
}

fn revision_at(r: &Row) -> R<RevisionRecord> {
    Ok(RevisionRecord {
        collection_id: collection_id(r.text(0)?)?,
        revision: r.int(1)?,
        author: user_id(r.text(2)?)?,
        created_at: r.int(3)?,
        changes: r.text(4)?.to_string(),
    })
}

fn node_at(r: &Row) -> R<NodeRecord> {
    Ok(NodeRecord {
        uid: r.text(0)?.to_string(),
        parent_uid: r.opt_text(1)?.map(str::to_string),
        position: r.int(2)?,
        kind: r.text(3)?.to_string(),
        blob_hash: r.text(4)?.to_string(),
    })
}

/// A layer's node as its upper collection sees it: the layer's own
/// collection node is the upper one's.
fn relink(node: &mut NodeRecord, layer: &str, upper: &str) {
    if node.parent_uid.as_deref() == Some(layer) {
        node.parent_uid = Some(upper.to_owned());
    }
}

fn pull_request_at(r: &Row) -> R<PullRequestRecord> {
    Ok(PullRequestRecord {
        id: r.text(0)?.to_string(),
        source_id: collection_id(r.text(1)?)?,
        destination_id: collection_id(r.text(2)?)?,
        title: r.text(3)?.to_string(),
        description: r.text(4)?.to_string(),
        status: r.text(5)?.to_string(),
        decline_comment: r.opt_text(6)?.map(str::to_string),
        created_by: user_id(r.text(7)?)?,
        updated_by: user_id(r.text(8)?)?,
        created_at: r.int(9)?,
        updated_at: r.int(10)?,
    })
}

fn environment_fork_at(r: &Row) -> R<EnvironmentForkRecord> {
    Ok(EnvironmentForkRecord {
        environment_id: environment_id(r.text(0)?)?,
        parent_id: environment_id(r.text(1)?)?,
        label: r.text(2)?.to_string(),
        base_vars: r.text(3)?.to_string(),
        base_revision: r.int(4)?,
        created_by: user_id(r.text(5)?)?,
        created_at: r.int(6)?,
    })
}

fn fork_at(r: &Row) -> R<ForkRecord> {
    Ok(ForkRecord {
        collection_id: collection_id(r.text(0)?)?,
        parent_id: collection_id(r.text(1)?)?,
        label: r.text(2)?.to_string(),
        base_revision: r.int(3)?,
        created_by: user_id(r.text(4)?)?,
        created_at: r.int(5)?,
    })
}

fn node_with_body_at(r: &Row) -> R<NodeWithBody> {
    Ok(NodeWithBody {
        node: node_at(r)?,
        body: r.text(5)?.to_string(),
    })
}

fn run_at(r: &Row) -> R<RunRecord> {
    Ok(RunRecord {
        id: r.text(0)?.to_string(),
        user_id: user_id(r.text(1)?)?,
        collection_id: collection_id(r.text(2)?)?,
        environment_id: r.opt_text(3)?.map(environment_id).transpose()?,
        environment_name: r.opt_text(4)?.map(str::to_string),
        started_at: r.int(5)?,
        duration_ms: r.int(6)?,
        passed: r.bool(7)?,
        requests: r.int(8)?,
        failed_requests: r.int(9)?,
        assertions: r.int(10)?,
        failed_assertions: r.int(11)?,
        report: r.text(12)?.to_string(),
    })
}

fn outbox_at(r: &Row) -> R<OutboxRecord> {
    Ok(OutboxRecord {
        id: r.int(0)?,
        recipient: r.text(1)?.to_string(),
        subject: r.text(2)?.to_string(),
        body: r.text(3)?.to_string(),
        created_at: r.int(4)?,
        sent_at: r.opt_int(5)?,
        attempts: r.int(6)?,
        delivery: r.opt_text(7)?.map(str::to_string),
        last_error: r.opt_text(8)?.map(str::to_string),
    })
}

fn serde_json_value(s: &str) -> R<serde_json::Value> {
    serde_json::from_str(s).map_err(|e| corrupt("audit details", e))
}
