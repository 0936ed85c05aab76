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
use crate::values::{Domain, Email};
use crate::workspace::{ElementRole, WorkspaceKind, WorkspaceRole};

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
    /// Whether some member of the team holds `partner_manager`.
    pub has_partner_manager: bool,
}

impl TeamFacts {
    fn has(&self, role: TeamRole) -> bool {
        self.actor_roles.as_ref().is_some_and(|r| r.contains(role))
    }

    fn is_member(&self) -> bool {
        self.actor_roles.is_some()
    }

    /// Team admin, or super admin (enterprise).
    pub fn is_team_admin(&self) -> bool {
        self.has(TeamRole::Admin) || self.has(TeamRole::SuperAdmin)
    }

    pub fn is_super_admin(&self) -> bool {
        self.has(TeamRole::SuperAdmin)
    }

    /// Partner Manager, or a team admin where the team has no Partner
    /// Manager (SPEC §3).
    pub fn is_partner_manager(&self) -> bool {
        self.has(TeamRole::PartnerManager) || (!self.has_partner_manager && self.has(TeamRole::Admin))
    }
}

/// What the actor is to a workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceFacts {
    pub kind: WorkspaceKind,
    pub multi_partner: bool,
    /// A Partner Workspace requested on enterprise, waiting for a Partner
    /// Manager (R-PLAN-2); it stays internal until approved.
    pub pending_approval: bool,
    /// The actor and the workspace's team.
    pub team: TeamFacts,
    /// The actor's role in the workspace, if they hold one. A partner's role
    /// counts only while they are still in the team that gave them access
    /// (R-ISO-4): the store leaves it out otherwise.
    pub actor_role: Option<WorkspaceRole>,
    /// The actor holds the Partner Lead flag here.
    pub actor_is_lead: bool,
    /// The actor's role on the element acted upon, when the action concerns
    /// one (a collection); it widens the workspace role for that element.
    pub element_role: Option<ElementRole>,
}

impl WorkspaceFacts {
    /// Partner Workspaces and requests for one are governed by the partner rules.
    fn is_partner_space(&self) -> bool {
        self.kind == WorkspaceKind::Partner || self.pending_approval
    }

    fn is_super_admin(&self) -> bool {
        self.team.is_super_admin() && matches!(self.kind, WorkspaceKind::Team | WorkspaceKind::Partner)
    }

    fn is_partner_manager(&self) -> bool {
        self.is_partner_space() && self.team.is_partner_manager()
    }

    /// The role the actor acts with: their own, or viewer of a team
    /// workspace of their team.
    pub fn effective_role(&self) -> Option<WorkspaceRole> {
        match (self.actor_role, self.kind) {
            (Some(r), _) => Some(r),
            (None, WorkspaceKind::Team) if self.team.is_member() => Some(WorkspaceRole::Viewer),
            _ => None,
        }
    }

    fn is_visible(&self) -> bool {
        self.is_super_admin() || self.is_partner_manager() || self.effective_role().is_some()
    }

    /// Super admin, Partner Manager or workspace admin: the people who run it.
    fn manages(&self) -> bool {
        self.is_super_admin() || self.is_partner_manager() || self.actor_role == Some(WorkspaceRole::Admin)
    }

    fn element_editor(&self) -> bool {
        self.element_role == Some(ElementRole::Editor)
    }

    fn is_partner(&self) -> bool {
        self.actor_role.is_some_and(WorkspaceRole::is_partner)
    }
}

