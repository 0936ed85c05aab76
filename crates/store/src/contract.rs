//! The contract every backend must honour, run against each of them by
//! [`contract_tests!`](crate::contract_tests). Each check takes a fresh, empty store.

use portico_domain::ids::{ApiKeyId, InvitationId, TeamId, UserId, WorkspaceId};
use portico_domain::plan::Plan;
use portico_domain::roles::TeamRoles;
use portico_domain::values::{Domain, Email};
use portico_domain::workspace::{WorkspaceKind, WorkspaceRole};

use crate::*;

fn user(store: &Store, email: &str) -> UserRecord {
    let u = UserRecord {
        id: UserId::generate(),
        email: Email::parse(email).unwrap_or_else(|e| panic!("{e}")),
        name: format!("User {email}"),
        password_hash: Some("$argon2id$fake".into()),
        is_server_admin: false,
        created_at: 1_000,
    };
    let stored = u.clone();
    write(store, move |tx| tx.insert_user(&stored));
    u
}

fn team(store: &Store, name: &str) -> TeamRecord {
    let t = TeamRecord {
        id: TeamId::generate(),
        name: name.into(),
        plan: Plan::Free,
        created_at: 1_000,
    };
    let stored = t.clone();
    write(store, move |tx| tx.insert_team(&stored));
    t
}

fn write<T>(store: &Store, f: impl FnOnce(&mut dyn Tx) -> Result<T, StoreError>) -> T {
    store
        .run_blocking(Mode::Write, f)
        .unwrap_or_else(|e| panic!("write failed: {e}"))
}

fn read<T>(store: &Store, f: impl FnOnce(&mut dyn Tx) -> Result<T, StoreError>) -> T {
    store
        .run_blocking(Mode::Read, f)
        .unwrap_or_else(|e| panic!("read failed: {e}"))
}

fn roles(names: &[&str]) -> TeamRoles {
    TeamRoles::parse(names).unwrap_or_else(|e| panic!("{e}"))
}

pub fn users_are_unique_by_email(store: &Store) {
    let ada = user(store, "ada@example.com");
    let found = read(store, |tx| {
        tx.user_by_email(&Email::parse("ADA@example.com").unwrap_or_else(|e| panic!("{e}")))
    });
    assert_eq!(found, Some(ada.clone()));
    assert_eq!(read(store, move |tx| tx.user_by_id(ada.id)), Some(ada));
    let dup = UserRecord {
        id: UserId::generate(),
        email: Email::parse("ada@example.com").unwrap_or_else(|e| panic!("{e}")),
        name: "Other".into(),
        password_hash: None,
        is_server_admin: false,
        created_at: 2_000,
    };
    let err = store.run_blocking(Mode::Write, move |tx| tx.insert_user(&dup));
    assert!(matches!(err, Err(StoreError::UniqueViolation(_))), "{err:?}");
    assert_eq!(read(store, |tx| tx.count_users()), 1);
}

pub fn a_failed_transaction_writes_nothing(store: &Store) {
    let result: Result<(), StoreError> = store.run_blocking(Mode::Write, |tx| {
        tx.insert_team(&TeamRecord {
            id: TeamId::generate(),
            name: "Half".into(),
            plan: Plan::Free,
            created_at: 1,
        })?;
        Err(StoreError::Backend("the use case refused".into()))
    });
    assert!(result.is_err());
    let u = user(store, "solo@example.com");
    assert!(read(store, move |tx| tx.memberships_of(u.id)).is_empty());
    // The only team ever committed is none: a fresh insert works and is alone.
    let t = team(store, "Whole");
    assert_eq!(
        read(store, move |tx| tx.team_by_id(t.id)).map(|t| t.name),
        Some("Whole".into())
    );
}

pub fn sessions_expire_and_end(store: &Store) {
    let u = user(store, "s@example.com");
    let id = u.id;
    write(store, move |tx| tx.insert_session("hash-1", id, "csrf-1", 1_000, 5_000));
    let s = read(store, |tx| tx.session_by_hash("hash-1", 4_999)).unwrap_or_else(|| panic!("session missing"));
    assert_eq!(s.user, u);
    assert_eq!(s.csrf_token, "csrf-1");
    assert_eq!(
        read(store, |tx| tx.session_by_hash("hash-1", 5_000)),
        None,
        "expired session still valid"
    );
    assert_eq!(read(store, |tx| tx.session_by_hash("other", 1_000)), None);
    write(store, |tx| tx.delete_session("hash-1"));
    assert_eq!(read(store, |tx| tx.session_by_hash("hash-1", 2_000)), None);
}

/// A password change ends every session of one account (R-SEC-1).
pub fn every_session_of_an_account_ends_at_once(store: &Store) {
    let ada = user(store, "ada@example.com");
    let bob = user(store, "bob@example.com");
    let (a, b) = (ada.id, bob.id);
    write(store, move |tx| {
        tx.insert_session("ada-1", a, "c1", 1_000, 9_000)?;
        tx.insert_session("ada-2", a, "c2", 1_000, 9_000)?;
        tx.insert_session("bob-1", b, "c3", 1_000, 9_000)
    });
    assert_eq!(write(store, move |tx| tx.delete_sessions_of(a)), 2);
    assert_eq!(read(store, |tx| tx.session_by_hash("ada-1", 2_000)), None);
    assert_eq!(read(store, |tx| tx.session_by_hash("ada-2", 2_000)), None);
    assert!(
        read(store, |tx| tx.session_by_hash("bob-1", 2_000)).is_some(),
        "another account's session ended"
    );
}

