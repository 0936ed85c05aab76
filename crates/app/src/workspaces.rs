//! Workspaces: creation with the plan gates and approval flow (R-PLAN-*),
//! visibility (R-ISO-*), settings, multi-partner mode (R-MULTI-1..2),
//! workspace roles, activity.

use portico_domain::Error;
use portico_domain::ids::{TeamId, UserId, WorkspaceId};
use portico_domain::policy::{Action, Actor, Resource, TeamFacts, WorkspaceFacts, authorize};
use portico_domain::roles::{TeamRole, TeamRoles};
use portico_domain::values::Label;
use portico_domain::workspace::{WorkspaceKind, WorkspaceRole};
use portico_store::{ActivityRecord, Millis, Tx, WorkspaceAccess, WorkspaceMemberRecord, WorkspaceRecord};

use crate::audit::Audit;
use crate::pagination::{decode_after, decode_before_id, encode_after, encode_before_id};
use crate::teams::{Page, team_for};
use crate::{App, Principal, Result, now};

/// Longest workspace summary ("about"), in characters.
pub const MAX_ABOUT: usize = 10_000;

/// The standing of a user in a workspace, as the policy sees it.
pub(crate) fn facts_of(a: &WorkspaceAccess) -> WorkspaceFacts {
    WorkspaceFacts {
        kind: a.workspace.kind,
        multi_partner: a.workspace.multi_partner,
        pending_approval: a.workspace.pending_approval,
        team: TeamFacts {
            team_id: a.workspace.team_id,
            plan: a.team_plan,
            actor_roles: a.team_roles.clone(),
            has_partner_manager: a.team_has_partner_manager,
        },
        actor_role: a.role,
        actor_is_lead: a.lead,
        element_role: None,
    }
}

/// Loads a workspace and checks `action` for `actor`; a workspace the actor
/// may not see reads as missing (R-ISO-3).
pub(crate) fn workspace_for(
    tx: &mut dyn Tx,
    actor: &Actor,
    id: WorkspaceId,
    action: Action,
) -> Result<WorkspaceAccess> {
    workspace_for_element(tx, actor, id, action, "workspace", None)
}

/// The workspace of an element (`what`: "collection", "environment"…),
/// checked for `action` with the actor's role on that element; anything the
/// actor may not see is "not found" under the element's name.
pub(crate) fn workspace_for_element(
    tx: &mut dyn Tx,
    actor: &Actor,
    id: WorkspaceId,
    action: Action,
    what: &'static str,
    element_role: Option<portico_domain::workspace::ElementRole>,
) -> Result<WorkspaceAccess> {
    let access = tx
        .workspace_access(id, actor.user_id)?
        .ok_or_else(|| Error::not_found(what))?;
    let mut facts = facts_of(&access);
    facts.element_role = element_role;
    authorize(actor, action, Resource::Workspace(&facts)).map_err(|d| d.into_error(what))?;
    Ok(access)
}

/// Records an entry of the workspace's activity feed.
pub(crate) fn activity(
    tx: &mut dyn Tx,
    access: &WorkspaceAccess,
    actor: UserId,
    action: &str,
    element: (&str, String, String),
    at: Millis,
) -> Result<()> {
    tx.insert_activity(&ActivityRecord {
        id: 0,
        workspace_id: access.workspace.id,
        actor_id: Some(actor),
        actor_name: None,
        partner_team_id: access.partner_team_id,
        subject_team_id: None,
        action: action.into(),
        element_type: element.0.into(),
        element_id: element.1,
        element_name: element.2,
        created_at: at,
    })?;
    Ok(())
}

/// Records that a partner joined or left the workspace, whoever did it:
/// besides the publisher's people, only partners of that partner's own team
/// read the entry (R-MULTI-3). Call it before the membership goes.
pub(crate) fn partner_activity(
    tx: &mut dyn Tx,
    workspace: WorkspaceId,
    actor: UserId,
    action: &str,
    partner: &WorkspaceMemberRecord,
    at: Millis,
) -> Result<()> {
    let acting = tx.workspace_access(workspace, actor)?.and_then(|a| partner_team_of(&a));
    tx.insert_activity(&ActivityRecord {
        id: 0,
        workspace_id: workspace,
        actor_id: Some(actor),
        actor_name: None,
        partner_team_id: acting,
        subject_team_id: partner.partner_team_id,
        action: action.into(),
        element_type: "user".into(),
        element_id: partner.user_id.to_string(),
        element_name: partner.name.clone(),
        created_at: at,
    })?;
    Ok(())
}

