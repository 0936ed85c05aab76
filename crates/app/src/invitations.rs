//! Invitation links: preview and acceptance, for team invitations and
//! partner invitations (R-INV-1, R-INV-2).

use portico_domain::Error;
use portico_domain::ids::TeamId;
use portico_domain::plan::Plan;
use portico_domain::roles::{TeamRole, TeamRoles};
use portico_domain::values::{Email, Label};
use portico_domain::workspace::{WorkspaceKind, WorkspaceRole};
use portico_store::{InvitationGrant, InvitationRecord, Millis, TeamRecord, Tx, UserRecord, WorkspaceRecord};

use crate::audit::Audit;
use crate::crypto::token_hash;
use crate::workspaces::{activity, has_seat, notify};
use crate::{App, Principal, Result, now};

/// What an invitee sees before accepting.
#[derive(Debug, Clone)]
pub struct InvitationPreview {
    pub invitation: InvitationRecord,
    pub team_name: String,
    pub status: InvitationStatus,
    /// The Partner Workspace a partner invitation leads to.
    pub workspace_name: Option<String>,
    /// The team that captured the invitee's email domain: the only team a
    /// partner may accept with (R-INV-2).
    pub forced_team: Option<TeamRecord>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    Open,
    Accepted,
    Revoked,
    Expired,
}

impl InvitationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationStatus::Open => "open",
            InvitationStatus::Accepted => "accepted",
            InvitationStatus::Revoked => "revoked",
            InvitationStatus::Expired => "expired",
        }
    }

    pub fn of(inv: &InvitationRecord, now: Millis) -> Self {
        if inv.accepted_at.is_some() {
            InvitationStatus::Accepted
        } else if inv.revoked_at.is_some() {
            InvitationStatus::Revoked
        } else if inv.expires_at <= now {
            InvitationStatus::Expired
        } else {
            InvitationStatus::Open
        }
    }
}

/// Which team a partner accepts with.
#[derive(Debug, Clone, Default)]
pub struct TeamChoice {
    pub team_id: Option<TeamId>,
    pub new_team_name: Option<String>,
}

/// What accepting gave.
#[derive(Debug, Clone)]
pub struct Accepted {
    /// The team joined (team invitation) or the partner team (partner invitation).
    pub team: TeamRecord,
    pub workspace: Option<WorkspaceRecord>,
    /// The partner role given, which may be lower than the invited one.
    pub role: Option<(WorkspaceRole, bool)>,
}

/// `a***@example.com`: enough to recognise an address without revealing it.
fn mask(email: &Email) -> String {
    let s = email.as_str();
    match s.split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().next().unwrap_or('*')),
        None => "***".into(),
    }
}

impl App {
    /// What an invitation link leads to. Anyone holding the token may look.
    pub async fn invitation_preview(&self, token: &str) -> Result<InvitationPreview> {
        let hash = token_hash(token);
        let at = now();
        self.store
            .read(move |tx| {
                let invitation = tx
                    .invitation_by_token_hash(&hash)?
                    .ok_or_else(|| Error::not_found("invitation"))?;
                let team = tx
                    .team_by_id(invitation.team_id)?
                    .ok_or_else(|| Error::not_found("invitation"))?;
                let workspace_name = match &invitation.grant {
                    InvitationGrant::Partner { workspace_id, .. } => tx
                        .workspace_access(*workspace_id, invitation.invited_by)?
                        .map(|a| a.workspace.name),
                    InvitationGrant::Team(_) => None,
                };
                let forced_team = match &invitation.grant {
                    InvitationGrant::Partner { .. } => match tx.team_capturing(&invitation.email.domain())? {
                        Some(t) => tx.team_by_id(t)?,
                        None => None,
                    },
                    InvitationGrant::Team(_) => None,
                };
                let status = InvitationStatus::of(&invitation, at);
                Ok(InvitationPreview {
                    invitation,
                    team_name: team.name,
                    status,
                    workspace_name,
                    forced_team,
                })
            })
            .await
    }

