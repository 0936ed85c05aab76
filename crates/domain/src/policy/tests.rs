use super::*;

fn actor(op: bool) -> Actor {
    Actor {
        user_id: UserId::generate(),
        is_server_admin: op,
    }
}

fn roles(r: &[&str]) -> TeamRoles {
    TeamRoles::parse(r).unwrap()
}

fn team(r: Option<&[&str]>, has_pm: bool) -> TeamFacts {
    TeamFacts {
        team_id: TeamId::generate(),
        plan: Plan::Enterprise,
        actor_roles: r.map(roles),
        has_partner_manager: has_pm,
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
        (None, true, ManageTeamSignIn, ok),
        (None, true, ManageTeamMembers, Err(Forbidden)),
        (Some(&["developer"]), false, ViewTeam, ok),
        (Some(&["developer"]), false, ManageTeamMembers, Err(Forbidden)),
        (Some(&["developer"]), false, ManageTeamDomains, Err(Forbidden)),
        (Some(&["developer"]), false, ManageTeamSignIn, Err(Forbidden)),
        (Some(&["developer"]), false, ReadTeamAuditLog, Err(Forbidden)),
        (Some(&["developer"]), false, CreateWorkspace, ok),
        (Some(&["billing"]), false, CreateWorkspace, Err(Forbidden)),
        (Some(&["partner_manager"]), false, ReadTeamAuditLog, Err(Forbidden)),
        (Some(&["billing"]), false, RenameTeam, Err(Forbidden)),
        (Some(&["admin"]), false, ManageTeamMembers, ok),
        (Some(&["admin"]), false, ManageTeamDomains, ok),
        (Some(&["admin"]), false, ManageTeamSignIn, ok),
        (Some(&["admin"]), false, RenameTeam, ok),
        (Some(&["admin"]), false, ReadTeamAuditLog, ok),
        (Some(&["admin"]), false, SetTeamPlan, Err(Forbidden)),
        (Some(&["super_admin"]), false, ReadTeamAuditLog, ok),
        (Some(&["super_admin"]), false, ManageTeamMembers, ok),
        // R-PLAN-2: on enterprise only PMs and super admins create PWs directly.
        (
            Some(&["developer"]),
            false,
            CreatePartnerWorkspaceDirectly,
            Err(Forbidden),
        ),
        (Some(&["admin"]), false, CreatePartnerWorkspaceDirectly, Err(Forbidden)),
        (Some(&["partner_manager"]), false, CreatePartnerWorkspaceDirectly, ok),
        (Some(&["super_admin"]), false, CreatePartnerWorkspaceDirectly, ok),
        (Some(&["partner_manager"]), false, ApprovePartnerWorkspaces, ok),
        (Some(&["developer"]), false, ApprovePartnerWorkspaces, Err(Forbidden)),
        (Some(&["admin"]), false, OverseePartners, ok),
        (Some(&["developer"]), false, OverseePartners, Err(Forbidden)),
    ];
    for (r, op, action, expected) in cases {
        let t = team(*r, true);
        assert_eq!(
            authorize(&actor(*op), *action, Resource::Team(&t)),
            *expected,
            "{r:?} operator={op} {action:?}"
        );
    }
}

#[test]
fn r_plan_2_professional_members_create_partner_workspaces_directly() {
    let mut t = team(Some(&["developer"]), false);
    t.plan = Plan::Professional;
    assert_eq!(
        authorize(
            &actor(false),
            Action::CreatePartnerWorkspaceDirectly,
            Resource::Team(&t)
        ),
        Ok(())
    );
}

#[test]
fn r_iso_3_an_invisible_team_reads_exactly_like_a_missing_one() {
    assert_eq!(Denied::Invisible.into_error("team"), Error::not_found("team"));
}

/// One column of the matrix: how that principal stands to the workspace.
fn principal(column: &str, lead: bool, multi: bool) -> WorkspaceFacts {
    let (team_roles, role): (Option<&[&str]>, Option<WorkspaceRole>) = match column {
        "SA" => (Some(&["super_admin"]), None),
        "PM" => (Some(&["partner_manager"]), None),
        "AD" => (Some(&["developer"]), Some(WorkspaceRole::Admin)),
        "ED" => (Some(&["developer"]), Some(WorkspaceRole::Editor)),
        "VW" => (Some(&["developer"]), Some(WorkspaceRole::Viewer)),
        "PE" => (None, Some(WorkspaceRole::PartnerEditor)),
        "PV" => (None, Some(WorkspaceRole::PartnerViewer)),
        other => panic!("unknown column {other}"),
    };
    WorkspaceFacts {
        kind: WorkspaceKind::Partner,
        multi_partner: multi,
        pending_approval: false,
        team: team(team_roles, true),
        actor_role: role,
        actor_is_lead: lead,
        element_role: None,
    }
}

