//! The store's `Tx`, implemented once in SQL that both SQLite and PostgreSQL
//! accept.

use portico_domain::ids::{ApiKeyId, InvitationId, TeamId, UserId};
use portico_domain::plan::Plan;
use portico_domain::roles::TeamRoles;
use portico_domain::values::{Domain, Email};
use portico_store::*;

use crate::{Row, SqlConn, Value};

type R<T> = Result<T, StoreError>;

/// A transaction of either backend, seen as the store's [`Tx`].
pub struct SqlTx<'a> {
    conn: &'a mut dyn SqlConn,
}

impl<'a> SqlTx<'a> {
    pub fn new(conn: &'a mut dyn SqlConn) -> Self {
        Self { conn }
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
    Email::parse(s).map_err(|e| corrupt("email", e))
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

fn invitation_at(r: &Row) -> R<InvitationRecord> {
    Ok(InvitationRecord {
        id: InvitationId::parse(r.text(0)?).map_err(|e| corrupt("invitation id", e))?,
        kind: InvitationKind::parse(r.text(1)?).ok_or_else(|| corrupt("invitation kind", r.text(1).unwrap_or("")))?,
        team_id: team_id(r.text(2)?)?,
        email: email(r.text(3)?)?,
        roles: roles(r.text(4)?)?,
        invited_by: user_id(r.text(5)?)?,
        created_at: r.int(6)?,
        expires_at: r.int(7)?,
        accepted_at: r.opt_int(8)?,
        revoked_at: r.opt_int(9)?,
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

    fn insert_invitation(&mut self, i: &InvitationRecord, token_hash: &str) -> R<()> {
        self.exec(
            "INSERT INTO invitations (id, kind, team_id, email, roles, invited_by, created_at, expires_at, token_hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                i.id.to_string().into(),
                i.kind.as_str().into(),
                i.team_id.to_string().into(),
                i.email.as_str().into(),
                i.roles.to_storage().into(),
                i.invited_by.to_string().into(),
                i.created_at.into(),
                i.expires_at.into(),
                token_hash.into(),
            ],
        )?;
        Ok(())
    }

    fn invitation_by_token_hash(&mut self, token_hash: &str) -> R<Option<InvitationRecord>> {
        self.row(
            "SELECT id, kind, team_id, email, roles, invited_by, created_at, expires_at, accepted_at, revoked_at \
             FROM invitations WHERE token_hash = $1",
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
            "SELECT id, kind, team_id, email, roles, invited_by, created_at, expires_at, accepted_at, revoked_at \
             FROM invitations WHERE team_id = $1 AND email = $2 AND kind = 'team' \
             AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $3 \
             ORDER BY created_at DESC LIMIT 1",
            &[team.to_string().into(), e.as_str().into(), now.into()],
        )?
        .map(|r| invitation_at(&r))
        .transpose()
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

    fn outbox(&mut self, limit: u32) -> R<Vec<OutboxRecord>> {
        self.rows(
            "SELECT id, recipient, subject, body, created_at, sent_at, attempts FROM outbox ORDER BY id DESC LIMIT $1",
            &[i64::from(limit).into()],
        )?
        .iter()
        .map(|r| {
            Ok(OutboxRecord {
                id: r.int(0)?,
                recipient: r.text(1)?.to_string(),
                subject: r.text(2)?.to_string(),
                body: r.text(3)?.to_string(),
                created_at: r.int(4)?,
                sent_at: r.opt_int(5)?,
                attempts: r.int(6)?,
            })
        })
        .collect()
    }
}

fn serde_json_value(s: &str) -> R<serde_json::Value> {
    serde_json::from_str(s).map_err(|e| corrupt("audit details", e))
}