/// The partner team someone acts for in a workspace, when they are a
/// partner there.
fn partner_team_of(access: &WorkspaceAccess) -> Option<TeamId> {
    access
        .partner_team_id
        .filter(|_| access.role.is_some_and(WorkspaceRole::is_partner))
}

/// Notifies a user, and emails them too when they opted into this kind
/// (R-UPD-5). Live readers see it after the transaction commits.
pub(crate) fn notify(
    tx: &mut dyn Tx,
    user: UserId,
    kind: &str,
    message: &str,
    data: serde_json::Value,
    at: Millis,
) -> Result<()> {
    tx.insert_notification(user, kind, message, &data.to_string(), at)?;
    if tx.email_kinds(user)?.iter().any(|k| k == kind)
        && let Some(u) = tx.user_by_id(user)?
    {
        tx.insert_outbox(
            u.email.as_str(),
            &format!("Portico: {message}"),
            &format!("{message}\n\nOpen Portico to see it. You get this email because you asked for it in your notification settings."),
            at,
        )?;
    }
    Ok(())
}
/// R-INV-4: a workspace left without an admin gets its team's Partner
/// Managers as admins (or, without any, its team admins).
pub(crate) fn ensure_workspace_admin(tx: &mut dyn Tx, ws: &WorkspaceRecord, at: Millis) -> Result<()> {
    let members = tx.workspace_members(ws.id)?;
    if members.iter().any(|m| m.active && m.role == WorkspaceRole::Admin) {
        return Ok(());
    }
    let mut heirs = tx.partner_managers(ws.team_id)?;
    if heirs.is_empty() {
        // A team admin counts as Partner Manager where the team has none
        // (SPEC §3), so a workspace is never left without an admin.
        heirs = team_admins(tx, ws.team_id)?;
    }
    for heir in heirs {
        tx.set_workspace_member(ws.id, heir, WorkspaceRole::Admin, false, None, at)?;
    }
    Ok(())
}

/// The members of a team holding `admin` (not `super_admin`).
fn team_admins(tx: &mut dyn Tx, team: TeamId) -> Result<Vec<UserId>> {
    const PAGE: u32 = 500;
    let mut admins = Vec::new();
    let mut after = None;
    loop {
        let page = tx.members(team, after.as_ref(), PAGE)?;
        admins.extend(
            page.iter()
                .filter(|m| m.roles.contains(TeamRole::Admin))
                .map(|m| m.user_id),
        );
        match page.last() {
            Some(m) if page.len() == PAGE as usize => {
                after = Some(portico_store::PageAfter {
                    at: m.joined_at,
                    id: m.user_id.to_string(),
                });
            }
            _ => return Ok(admins),
        }
    }
}

fn parse_about(about: Option<&str>) -> Result<Option<String>> {
    match about {
        Some(a) if a.chars().count() > MAX_ABOUT => Err(Error::invalid(
            "about_too_long",
            format!("The summary may hold at most {MAX_ABOUT} characters."),
        )),
        other => Ok(other.map(str::to_string)),
    }
}

/// A workspace as one caller sees it.
#[derive(Debug, Clone)]
pub struct WorkspaceView {
    pub access: WorkspaceAccess,
    /// A workspace of a team the caller is not a member of (R-ISO-5).
    pub external: bool,
    /// Updates by others since the caller last opened the Updates tab (R-UPD-3).
    pub unread_updates: i64,
}

impl WorkspaceView {
    /// The view for the user the access was read for, with their unread count.
    pub(crate) fn of(access: WorkspaceAccess) -> Self {
        Self {
            external: access.team_roles.is_none(),
            unread_updates: access.unread_updates,
            access,
        }
    }

    /// Whether the viewer may do `action` in this workspace: the policy's
    /// answer, so that pages offer only what the use case will accept.
    pub fn allows(&self, who: &Principal, action: Action) -> bool {
        authorize(&who.actor(), action, Resource::Workspace(&facts_of(&self.access))).is_ok()
    }

    /// Whether updates take comments here: not in multi-partner mode
    /// (R-MULTI-4), so that partners never see one another.
    pub fn comments_open(&self) -> bool {
        !self.access.workspace.multi_partner
    }
}