/// Removing an account keeps its row for what it wrote, frees its email,
/// and ends its sessions and API keys; other accounts are untouched.
pub fn a_removed_account_keeps_its_id_and_loses_its_personal_data(store: &Store) {
    let ada = user(store, "ada@example.com");
    let bob = user(store, "bob@example.com");
    let (a, b) = (ada.id, bob.id);
    write(store, move |tx| {
        tx.set_server_admin(a, true)?;
        tx.set_server_admin(b, true)
    });
    assert_eq!(read(store, |tx| tx.count_server_admins()), 2);
    let key = ApiKeyRecord {
        id: ApiKeyId::generate(),
        user_id: a,
        name: "CI".into(),
        prefix: "ptk_abcd".into(),
        created_at: 10,
    };
    write(store, move |tx| {
        tx.insert_api_key(&key, "ada-key")?;
        tx.insert_session("ada-1", a, "c1", 1_000, 9_000)?;
        tx.insert_session("bob-1", b, "c2", 1_000, 9_000)
    });
    let gone = Email::removed(&a.to_string());
    let g = gone.clone();
    write(store, move |tx| tx.remove_user(a, &g, "Removed account", 2_000));
    let after = read(store, move |tx| tx.user_by_id(a)).unwrap_or_else(|| panic!("row removed"));
    assert_eq!(after.email, gone);
    assert_eq!(after.name, "Removed account");
    assert_eq!(after.password_hash, None);
    assert!(!after.is_server_admin);
    assert_eq!(read(store, |tx| tx.count_server_admins()), 1);
    let old = Email::parse("ada@example.com").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read(store, move |tx| tx.user_by_email(&old)), None);
    assert_eq!(read(store, |tx| tx.session_by_hash("ada-1", 2_000)), None);
    assert_eq!(read(store, |tx| tx.user_by_api_key_hash("ada-key")), None);
    assert_eq!(
        read(store, |tx| tx.session_by_hash("bob-1", 2_000)).map(|s| s.user),
        Some(UserRecord {
            is_server_admin: true,
            ..bob
        })
    );
    // The address is free again.
    user(store, "ada@example.com");
}

pub fn api_keys_work_until_revoked(store: &Store) {
    let u = user(store, "k@example.com");
    let key = ApiKeyRecord {
        id: ApiKeyId::generate(),
        user_id: u.id,
        name: "CI".into(),
        prefix: "ptk_abcd".into(),
        created_at: 10,
    };
    let k = key.clone();
    write(store, move |tx| tx.insert_api_key(&k, "keyhash"));
    assert_eq!(read(store, |tx| tx.user_by_api_key_hash("keyhash")), Some(u.clone()));
    assert_eq!(read(store, move |tx| tx.api_keys_of(u.id)), vec![key.clone()]);
    let other = UserId::generate();
    assert!(
        !write(store, move |tx| tx.revoke_api_key(other, key.id, 20)),
        "another user revoked the key"
    );
    assert!(write(store, move |tx| tx.revoke_api_key(u.id, key.id, 20)));
    assert_eq!(read(store, |tx| tx.user_by_api_key_hash("keyhash")), None);
    assert!(read(store, move |tx| tx.api_keys_of(u.id)).is_empty());
    assert!(
        !write(store, move |tx| tx.revoke_api_key(u.id, key.id, 30)),
        "revoked twice"
    );
}

pub fn members_hold_several_roles_and_page_in_join_order(store: &Store) {
    let t = team(store, "Acme");
    let mut ids = Vec::new();
    for i in 0..5 {
        let u = user(store, &format!("m{i}@example.com"));
        let r = if i == 0 {
            roles(&["admin", "partner_manager"])
        } else {
            roles(&["developer"])
        };
        let tid = t.id;
        write(store, move |tx| tx.insert_member(tid, u.id, &r, 100 + i64::from(i / 2)));
        ids.push(u.id);
    }
    let tid = t.id;
    let first_id = ids[0];
    assert_eq!(
        read(store, move |tx| tx.member_roles(tid, first_id)),
        Some(roles(&["admin", "partner_manager"]))
    );
    assert_eq!(read(store, move |tx| tx.count_team_admins(tid)), 1);
    let mut seen = Vec::new();
    let mut after: Option<PageAfter> = None;
    loop {
        let a = after.clone();
        let page = read(store, move |tx| tx.members(tid, a.as_ref(), 2));
        if page.is_empty() {
            break;
        }
        after = page.last().map(|m| PageAfter {
            at: m.joined_at,
            id: m.user_id.to_string(),
        });
        seen.extend(page.into_iter().map(|m| m.user_id));
    }
    let mut expected = ids.clone();
    expected.sort_by_key(|id| {
        let i = ids.iter().position(|x| x == id).unwrap_or(0);
        (100 + i / 2, id.to_string())
    });
    assert_eq!(seen, expected, "pages skipped or repeated members");
    let first = ids[1];
    assert!(write(store, move |tx| tx.set_member_roles(
        tid,
        first,
        &roles(&["billing", "developer"])
    )));
    assert_eq!(
        read(store, move |tx| tx.member_roles(tid, first)),
        Some(roles(&["developer", "billing"]))
    );
    assert!(write(store, move |tx| tx.delete_member(tid, first)));
    assert_eq!(read(store, move |tx| tx.member_roles(tid, first)), None);
    let memberships = read(store, move |tx| tx.memberships_of(first_id));
    assert_eq!(memberships.len(), 1);
    assert_eq!(memberships[0].team, t);
}

