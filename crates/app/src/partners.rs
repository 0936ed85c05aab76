//! Partners: inviting and removing them (R-INV-3, R-ROLE-2, R-ROLE-4),
//! pending invitations, partner emails and resources (R-INV-5), and the
//! partnerships of a team.

use portico_domain::Error;
use portico_domain::ids::{InvitationId, TeamId, UserId, WorkspaceId};
use portico_domain::policy::{Action, Resource, authorize};
use portico_domain::values::Email;
use portico_domain::workspace::{WorkspaceKind, WorkspaceRole};
use portico_store::{
    InvitationGrant, InvitationRecord, PartnershipRecord, Tx, WorkspaceAccess, WorkspaceMemberRecord, WorkspaceRecord,
};

use crate::audit::Audit;
use crate::crypto::{random_hex, token_hash};
use crate::invitations::admit_partner;
use crate::teams::team_for;
use crate::workspaces::{facts_of, has_seat, notify, workspace_for};
use crate::{App, Principal, Result, now};

/// Most emails one invite request may carry.
pub const MAX_INVITES: usize = 100;

/// The outcome for one invited email (reference API shapes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InviteStatus {
    PartnerAdded,
    EmailSent,
    AlreadyInvited,
    Failed,
}

impl InviteStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            InviteStatus::PartnerAdded => "PARTNER_ADDED",
            InviteStatus::EmailSent => "EMAIL_SENT",
            InviteStatus::AlreadyInvited => "ALREADY_INVITED",
            InviteStatus::Failed => "FAILED",
        }
    }
}

#[derive(Debug, Clone)]
pub struct InviteResult {
    pub email: String,
    pub status: InviteStatus,
    pub user_id: Option<UserId>,
    pub message: Option<String>,
    pub invitation_link: Option<String>,
}

/// What `invite_partner` did for every email.
#[derive(Debug, Clone)]
pub struct InviteOutcome {
    pub role: WorkspaceRole,
    pub lead: bool,
    pub results: Vec<InviteResult>,
}

#[derive(Debug, Clone)]
pub struct RemoveResult {
    pub user_id: String,
    pub removed: bool,
    pub message: Option<String>,
}

/// A partner's reach in one team (R-INV-5).
#[derive(Debug, Clone)]
pub struct PartnerResources {
    pub user: portico_store::UserRecord,
    pub workspaces: Vec<(WorkspaceRecord, WorkspaceRole, bool)>,
}

/// Emails from a list and/or the text of a CSV or TXT file: every field that
/// holds an `@`, in order, without repeats.
pub fn collect_emails(list: &[String], file: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let listed = list.iter().map(|e| e.trim().to_string());
    let from_file = file
        .into_iter()
        .flat_map(|f| f.split(['\n', '\r', ',', ';', '\t']))
        .map(|e| e.trim().trim_matches('"').trim().to_string())
        .filter(|e| e.contains('@'));
    for e in listed.chain(from_file) {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&e)) {
            out.push(e);
        }
    }
    out
}

fn failed(email: &Email, user_id: Option<UserId>, message: &str) -> InviteResult {
    InviteResult {
        email: email.to_string(),
        status: InviteStatus::Failed,
        user_id,
        message: Some(message.to_string()),
        invitation_link: None,
    }
}