/// Every workspace `actor` may see.
/// The workspaces a listing covers: the one asked for if the actor sees it
/// (an unknown or hidden one gives none, as in the reference API), or every
/// workspace the actor sees.
pub(crate) fn listed_workspaces(tx: &mut dyn Tx, actor: &Actor, ws: Option<WorkspaceId>) -> Result<Vec<WorkspaceId>> {
    match ws {
        Some(ws) => match workspace_for(tx, actor, ws, Action::ViewWorkspace) {
            Ok(_) => Ok(vec![ws]),
            Err(e) if e.kind == portico_domain::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e),
        },
        None => Ok(visible_workspaces(tx, actor)?
            .into_iter()
            .map(|a| a.workspace.id)
            .collect()),
    }
}

pub(crate) fn visible_workspaces(tx: &mut dyn Tx, actor: &Actor) -> Result<Vec<WorkspaceAccess>> {
    Ok(tx
        .workspace_accesses(actor.user_id)?
        .into_iter()
        .filter(|a| authorize(actor, Action::ViewWorkspace, Resource::Workspace(&facts_of(a))).is_ok())
        .collect())
}

/// Changes asked of `PUT /workspaces/{id}`.
#[derive(Debug, Clone, Default)]
pub struct WorkspaceChanges {
    pub name: Option<String>,
    pub about: Option<String>,
    pub kind: Option<String>,
    pub multi_partner: Option<bool>,
}

/// Filters of the workspace listing.
#[derive(Debug, Clone, Default)]
pub struct WorkspaceFilter {
    pub kind: Option<String>,
    /// Only workspaces of other teams (the "External Workspaces" tab).
    pub external_only: bool,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

/// A member of a workspace as one caller sees it.
#[derive(Debug, Clone)]
pub struct WorkspaceMemberView {
    pub member: WorkspaceMemberRecord,
    /// Shown to the people who manage the workspace only.
    pub show_email: bool,
}

/// A change of `PATCH /workspaces/{id}/roles`.
#[derive(Debug, Clone)]
pub struct RoleChange {
    pub add: bool,
    /// `true` for `/partner`, `false` for `/user`.
    pub partner: bool,
    pub user_id: String,
    pub role: String,
}

/// The people of a workspace a caller may see: everyone, except that a
/// partner sees no partner of another partner team (R-MULTI-3).
pub(crate) fn visible_members(
    access: &WorkspaceAccess,
    members: Vec<WorkspaceMemberRecord>,
) -> Vec<WorkspaceMemberRecord> {
    let viewer_partner_team = access
        .partner_team_id
        .filter(|_| access.role.is_some_and(WorkspaceRole::is_partner));
    members
        .into_iter()
        .filter(|m| m.active)
        .filter(|m| match (viewer_partner_team, m.partner_team_id) {
            (Some(mine), Some(theirs)) => mine == theirs,
            _ => true,
        })
        .collect()
}

/// Whether what `other` made in the workspace (forks, pull requests) is
/// hidden from the viewer of `access`: the viewer is a partner in a
/// multi-partner workspace and `other` is neither of the publishing team nor
/// of the viewer's partner team (R-MULTI-3). Asked of the teams, not of
/// `other`'s role in the workspace, so that a partner of another team stays
/// hidden after leaving the workspace.
pub(crate) fn of_another_partner_team(tx: &mut dyn Tx, access: &WorkspaceAccess, other: UserId) -> Result<bool> {
    if !(access.workspace.multi_partner && access.role.is_some_and(WorkspaceRole::is_partner)) {
        return Ok(false);
    }
    if tx.member_roles(access.workspace.team_id, other)?.is_some() {
        return Ok(false);
    }
    match access.partner_team_id {
        Some(mine) => Ok(tx.member_roles(mine, other)?.is_none()),
        None => Ok(true),
    }
}

impl App {
    /// Creates a workspace; the creator becomes its admin. A Partner
    /// Workspace obeys the plan gates (R-PLAN-1), becomes a request on
    /// enterprise for members who are neither Partner Manager nor super
    /// admin (R-PLAN-2), and makes its creating team admin Partner Manager
    /// when the team has none (R-PLAN-3).
    pub async fn create_workspace(
        &self,
        who: &Principal,
        team_id: Option<TeamId>,
        name: &str,
        kind: &str,
        about: Option<&str>,
    ) -> Result<WorkspaceView> {
        let name = Label::parse(name, "workspace name")?;
        let kind: WorkspaceKind = kind.parse()?;
        let about = parse_about(about)?.unwrap_or_default();
        let actor = who.actor();
        let at = now();
        let config = self.config.clone();
        self.store
            .write(move |tx| {
                let team_id = match team_id {
                    Some(t) => t,
                    None => only_team(tx, actor.user_id)?,
                };
                let (team, facts) = team_for(tx, &actor, team_id, Action::CreateWorkspace)?;
                let audit = Audit::new(Some(team_id), Some(actor.user_id), at);
                let mut record = WorkspaceRecord {
                    id: WorkspaceId::generate(),
                    team_id,
                    name: name.as_str().to_string(),
                    kind,
                    about,
                    multi_partner: false,
                    pending_approval: false,
                    created_by: actor.user_id,
                    updated_by: actor.user_id,
                    created_at: at,
                    updated_at: at,
                };
                if kind == WorkspaceKind::Partner {
                    check_partner_plan(tx, team_id, team.plan, &config)?;
                    let direct =
                        authorize(&actor, Action::CreatePartnerWorkspaceDirectly, Resource::Team(&facts)).is_ok();
                    if !direct {
                        record.kind = WorkspaceKind::Private;
                        record.pending_approval = true;
                    } else if !facts.has_partner_manager && facts.is_team_admin() {
                        let mut roles: Vec<TeamRole> = facts.actor_roles.iter().flat_map(TeamRoles::iter).collect();
                        roles.push(TeamRole::PartnerManager);
                        tx.set_member_roles(team_id, actor.user_id, &TeamRoles::new(roles)?)?;
                        audit.log(
                            tx,
                            "member.role_change",
                            "user",
                            actor.user_id,
                            serde_json::json!({ "added": "partner_manager", "reason": "first_partner_workspace" }),
                        )?;
                    }
                }
                tx.insert_workspace(&record)?;
                tx.set_workspace_member(record.id, actor.user_id, WorkspaceRole::Admin, false, None, at)?;
                if record.pending_approval {
                    audit.log(
                        tx,
                        "workspace.request_partner",
                        "workspace",
                        record.id,
                        serde_json::json!({ "name": record.name }),
                    )?;
                    for pm in tx.partner_managers(team_id)? {
                        notify(
                            tx,
                            pm,
                            "partner_workspace_requested",
                            &format!("A Partner Workspace was requested: {}", record.name),
                            serde_json::json!({ "workspaceId": record.id.to_string() }),
                            at,
                        )?;
                    }
                } else if record.kind == WorkspaceKind::Partner {
                    audit.log(
                        tx,
                        "workspace.create",
                        "workspace",
                        record.id,
                        serde_json::json!({ "name": record.name, "type": "partner" }),
                    )?;
                }
                let access = tx
                    .workspace_access(record.id, actor.user_id)?
                    .ok_or_else(Error::internal)?;
                activity(
                    tx,
                    &access,
                    actor.user_id,
                    "create",
                    ("workspace", record.id.to_string(), record.name.clone()),
                    at,
                )?;
                Ok(WorkspaceView::of(access))
            })
            .await
    }