    /// Accepts an invitation as the signed-in user, whose email must be the
    /// invited one (R-INV-1). A partner names the team they accept with
    /// (R-INV-2).
    pub async fn accept_invitation(&self, who: &Principal, token: &str, choice: TeamChoice) -> Result<Accepted> {
        let hash = token_hash(token);
        let new_team_name = choice
            .new_team_name
            .as_deref()
            .map(|n| Label::parse(n, "team name"))
            .transpose()?;
        let at = now();
        let user = who.user.clone();
        let config = self.config.clone();
        self.store
            .write(move |tx| {
                let inv = tx
                    .invitation_by_token_hash(&hash)?
                    .ok_or_else(|| Error::not_found("invitation"))?;
                match InvitationStatus::of(&inv, at) {
                    InvitationStatus::Open => {}
                    InvitationStatus::Accepted => {
                        return Err(Error::conflict(
                            "invitation_used",
                            "This invitation has already been used.",
                        ));
                    }
                    InvitationStatus::Revoked => {
                        return Err(Error::conflict("invitation_revoked", "This invitation was revoked."));
                    }
                    InvitationStatus::Expired => {
                        return Err(Error::conflict(
                            "invitation_expired",
                            "This invitation has expired. Ask for a new one.",
                        ));
                    }
                }
                if inv.email != user.email {
                    return Err(Error::forbidden(
                        "invitation_email_mismatch",
                        format!(
                            "This invitation was sent to another email address. Sign in as {} to accept it.",
                            mask(&inv.email)
                        ),
                    ));
                }
                if !tx.accept_invitation(inv.id, user.id, at)? {
                    return Err(Error::conflict(
                        "invitation_used",
                        "This invitation has already been used.",
                    ));
                }
                let publisher = tx
                    .team_by_id(inv.team_id)?
                    .ok_or_else(|| Error::not_found("invitation"))?;
                let audit = Audit::new(Some(publisher.id), Some(user.id), at);
                match &inv.grant {
                    InvitationGrant::Team(roles) => {
                        if tx.member_roles(publisher.id, user.id)?.is_some() {
                            return Err(Error::conflict(
                                "already_member",
                                "You are already a member of this team.",
                            ));
                        }
                        tx.insert_member(publisher.id, user.id, roles, at)?;
                        audit.log(
                            tx,
                            "invitation.accept",
                            "invitation",
                            inv.id,
                            serde_json::json!({ "roles": roles.names() }),
                        )?;
                        Ok(Accepted {
                            team: publisher,
                            workspace: None,
                            role: None,
                        })
                    }
                    InvitationGrant::Partner {
                        workspace_id,
                        role,
                        lead,
                    } => {
                        let partner_team = choose_partner_team(
                            tx,
                            &user,
                            &publisher,
                            &choice,
                            new_team_name.as_ref(),
                            config.default_plan,
                            at,
                        )?;
                        let ws = tx
                            .workspace_access(*workspace_id, user.id)?
                            .map(|a| a.workspace)
                            .filter(|w| w.kind == WorkspaceKind::Partner)
                            .ok_or_else(|| {
                                Error::conflict(
                                    "workspace_gone",
                                    "The Partner Workspace of this invitation no longer exists.",
                                )
                            })?;
                        let given = admit_partner(tx, &ws, &user, &partner_team, (*role, *lead), &config, at)?;
                        audit.log(
                            tx,
                            "partner.accept",
                            "invitation",
                            inv.id,
                            serde_json::json!({
                                "workspaceId": ws.id.to_string(),
                                "partnerTeamId": partner_team.id.to_string(),
                                "role": given.0.role_id(given.1),
                            }),
                        )?;
                        notify(
                            tx,
                            inv.invited_by,
                            "partner_joined",
                            &format!("{} joined {} as a partner.", user.name, ws.name),
                            serde_json::json!({ "workspaceId": ws.id.to_string(), "userId": user.id.to_string() }),
                            at,
                        )?;
                        Ok(Accepted {
                            team: partner_team,
                            workspace: Some(ws),
                            role: Some(given),
                        })
                    }
                }
            })
            .await
    }
}