impl App {
    /// Invites people into a Partner Workspace as partners (R-INV-3).
    pub async fn invite_partners(
        &self,
        who: &Principal,
        ws_id: WorkspaceId,
        role: &str,
        emails: Vec<String>,
    ) -> Result<InviteOutcome> {
        let (role, lead) = WorkspaceRole::parse_grant(role)?;
        if !role.is_partner() {
            return Err(Error::invalid(
                "invalid_partner_role",
                "Partners are invited with roles 4 to 7.",
            ));
        }
        if emails.is_empty() || emails.len() > MAX_INVITES {
            return Err(Error::invalid(
                "invalid_emails",
                format!("Send between 1 and {MAX_INVITES} emails."),
            ));
        }
        let emails = emails.iter().map(|e| Email::parse(e)).collect::<Result<Vec<_>>>()?;
        self.take_quota(crate::rate_limit::Quota::Invites, who, emails.len() as u32)?;
        if emails.contains(&who.user.email) {
            return Err(Error::invalid("cannot_invite_yourself", "You cannot invite yourself."));
        }
        let mut tokens = Vec::with_capacity(emails.len());
        for _ in &emails {
            tokens.push(random_hex(32)?);
        }
        let actor = who.actor();
        let inviter = who.user.clone();
        let at = now();
        let config = self.config.clone();
        self.store
            .write(move |tx| {
                let access = workspace_for(tx, &actor, ws_id, Action::ViewWorkspace)?;
                let ws = access.workspace.clone();
                if ws.kind != WorkspaceKind::Partner {
                    return Err(Error::invalid("not_a_partner_workspace", "Partners can only be invited to Partner Workspaces."));
                }
                let facts = facts_of(&access);
                // May this caller invite partners at all, with this role?
                authorize(&actor, Action::InvitePartner { as_lead: lead, within_leads_reach: true }, Resource::Workspace(&facts))
                    .map_err(|d| d.into_error("workspace"))?;
                if ws.multi_partner && role == WorkspaceRole::PartnerEditor {
                    return Err(Error::invalid(
                        "partner_editor_not_allowed_in_multi_partner",
                        "In multi-partner mode partners can only be Viewers.",
                    ));
                }
                let audit = Audit::new(Some(ws.team_id), Some(actor.user_id), at);
                let mut results = Vec::new();
                for (email, token) in emails.into_iter().zip(tokens) {
                    let existing = tx.user_by_email(&email)?;
                    let uid = existing.as_ref().map(|u| u.id);
                    if let Some(u) = &existing {
                        if tx.member_roles(ws.team_id, u.id)?.is_some() {
                            results.push(failed(&email, uid, "A member of the publishing team gets a team role, not a partner role."));
                            continue;
                        }
                        if tx.workspace_member(ws.id, u.id)?.is_some_and(|m| m.active) {
                            results.push(InviteResult { email: email.to_string(), status: InviteStatus::AlreadyInvited, user_id: uid, message: None, invitation_link: None });
                            continue;
                        }
                    }
                    if tx.open_partner_invitation(ws.id, &email, at)?.is_some() {
                        results.push(InviteResult { email: email.to_string(), status: InviteStatus::AlreadyInvited, user_id: uid, message: None, invitation_link: None });
                        continue;
                    }
                    let within = within_leads_reach(tx, &access, &inviter.email, &email, uid)?;
                    if authorize(&actor, Action::InvitePartner { as_lead: lead, within_leads_reach: within }, Resource::Workspace(&facts)).is_err() {
                        results.push(failed(&email, uid, "Partner Leads invite only people of their own team."));
                        continue;
                    }
                    // R-INV-3: someone of a team already in partnership is added directly.
                    let partner_team = match &existing {
                        Some(u) => partnered_team_of(tx, ws.team_id, u.id, &access)?,
                        None => None,
                    };
                    if let (Some(u), Some(team)) = (&existing, partner_team) {
                        match admit_partner(tx, &ws, u, &team, (role, lead), &config, at) {
                            Ok(given) => {
                                audit.log(tx, "partner.add", "user", u.id, serde_json::json!({ "workspaceId": ws.id.to_string(), "role": given.0.role_id(given.1) }))?;
                                notify(tx, u.id, "partner_added", &format!("You were added to {} as a partner.", ws.name), serde_json::json!({ "workspaceId": ws.id.to_string() }), at)?;
                                results.push(InviteResult {
                                    email: email.to_string(),
                                    status: InviteStatus::PartnerAdded,
                                    user_id: Some(u.id),
                                    message: (given.0 != role).then(|| "No partner Editor seat was left: added as Viewer.".to_string()),
                                    invitation_link: None,
                                });
                            }
                            Err(e) if e.kind == portico_domain::ErrorKind::Conflict => results.push(failed(&email, uid, &e.message)),
                            Err(e) => return Err(e),
                        }
                        continue;
                    }
                    let mut given = role;
                    let mut message = None;
                    if role == WorkspaceRole::PartnerEditor && !seat_left_for_new(tx, &ws, uid, &config)? {
                        given = WorkspaceRole::PartnerViewer;
                        message = Some("No partner Editor seat is left: invited as Viewer.".to_string());
                    }
                    let invitation = InvitationRecord {
                        id: InvitationId::generate(),
                        team_id: ws.team_id,
                        email: email.clone(),
                        grant: InvitationGrant::Partner { workspace_id: ws.id, role: given, lead },
                        invited_by: actor.user_id,
                        created_at: at,
                        expires_at: at + config.invitation_ttl_ms,
                        accepted_at: None,
                        revoked_at: None,
                    };
                    tx.insert_invitation(&invitation, &token_hash(&token))?;
                    let link = config.invitation_link(&token);
                    tx.insert_outbox(
                        email.as_str(),
                        &format!("{} invites you to the Partner Workspace {}", inviter.name, ws.name),
                        &format!(
                            "{} invited you to collaborate in the Partner Workspace {} on Portico, as {}.\n\nAccept the invitation: {link}\n\nThe link works once and expires in 7 days.",
                            inviter.name,
                            ws.name,
                            given.display_name(lead)
                        ),
                        at,
                    )?;
                    audit.log(tx, "partner.invite", "invitation", invitation.id, serde_json::json!({ "workspaceId": ws.id.to_string(), "email": email.as_str(), "role": given.role_id(lead) }))?;
                    results.push(InviteResult { email: email.to_string(), status: InviteStatus::EmailSent, user_id: uid, message, invitation_link: Some(link) });
                }
                Ok(InviteOutcome { role, lead, results })
            })
            .await
    }