    /// Every workspace the caller may see, filtered, a page at a time.
    pub async fn list_workspaces(&self, who: &Principal, filter: WorkspaceFilter) -> Result<Page<WorkspaceView>> {
        let kind = filter.kind.as_deref().map(str::parse::<WorkspaceKind>).transpose()?;
        let after = filter.cursor.as_deref().map(decode_after).transpose()?;
        let limit = crate::pagination::page_size(filter.limit) as usize;
        let actor = who.actor();
        self.store
            .read(move |tx| {
                let mut items = Vec::new();
                for a in visible_workspaces(tx, &actor)? {
                    let w = &a.workspace;
                    let after_cursor = after
                        .as_ref()
                        .is_none_or(|p| (w.created_at, w.id.to_string()) > (p.at, p.id.clone()));
                    let wanted = kind.is_none_or(|k| w.kind == k) && (!filter.external_only || a.team_roles.is_none());
                    if after_cursor && wanted {
                        items.push(a);
                    }
                    if items.len() > limit {
                        break;
                    }
                }
                let mut items = items.into_iter().map(WorkspaceView::of).collect::<Vec<_>>();
                let next_cursor = if items.len() > limit {
                    items.truncate(limit);
                    items.last().map(|v| {
                        encode_after(&portico_store::PageAfter {
                            at: v.access.workspace.created_at,
                            id: v.access.workspace.id.to_string(),
                        })
                    })
                } else {
                    None
                };
                Ok(Page { items, next_cursor })
            })
            .await
    }