/// R-INV-2: the team a partner accepts with. A captured email domain leaves
/// one choice, joined if needed; otherwise one of the user's teams, or a new
/// team on the default plan.
fn choose_partner_team(
    tx: &mut dyn Tx,
    user: &UserRecord,
    publisher: &TeamRecord,
    choice: &TeamChoice,
    new_team_name: Option<&Label>,
    default_plan: Plan,
    at: Millis,
) -> Result<TeamRecord> {
    if tx.member_roles(publisher.id, user.id)?.is_some() {
        return Err(Error::invalid(
            "cannot_partner_with_own_team",
            "You are a member of the publishing team; partners belong to another team.",
        ));
    }
    if let Some(forced) = tx.team_capturing(&user.email.domain())? {
        if choice.team_id.is_some_and(|t| t != forced) || new_team_name.is_some() {
            return Err(Error::invalid(
                "team_forced_by_domain",
                format!(
                    "Your email domain {} belongs to a team: accept with that team.",
                    user.email.domain()
                ),
            ));
        }
        if forced == publisher.id {
            return Err(Error::invalid(
                "cannot_partner_with_own_team",
                "Your email domain belongs to the publishing team.",
            ));
        }
        if tx.member_roles(forced, user.id)?.is_none() {
            tx.insert_member(forced, user.id, &TeamRoles::single(TeamRole::Developer), at)?;
            Audit::new(Some(forced), Some(user.id), at).log(
                tx,
                "member.join_by_domain",
                "user",
                user.id,
                serde_json::json!({ "domain": user.email.domain().as_str() }),
            )?;
        }
        return tx.team_by_id(forced)?.ok_or_else(Error::internal);
    }
    if let Some(name) = new_team_name {
        if choice.team_id.is_some() {
            return Err(Error::invalid(
                "team_choice_conflict",
                "Choose an existing team or a new team name, not both.",
            ));
        }
        let team = TeamRecord {
            id: TeamId::generate(),
            name: name.as_str().to_string(),
            plan: default_plan,
            created_at: at,
        };
        tx.insert_team(&team)?;
        tx.insert_member(team.id, user.id, &TeamRoles::single(TeamRole::Admin), at)?;
        Audit::new(Some(team.id), Some(user.id), at).log(
            tx,
            "team.create",
            "team",
            team.id,
            serde_json::json!({ "name": team.name, "plan": team.plan.as_str() }),
        )?;
        return Ok(team);
    }
    let team_id = match choice.team_id {
        Some(t) => t,
        None => {
            let teams = tx.memberships_of(user.id)?;
            match teams.as_slice() {
                [one] => one.team.id,
                _ => {
                    return Err(Error::invalid(
                        "team_choice_required",
                        "Choose the team you accept with (teamId), or name a new team (newTeamName).",
                    ));
                }
            }
        }
    };
    if tx.member_roles(team_id, user.id)?.is_none() {
        return Err(Error::invalid(
            "not_a_member_of_team",
            "You can only accept with a team you belong to.",
        ));
    }
    if team_id == publisher.id {
        return Err(Error::invalid(
            "cannot_partner_with_own_team",
            "A team cannot be its own partner.",
        ));
    }
    tx.team_by_id(team_id)?.ok_or_else(Error::internal)
}

/// Gives a partner their role in a Partner Workspace: one partner team per
/// workspace outside multi-partner mode, viewers only inside it (R-MULTI-2),
/// viewer when no Editor seat is left (R-ROLE-4). Creates the partnership.
pub(crate) fn admit_partner(
    tx: &mut dyn Tx,
    ws: &WorkspaceRecord,
    user: &UserRecord,
    partner_team: &TeamRecord,
    (role, lead): (WorkspaceRole, bool),
    config: &crate::AppConfig,
    at: Millis,
) -> Result<(WorkspaceRole, bool)> {
    if !ws.multi_partner {
        let other_team = tx
            .workspace_members(ws.id)?
            .iter()
            .filter_map(|m| m.partner_team_id)
            .any(|t| t != partner_team.id);
        if other_team {
            return Err(Error::conflict(
                "workspace_has_another_partner_team",
                "This Partner Workspace already works with another partner team. Its admins can enable multi-partner mode.",
            ));
        }
    }
    let mut role = role;
    if role == WorkspaceRole::PartnerEditor && (ws.multi_partner || !has_seat(tx, ws, user.id, config)?) {
        role = WorkspaceRole::PartnerViewer;
    }
    tx.set_workspace_member(ws.id, user.id, role, lead, Some(partner_team.id), at)?;
    tx.insert_partnership(ws.team_id, partner_team.id, at)?;
    let access = tx.workspace_access(ws.id, user.id)?.ok_or_else(Error::internal)?;
    activity(
        tx,
        &access,
        user.id,
        "join",
        ("user", user.id.to_string(), user.name.clone()),
        at,
    )?;
    Ok((role, lead))
}