    /// Removes partners from one Partner Workspace, or (with a team id)
    /// from every Partner Workspace of the team.
    pub async fn remove_partners(
        &self,
        who: &Principal,
        target: RemoveTarget,
        user_ids: Vec<String>,
    ) -> Result<Vec<RemoveResult>> {
        if user_ids.is_empty() || user_ids.len() > MAX_INVITES {
            return Err(Error::invalid(
                "invalid_user_ids",
                format!("Send between 1 and {MAX_INVITES} user ids."),
            ));
        }
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let mut results = Vec::new();
                match target {
                    RemoveTarget::Workspace(ws_id) => {
                        let access = workspace_for(tx, &actor, ws_id, Action::ViewWorkspace)?;
                        let facts = facts_of(&access);
                        authorize(
                            &actor,
                            Action::ChangePartnerRole {
                                grants_lead: false,
                                within_leads_reach: true,
                            },
                            Resource::Workspace(&facts),
                        )
                        .map_err(|d| d.into_error("workspace"))?;
                        for raw in user_ids {
                            let member = match UserId::parse(&raw) {
                                Ok(u) => tx.workspace_member(ws_id, u)?.filter(|m| m.role.is_partner()),
                                Err(_) => None,
                            };
                            let Some(m) = member else {
                                results.push(RemoveResult {
                                    user_id: raw,
                                    removed: false,
                                    message: Some("Not a partner of this workspace.".into()),
                                });
                                continue;
                            };
                            let within =
                                access.partner_team_id.is_some() && m.partner_team_id == access.partner_team_id;
                            if authorize(
                                &actor,
                                Action::ChangePartnerRole {
                                    grants_lead: false,
                                    within_leads_reach: within,
                                },
                                Resource::Workspace(&facts),
                            )
                            .is_err()
                            {
                                results.push(RemoveResult {
                                    user_id: raw,
                                    removed: false,
                                    message: Some("Partner Leads remove only people of their own team.".into()),
                                });
                                continue;
                            }
                            remove_partner_from(tx, &access.workspace, &m, actor.user_id, at)?;
                            results.push(RemoveResult {
                                user_id: raw,
                                removed: true,
                                message: None,
                            });
                        }
                    }
                    RemoveTarget::Team(team_id) => {
                        team_for(tx, &actor, team_id, Action::OverseePartners)?;
                        for raw in user_ids {
                            let Ok(u) = UserId::parse(&raw) else {
                                results.push(RemoveResult {
                                    user_id: raw,
                                    removed: false,
                                    message: Some("Not a partner of this team.".into()),
                                });
                                continue;
                            };
                            let spaces = tx.partner_workspaces_of(team_id, u)?;
                            if spaces.is_empty() {
                                results.push(RemoveResult {
                                    user_id: raw,
                                    removed: false,
                                    message: Some("Not a partner of this team.".into()),
                                });
                                continue;
                            }
                            for (ws, _, _) in spaces {
                                if let Some(m) = tx.workspace_member(ws.id, u)? {
                                    remove_partner_from(tx, &ws, &m, actor.user_id, at)?;
                                }
                            }
                            results.push(RemoveResult {
                                user_id: raw,
                                removed: true,
                                message: None,
                            });
                        }
                    }
                }
                Ok(results)
            })
            .await
    }

    /// Open partner invitations of a workspace (its managers only).
    pub async fn pending_invitations(&self, who: &Principal, ws_id: WorkspaceId) -> Result<Vec<InvitationRecord>> {
        let actor = who.actor();
        let at = now();
        self.store
            .read(move |tx| {
                workspace_for(tx, &actor, ws_id, Action::InviteTeamMember)?;
                Ok(tx.open_partner_invitations(ws_id, at)?)
            })
            .await
    }

    /// Revokes an open partner invitation (R-INV-1).
    pub async fn revoke_invitation(&self, who: &Principal, ws_id: WorkspaceId, id: InvitationId) -> Result<()> {
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let access = workspace_for(tx, &actor, ws_id, Action::InviteTeamMember)?;
                if !tx.open_partner_invitations(ws_id, at)?.iter().any(|i| i.id == id)
                    || !tx.revoke_invitation(id, at)?
                {
                    return Err(Error::not_found("invitation"));
                }
                Audit::new(Some(access.workspace.team_id), Some(actor.user_id), at).log(
                    tx,
                    "partner.invite_revoke",
                    "invitation",
                    id,
                    serde_json::json!({ "workspaceId": ws_id.to_string() }),
                )
            })
            .await
    }

    /// Every partner of a workspace with their role (R-INV-5), for team admins
    /// and Partner Managers.
    pub async fn partner_emails(
        &self,
        who: &Principal,
        ws_id: WorkspaceId,
    ) -> Result<(WorkspaceRecord, Vec<(WorkspaceMemberRecord, String)>)> {
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let access = workspace_for(tx, &actor, ws_id, Action::OverseePartners)?;
                let mut rows = Vec::new();
                for m in tx
                    .workspace_members(ws_id)?
                    .into_iter()
                    .filter(|m| m.active && m.role.is_partner())
                {
                    let team = match m.partner_team_id {
                        Some(t) => tx.team_by_id(t)?.map(|t| t.name).unwrap_or_default(),
                        None => String::new(),
                    };
                    rows.push((m, team));
                }
                Audit::new(Some(access.workspace.team_id), Some(actor.user_id), at).log(
                    tx,
                    "partner.emails_export",
                    "workspace",
                    ws_id,
                    serde_json::json!({ "count": rows.len() }),
                )?;
                Ok((access.workspace, rows))
            })
            .await
    }

    /// Every Partner Workspace of a team a partner reaches (R-INV-5).
    pub async fn partner_resources(
        &self,
        who: &Principal,
        team_id: Option<TeamId>,
        user_id: UserId,
    ) -> Result<PartnerResources> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                let team_id = match team_id {
                    Some(t) => t,
                    None => {
                        let teams: Vec<TeamId> = tx
                            .memberships_of(actor.user_id)?
                            .into_iter()
                            .filter(|m| {
                                m.roles.contains(portico_domain::roles::TeamRole::Admin)
                                    || m.roles.contains(portico_domain::roles::TeamRole::PartnerManager)
                                    || m.roles.contains(portico_domain::roles::TeamRole::SuperAdmin)
                            })
                            .map(|m| m.team.id)
                            .collect();
                        match teams.as_slice() {
                            [one] => *one,
                            _ => {
                                return Err(Error::invalid(
                                    "team_required",
                                    "Pass the teamId whose partner this is.",
                                ));
                            }
                        }
                    }
                };
                team_for(tx, &actor, team_id, Action::OverseePartners)?;
                let workspaces = tx.partner_workspaces_of(team_id, user_id)?;
                let user = tx
                    .user_by_id(user_id)?
                    .filter(|_| !workspaces.is_empty())
                    .ok_or_else(|| Error::not_found("partner"))?;
                Ok(PartnerResources { user, workspaces })
            })
            .await
    }

    /// The team's partnerships, as publisher and as partner.
    pub async fn partnerships(&self, who: &Principal, team_id: TeamId) -> Result<Vec<PartnershipRecord>> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                team_for(tx, &actor, team_id, Action::ViewTeam)?;
                Ok(tx.partnerships_of(team_id)?)
            })
            .await
    }
}