    pub async fn workspace(&self, who: &Principal, id: WorkspaceId) -> Result<WorkspaceView> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                let access = workspace_for(tx, &actor, id, Action::ViewWorkspace)?;
                Ok(WorkspaceView::of(access))
            })
            .await
    }

    /// Changes name, summary, type (R-PLAN-4) or multi-partner mode (R-MULTI-1..2).
    pub async fn update_workspace(
        &self,
        who: &Principal,
        id: WorkspaceId,
        changes: WorkspaceChanges,
    ) -> Result<WorkspaceView> {
        let name = changes
            .name
            .as_deref()
            .map(|n| Label::parse(n, "workspace name"))
            .transpose()?;
        let about = parse_about(changes.about.as_deref())?;
        let kind = changes.kind.as_deref().map(str::parse::<WorkspaceKind>).transpose()?;
        let actor = who.actor();
        let at = now();
        let config = self.config.clone();
        self.store
            .write(move |tx| {
                let access = workspace_for(tx, &actor, id, Action::EditWorkspaceSettings)?;
                let before = access.workspace.clone();
                let mut ws = before.clone();
                let audit = Audit::new(Some(ws.team_id), Some(actor.user_id), at);
                if let Some(n) = &name {
                    ws.name = n.as_str().to_string();
                }
                if let Some(a) = about {
                    ws.about = a;
                }
                if let Some(k) = kind.filter(|k| *k != before.kind) {
                    change_kind(tx, &actor, &access, &mut ws, k, &config, at)?;
                }
                match changes.multi_partner {
                    Some(true) if !before.multi_partner => {
                        if ws.kind != WorkspaceKind::Partner {
                            return Err(Error::invalid(
                                "not_a_partner_workspace",
                                "Multi-partner mode exists for Partner Workspaces only.",
                            ));
                        }
                        ws.multi_partner = true;
                        enable_multi_partner(tx, &ws, at)?;
                        audit.log(
                            tx,
                            "workspace.multi_partner_enable",
                            "workspace",
                            ws.id,
                            serde_json::json!({}),
                        )?;
                    }
                    Some(false) if before.multi_partner => {
                        return Err(Error::conflict(
                            "multi_partner_irreversible",
                            "Multi-partner mode cannot be turned off once enabled.",
                        ));
                    }
                    _ => {}
                }
                ws.updated_by = actor.user_id;
                ws.updated_at = at;
                tx.update_workspace(&ws)?;
                if ws.name != before.name || ws.about != before.about {
                    activity(
                        tx,
                        &access,
                        actor.user_id,
                        "update",
                        ("workspace", ws.id.to_string(), ws.name.clone()),
                        at,
                    )?;
                }
                let access = tx.workspace_access(id, actor.user_id)?.ok_or_else(Error::internal)?;
                Ok(WorkspaceView::of(access))
            })
            .await
    }

    /// Approves or denies a Partner Workspace request (R-PLAN-2).
    pub async fn decide_workspace_request(
        &self,
        who: &Principal,
        id: WorkspaceId,
        approve: bool,
    ) -> Result<WorkspaceView> {
        let actor = who.actor();
        let at = now();
        let config = self.config.clone();
        self.store
            .write(move |tx| {
                let access = workspace_for(tx, &actor, id, Action::ApprovePartnerWorkspaces)?;
                let mut ws = access.workspace.clone();
                if !ws.pending_approval {
                    return Err(Error::conflict(
                        "not_pending",
                        "This workspace is not waiting for approval.",
                    ));
                }
                if approve {
                    check_partner_plan(tx, ws.team_id, access.team_plan, &config)?;
                    ws.kind = WorkspaceKind::Partner;
                }
                ws.pending_approval = false;
                ws.updated_by = actor.user_id;
                ws.updated_at = at;
                tx.update_workspace(&ws)?;
                let (action, verdict) = if approve {
                    ("workspace.approve", "approved")
                } else {
                    ("workspace.deny", "denied")
                };
                Audit::new(Some(ws.team_id), Some(actor.user_id), at).log(
                    tx,
                    action,
                    "workspace",
                    ws.id,
                    serde_json::json!({ "name": ws.name }),
                )?;
                notify(
                    tx,
                    ws.created_by,
                    "partner_workspace_decision",
                    &format!("Your Partner Workspace request for {} was {verdict}.", ws.name),
                    serde_json::json!({ "workspaceId": ws.id.to_string(), "approved": approve }),
                    at,
                )?;
                let access = tx.workspace_access(id, actor.user_id)?.ok_or_else(Error::internal)?;
                Ok(WorkspaceView::of(access))
            })
            .await
    }

    pub async fn delete_workspace(&self, who: &Principal, id: WorkspaceId) -> Result<()> {
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let access = workspace_for(tx, &actor, id, Action::DeleteWorkspace)?;
                let ws = &access.workspace;
                // Forks elsewhere that read through collections of this
                // workspace keep their trees.
                for c in tx.collections_in(id)? {
                    for fork in tx.layered_on(c.id)? {
                        crate::collections::detach(tx, fork)?;
                    }
                }
                tx.delete_workspace(id)?;
                Audit::new(Some(ws.team_id), Some(actor.user_id), at).log(
                    tx,
                    "workspace.delete",
                    "workspace",
                    id,
                    serde_json::json!({ "name": ws.name, "type": ws.kind.as_str() }),
                )?;
                Ok(())
            })
            .await
    }

    /// The people of a workspace the caller may see (R-ISO-6, R-MULTI-3).
    pub async fn workspace_members(
        &self,
        who: &Principal,
        id: WorkspaceId,
    ) -> Result<(WorkspaceAccess, Vec<WorkspaceMemberView>)> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                let access = workspace_for(tx, &actor, id, Action::ViewWorkspace)?;
                let show_email = authorize(
                    &actor,
                    Action::InviteTeamMember,
                    Resource::Workspace(&facts_of(&access)),
                )
                .is_ok();
                let members = visible_members(&access, tx.workspace_members(id)?)
                    .into_iter()
                    .map(|member| WorkspaceMemberView { member, show_email })
                    .collect();
                Ok((access, members))
            })
            .await
    }

    /// Grants and removes workspace roles, all or nothing.
    pub async fn change_workspace_roles(
        &self,
        who: &Principal,
        id: WorkspaceId,
        changes: Vec<RoleChange>,
    ) -> Result<(WorkspaceAccess, Vec<WorkspaceMemberView>)> {
        if changes.is_empty() || changes.len() > 50 {
            return Err(Error::invalid(
                "invalid_role_changes",
                "Send between 1 and 50 role changes.",
            ));
        }
        let actor = who.actor();
        let at = now();
        let config = self.config.clone();
        self.store
            .write(move |tx| {
                let access = workspace_for(tx, &actor, id, Action::ViewWorkspace)?;
                // Role changes of one workspace queue: each sees the one before.
                tx.lock_workspace(id)?;
                let facts = facts_of(&access);
                let ws = access.workspace.clone();
                let audit = Audit::new(Some(ws.team_id), Some(actor.user_id), at);
                let mut seen = std::collections::HashSet::new();
                for c in &changes {
                    let user = UserId::parse(&c.user_id).map_err(|_| Error::invalid("unknown_user", format!("No member with id {}.", c.user_id)))?;
                    if !seen.insert(user) {
                        return Err(Error::invalid("duplicate_user", "Send one change per person."));
                    }
                    let (role, lead) = WorkspaceRole::parse_grant(&c.role)?;
                    if role.is_partner() != c.partner {
                        return Err(Error::invalid("role_path_mismatch", "Use /user with roles 1-3 and /partner with roles 4-7."));
                    }
                    let current = tx.workspace_member(id, user)?.filter(|m| m.active);
                    if c.partner {
                        let Some(current) = current.filter(|m| m.role.is_partner()) else {
                            return Err(Error::invalid("not_a_partner", "Only partners of this workspace take partner roles; invite new partners instead."));
                        };
                        let within = access.partner_team_id.is_some() && current.partner_team_id == access.partner_team_id;
                        authorize(&actor, Action::ChangePartnerRole { grants_lead: lead, within_leads_reach: within }, Resource::Workspace(&facts))
                            .map_err(|d| d.into_error("workspace"))?;
                        if c.add {
                            if role == WorkspaceRole::PartnerEditor && ws.multi_partner {
                                return Err(editor_in_multi_partner());
                            }
                            if role == WorkspaceRole::PartnerEditor && !has_seat(tx, &ws, user, &config)? {
                                return Err(Error::conflict("no_partner_editor_seats", "No partner Editor seat is left on this plan."));
                            }
                            tx.set_workspace_member(id, user, role, lead, current.partner_team_id, at)?;
                            audit.log(tx, "partner.role_change", "user", user, serde_json::json!({ "workspaceId": id.to_string(), "from": current.role.role_id(current.lead), "to": role.role_id(lead) }))?;
                        } else {
                            partner_activity(tx, id, actor.user_id, "leave", &current, at)?;
                            tx.delete_workspace_member(id, user)?;
                            audit.log(tx, "partner.remove", "user", user, serde_json::json!({ "workspaceId": id.to_string() }))?;
                        }
                    } else {
                        authorize(&actor, Action::ChangeTeamMemberRole, Resource::Workspace(&facts)).map_err(|d| d.into_error("workspace"))?;
                        if tx.member_roles(ws.team_id, user)?.is_none() {
                            return Err(Error::invalid("not_a_team_member", "Only members of the workspace's team take team roles here; invite partners instead."));
                        }
                        if ws.kind == WorkspaceKind::Personal {
                            return Err(Error::invalid("personal_workspace", "Personal workspaces have no other members."));
                        }
                        if c.add {
                            tx.set_workspace_member(id, user, role, false, None, at)?;
                            audit.log(tx, "workspace.role_change", "user", user, serde_json::json!({ "workspaceId": id.to_string(), "to": role.role_id(false) }))?;
                            if current.is_none() {
                                let name = tx.user_by_id(user)?.map(|u| u.name).unwrap_or_default();
                                activity(tx, &access, actor.user_id, "join", ("user", user.to_string(), name), at)?;
                            }
                        } else if let Some(current) = current {
                            tx.delete_workspace_member(id, user)?;
                            audit.log(tx, "workspace.role_remove", "user", user, serde_json::json!({ "workspaceId": id.to_string() }))?;
                            activity(tx, &access, actor.user_id, "leave", ("user", user.to_string(), current.name), at)?;
                        }
                    }
                }
                ensure_workspace_admin(tx, &ws, at)?;
                let access = tx.workspace_access(id, actor.user_id)?.ok_or_else(Error::internal)?;
                let members = visible_members(&access, tx.workspace_members(id)?)
                    .into_iter()
                    .map(|member| WorkspaceMemberView { member, show_email: true })
                    .collect();
                Ok((access, members))
            })
            .await
    }

    /// The workspace's activity feed, newest first; a partner sees nothing of
    /// another partner team (R-MULTI-3).
    pub async fn workspace_activities(
        &self,
        who: &Principal,
        id: WorkspaceId,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Page<ActivityRecord>> {
        let before = cursor.map(decode_before_id).transpose()?;
        let limit = limit.unwrap_or(15).clamp(1, crate::pagination::MAX_PAGE_SIZE);
        let actor = who.actor();
        self.store
            .read(move |tx| {
                let access = workspace_for(tx, &actor, id, Action::ViewActivity)?;
                let mine = partner_team_of(&access);
                let mut items = Vec::new();
                let mut before = before;
                // Filtering may drop rows: read on until the page is full.
                loop {
                    let batch = tx.activities(id, before, limit + 1)?;
                    let exhausted = batch.len() <= limit as usize;
                    before = batch.last().map(|a| a.id);
                    // Neither what another team's partner did nor what
                    // happened to one.
                    items.extend(batch.into_iter().filter(|a| {
                        let theirs = |t: Option<TeamId>| matches!((mine, t), (Some(m), Some(t)) if m != t);
                        !theirs(a.partner_team_id) && !theirs(a.subject_team_id)
                    }));
                    if exhausted || items.len() > limit as usize {
                        break;
                    }
                }
                let next_cursor = if items.len() > limit as usize {
                    items.truncate(limit as usize);
                    items.last().map(|a| encode_before_id(a.id))
                } else {
                    None
                };
                Ok(Page { items, next_cursor })
            })
            .await
    }
}

