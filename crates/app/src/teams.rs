//! Teams: creation, plans, members and their roles, captured domains, and
//! team invitations.

use portico_domain::Error;
use portico_domain::ids::{InvitationId, TeamId, UserId};
use portico_domain::plan::Plan;
use portico_domain::policy::{self, Action, Actor, Resource, TeamFacts, authorize};
use portico_domain::roles::{TeamRole, TeamRoles};
use portico_domain::values::{Domain, Email, Label};
use portico_store::{InvitationGrant, InvitationRecord, MemberRecord, NewAuditRecord, StoreError, TeamRecord, Tx};

use crate::audit::Audit;
use crate::crypto::{random_hex, token_hash};
use crate::pagination::{decode_after, encode_after, page_size};
use crate::{App, Principal, Result, now};

/// A team as its members see it.
#[derive(Debug, Clone)]
pub struct TeamDetail {
    pub team: TeamRecord,
    pub domains: Vec<Domain>,
    /// The caller's roles, if a member.
    pub my_roles: Option<TeamRoles>,
    /// The facts the policy decides on, for pages that offer only what the
    /// caller may do.
    pub facts: TeamFacts,
}

impl TeamDetail {
    /// Whether the policy lets `who` do `action` on this team.
    pub fn allows(&self, who: &Principal, action: Action) -> bool {
        authorize(&who.actor(), action, Resource::Team(&self.facts)).is_ok()
    }
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// What adding a member did.
#[derive(Debug, Clone)]
pub enum AddMember {
    /// The account existed and is now a member.
    Added(MemberRecord),
    /// No account has that email: an invitation was sent.
    Invited { invitation: InvitationRecord, link: String },
}

/// Loads a team and checks `action` on it for `actor`; a team the actor may
/// not see reads as missing.
pub(crate) fn team_for(
    tx: &mut dyn Tx,
    actor: &Actor,
    team_id: TeamId,
    action: Action,
) -> Result<(TeamRecord, TeamFacts)> {
    let team = tx.team_by_id(team_id)?.ok_or_else(|| Error::not_found("team"))?;
    let facts = TeamFacts {
        team_id,
        plan: team.plan,
        actor_roles: tx.member_roles(team_id, actor.user_id)?,
        has_partner_manager: tx.team_has_partner_manager(team_id)?,
    };
    authorize(actor, action, Resource::Team(&facts)).map_err(|d| d.into_error("team"))?;
    Ok((team, facts))
}

pub(crate) fn is_admin(roles: &TeamRoles) -> bool {
    roles.contains(TeamRole::Admin) || roles.contains(TeamRole::SuperAdmin)
}

/// Takes `user_id` out of a team, as leaving it or being removed does: their
/// workspace roles in the team go, a workspace left without an admin gets
/// the Partner Managers (R-INV-4), and so do the partner roles they held
/// through this team (R-ISO-4): coming back does not bring them back.
/// Logs `action` (`member.leave`, `member.remove`, `member.account_removed`)
/// by `actor`. The caller checks who may do it and the last-admin rule.
pub(crate) fn leave_team(
    tx: &mut dyn Tx,
    team_id: TeamId,
    user_id: UserId,
    actor: UserId,
    roles: &TeamRoles,
    action: &'static str,
    at: portico_store::Millis,
) -> Result<()> {
    tx.delete_member(team_id, user_id)?;
    for ws_id in tx.delete_team_workspace_roles(team_id, user_id)? {
        if let Some(a) = tx.workspace_access(ws_id, actor)? {
            crate::workspaces::ensure_workspace_admin(tx, &a.workspace, at)?;
        }
    }
    for a in tx.workspace_accesses(user_id)? {
        if a.partner_team_id == Some(team_id) {
            tx.delete_workspace_member(a.workspace.id, user_id)?;
            Audit::new(Some(a.workspace.team_id), Some(actor), at).log(
                tx,
                "partner.remove",
                "user",
                user_id,
                serde_json::json!({ "workspaceId": a.workspace.id.to_string(), "reason": "left_partner_team" }),
            )?;
        }
    }
    Audit::new(Some(team_id), Some(actor), at).log(
        tx,
        action,
        "user",
        user_id,
        serde_json::json!({ "roles": roles.names() }),
    )
}

pub(crate) fn last_admin() -> Error {
    Error::conflict(
        "last_team_admin",
        "A team needs at least one admin. Make someone else admin first.",
    )
}

impl App {
    /// Creates a team on the configured default plan; the creator is its admin.
    pub async fn create_team(&self, who: &Principal, name: &str) -> Result<TeamRecord> {
        let name = Label::parse(name, "team name")?;
        let team = TeamRecord {
            id: TeamId::generate(),
            name: name.as_str().to_string(),
            plan: self.config.default_plan,
            created_at: now(),
        };
        let (t, uid) = (team.clone(), who.id());
        self.store
            .write(move |tx| {
                tx.insert_team(&t)?;
                tx.insert_member(t.id, uid, &TeamRoles::single(TeamRole::Admin), t.created_at)?;
                Audit::new(Some(t.id), Some(uid), t.created_at).log(
                    tx,
                    "team.create",
                    "team",
                    t.id.to_string(),
                    serde_json::json!({ "name": t.name, "plan": t.plan.as_str() }),
                )
            })
            .await?;
        Ok(team)
    }