/// What `remove_partner` acts on.
#[derive(Debug, Clone, Copy)]
pub enum RemoveTarget {
    Workspace(WorkspaceId),
    Team(TeamId),
}

fn remove_partner_from(
    tx: &mut dyn Tx,
    ws: &WorkspaceRecord,
    m: &WorkspaceMemberRecord,
    actor: UserId,
    at: portico_store::Millis,
) -> Result<()> {
    crate::workspaces::partner_activity(tx, ws.id, actor, "leave", m, at)?;
    tx.delete_workspace_member(ws.id, m.user_id)?;
    Audit::new(Some(ws.team_id), Some(actor), at).log(
        tx,
        "partner.remove",
        "user",
        m.user_id,
        serde_json::json!({ "workspaceId": ws.id.to_string() }),
    )?;
    notify(
        tx,
        m.user_id,
        "partner_removed",
        &format!("You no longer have access to {}.", ws.name),
        serde_json::json!({ "workspaceId": ws.id.to_string() }),
        at,
    )
}

/// R-ROLE-2: whether the invitee is of the inviting Lead's own partner team
/// (or, in multi-partner mode, of their email domain).
fn within_leads_reach(
    tx: &mut dyn Tx,
    access: &WorkspaceAccess,
    inviter: &Email,
    invitee: &Email,
    invitee_id: Option<UserId>,
) -> Result<bool> {
    let Some(own_team) = access.partner_team_id else {
        return Ok(false);
    };
    if access.workspace.multi_partner {
        return Ok(inviter.domain() == invitee.domain());
    }
    if let Some(u) = invitee_id
        && tx.member_roles(own_team, u)?.is_some()
    {
        return Ok(true);
    }
    Ok(tx.team_capturing(&invitee.domain())? == Some(own_team))
}