fn editor_in_multi_partner() -> Error {
    Error::invalid(
        "partner_editor_not_allowed_in_multi_partner",
        "In multi-partner mode partners can only be Viewers.",
    )
}

/// The one team the user belongs to, when they did not say which.
fn only_team(tx: &mut dyn Tx, user: UserId) -> Result<TeamId> {
    let teams = tx.memberships_of(user)?;
    match teams.as_slice() {
        [one] => Ok(one.team.id),
        [] => Err(Error::invalid("team_required", "Create or join a team first.")),
        _ => Err(Error::invalid(
            "team_required",
            "You belong to several teams: pass teamId.",
        )),
    }
}

/// R-PLAN-1: the plan must offer Partner Workspaces, and have room for one more.
fn check_partner_plan(
    tx: &mut dyn Tx,
    team: TeamId,
    plan: portico_domain::plan::Plan,
    config: &crate::AppConfig,
) -> Result<()> {
    if !plan.has_partner_workspaces() {
        return Err(Error::forbidden(
            "plan_without_partner_workspaces",
            format!("Partner Workspaces need the professional or enterprise plan; this team is on {plan}."),
        ));
    }
    if let Some(max) = config.limits(plan).max_partner_workspaces
        && tx.count_partner_workspaces(team)? >= i64::from(max)
    {
        return Err(Error::forbidden(
            "partner_workspace_limit_reached",
            format!("The {plan} plan allows {max} Partner Workspaces."),
        ));
    }
    Ok(())
}