pub fn a_domain_is_captured_by_one_team_only(store: &Store) {
    let a = team(store, "A");
    let b = team(store, "B");
    let d = Domain::parse("globex.example").unwrap_or_else(|e| panic!("{e}"));
    let d2 = d.clone();
    write(store, move |tx| tx.insert_domain(a.id, &d2, 1));
    let d2 = d.clone();
    let err = store.run_blocking(Mode::Write, move |tx| tx.insert_domain(b.id, &d2, 2));
    assert!(matches!(err, Err(StoreError::UniqueViolation(_))), "{err:?}");
    let d2 = d.clone();
    assert_eq!(read(store, move |tx| tx.team_capturing(&d2)), Some(a.id));
    assert_eq!(read(store, move |tx| tx.domains_of(a.id)), vec![d.clone()]);
    let d2 = d.clone();
    assert!(
        !write(store, move |tx| tx.delete_domain(b.id, &d2)),
        "B released A's domain"
    );
    assert!(write(store, move |tx| tx.delete_domain(a.id, &d)));
}

pub fn an_invitation_is_accepted_once(store: &Store) {
    let t = team(store, "Inviting");
    let inviter = user(store, "boss@example.com");
    let invitee = user(store, "new@example.com");
    let inv = InvitationRecord {
        id: InvitationId::generate(),
        team_id: t.id,
        email: invitee.email.clone(),
        grant: InvitationGrant::Team(roles(&["developer"])),
        invited_by: inviter.id,
        created_at: 100,
        expires_at: 1_000,
        accepted_at: None,
        revoked_at: None,
    };
    let i = inv.clone();
    write(store, move |tx| tx.insert_invitation(&i, "tokhash"));
    assert_eq!(
        read(store, |tx| tx.invitation_by_token_hash("tokhash")),
        Some(inv.clone())
    );
    let e = invitee.email.clone();
    assert_eq!(
        read(store, move |tx| tx.open_team_invitation(t.id, &e, 500)).map(|i| i.id),
        Some(inv.id)
    );
    let e = invitee.email.clone();
    assert_eq!(
        read(store, move |tx| tx.open_team_invitation(t.id, &e, 1_000)),
        None,
        "expired invite open"
    );
    assert!(write(store, move |tx| tx.accept_invitation(inv.id, invitee.id, 200)));
    assert!(
        !write(store, move |tx| tx.accept_invitation(inv.id, invitee.id, 201)),
        "accepted twice"
    );
    let again = read(store, |tx| tx.invitation_by_token_hash("tokhash")).unwrap_or_else(|| panic!("gone"));
    assert_eq!(again.accepted_at, Some(200));
}

pub fn audit_rows_filter_and_page_newest_first(store: &Store) {
    let t = team(store, "Audited");
    let other = team(store, "Other");
    for (i, action) in ["team.create", "member.add", "member.add", "domain.add"]
        .iter()
        .enumerate()
    {
        let row = NewAuditRecord {
            team_id: Some(t.id),
            actor_id: None,
            action,
            target_type: "team",
            target_id: t.id.to_string(),
            details: serde_json::json!({ "i": i }),
            created_at: 1_000 + i as i64,
        };
        write(store, move |tx| tx.insert_audit(&row));
    }
    let row = NewAuditRecord {
        team_id: Some(other.id),
        actor_id: None,
        action: "member.add",
        target_type: "team",
        target_id: other.id.to_string(),
        details: serde_json::json!({}),
        created_at: 5,
    };
    write(store, move |tx| tx.insert_audit(&row));
    let all = read(store, move |tx| {
        tx.audit_rows(
            t.id,
            &AuditQuery {
                limit: 10,
                ..Default::default()
            },
        )
    });
    assert_eq!(
        all.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(),
        ["domain.add", "member.add", "member.add", "team.create"]
    );
    assert_eq!(all[0].details, serde_json::json!({ "i": 3 }));
    let q = AuditQuery {
        action: Some("member.add".into()),
        limit: 1,
        ..Default::default()
    };
    let first = read(store, move |tx| tx.audit_rows(t.id, &q));
    assert_eq!(first.len(), 1);
    let q = AuditQuery {
        action: Some("member.add".into()),
        limit: 5,
        before_id: Some(first[0].id),
        ..Default::default()
    };
    let second = read(store, move |tx| tx.audit_rows(t.id, &q));
    assert_eq!(second.len(), 1);
    assert!(second[0].id < first[0].id);
    let q = AuditQuery {
        since: Some(1_002),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(read(store, move |tx| tx.audit_rows(t.id, &q)).len(), 2);
}

pub fn outbox_keeps_messages_in_order(store: &Store) {
    let a = write(store, |tx| tx.insert_outbox("a@example.com", "Hello", "Body A", 1));
    let b = write(store, |tx| tx.insert_outbox("b@example.com", "Hi", "Body B", 2));
    assert!(b > a);
    let rows = read(store, |tx| tx.outbox(10));
    assert_eq!(
        rows.iter().map(|r| r.recipient.as_str()).collect::<Vec<_>>(),
        ["b@example.com", "a@example.com"]
    );
    assert_eq!(rows[1].sent_at, None);
    // Delivery: due messages are claimed once per lease, then sent or retried.
    assert!(
        !read(store, |tx| tx.outbox_due(0)),
        "nothing is due before it was written"
    );
    assert!(read(store, |tx| tx.outbox_due(10)));
    assert_eq!(read(store, |tx| tx.outbox_pending()), 2);
    let claimed = write(store, |tx| tx.claim_outbox(10, 1_000, 10));
    assert_eq!(claimed.iter().map(|m| m.id).collect::<Vec<_>>(), [a, b]);
    assert!(
        write(store, |tx| tx.claim_outbox(500, 1_500, 10)).is_empty(),
        "claimed twice within the lease"
    );
    assert!(!read(store, |tx| tx.outbox_due(500)), "a leased message is not due");
    write(store, move |tx| tx.outbox_sent(a, "smtp", 20));
    write(store, move |tx| tx.outbox_failed(b, "connection refused", 5_000));
    assert_eq!(read(store, |tx| tx.outbox_pending()), 1);
    assert!(!read(store, |tx| tx.outbox_due(2_000)));
    assert!(read(store, |tx| tx.outbox_due(5_000)));
    assert!(
        write(store, |tx| tx.claim_outbox(2_000, 3_000, 10)).is_empty(),
        "a sent or backed-off message was claimed"
    );
    let again = write(store, |tx| tx.claim_outbox(5_000, 6_000, 10));
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, b);
    assert_eq!(again[0].attempts, 1);
    assert_eq!(again[0].last_error.as_deref(), Some("connection refused"));
    let rows = read(store, |tx| tx.outbox(10));
    assert_eq!(rows[1].delivery.as_deref(), Some("smtp"));
    assert_eq!(rows[1].sent_at, Some(20));
}