/// Something the actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    // Team actions.
    /// Read a team's name, plan, domains and member list.
    ViewTeam,
    /// Rename the team.
    RenameTeam,
    /// Add, invite, change the roles of, or remove members.
    ManageTeamMembers,
    /// Capture or release email domains.
    ManageTeamDomains,
    /// Read, set or remove the team's OpenID Connect provider and whether
    /// members must use it.
    ManageTeamSignIn,
    /// Change a team's plan: the server operator only.
    SetTeamPlan,
    /// Read the team's audit log (R-SEC-3).
    ReadTeamAuditLog,
    /// Create a workspace in the team.
    CreateWorkspace,
    /// Create a Partner Workspace without approval (R-PLAN-2).
    CreatePartnerWorkspaceDirectly,
    /// Approve or deny Partner Workspace requests; see every PW (R-ROLE-1).
    ApprovePartnerWorkspaces,
    /// Download partner emails, see a partner's resources (R-INV-5).
    OverseePartners,

    // Workspace actions (SPEC §3).
    /// See the workspace and its elements.
    ViewWorkspace,
    /// Change name, summary, type; enable multi-partner mode.
    EditWorkspaceSettings,
    /// Invite a partner. `as_lead`: the invite grants Partner Lead.
    /// `within_leads_reach`: the invitee is of the actor's own partner team
    /// (or, in multi-partner mode, of the actor's email domain).
    InvitePartner {
        as_lead: bool,
        within_leads_reach: bool,
    },
    /// Give team members a role in the workspace, grant the Lead flag.
    InviteTeamMember,
    /// Change or remove a partner's role; `grants_lead`: the new role carries
    /// the Lead flag; `within_leads_reach` as above.
    ChangePartnerRole {
        grants_lead: bool,
        within_leads_reach: bool,
    },
    /// Change or remove a team member's workspace role.
    ChangeTeamMemberRole,
    DeleteWorkspace,
    /// Create and edit collections and environments.
    EditElements,
    ExportElements,
    Fork,
    /// Merge a fork into a collection of this workspace.
    MergeIntoElement,
    /// Give people a role on one element (`PATCH /collections/{id}/roles`).
    ManageElementRoles,
    /// Post, edit, pin and delete workspace updates.
    PostUpdate,
    CommentOnUpdate,
    /// Delete other people's comments on updates (R-UPD-4).
    ModerateComments,
    ViewActivity,
}

/// The object acted upon, with the facts the policy needs.
#[derive(Debug, Clone, Copy)]
pub enum Resource<'a> {
    Team(&'a TeamFacts),
    Workspace(&'a WorkspaceFacts),
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
        Resource::Workspace(ws) => authorize_workspace(action, ws),
    }
}

fn allow(allowed: bool) -> Result<(), Denied> {
    if allowed { Ok(()) } else { Err(Denied::Forbidden) }
}

fn authorize_team(actor: &Actor, action: Action, team: &TeamFacts) -> Result<(), Denied> {
    let visible = team.is_member() || actor.is_server_admin;
    if !visible {
        return Err(Denied::Invisible);
    }
    allow(match action {
        Action::ViewTeam => true,
        Action::RenameTeam | Action::ManageTeamMembers => team.is_team_admin(),
        Action::ManageTeamDomains | Action::ManageTeamSignIn => team.is_team_admin() || actor.is_server_admin,
        Action::SetTeamPlan => actor.is_server_admin,
        Action::ReadTeamAuditLog => team.is_team_admin(),
        // Billing-only members do not build workspaces.
        Action::CreateWorkspace => team
            .actor_roles
            .as_ref()
            .is_some_and(|r| r.iter().any(|r| r != TeamRole::Billing)),
        Action::CreatePartnerWorkspaceDirectly => match team.plan {
            Plan::Enterprise => team.has(TeamRole::PartnerManager) || team.is_super_admin(),
            _ => true,
        },
        Action::ApprovePartnerWorkspaces => team.is_partner_manager() || team.is_super_admin(),
        Action::OverseePartners => team.is_team_admin() || team.is_partner_manager(),
        _ => false,
    })
}

fn authorize_workspace(action: Action, ws: &WorkspaceFacts) -> Result<(), Denied> {
    if !ws.is_visible() {
        return Err(Denied::Invisible);
    }
    let role = ws.effective_role();
    let lead = ws.is_partner() && ws.actor_is_lead;
    allow(match action {
        Action::ViewWorkspace | Action::Fork | Action::ViewActivity | Action::CommentOnUpdate => true,
        Action::EditWorkspaceSettings
        | Action::InviteTeamMember
        | Action::ChangeTeamMemberRole
        | Action::DeleteWorkspace
        | Action::ModerateComments => ws.manages(),
        Action::InvitePartner {
            as_lead,
            within_leads_reach,
        } => ws.manages() || (lead && !as_lead && within_leads_reach),
        Action::ChangePartnerRole {
            grants_lead,
            within_leads_reach,
        } => ws.manages() || (lead && !grants_lead && within_leads_reach),
        Action::EditElements | Action::MergeIntoElement => {
            ws.manages() || role.is_some_and(WorkspaceRole::can_edit) || ws.element_editor()
        }
        Action::ExportElements => {
            ws.manages() || role.is_some_and(|r| r != WorkspaceRole::PartnerViewer) || ws.element_role.is_some()
        }
        Action::ManageElementRoles => ws.manages() || role == Some(WorkspaceRole::Editor),
        Action::PostUpdate => {
            ws.manages()
                || matches!(role, Some(WorkspaceRole::Editor))
                || (role == Some(WorkspaceRole::PartnerEditor) && !ws.multi_partner)
        }
        Action::ApprovePartnerWorkspaces => ws.is_partner_manager() || ws.team.is_super_admin(),
        Action::OverseePartners => ws.team.is_team_admin() || ws.is_partner_manager(),
        _ => false,
    })
}

