//! The policy: one function, [`authorize`], decides every permission in
//! Portico. Callers load the facts about the actor and the object, then ask.
//!
//! A refusal is either [`Denied::Invisible`] (the actor may not even know the
//! object exists: answered exactly like a missing object, R-ISO-3) or
//! [`Denied::Forbidden`] (the actor sees the object but may not do this).

use crate::Error;
use crate::ids::{TeamId, UserId};
use crate::plan::Plan;
use crate::roles::{TeamRole, TeamRoles};

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    /// The operator of this Portico server (the first account).
    pub is_server_admin: bool,
}

/// What the actor is to a team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamFacts {
    pub team_id: TeamId,
    pub plan: Plan,
    /// The actor's roles in that team; `None` when not a member.
    pub actor_roles: Option<TeamRoles>,
}

impl TeamFacts {
    fn has(&self, role: TeamRole) -> bool {
        self.actor_roles.as_ref().is_some_and(|r| r.contains(role))
    }

    fn is_member(&self) -> bool {
        self.actor_roles.is_some()
    }

    /// Team admin, or super admin (enterprise).
    fn is_team_admin(&self) -> bool {
        self.has(TeamRole::Admin) || self.has(TeamRole::SuperAdmin)
    }
}

/// Something the actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read a team's name, plan, domains and member list.
    ViewTeam,
    /// Rename the team.
    RenameTeam,
    /// Add, invite, change the roles of, or remove members.
    ManageTeamMembers,
    /// Capture or release email domains.
    ManageTeamDomains,
    /// Change a team's plan: the server operator only.
    SetTeamPlan,
    /// Read the team's audit log (R-SEC-3).
    ReadTeamAuditLog,
}

/// The object acted upon, with the facts the policy needs.
#[derive(Debug, Clone, Copy)]
pub enum Resource<'a> {
    Team(&'a TeamFacts),
}

/// Why an action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// The object is not visible to the actor: answer as if it did not exist.
    Invisible,
    /// The object is visible, the action is not allowed.
    Forbidden,
}

impl Denied {
    /// The error to answer with; `what` names the object ("team").
    pub fn into_error(self, what: &'static str) -> Error {
        match self {
            Denied::Invisible => Error::not_found(what),
            Denied::Forbidden => Error::forbidden(
                "forbidden",
                format!("Your role does not allow this action on this {what}."),
            ),
        }
    }
}

/// Decides whether `actor` may do `action` on `resource`.
pub fn authorize(actor: &Actor, action: Action, resource: Resource<'_>) -> Result<(), Denied> {
    match resource {
        Resource::Team(team) => authorize_team(actor, action, team),
    }
}

fn authorize_team(actor: &Actor, action: Action, team: &TeamFacts) -> Result<(), Denied> {
    let visible = team.is_member() || actor.is_server_admin;
    if !visible {
        return Err(Denied::Invisible);
    }
    let allowed = match action {
        Action::ViewTeam => true,
        Action::RenameTeam | Action::ManageTeamMembers => team.is_team_admin(),
        Action::ManageTeamDomains => team.is_team_admin() || actor.is_server_admin,
        Action::SetTeamPlan => actor.is_server_admin,
        Action::ReadTeamAuditLog => team.is_team_admin(),
    };
    if allowed { Ok(()) } else { Err(Denied::Forbidden) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(op: bool) -> Actor {
        Actor {
            user_id: UserId::generate(),
            is_server_admin: op,
        }
    }

    fn team(roles: Option<&[&str]>) -> TeamFacts {
        TeamFacts {
            team_id: TeamId::generate(),
            plan: Plan::Professional,
            actor_roles: roles.map(|r| TeamRoles::parse(r).unwrap()),
        }
    }

    /// Expected answers, written from SPEC §1/§4 and not computed by the policy:
    /// (roles or None for an outsider, operator?, action, expected).
    #[test]
    fn team_actions_follow_the_written_table() {
        use Action::*;
        use Denied::*;
        let ok = Ok(());
        type Case = (Option<&'static [&'static str]>, bool, Action, Result<(), Denied>);
        let cases: &[Case] = &[
            (None, false, ViewTeam, Err(Invisible)),
            (None, false, ManageTeamMembers, Err(Invisible)),
            (None, false, SetTeamPlan, Err(Invisible)),
            (None, true, ViewTeam, ok),
            (None, true, SetTeamPlan, ok),
            (None, true, ManageTeamDomains, ok),
            (None, true, ManageTeamMembers, Err(Forbidden)),
            (Some(&["developer"]), false, ViewTeam, ok),
            (Some(&["developer"]), false, ManageTeamMembers, Err(Forbidden)),
            (Some(&["developer"]), false, ManageTeamDomains, Err(Forbidden)),
            (Some(&["developer"]), false, ReadTeamAuditLog, Err(Forbidden)),
            (Some(&["partner_manager"]), false, ReadTeamAuditLog, Err(Forbidden)),
            (Some(&["billing"]), false, RenameTeam, Err(Forbidden)),
            (Some(&["admin"]), false, ManageTeamMembers, ok),
            (Some(&["admin"]), false, ManageTeamDomains, ok),
            (Some(&["admin"]), false, RenameTeam, ok),
            (Some(&["admin"]), false, ReadTeamAuditLog, ok),
            (Some(&["admin"]), false, SetTeamPlan, Err(Forbidden)),
            (Some(&["super_admin"]), false, ReadTeamAuditLog, ok),
            (Some(&["super_admin"]), false, ManageTeamMembers, ok),
        ];
        for (roles, op, action, expected) in cases {
            let t = team(*roles);
            assert_eq!(
                authorize(&actor(*op), *action, Resource::Team(&t)),
                *expected,
                "{roles:?} operator={op} {action:?}"
            );
        }
    }

    #[test]
    fn r_iso_3_an_invisible_team_reads_exactly_like_a_missing_one() {
        assert_eq!(Denied::Invisible.into_error("team"), Error::not_found("team"));
    }
}