fn workspace(store: &Store, team: TeamId, creator: UserId, kind: WorkspaceKind) -> WorkspaceRecord {
    let w = WorkspaceRecord {
        id: WorkspaceId::generate(),
        team_id: team,
        name: format!("{kind} space"),
        kind,
        about: "About it".into(),
        multi_partner: false,
        pending_approval: false,
        created_by: creator,
        updated_by: creator,
        created_at: 10,
        updated_at: 10,
    };
    let stored = w.clone();
    write(store, move |tx| tx.insert_workspace(&stored));
    w
}

pub fn r_iso_4_a_partner_role_lapses_when_they_leave_their_own_team(store: &Store) {
    let publisher = team(store, "Publisher");
    let partner_team = team(store, "Partner");
    let owner = user(store, "owner@pub.example");
    let partner = user(store, "pat@partner.example");
    let (p, pt, o, pa) = (publisher.id, partner_team.id, owner.id, partner.id);
    write(store, move |tx| {
        tx.insert_member(p, o, &roles(&["admin", "partner_manager"]), 1)
    });
    write(store, move |tx| tx.insert_member(pt, pa, &roles(&["developer"]), 1));
    let pw = workspace(store, p, o, WorkspaceKind::Partner);
    let internal = workspace(store, p, o, WorkspaceKind::Team);
    let wid = pw.id;
    write(store, move |tx| {
        tx.set_workspace_member(wid, pa, WorkspaceRole::PartnerEditor, true, Some(pt), 20)
    });
    write(store, move |tx| tx.insert_partnership(p, pt, 20));
    write(store, move |tx| tx.insert_partnership(p, pt, 21));
    assert!(read(store, move |tx| tx.partnership_exists(p, pt)));
    assert!(!read(store, move |tx| tx.partnership_exists(pt, p)));
    assert_eq!(read(store, move |tx| tx.partnerships_of(pt)).len(), 1);

    let access = read(store, move |tx| tx.workspace_access(wid, pa)).unwrap_or_else(|| panic!("no access row"));
    assert_eq!(access.workspace, pw);
    assert_eq!(access.role, Some(WorkspaceRole::PartnerEditor));
    assert!(access.lead);
    assert_eq!(access.partner_team_id, Some(pt));
    assert_eq!(access.team_roles, None);
    assert!(access.team_has_partner_manager);
    let seen: Vec<WorkspaceId> = read(store, move |tx| tx.workspace_accesses(pa))
        .iter()
        .map(|a| a.workspace.id)
        .collect();
    assert_eq!(
        seen,
        vec![wid],
        "a partner's candidates include the publisher's internal workspace"
    );
    let owner_sees = read(store, move |tx| tx.workspace_accesses(o)).len();
    assert_eq!(owner_sees, 2);
    assert_eq!(read(store, move |tx| tx.partner_editor_seats(p)), vec![pa]);
    assert_eq!(read(store, move |tx| tx.partner_workspaces_of(p, pa)).len(), 1);
    assert_eq!(read(store, move |tx| tx.count_partner_workspaces(p)), 1);

    // Leaving the partner team ends access through it at once.
    write(store, move |tx| tx.delete_member(pt, pa));
    let access = read(store, move |tx| tx.workspace_access(wid, pa)).unwrap_or_else(|| panic!("no access row"));
    assert_eq!(access.role, None);
    assert!(!access.lead);
    let members = read(store, move |tx| tx.workspace_members(wid));
    assert_eq!(members.len(), 1);
    assert!(!members[0].active);
    let iid = internal.id;
    assert_eq!(
        read(store, move |tx| tx.workspace_access(iid, pa)).and_then(|a| a.role),
        None
    );
    assert!(write(store, move |tx| tx.delete_workspace(wid)));
    assert_eq!(read(store, move |tx| tx.workspace_access(wid, o)), None);
}