/// Which domain a team admin may capture for their team (R-INV-2): only the
/// domain of their own email address or one below it, so that nobody claims
/// a domain where they hold no address (a captured domain decides the team
/// its people join as partners, and whom the team's single sign-on may make
/// accounts for); and never a public mail provider's, whose users belong to
/// no one company. The operator captures any domain for any team. Call
/// after `authorize(.., ManageTeamDomains, ..)`.
pub fn authorize_domain_capture(actor: &Actor, actor_email: &Email, domain: &Domain) -> Result<(), Error> {
    if actor.is_server_admin {
        return Ok(());
    }
    let own = actor_email.domain();
    let (own, wanted) = (own.as_str(), domain.as_str());
    if PUBLIC_MAIL_DOMAINS.contains(&wanted) || PUBLIC_MAIL_DOMAINS.contains(&own) {
        return Err(Error::forbidden(
            "domain_public",
            format!("{wanted} is a public mail provider's domain: its people belong to no one team."),
        ));
    }
    let below = wanted.strip_suffix(own).is_some_and(|rest| rest.ends_with('.'));
    if wanted == own || below {
        return Ok(());
    }
    Err(Error::forbidden(
        "domain_not_yours",
        format!(
            "Team admins capture only the domain of their own email address ({own}) or one below it. Ask the server's operator to capture {wanted}."
        ),
    ))
}

/// Domains of public mail providers: a team admin cannot capture them, even
/// with an address there.
const PUBLIC_MAIL_DOMAINS: &[&str] = &[
    "aol.com",
    "fastmail.com",
    "gmail.com",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "googlemail.com",
    "hotmail.com",
    "icloud.com",
    "live.com",
    "mail.com",
    "mail.ru",
    "me.com",
    "msn.com",
    "outlook.com",
    "proton.me",
    "protonmail.com",
    "qq.com",
    "web.de",
    "yahoo.com",
    "yandex.ru",
    "zoho.com",
];

/// Whether a fork of an element of `source` may go into `dest` (R-FORK-1):
/// into a workspace where the actor edits; team members within their team; a
/// partner into the publisher's workspaces, or into their own team when that
/// team is on a paid plan or they are `partner_editor` in the source.
pub fn authorize_fork(actor: &Actor, source: &WorkspaceFacts, dest: &WorkspaceFacts) -> Result<(), Error> {
    authorize(actor, Action::Fork, Resource::Workspace(source)).map_err(|d| d.into_error("collection"))?;
    authorize(actor, Action::EditElements, Resource::Workspace(dest)).map_err(|d| match d {
        Denied::Invisible => Error::not_found("workspace"),
        Denied::Forbidden => Error::forbidden(
            "fork_destination_not_editable",
            "You can fork only into a workspace where you are an editor.",
        ),
    })?;
    let same_team = dest.team.team_id == source.team.team_id;
    if !source.is_partner() {
        return if same_team {
            Ok(())
        } else {
            Err(Error::forbidden(
                "fork_outside_team",
                "Team members fork into workspaces of their own team.",
            ))
        };
    }
    if same_team {
        // A workspace of the publisher where the partner edits.
        return Ok(());
    }
    let own_team = dest.team.is_member() && !dest.is_partner();
    if !own_team {
        return Err(Error::forbidden(
            "fork_destination_not_allowed",
            "Partners fork into a workspace of the publisher where they are editor, or into their own team.",
        ));
    }
    if dest.team.plan.is_paid() || source.actor_role == Some(WorkspaceRole::PartnerEditor) {
        Ok(())
    } else {
        Err(Error::forbidden(
            "fork_requires_paid_plan",
            "Forking into your own team needs a paid plan for your team, or the partner editor role in the source workspace.",
        ))
    }
}

#[cfg(test)]
mod tests;