/// A team of `user` already in partnership with `publisher`, usable in this
/// workspace (outside multi-partner mode, the workspace's partner team).
fn partnered_team_of(
    tx: &mut dyn Tx,
    publisher: TeamId,
    user: UserId,
    access: &WorkspaceAccess,
) -> Result<Option<portico_store::TeamRecord>> {
    let current: Option<TeamId> = tx
        .workspace_members(access.workspace.id)?
        .iter()
        .find_map(|m| m.partner_team_id);
    for m in tx.memberships_of(user)? {
        if m.team.id == publisher || !tx.partnership_exists(publisher, m.team.id)? {
            continue;
        }
        if access.workspace.multi_partner || current.is_none_or(|c| c == m.team.id) {
            return Ok(Some(m.team));
        }
    }
    Ok(None)
}

/// Whether an invitee (maybe without an account yet) could take an Editor seat.
fn seat_left_for_new(
    tx: &mut dyn Tx,
    ws: &WorkspaceRecord,
    user: Option<UserId>,
    config: &crate::AppConfig,
) -> Result<bool> {
    match user {
        Some(u) => has_seat(tx, ws, u, config),
        None => has_seat(tx, ws, UserId::generate(), config),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_inv_3_bulk_emails_come_from_lists_and_csv_or_txt_files() {
        let csv = "email,name\n\"ann@globex.example\",Ann\nbob@globex.example,Bob\r\nANN@globex.example,dup\n";
        let got = collect_emails(&["zed@initech.example".into()], Some(csv));
        assert_eq!(got, ["zed@initech.example", "ann@globex.example", "bob@globex.example"]);
        assert_eq!(
            collect_emails(&[], Some("one@x.example\ntwo@x.example")),
            ["one@x.example", "two@x.example"]
        );
    }
}