pub fn workspace_roles_are_replaced_not_duplicated(store: &Store) {
    let t = team(store, "T");
    let u = user(store, "u@example.com");
    let w = workspace(store, t.id, u.id, WorkspaceKind::Private);
    let (wid, uid, tid) = (w.id, u.id, t.id);
    write(store, move |tx| {
        tx.set_workspace_member(wid, uid, WorkspaceRole::Admin, false, None, 1)
    });
    // A team-member role counts only while its holder is in the team.
    assert!(!read(store, move |tx| tx.workspace_members(wid))[0].active);
    assert_eq!(
        read(store, move |tx| tx.workspace_access(wid, uid)).and_then(|a| a.role),
        None
    );
    write(store, move |tx| tx.insert_member(tid, uid, &roles(&["developer"]), 1));
    write(store, move |tx| {
        tx.set_workspace_member(wid, uid, WorkspaceRole::Viewer, false, None, 2)
    });
    let m = read(store, move |tx| tx.workspace_members(wid));
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].role, WorkspaceRole::Viewer);
    assert_eq!(m[0].added_at, 1);
    assert!(m[0].active);
    let mut changed = w.clone();
    changed.name = "Renamed".into();
    changed.kind = WorkspaceKind::Partner;
    changed.multi_partner = true;
    changed.updated_at = 99;
    let c = changed.clone();
    write(store, move |tx| tx.update_workspace(&c));
    assert_eq!(
        read(store, move |tx| tx.workspace_access(wid, uid)).map(|a| a.workspace),
        Some(changed)
    );
    assert!(write(store, move |tx| tx.delete_workspace_member(wid, uid)));
    assert!(!write(store, move |tx| tx.delete_workspace_member(wid, uid)));
    write(store, move |tx| {
        tx.set_workspace_member(wid, uid, WorkspaceRole::Editor, false, None, 3)
    });
    assert_eq!(
        write(store, move |tx| tx.delete_team_workspace_roles(tid, uid)),
        vec![wid]
    );
    assert!(read(store, move |tx| tx.workspace_members(wid)).is_empty());
}

pub fn partner_invitations_carry_their_workspace_role(store: &Store) {
    let t = team(store, "Pub");
    let inviter = user(store, "boss@pub.example");
    let w = workspace(store, t.id, inviter.id, WorkspaceKind::Partner);
    let email = Email::parse("pat@partner.example").unwrap_or_else(|e| panic!("{e}"));
    let inv = InvitationRecord {
        id: InvitationId::generate(),
        team_id: t.id,
        email: email.clone(),
        grant: InvitationGrant::Partner {
            workspace_id: w.id,
            role: WorkspaceRole::PartnerViewer,
            lead: true,
        },
        invited_by: inviter.id,
        created_at: 1,
        expires_at: 100,
        accepted_at: None,
        revoked_at: None,
    };
    let i = inv.clone();
    write(store, move |tx| tx.insert_invitation(&i, "ptok"));
    assert_eq!(read(store, |tx| tx.invitation_by_token_hash("ptok")), Some(inv.clone()));
    let (wid, e) = (w.id, email.clone());
    assert_eq!(
        read(store, move |tx| tx.open_partner_invitation(wid, &e, 50)),
        Some(inv.clone())
    );
    let e = email.clone();
    assert_eq!(
        read(store, move |tx| tx.open_team_invitation(t.id, &e, 50)),
        None,
        "a partner invite joined the team"
    );
}

pub fn activity_and_notifications_list_newest_first(store: &Store) {
    let t = team(store, "T");
    let u = user(store, "u@example.com");
    let w = workspace(store, t.id, u.id, WorkspaceKind::Team);
    for (i, action) in ["create", "join", "update"].iter().enumerate() {
        let row = ActivityRecord {
            id: 0,
            workspace_id: w.id,
            actor_id: Some(u.id),
            actor_name: None,
            partner_team_id: None,
            subject_team_id: None,
            action: (*action).into(),
            element_type: "workspace".into(),
            element_id: w.id.to_string(),
            element_name: w.name.clone(),
            created_at: i as i64,
        };
        write(store, move |tx| tx.insert_activity(&row));
    }
    let wid = w.id;
    let all = read(store, move |tx| tx.activities(wid, None, 10));
    assert_eq!(
        all.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(),
        ["update", "join", "create"]
    );
    assert_eq!(all[0].actor_name.as_deref(), Some("User u@example.com"));
    let before = all[0].id;
    assert_eq!(read(store, move |tx| tx.activities(wid, Some(before), 1)).len(), 1);
    let uid = u.id;
    write(store, move |tx| {
        tx.insert_notification(uid, "approval", "Approved", "{}", 5)
    });
    write(store, move |tx| {
        tx.insert_notification(uid, "converted", "Converted", "{}", 6)
    });
    let n = read(store, move |tx| tx.notifications(uid, 10));
    assert_eq!(
        n.iter().map(|n| n.kind.as_str()).collect::<Vec<_>>(),
        ["converted", "approval"]
    );
}