/// Whether `user` holds, or can be given, a partner Editor seat (R-ROLE-4).
pub(crate) fn has_seat(tx: &mut dyn Tx, ws: &WorkspaceRecord, user: UserId, config: &crate::AppConfig) -> Result<bool> {
    let plan = tx.team_by_id(ws.team_id)?.map(|t| t.plan).ok_or_else(Error::internal)?;
    let Some(max) = config.limits(plan).max_partner_editor_seats else {
        return Ok(true);
    };
    let seats = tx.partner_editor_seats(ws.team_id)?;
    Ok(seats.contains(&user) || seats.len() < max as usize)
}

fn change_kind(
    tx: &mut dyn Tx,
    actor: &Actor,
    access: &WorkspaceAccess,
    ws: &mut WorkspaceRecord,
    to: WorkspaceKind,
    config: &crate::AppConfig,
    at: Millis,
) -> Result<()> {
    let audit = Audit::new(Some(ws.team_id), Some(actor.user_id), at);
    if to == WorkspaceKind::Partner {
        // R-PLAN-4: same gates and approval rule as creating one.
        if ws.pending_approval {
            return Err(Error::conflict(
                "already_pending",
                "This workspace already waits for approval.",
            ));
        }
        check_partner_plan(tx, ws.team_id, access.team_plan, config)?;
        let facts = facts_of(access);
        if authorize(
            actor,
            Action::CreatePartnerWorkspaceDirectly,
            Resource::Team(&facts.team),
        )
        .is_ok()
        {
            ws.kind = WorkspaceKind::Partner;
            audit.log(
                tx,
                "workspace.convert",
                "workspace",
                ws.id,
                serde_json::json!({ "from": access.workspace.kind.as_str(), "to": "partner" }),
            )?;
        } else {
            ws.pending_approval = true;
            audit.log(
                tx,
                "workspace.request_partner",
                "workspace",
                ws.id,
                serde_json::json!({ "from": access.workspace.kind.as_str() }),
            )?;
            for pm in tx.partner_managers(ws.team_id)? {
                notify(
                    tx,
                    pm,
                    "partner_workspace_requested",
                    &format!("A conversion to a Partner Workspace was requested: {}", ws.name),
                    serde_json::json!({ "workspaceId": ws.id.to_string() }),
                    at,
                )?;
            }
        }
        for m in tx
            .workspace_members(ws.id)?
            .into_iter()
            .filter(|m| m.active && m.user_id != actor.user_id)
        {
            let what = if ws.pending_approval {
                "is proposed for conversion"
            } else {
                "was converted"
            };
            notify(
                tx,
                m.user_id,
                "workspace_converted",
                &format!("{} {what} to a Partner Workspace.", ws.name),
                serde_json::json!({ "workspaceId": ws.id.to_string() }),
                at,
            )?;
        }
        return Ok(());
    }
    if ws.kind == WorkspaceKind::Partner && tx.workspace_members(ws.id)?.iter().any(|m| m.role.is_partner()) {
        return Err(Error::conflict(
            "workspace_has_partners",
            "Remove every partner before making this workspace internal.",
        ));
    }
    if ws.kind == WorkspaceKind::Partner {
        audit.log(
            tx,
            "workspace.convert",
            "workspace",
            ws.id,
            serde_json::json!({ "from": "partner", "to": to.as_str() }),
        )?;
    }
    ws.kind = to;
    ws.pending_approval = false;
    Ok(())
}

/// R-MULTI-2: partner editors become viewers (keeping a Lead flag), and are told.
fn enable_multi_partner(tx: &mut dyn Tx, ws: &WorkspaceRecord, at: Millis) -> Result<()> {
    for m in tx.workspace_members(ws.id)? {
        if m.role == WorkspaceRole::PartnerEditor {
            tx.set_workspace_member(
                ws.id,
                m.user_id,
                WorkspaceRole::PartnerViewer,
                m.lead,
                m.partner_team_id,
                at,
            )?;
            notify(
                tx,
                m.user_id,
                "partner_role_downgraded",
                &format!("{} is now a multi-partner workspace: your role is Viewer.", ws.name),
                serde_json::json!({ "workspaceId": ws.id.to_string(), "role": WorkspaceRole::PartnerViewer.role_id(m.lead) }),
                at,
            )?;
        }
    }
    Ok(())
}