    pub async fn team(&self, who: &Principal, team_id: TeamId) -> Result<TeamDetail> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                let (team, facts) = team_for(tx, &actor, team_id, Action::ViewTeam)?;
                Ok(TeamDetail {
                    domains: tx.domains_of(team_id)?,
                    team,
                    my_roles: facts.actor_roles.clone(),
                    facts,
                })
            })
            .await
    }

    /// Renames a team (team admins) and/or changes its plan (operators).
    pub async fn update_team(
        &self,
        who: &Principal,
        team_id: TeamId,
        name: Option<&str>,
        plan: Option<&str>,
    ) -> Result<TeamDetail> {
        let name = name.map(|n| Label::parse(n, "team name")).transpose()?;
        let plan = plan.map(str::parse::<Plan>).transpose()?;
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let (team, facts) = team_for(tx, &actor, team_id, Action::ViewTeam)?;
                if let Some(name) = &name {
                    team_for(tx, &actor, team_id, Action::RenameTeam)?;
                    tx.set_team_name(team_id, name.as_str())?;
                    Audit::new(Some(team_id), Some(actor.user_id), at).log(
                        tx,
                        "team.rename",
                        "team",
                        team_id.to_string(),
                        serde_json::json!({ "from": team.name, "to": name.as_str() }),
                    )?;
                }
                if let Some(plan) = plan {
                    team_for(tx, &actor, team_id, Action::SetTeamPlan)?;
                    tx.set_team_plan(team_id, plan)?;
                    Audit::new(Some(team_id), Some(actor.user_id), at).log(
                        tx,
                        "team.plan_change",
                        "team",
                        team_id.to_string(),
                        serde_json::json!({ "from": team.plan.as_str(), "to": plan.as_str() }),
                    )?;
                }
                let team = tx.team_by_id(team_id)?.ok_or_else(|| Error::not_found("team"))?;
                Ok(TeamDetail {
                    facts: TeamFacts {
                        plan: team.plan,
                        ..facts.clone()
                    },
                    team,
                    domains: tx.domains_of(team_id)?,
                    my_roles: facts.actor_roles,
                })
            })
            .await
    }

    /// Sets a team's plan from the command line (no caller: the operator at
    /// the console).
    pub async fn set_team_plan_as_operator(&self, team_id: TeamId, plan: &str) -> Result<TeamRecord> {
        let plan: Plan = plan.parse()?;
        let at = now();
        self.store
            .write(move |tx| {
                let team = tx.team_by_id(team_id)?.ok_or_else(|| Error::not_found("team"))?;
                tx.set_team_plan(team_id, plan)?;
                tx.insert_audit(&NewAuditRecord {
                    team_id: Some(team_id),
                    actor_id: None,
                    action: "team.plan_change",
                    target_type: "team",
                    target_id: team_id.to_string(),
                    details: serde_json::json!({ "from": team.plan.as_str(), "to": plan.as_str(), "via": "console" }),
                    created_at: at,
                })?;
                Ok(TeamRecord { plan, ..team })
            })
            .await
    }

    pub async fn members(
        &self,
        who: &Principal,
        team_id: TeamId,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Page<MemberRecord>> {
        let after = cursor.map(decode_after).transpose()?;
        let limit = page_size(limit);
        let actor = who.actor();
        self.store
            .read(move |tx| {
                team_for(tx, &actor, team_id, Action::ViewTeam)?;
                let mut items = tx.members(team_id, after.as_ref(), limit + 1)?;
                let next_cursor = if items.len() > limit as usize {
                    items.truncate(limit as usize);
                    items.last().map(|m| {
                        encode_after(&portico_store::PageAfter {
                            at: m.joined_at,
                            id: m.user_id.to_string(),
                        })
                    })
                } else {
                    None
                };
                Ok(Page { items, next_cursor })
            })
            .await
    }

    /// Adds an existing account to the team, or invites the email.
    pub async fn add_member(
        &self,
        who: &Principal,
        team_id: TeamId,
        email: &str,
        roles: &[String],
    ) -> Result<AddMember> {
        let email = Email::parse(email)?;
        let roles = TeamRoles::parse(roles)?;
        self.take_quota(crate::rate_limit::Quota::Invites, who, 1)?;
        let actor = who.actor();
        let at = now();
        let token = random_hex(32)?;
        let ttl = self.config.invitation_ttl_ms;
        let link = self.config.invitation_link(&token);
        let config_link = link.clone();
        self.store
            .write(move |tx| {
                let (team, _) = team_for(tx, &actor, team_id, Action::ManageTeamMembers)?;
                roles.check_plan(team.plan)?;
                if let Some(user) = tx.user_by_email(&email)? {
                    if tx.member_roles(team_id, user.id)?.is_some() {
                        return Err(Error::conflict("already_member", format!("{email} is already a member of this team.")));
                    }
                    tx.insert_member(team_id, user.id, &roles, at)?;
                    Audit::new(Some(team_id), Some(actor.user_id), at).log(tx, "member.add", "user", user.id.to_string(), serde_json::json!({ "roles": roles.names() }))?;
                    return Ok(AddMember::Added(MemberRecord {
                        team_id,
                        user_id: user.id,
                        email: user.email,
                        name: user.name,
                        roles,
                        joined_at: at,
                    }));
                }
                let role_names = roles.names();
                // Re-inviting resends: the earlier link stops working.
                tx.revoke_open_team_invitations(team_id, &email, at)?;
                let invitation = InvitationRecord {
                    id: InvitationId::generate(),
                    team_id,
                    email: email.clone(),
                    grant: InvitationGrant::Team(roles),
                    invited_by: actor.user_id,
                    created_at: at,
                    expires_at: at + ttl,
                    accepted_at: None,
                    revoked_at: None,
                };
                tx.insert_invitation(&invitation, &token_hash(&token))?;
                tx.insert_outbox(
                    email.as_str(),
                    &format!("You are invited to join {} on Portico", team.name),
                    &format!("You have been invited to join the team {} on Portico.\n\nAccept the invitation: {config_link}\n\nThe link works once and expires in 7 days.", team.name),
                    at,
                )?;
                Audit::new(Some(team_id), Some(actor.user_id), at).log(tx, "member.invite", "invitation", invitation.id.to_string(), serde_json::json!({ "email": email.as_str(), "roles": role_names }))?;
                Ok(AddMember::Invited { invitation, link })
            })
            .await
    }

    pub async fn set_member_roles(
        &self,
        who: &Principal,
        team_id: TeamId,
        user_id: UserId,
        roles: &[String],
    ) -> Result<MemberRecord> {
        let roles = TeamRoles::parse(roles)?;
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let (team, _) = team_for(tx, &actor, team_id, Action::ViewTeam)?;
                let current = tx
                    .member_roles(team_id, user_id)?
                    .ok_or_else(|| Error::not_found("member"))?;
                team_for(tx, &actor, team_id, Action::ManageTeamMembers)?;
                roles.check_plan(team.plan)?;
                if is_admin(&current) && !is_admin(&roles) && tx.count_team_admins(team_id)? <= 1 {
                    return Err(last_admin());
                }
                tx.set_member_roles(team_id, user_id, &roles)?;
                Audit::new(Some(team_id), Some(actor.user_id), at).log(
                    tx,
                    "member.role_change",
                    "user",
                    user_id.to_string(),
                    serde_json::json!({ "from": current.names(), "to": roles.names() }),
                )?;
                tx.member(team_id, user_id)?.ok_or_else(|| Error::not_found("member"))
            })
            .await
    }

    /// Removes a member; members may also remove themselves (leave the team).
    pub async fn remove_member(&self, who: &Principal, team_id: TeamId, user_id: UserId) -> Result<()> {
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                team_for(tx, &actor, team_id, Action::ViewTeam)?;
                let current = tx
                    .member_roles(team_id, user_id)?
                    .ok_or_else(|| Error::not_found("member"))?;
                if user_id != actor.user_id {
                    team_for(tx, &actor, team_id, Action::ManageTeamMembers)?;
                }
                if is_admin(&current) && tx.count_team_admins(team_id)? <= 1 {
                    return Err(last_admin());
                }
                let action = if user_id == actor.user_id {
                    "member.leave"
                } else {
                    "member.remove"
                };
                leave_team(tx, team_id, user_id, actor.user_id, &current, action, at)
            })
            .await
    }

    pub async fn add_domain(&self, who: &Principal, team_id: TeamId, domain: &str) -> Result<Domain> {
        let domain = Domain::parse(domain)?;
        let actor = who.actor();
        let email = who.user.email.clone();
        let at = now();
        self.store
            .write(move |tx| {
                team_for(tx, &actor, team_id, Action::ManageTeamDomains)?;
                policy::authorize_domain_capture(&actor, &email, &domain)?;
                tx.insert_domain(team_id, &domain, at).map_err(|e| match e {
                    StoreError::UniqueViolation(_) => Error::conflict(
                        "domain_already_captured",
                        format!("The domain {domain} is already captured by a team."),
                    ),
                    other => other.into(),
                })?;
                Audit::new(Some(team_id), Some(actor.user_id), at).log(
                    tx,
                    "domain.capture",
                    "domain",
                    domain.to_string(),
                    serde_json::json!({}),
                )?;
                Ok(domain)
            })
            .await
    }

    pub async fn remove_domain(&self, who: &Principal, team_id: TeamId, domain: &str) -> Result<()> {
        let domain = Domain::parse(domain).map_err(|_| Error::not_found("domain"))?;
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                team_for(tx, &actor, team_id, Action::ManageTeamDomains)?;
                if !tx.delete_domain(team_id, &domain)? {
                    return Err(Error::not_found("domain"));
                }
                Audit::new(Some(team_id), Some(actor.user_id), at).log(
                    tx,
                    "domain.release",
                    "domain",
                    domain.to_string(),
                    serde_json::json!({}),
                )
            })
            .await
    }
}