pub fn r_col_3_a_collection_keeps_every_revision_of_its_tree(store: &Store) {
    let t = team(store, "T");
    let u = user(store, "u@example.com");
    let w = workspace(store, t.id, u.id, WorkspaceKind::Team);
    let c = CollectionRecord {
        id: portico_domain::ids::CollectionId::generate(),
        workspace_id: w.id,
        name: "API".into(),
        revision: 1,
        created_by: u.id,
        updated_by: u.id,
        created_at: 1,
        updated_at: 1,
    };
    let node = |uid: &str, parent: Option<&str>, position: i64, kind: &str, hash: &str| NodeRecord {
        uid: uid.into(),
        parent_uid: parent.map(String::from),
        position,
        kind: kind.into(),
        blob_hash: hash.into(),
    };
    let (cc, cid) = (c.clone(), c.id);
    let v1 = vec![
        node("root", None, 0, "collection", "h-root"),
        node("f", Some("root"), 0, "folder", "h-f"),
        node("b", Some("f"), 20, "request", "h-req"),
        node("a", Some("f"), 10, "request", "h-req"),
    ];
    let nodes = v1.clone();
    write(store, move |tx| {
        tx.insert_collection(&cc)?;
        tx.put_blobs(&[
            ("h-root".into(), r#"{"info":{"name":"API"}}"#.into()),
            ("h-f".into(), r#"{"name":"F"}"#.into()),
            ("h-req".into(), r#"{"name":"Same"}"#.into()),
            ("h-req".into(), r#"{"name":"Same"}"#.into()),
        ])?;
        tx.insert_nodes(cid, 1, &nodes)?;
        tx.insert_revision(&RevisionRecord {
            collection_id: cid,
            revision: 1,
            author: u.id,
            created_at: 1,
            changes: "[]".into(),
        })
    });
    let children: Vec<String> = read(store, move |tx| tx.current_children(cid, "f"))
        .into_iter()
        .map(|n| n.uid)
        .collect();
    assert_eq!(children, ["a", "b"], "siblings come in position order");
    // Revision 2 edits one request: one row closed, one row added.
    write(store, move |tx| {
        tx.put_blobs(&[("h-b2".into(), r#"{"name":"B2"}"#.into())])?;
        tx.close_nodes(cid, &["b".into()], 2)?;
        tx.insert_nodes(cid, 2, &[node("b", Some("f"), 20, "request", "h-b2")])?;
        tx.insert_revision(&RevisionRecord {
            collection_id: cid,
            revision: 2,
            author: u.id,
            created_at: 2,
            changes: "[{\"uid\":\"b\"}]".into(),
        })?;
        let mut head = tx.collection(cid)?.unwrap_or_else(|| panic!("gone"));
        head.revision = 2;
        head.updated_at = 2;
        assert!(!tx.advance_collection_head(&head, 5)?, "a stale head is not moved");
        assert!(tx.advance_collection_head(&head, 1)?);
        Ok(())
    });
    let body_of = |nodes: &[NodeWithBody], uid: &str| nodes.iter().find(|n| n.node.uid == uid).map(|n| n.body.clone());
    let old = read(store, move |tx| tx.nodes_at(cid, Some(1)));
    let head = read(store, move |tx| tx.nodes_at(cid, None));
    assert_eq!(old.len(), 4);
    assert_eq!(head.len(), 4);
    assert_eq!(body_of(&old, "b").as_deref(), Some(r#"{"name":"Same"}"#));
    assert_eq!(body_of(&head, "b").as_deref(), Some(r#"{"name":"B2"}"#));
    assert_eq!(read(store, move |tx| tx.nodes_at(cid, Some(2))).len(), 4);
    let version = |rev| read(store, move |tx| tx.node_version(cid, "b", rev)).map(|n| n.body);
    assert_eq!(version(1).as_deref(), Some(r#"{"name":"Same"}"#));
    assert_eq!(version(2).as_deref(), Some(r#"{"name":"B2"}"#));
    assert_eq!(version(0), None);
    let wid0 = w.id;
    let since = read(store, move |tx| tx.workspace_revisions_since(wid0, 1, 10));
    assert_eq!(since.iter().map(|r| r.revision).collect::<Vec<_>>(), [2]);
    assert_eq!(read(store, move |tx| tx.last_update_at(wid0)), None);
    assert_eq!(
        read(store, move |tx| tx.current_node(cid, "b")).map(|n| n.node.blob_hash),
        Some("h-b2".into())
    );
    assert_eq!(read(store, move |tx| tx.collection(cid)).map(|c| c.revision), Some(2));
    let revs = read(store, move |tx| tx.revisions(cid, None, 10));
    assert_eq!(revs.iter().map(|r| r.revision).collect::<Vec<_>>(), [2, 1]);
    assert_eq!(read(store, move |tx| tx.revisions(cid, Some(2), 10)).len(), 1);
    let wid = w.id;
    assert_eq!(read(store, move |tx| tx.collections_in(wid)).len(), 1);
    assert!(write(store, move |tx| tx.delete_collection(cid)));
    assert!(read(store, move |tx| tx.nodes_at(cid, None)).is_empty());
}

pub fn environments_keep_revisions_and_refuse_stale_saves(store: &Store) {
    let t = team(store, "T");
    let u = user(store, "u@example.com");
    let w = workspace(store, t.id, u.id, WorkspaceKind::Team);
    let e = EnvironmentRecord {
        id: portico_domain::ids::EnvironmentId::generate(),
        workspace_id: w.id,
        name: "Staging".into(),
        vars: r#"[{"key":"a","value":"1"}]"#.into(),
        revision: 1,
        created_by: u.id,
        updated_by: u.id,
        created_at: 10,
        updated_at: 10,
    };
    let (first, id, wid) = (e.clone(), e.id, w.id);
    write(store, move |tx| {
        tx.insert_environment(&first)?;
        tx.insert_environment_revision(&first, "[]")
    });
    let mut next = e.clone();
    next.revision = 2;
    next.name = "Stage".into();
    next.updated_at = 20;
    let stale = next.clone();
    assert!(
        !write(store, move |tx| tx.save_environment(&stale, 7)),
        "a stale save is refused"
    );
    write(store, move |tx| {
        assert!(tx.save_environment(&next, 1)?);
        tx.insert_environment_revision(&next, r#"[{"x":1}]"#)
    });
    let got = read(store, move |tx| tx.environment(id)).unwrap_or_else(|| panic!("gone"));
    assert_eq!((got.name.as_str(), got.revision), ("Stage", 2));
    assert_eq!(read(store, move |tx| tx.environments_in(wid)).len(), 1);
    let since = read(store, move |tx| tx.environment_revisions_since(wid, 10, 10));
    assert_eq!(since.iter().map(|r| r.revision).collect::<Vec<_>>(), [2]);
    assert!(write(store, move |tx| tx.delete_environment(id)));
    assert_eq!(read(store, move |tx| tx.environment(id)), None);
}

pub fn r_upd_3_unread_counts_follow_each_members_last_visit(store: &Store) {
    let t = team(store, "T");
    let pub_ = user(store, "pub@example.com");
    let reader = user(store, "reader@example.com");
    let w = workspace(store, t.id, pub_.id, WorkspaceKind::Partner);
    let wid = w.id;
    let post = |author: UserId, topic: &str, pinned: bool| {
        let u = UpdateRecord {
            id: 0,
            workspace_id: wid,
            seq: 0,
            author_id: author,
            author_name: String::new(),
            updated_by: author,
            topic: topic.into(),
            description: "Body".into(),
            category: "announcement".into(),
            related: "[]".into(),
            element_changes: "[]".into(),
            is_pinned: pinned,
            created_at: 5,
            updated_at: 5,
        };
        write(store, move |tx| tx.insert_update(&u))
    };
    let (p, r) = (pub_.id, reader.id);
    let first = post(p, "one", false);
    assert_eq!(first.seq, 1);
    assert_eq!(first.author_name, "User pub@example.com");
    post(p, "two", true);
    post(r, "mine", false);
    let four = post(p, "four", false);
    assert_eq!(four.seq, 4);
    assert_eq!(
        read(store, move |tx| tx.unread_updates(wid, r)),
        3,
        "own updates counted as unread"
    );
    assert_eq!(read(store, move |tx| tx.unread_updates(wid, p)), 1);
    write(store, move |tx| tx.mark_updates_seen(wid, r, 10));
    assert_eq!(read(store, move |tx| tx.unread_updates(wid, r)), 0);
    let five = post(p, "five", false);
    post(p, "six", false);
    assert_eq!(read(store, move |tx| tx.unread_updates(wid, r)), 2);
    let fid = five.id;
    assert!(write(store, move |tx| tx.delete_update(wid, fid)));
    assert!(!write(store, move |tx| tx.delete_update(wid, fid)));
    assert_eq!(
        read(store, move |tx| tx.unread_updates(wid, r)),
        1,
        "a deleted update still counted"
    );
    assert_eq!(read(store, move |tx| tx.update_by_id(wid, fid)), None);
    // Pinned first, then newest first, a page at a time.
    let topics = |page: &[UpdateRecord]| page.iter().map(|u| u.topic.clone()).collect::<Vec<_>>();
    let all = read(store, move |tx| tx.updates(wid, None, None, 10));
    assert_eq!(topics(&all), ["two", "six", "four", "mine", "one"]);
    let p1 = read(store, move |tx| tx.updates(wid, None, None, 2));
    let last = p1.last().map(|u| (u.is_pinned, u.seq));
    let p2 = read(store, move |tx| tx.updates(wid, None, last, 2));
    assert_eq!(topics(&p1), ["two", "six"]);
    assert_eq!(topics(&p2), ["four", "mine"]);
    assert!(read(store, move |tx| tx.updates(wid, Some("bug_fix"), None, 10)).is_empty());
    let mut edited = first.clone();
    edited.topic = "one, edited".into();
    edited.is_pinned = true;
    write(store, move |tx| tx.save_update(&edited));
    let fid = first.id;
    assert_eq!(
        read(store, move |tx| tx.update_by_id(wid, fid)).map(|u| u.topic),
        Some("one, edited".into())
    );
}

/// Issue 12: a team's provider is kept and replaced; enforcement applies to
/// the team's members only; a sign-in attempt is taken once and not after
/// it expires; expired attempts go as new ones come.
pub fn team_sign_in_is_kept_and_attempts_are_taken_once(store: &Store) {
    let acme = team(store, "Acme");
    let other = team(store, "Other");
    let member = user(store, "m@acme.example");
    let outsider = user(store, "o@other.example");
    let (tid, mid, oid) = (acme.id, member.id, outsider.id);
    write(store, move |tx| {
        tx.insert_member(tid, mid, &roles(&["developer"]), 1_000)
    });
    let oteam = other.id;
    write(store, move |tx| tx.insert_member(oteam, oid, &roles(&["admin"]), 1_000));
    assert_eq!(read(store, move |tx| tx.team_sign_in(tid)), None);
    let mut r = TeamSignInRecord {
        team_id: tid,
        issuer: "https://idp.acme.example".into(),
        client_id: "portico".into(),
        client_secret_sealed: "sealed-1".into(),
        enforce: false,
        updated_at: 2_000,
    };
    let first = r.clone();
    write(store, move |tx| tx.put_team_sign_in(&first));
    assert!(!read(store, move |tx| tx.member_of_enforcing_team(mid)));
    r.enforce = true;
    r.client_secret_sealed = "sealed-2".into();
    let second = r.clone();
    write(store, move |tx| tx.put_team_sign_in(&second));
    assert_eq!(read(store, move |tx| tx.team_sign_in(tid)), Some(r));
    assert!(read(store, move |tx| tx.member_of_enforcing_team(mid)));
    assert!(!read(store, move |tx| tx.member_of_enforcing_team(oid)));

    let attempt = |state: &str, expires_at: Millis| SignInAttemptRecord {
        state_hash: state.into(),
        team_id: tid,
        nonce: "n".into(),
        verifier_sealed: "v".into(),
        return_to: "/".into(),
        expires_at,
    };
    let (a, b) = (attempt("s1", 10_000), attempt("s2", 5_000));
    write(store, move |tx| tx.insert_sign_in_attempt(&a, 3_000));
    write(store, move |tx| tx.insert_sign_in_attempt(&b, 3_000));
    assert_eq!(
        write(store, |tx| tx.take_sign_in_attempt("s1", 4_000)).map(|a| a.expires_at),
        Some(10_000)
    );
    assert_eq!(
        write(store, |tx| tx.take_sign_in_attempt("s1", 4_000)),
        None,
        "taken once"
    );
    assert_eq!(write(store, |tx| tx.take_sign_in_attempt("s2", 5_000)), None, "expired");
    let (c, d) = (attempt("s3", 6_000), attempt("s4", 20_000));
    write(store, move |tx| tx.insert_sign_in_attempt(&c, 3_000));
    write(store, move |tx| tx.insert_sign_in_attempt(&d, 7_000));
    assert_eq!(
        write(store, |tx| tx.take_sign_in_attempt("s3", 1_000)),
        None,
        "dropped as a new one came"
    );

    assert!(write(store, move |tx| tx.delete_team_sign_in(tid)));
    assert!(!read(store, move |tx| tx.member_of_enforcing_team(mid)));
    assert!(!write(store, move |tx| tx.delete_team_sign_in(tid)));
}

pub fn pending_signups_are_taken_once_and_replaced_by_a_new_one(store: &Store) {
    let pending = |email: &str, expires_at: Millis| PendingSignupRecord {
        user_id: UserId::generate(),
        email: Email::parse(email).unwrap_or_else(|e| panic!("{e}")),
        name: "Nora".into(),
        password_hash: "$argon2id$fake".into(),
        created_at: 1_000,
        expires_at,
    };
    let (a, b) = (pending("nora@example.com", 10_000), pending("old@example.com", 5_000));
    let expected = a.clone();
    write(store, move |tx| tx.insert_pending_signup(&a, "h1", 2_000));
    write(store, move |tx| tx.insert_pending_signup(&b, "h2", 2_000));
    assert_eq!(
        write(store, |tx| tx.take_pending_signup("h1", 3_000)),
        Some(expected),
        "found by its hash"
    );
    assert_eq!(
        write(store, |tx| tx.take_pending_signup("h1", 3_000)),
        None,
        "taken once"
    );
    assert_eq!(write(store, |tx| tx.take_pending_signup("h2", 5_000)), None, "expired");
    assert_eq!(write(store, |tx| tx.take_pending_signup("nothing", 3_000)), None);
    // A second sign-up of the same email replaces the first.
    let (c, d) = (pending("nora@example.com", 10_000), pending("nora@example.com", 10_000));
    let newest = d.clone();
    write(store, move |tx| tx.insert_pending_signup(&c, "h3", 3_000));
    write(store, move |tx| tx.insert_pending_signup(&d, "h4", 3_000));
    assert_eq!(write(store, |tx| tx.take_pending_signup("h3", 4_000)), None, "replaced");
    assert_eq!(write(store, |tx| tx.take_pending_signup("h4", 4_000)), Some(newest));
    // Expired ones go as new ones come, and nothing makes an account.
    let (e, f) = (pending("e@example.com", 6_000), pending("f@example.com", 20_000));
    write(store, move |tx| tx.insert_pending_signup(&e, "h5", 3_000));
    write(store, move |tx| tx.insert_pending_signup(&f, "h6", 7_000));
    assert_eq!(
        write(store, |tx| tx.take_pending_signup("h5", 1_000)),
        None,
        "dropped as a new one came"
    );
    assert_eq!(read(store, |tx| tx.count_users()), 0);
}

/// Expands to one `#[test]` per contract check. `$make` is an expression
/// giving `Option<(Store, guard)>`; `None` skips (the backend is absent and
/// that is allowed outside CI).
#[macro_export]
macro_rules! contract_tests {
    ($make:expr) => {
        $crate::contract_tests!(@each $make;
            users_are_unique_by_email,
            a_failed_transaction_writes_nothing,
            sessions_expire_and_end,
            api_keys_work_until_revoked,
            every_session_of_an_account_ends_at_once,
            a_removed_account_keeps_its_id_and_loses_its_personal_data,
            members_hold_several_roles_and_page_in_join_order,
            a_domain_is_captured_by_one_team_only,
            an_invitation_is_accepted_once,
            audit_rows_filter_and_page_newest_first,
            outbox_keeps_messages_in_order,
            r_iso_4_a_partner_role_lapses_when_they_leave_their_own_team,
            workspace_roles_are_replaced_not_duplicated,
            partner_invitations_carry_their_workspace_role,
            activity_and_notifications_list_newest_first,
            r_col_3_a_collection_keeps_every_revision_of_its_tree,
            environments_keep_revisions_and_refuse_stale_saves,
            r_upd_3_unread_counts_follow_each_members_last_visit,
            team_sign_in_is_kept_and_attempts_are_taken_once,
            pending_signups_are_taken_once_and_replaced_by_a_new_one
        );
    };
    (@each $make:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                if let Some((store, _guard)) = $make {
                    $crate::contract::$name(&store);
                }
            }
        )*
    };
}