fn action_named(name: &str, as_lead: bool, within: bool) -> Action {
    match name {
        "view" => Action::ViewWorkspace,
        "edit_settings" => Action::EditWorkspaceSettings,
        "approve_requests" => Action::ApprovePartnerWorkspaces,
        "invite_partner" => Action::InvitePartner {
            as_lead,
            within_leads_reach: within,
        },
        "invite_team_member" => Action::InviteTeamMember,
        "change_partner_role" => Action::ChangePartnerRole {
            grants_lead: as_lead,
            within_leads_reach: within,
        },
        "delete" => Action::DeleteWorkspace,
        "edit_elements" => Action::EditElements,
        "export" => Action::ExportElements,
        "fork" => Action::Fork,
        "merge" => Action::MergeIntoElement,
        "manage_element_roles" => Action::ManageElementRoles,
        "post_update" => Action::PostUpdate,
        "comment" => Action::CommentOnUpdate,
        "read_team_audit_log" => Action::ReadTeamAuditLog,
        other => panic!("unknown action {other}"),
    }
}

/// Walks every cell of `matrix.txt`: every principal, with and without the
/// Lead flag for partners, in single- and multi-partner mode, with every
/// shape of invite (as Lead or not, within the Lead's reach or not).
#[test]
fn the_role_matrix_of_spec_3_holds_cell_by_cell() {
    let columns = ["SA", "PM", "AD", "ED", "VW", "PE", "PV"];
    let mut checked = 0;
    for line in include_str!("matrix.txt").lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cells.len(), 8, "bad matrix line: {line}");
        let name = cells[0];
        for (col, cell) in columns.iter().zip(&cells[1..]) {
            let partner = col.starts_with('P') && *col != "PM";
            for lead in if partner { vec![false, true] } else { vec![false] } {
                for multi in [false, true] {
                    for as_lead in [false, true] {
                        for within in [false, true] {
                            let facts = principal(col, lead, multi);
                            let action = action_named(name, as_lead, within);
                            let expected = match *cell {
                                "Y" => true,
                                "N" => false,
                                "L" => lead && !as_lead && within,
                                "S" => !multi,
                                other => panic!("unknown cell {other}"),
                            };
                            let got = if name == "read_team_audit_log" {
                                authorize(&actor(false), action, Resource::Team(&facts.team))
                            } else {
                                authorize(&actor(false), action, Resource::Workspace(&facts))
                            };
                            let got = match got {
                                Ok(()) => true,
                                Err(Denied::Forbidden) => false,
                                Err(Denied::Invisible) if name == "read_team_audit_log" && partner => false,
                                Err(Denied::Invisible) => panic!("{col} cannot see the workspace ({name})"),
                            };
                            assert_eq!(
                                got, expected,
                                "{name} by {col} lead={lead} multi={multi} as_lead={as_lead} within={within}"
                            );
                            checked += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 500, "only {checked} cells checked");
}

fn ws(kind: WorkspaceKind, team_roles: Option<&[&str]>, role: Option<WorkspaceRole>) -> WorkspaceFacts {
    WorkspaceFacts {
        kind,
        multi_partner: false,
        pending_approval: false,
        team: team(team_roles, true),
        actor_role: role,
        actor_is_lead: false,
        element_role: None,
    }
}

#[test]
fn r_iso_1_a_partner_workspace_is_hidden_from_uninvited_team_members() {
    let a = actor(false);
    let dev = ws(WorkspaceKind::Partner, Some(&["developer"]), None);
    assert_eq!(
        authorize(&a, Action::ViewWorkspace, Resource::Workspace(&dev)),
        Err(Denied::Invisible)
    );
    let admin_with_pm = ws(WorkspaceKind::Partner, Some(&["admin"]), None);
    assert_eq!(
        authorize(&a, Action::ViewWorkspace, Resource::Workspace(&admin_with_pm)),
        Err(Denied::Invisible)
    );
    // A team admin counts as Partner Manager where the team has none.
    let mut admin_no_pm = admin_with_pm.clone();
    admin_no_pm.team.has_partner_manager = false;
    assert_eq!(
        authorize(&a, Action::ViewWorkspace, Resource::Workspace(&admin_no_pm)),
        Ok(())
    );
    // The operator of the server sees no tenant data.
    let outsider = ws(WorkspaceKind::Partner, None, None);
    assert_eq!(
        authorize(&actor(true), Action::ViewWorkspace, Resource::Workspace(&outsider)),
        Err(Denied::Invisible)
    );
}

#[test]
fn r_iso_2_internal_workspaces_follow_their_type() {
    let a = actor(false);
    let member = Some(&["developer"][..]);
    let team_ws = ws(WorkspaceKind::Team, member, None);
    assert_eq!(
        authorize(&a, Action::ViewWorkspace, Resource::Workspace(&team_ws)),
        Ok(())
    );
    assert_eq!(
        authorize(&a, Action::EditElements, Resource::Workspace(&team_ws)),
        Err(Denied::Forbidden)
    );
    for kind in [WorkspaceKind::Private, WorkspaceKind::Personal] {
        let hidden = ws(kind, Some(&["super_admin", "partner_manager"]), None);
        assert_eq!(
            authorize(&a, Action::ViewWorkspace, Resource::Workspace(&hidden)),
            Err(Denied::Invisible),
            "{kind}"
        );
    }
    // A partner role never reaches an internal workspace through the team.
    let partner_outsider = ws(WorkspaceKind::Team, None, None);
    assert_eq!(
        authorize(&a, Action::ViewWorkspace, Resource::Workspace(&partner_outsider)),
        Err(Denied::Invisible)
    );
}

#[test]
fn r_plan_2_a_pending_request_is_seen_by_its_creator_and_partner_managers() {
    let a = actor(false);
    let mut pending = ws(WorkspaceKind::Private, Some(&["developer"]), Some(WorkspaceRole::Admin));
    pending.pending_approval = true;
    assert_eq!(
        authorize(&a, Action::ViewWorkspace, Resource::Workspace(&pending)),
        Ok(())
    );
    assert_eq!(
        authorize(&a, Action::ApprovePartnerWorkspaces, Resource::Workspace(&pending)),
        Err(Denied::Forbidden)
    );
    let mut pm = ws(WorkspaceKind::Private, Some(&["partner_manager"]), None);
    pm.pending_approval = true;
    assert_eq!(
        authorize(&a, Action::ApprovePartnerWorkspaces, Resource::Workspace(&pm)),
        Ok(())
    );
    let mut dev = ws(WorkspaceKind::Private, Some(&["developer"]), None);
    dev.pending_approval = true;
    assert_eq!(
        authorize(&a, Action::ViewWorkspace, Resource::Workspace(&dev)),
        Err(Denied::Invisible)
    );
}

#[test]
fn r_upd_4_workspace_admins_moderate_comments_and_nobody_else() {
    for (col, expected) in [
        ("SA", true),
        ("PM", true),
        ("AD", true),
        ("ED", false),
        ("VW", false),
        ("PE", false),
        ("PV", false),
    ] {
        let facts = principal(col, true, false);
        let got = authorize(&actor(false), Action::ModerateComments, Resource::Workspace(&facts)).is_ok();
        assert_eq!(got, expected, "{col}");
    }
}

#[test]
fn element_roles_widen_a_workspace_role_for_one_element_only() {
    let a = actor(false);
    let mut pv = ws(WorkspaceKind::Partner, None, Some(WorkspaceRole::PartnerViewer));
    let edit = |f: &WorkspaceFacts| authorize(&a, Action::EditElements, Resource::Workspace(f));
    let export = |f: &WorkspaceFacts| authorize(&a, Action::ExportElements, Resource::Workspace(f));
    assert_eq!(edit(&pv), Err(Denied::Forbidden));
    assert_eq!(export(&pv), Err(Denied::Forbidden));
    pv.element_role = Some(ElementRole::Viewer);
    assert_eq!(edit(&pv), Err(Denied::Forbidden));
    assert_eq!(export(&pv), Ok(()), "an element viewer may export it");
    pv.element_role = Some(ElementRole::Editor);
    assert_eq!(edit(&pv), Ok(()));
    assert_eq!(
        authorize(&a, Action::ManageElementRoles, Resource::Workspace(&pv)),
        Err(Denied::Forbidden),
        "partners do not hand out element roles"
    );
    // An element role never makes a workspace visible.
    let mut outsider = ws(WorkspaceKind::Private, Some(&["developer"]), None);
    outsider.element_role = Some(ElementRole::Editor);
    assert_eq!(edit(&outsider), Err(Denied::Invisible));
}

/// R-FORK-1, destination by destination, written from SPEC: which
/// workspaces a fork may go into, and with which refusal.
#[test]
fn r_fork_1_fork_destinations_follow_the_written_rules() {
    use WorkspaceRole::*;
    let a = actor(false);
    // The publisher's Partner Workspace where the actor is a partner.
    let source = |role| ws(WorkspaceKind::Partner, None, Some(role));
    let publisher_pw = |src: &WorkspaceFacts, role| {
        let mut d = ws(WorkspaceKind::Partner, None, Some(role));
        d.team = src.team.clone();
        d
    };
    // A workspace of the partner's own team, where they edit.
    let own = |plan: Plan| {
        let mut d = ws(WorkspaceKind::Team, Some(&["developer"]), Some(Editor));
        d.team.plan = plan;
        d
    };
    let code = |r: Result<(), Error>| r.err().map(|e| e.code);

    let viewer = source(PartnerViewer);
    let editor = source(PartnerEditor);
    assert_eq!(
        code(authorize_fork(&a, &editor, &own(Plan::Free))),
        None,
        "a partner editor, any plan"
    );
    assert_eq!(
        code(authorize_fork(&a, &viewer, &own(Plan::Basic))),
        None,
        "a partner viewer, paid team"
    );
    assert_eq!(
        code(authorize_fork(&a, &viewer, &own(Plan::Free))),
        Some("fork_requires_paid_plan"),
        "a partner viewer, free team"
    );
    assert_eq!(
        code(authorize_fork(&a, &viewer, &publisher_pw(&viewer, PartnerEditor))),
        None,
        "another PW of the publisher where they edit"
    );
    assert_eq!(
        code(authorize_fork(&a, &viewer, &publisher_pw(&viewer, PartnerViewer))),
        Some("fork_destination_not_editable"),
        "another PW of the publisher where they only view"
    );
    // A third team's Partner Workspace where they happen to edit.
    let elsewhere = ws(WorkspaceKind::Partner, None, Some(PartnerEditor));
    assert_eq!(
        code(authorize_fork(&a, &editor, &elsewhere)),
        Some("fork_destination_not_allowed"),
        "a third team's workspace"
    );
    // Team members fork within their team only.
    let internal = ws(WorkspaceKind::Team, Some(&["developer"]), Some(Editor));
    let mut same_team = ws(WorkspaceKind::Private, Some(&["developer"]), Some(Editor));
    same_team.team = internal.team.clone();
    assert_eq!(code(authorize_fork(&a, &internal, &same_team)), None, "within the team");
    assert_eq!(
        code(authorize_fork(&a, &internal, &own(Plan::Enterprise))),
        Some("fork_outside_team"),
        "into another team of theirs"
    );
}

/// R-INV-5 on a Partner Workspace: team admins and Partner Managers download
/// its partner emails; its other admins, editors and partners do not.
#[test]
fn r_inv_5_team_admins_and_partner_managers_oversee_a_workspaces_partners() {
    use WorkspaceRole::*;
    let a = actor(false);
    let check = |team_roles: Option<&[&str]>, role: Option<WorkspaceRole>| {
        authorize(
            &a,
            Action::OverseePartners,
            Resource::Workspace(&ws(WorkspaceKind::Partner, team_roles, role)),
        )
    };
    assert_eq!(check(Some(&["admin"]), Some(Viewer)), Ok(()), "a team admin");
    assert_eq!(check(Some(&["partner_manager"]), None), Ok(()), "a Partner Manager");
    assert_eq!(
        check(Some(&["developer"]), Some(Admin)),
        Err(Denied::Forbidden),
        "a workspace admin"
    );
    assert_eq!(
        check(Some(&["developer"]), Some(Editor)),
        Err(Denied::Forbidden),
        "an editor"
    );
    assert_eq!(check(None, Some(PartnerEditor)), Err(Denied::Forbidden), "a partner");
    // A Partner Manager who is not a team admin oversees no internal workspace.
    let internal = ws(WorkspaceKind::Team, Some(&["partner_manager"]), Some(Viewer));
    assert_eq!(
        authorize(&a, Action::OverseePartners, Resource::Workspace(&internal)),
        Err(Denied::Forbidden)
    );
}

/// R-INV-2: a captured domain decides which team its people join as
/// partners, so a team admin captures only the domain of their own email
/// address (or one below it), never a public mail provider's; the operator
/// captures any.
#[test]
fn r_inv_2_team_admins_capture_only_their_own_email_domain() {
    let email = Email::parse("gina@globex.example").unwrap();
    let domain = |d: &str| Domain::parse(d).unwrap();
    let code = |email: &Email, d: &str| {
        authorize_domain_capture(&actor(false), email, &domain(d))
            .map_err(|e| e.code)
            .err()
    };
    assert_eq!(code(&email, "globex.example"), None);
    assert_eq!(code(&email, "GLOBEX.example."), None);
    assert_eq!(code(&email, "eu.globex.example"), None);
    for other in ["acme.example", "xglobex.example", "globex.example.org", "example"] {
        if Domain::parse(other).is_ok() {
            assert_eq!(code(&email, other), Some("domain_not_yours"), "{other}");
        }
    }
    let public = Email::parse("gina@gmail.com").unwrap();
    assert_eq!(code(&public, "gmail.com"), Some("domain_public"));
    assert_eq!(code(&email, "gmail.com"), Some("domain_public"));
    assert_eq!(
        authorize_domain_capture(&actor(true), &email, &domain("acme.example")),
        Ok(())
    );
    assert_eq!(
        authorize_domain_capture(&actor(true), &public, &domain("gmail.com")),
        Ok(())
    );
}
