//! A team's partnerships seen from each side, for the team's Partnerships
//! page: as publisher, the partner teams in its Partner Workspaces with
//! their partners and what each reaches (R-INV-5); as partner, the
//! publisher teams whose Partner Workspaces members of this team are
//! partners in.

use std::collections::BTreeMap;

use portico_domain::ids::{TeamId, UserId};
use portico_domain::policy::{Action, Resource, authorize};
use portico_domain::values::Email;
use portico_domain::workspace::{WorkspaceKind, WorkspaceRole};
use portico_store::{Millis, TeamRecord, WorkspaceRecord};

use crate::teams::team_for;
use crate::workspaces::visible_workspaces;
use crate::{App, Principal, Result};

/// A partner team of the publisher.
#[derive(Debug, Clone)]
pub struct PartnerTeam {
    pub team: TeamRecord,
    /// When the first person of that team accepted an invite.
    pub since: Millis,
    /// Its partners and the Partner Workspaces each reaches; `None` for
    /// members who may not oversee partners (only team admins and Partner
    /// Managers see them, R-INV-5).
    pub partners: Option<Vec<PartnerReach>>,
}

/// One partner and the publisher's Partner Workspaces they hold a role in.
#[derive(Debug, Clone)]
pub struct PartnerReach {
    pub user_id: UserId,
    pub name: String,
    pub email: Email,
    /// Workspace, partner role and Partner Lead flag.
    pub workspaces: Vec<(WorkspaceRecord, WorkspaceRole, bool)>,
}

/// A publisher team this team is a partner of.
#[derive(Debug, Clone)]
pub struct PublisherTeam {
    pub team: TeamRecord,
    pub since: Millis,
    /// The publisher's Partner Workspaces the caller reaches through this
    /// team; the others stay hidden (R-ISO-2).
    pub workspaces: Vec<WorkspaceRecord>,
}

impl App {
    /// The partner teams of `team_id`'s Partner Workspaces. Every member sees
    /// which teams they are; team admins and Partner Managers also see each
    /// partner and the workspaces they reach.
    pub async fn partners_of_publisher(&self, who: &Principal, team_id: TeamId) -> Result<Vec<PartnerTeam>> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                let (_, facts) = team_for(tx, &actor, team_id, Action::ViewTeam)?;
                let oversee = authorize(&actor, Action::OverseePartners, Resource::Team(&facts)).is_ok();
                let mut out: Vec<PartnerTeam> = tx
                    .partnerships_of(team_id)?
                    .into_iter()
                    .filter(|p| p.publisher.id == team_id)
                    .map(|p| PartnerTeam {
                        team: p.partner,
                        since: p.created_at,
                        partners: oversee.then(Vec::new),
                    })
                    .collect();
                if !oversee {
                    return Ok(out);
                }
                // Partners per partner team, from the team's Partner Workspaces.
                let mut reach: BTreeMap<(TeamId, UserId), PartnerReach> = BTreeMap::new();
                let spaces = tx
                    .workspace_accesses(actor.user_id)?
                    .into_iter()
                    .map(|a| a.workspace)
                    .filter(|w| w.team_id == team_id && w.kind == WorkspaceKind::Partner);
                for ws in spaces {
                    for m in tx.workspace_members(ws.id)? {
                        let Some(partner_team) = m.partner_team_id.filter(|_| m.active && m.role.is_partner()) else {
                            continue;
                        };
                        reach
                            .entry((partner_team, m.user_id))
                            .or_insert_with(|| PartnerReach {
                                user_id: m.user_id,
                                name: m.name.clone(),
                                email: m.email.clone(),
                                workspaces: Vec::new(),
                            })
                            .workspaces
                            .push((ws.clone(), m.role, m.lead));
                    }
                }
                for ((partner_team, _), r) in reach {
                    if let Some(list) = out
                        .iter_mut()
                        .find(|p| p.team.id == partner_team)
                        .and_then(|p| p.partners.as_mut())
                    {
                        list.push(r);
                    }
                }
                for p in &mut out {
                    if let Some(list) = p.partners.as_mut() {
                        list.sort_by_key(|r| r.name.to_lowercase());
                    }
                }
                Ok(out)
            })
            .await
    }

    /// The publisher teams `team_id` is a partner of, each with the Partner
    /// Workspaces the caller reaches there through this team.
    pub async fn publishers_of_partner(&self, who: &Principal, team_id: TeamId) -> Result<Vec<PublisherTeam>> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                team_for(tx, &actor, team_id, Action::ViewTeam)?;
                let visible = visible_workspaces(tx, &actor)?;
                Ok(tx
                    .partnerships_of(team_id)?
                    .into_iter()
                    .filter(|p| p.partner.id == team_id)
                    .map(|p| PublisherTeam {
                        workspaces: visible
                            .iter()
                            .filter(|a| a.workspace.team_id == p.publisher.id && a.partner_team_id == Some(team_id))
                            .map(|a| a.workspace.clone())
                            .collect(),
                        team: p.publisher,
                        since: p.created_at,
                    })
                    .collect())
            })
            .await
    }
}
