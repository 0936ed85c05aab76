//! The audit log (R-SEC-3): rows written by the use cases inside their own
//! transaction, and read by team admins and super admins.

use std::collections::HashMap;

use portico_domain::Error;
use portico_domain::ids::{TeamId, UserId};
use portico_domain::policy::{Action, Actor};
use portico_store::{AuditQuery, AuditRecord, Millis, NewAuditRecord, Tx};

use crate::pagination::{decode_before_id, encode_before_id, page_size};
use crate::teams::is_admin;
use crate::teams::{Page, team_for};
use crate::{App, Principal, Result};

/// Who did something, where, and when: the fixed part of audit rows.
pub(crate) struct Audit {
    team: Option<TeamId>,
    actor: Option<UserId>,
    at: Millis,
}

impl Audit {
    pub(crate) fn new(team: Option<TeamId>, actor: Option<UserId>, at: Millis) -> Self {
        Self { team, actor, at }
    }

    /// Writes one row in the caller's transaction.
    pub(crate) fn log(
        &self,
        tx: &mut dyn Tx,
        action: &'static str,
        target_type: &'static str,
        target_id: impl ToString,
        details: serde_json::Value,
    ) -> Result<()> {
        tx.insert_audit(&NewAuditRecord {
            team_id: self.team,
            actor_id: self.actor,
            action,
            target_type,
            target_id: target_id.to_string(),
            details,
            created_at: self.at,
        })?;
        Ok(())
    }
}

/// Filters of `GET /audit/logs`.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// The team; may be left out when the caller administers exactly one.
    pub team_id: Option<TeamId>,
    pub action: Option<String>,
    pub since: Option<Millis>,
    pub until: Option<Millis>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

/// An audit row with the name of who did it, for pages.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub record: AuditRecord,
    /// The actor's display name; `None` for the operator at the console or
    /// an account that no longer exists.
    pub actor_name: Option<String>,
}

/// Reads a page of a team's audit log, newest first, after the policy's yes.
fn read_page(tx: &mut dyn Tx, actor: &Actor, filter: AuditFilter) -> Result<(TeamId, Page<AuditRecord>)> {
    let before_id = filter.cursor.as_deref().map(decode_before_id).transpose()?;
    let limit = page_size(filter.limit);
    let team_id = match filter.team_id {
        Some(t) => t,
        None => {
            let admin_of: Vec<TeamId> = tx
                .memberships_of(actor.user_id)?
                .into_iter()
                .filter(|m| is_admin(&m.roles))
                .map(|m| m.team.id)
                .collect();
            match admin_of.as_slice() {
                [one] => *one,
                [] => {
                    return Err(Error::forbidden(
                        "forbidden",
                        "Only team admins and super admins read the audit log.",
                    ));
                }
                _ => {
                    return Err(Error::invalid(
                        "team_required",
                        "You administer several teams: pass teamId.",
                    ));
                }
            }
        }
    };
    team_for(tx, actor, team_id, Action::ReadTeamAuditLog)?;
    let mut items = tx.audit_rows(
        team_id,
        &AuditQuery {
            action: filter.action,
            since: filter.since,
            until: filter.until,
            before_id,
            limit: limit + 1,
        },
    )?;
    let next_cursor = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|r| encode_before_id(r.id))
    } else {
        None
    };
    Ok((team_id, Page { items, next_cursor }))
}

impl App {
    /// A page of a team's audit log, newest first.
    pub async fn audit_logs(&self, who: &Principal, filter: AuditFilter) -> Result<(TeamId, Page<AuditRecord>)> {
        let actor = who.actor();
        self.store.read(move |tx| read_page(tx, &actor, filter)).await
    }

    /// A page of one team's audit log, newest first, with the names of
    /// who did each thing (the web page's Audit log tab).
    pub async fn team_audit_log(
        &self,
        who: &Principal,
        team_id: TeamId,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<Page<AuditEntry>> {
        let actor = who.actor();
        let filter = AuditFilter {
            team_id: Some(team_id),
            cursor,
            limit,
            ..AuditFilter::default()
        };
        self.store
            .read(move |tx| {
                let (_, page) = read_page(tx, &actor, filter)?;
                let mut names: HashMap<UserId, Option<String>> = HashMap::new();
                let mut items = Vec::with_capacity(page.items.len());
                for record in page.items {
                    let actor_name = match record.actor_id {
                        Some(id) => match names.get(&id) {
                            Some(n) => n.clone(),
                            None => {
                                let n = tx.user_by_id(id)?.map(|u| u.name);
                                names.insert(id, n.clone());
                                n
                            }
                        },
                        None => None,
                    };
                    items.push(AuditEntry { record, actor_name });
                }
                Ok(Page {
                    items,
                    next_cursor: page.next_cursor,
                })
            })
            .await
    }
}
