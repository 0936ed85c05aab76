//! Records of the use cases turned into the API's views.

use std::time::{Duration, UNIX_EPOCH};

use portico_api_types::*;
use portico_app::invitations::InvitationPreview;
use portico_app::teams::TeamDetail;
use portico_app::workspaces::{WorkspaceMemberView as MemberSeen, WorkspaceView as Seen};
use portico_store::{
    ActivityRecord, ApiKeyRecord, AuditRecord, InvitationGrant, MemberRecord, Millis, NotificationRecord, TeamRecord,
    UserRecord,
};

/// RFC 3339 time with milliseconds, in UTC.
pub fn time(ms: Millis) -> String {
    let t = UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    humantime::format_rfc3339_millis(t).to_string()
}

pub fn user(u: &UserRecord) -> UserView {
    UserView {
        id: u.id.to_string(),
        email: u.email.to_string(),
        name: u.name.clone(),
        is_server_admin: u.is_server_admin,
    }
}

pub fn team(t: &TeamRecord) -> TeamView {
    TeamView {
        id: t.id.to_string(),
        name: t.name.clone(),
        plan: t.plan.to_string(),
        created_at: time(t.created_at),
        domains: None,
        roles: None,
    }
}

pub fn team_detail(d: &TeamDetail) -> TeamView {
    TeamView {
        domains: Some(d.domains.iter().map(ToString::to_string).collect()),
        roles: d
            .my_roles
            .as_ref()
            .map(|r| r.names().into_iter().map(String::from).collect()),
        ..team(&d.team)
    }
}

pub fn member(m: &MemberRecord) -> MemberView {
    MemberView {
        id: m.user_id.to_string(),
        email: m.email.to_string(),
        name: m.name.clone(),
        roles: m.roles.names().into_iter().map(String::from).collect(),
        is_partner: false,
        joined_at: time(m.joined_at),
    }
}

pub fn api_key(k: &ApiKeyRecord) -> ApiKeyView {
    ApiKeyView {
        id: k.id.to_string(),
        name: k.name.clone(),
        prefix: k.prefix.clone(),
        created_at: time(k.created_at),
    }
}

pub fn invitation(p: &InvitationPreview) -> InvitationView {
    let i = &p.invitation;
    let (roles, workspace_id, role_id) = match &i.grant {
        InvitationGrant::Team(r) => (r.names().into_iter().map(String::from).collect(), None, None),
        InvitationGrant::Partner {
            workspace_id,
            role,
            lead,
        } => (
            Vec::new(),
            Some(workspace_id.to_string()),
            Some(role.role_id(*lead).to_string()),
        ),
    };
    InvitationView {
        id: i.id.to_string(),
        email: i.email.to_string(),
        team_id: i.team_id.to_string(),
        team_name: p.team_name.clone(),
        kind: i.grant.kind().to_string(),
        roles,
        status: p.status.as_str().to_string(),
        expires_at: time(i.expires_at),
        workspace_id,
        workspace_name: p.workspace_name.clone(),
        role_id,
        forced_team: p.forced_team.as_ref().map(|t| TeamRef {
            id: t.id.to_string(),
            name: t.name.clone(),
        }),
    }
}

pub fn workspace(v: &Seen) -> WorkspaceView {
    let w = &v.access.workspace;
    WorkspaceView {
        id: w.id.to_string(),
        name: w.name.clone(),
        kind: w.kind.to_string(),
        visibility: w.kind.to_string(),
        about: w.about.clone(),
        team_id: w.team_id.to_string(),
        created_by: w.created_by.to_string(),
        updated_by: w.updated_by.to_string(),
        created_at: time(w.created_at),
        updated_at: time(w.updated_at),
        external: v.external,
        tags: if v.external {
            vec!["EXTERNAL".into()]
        } else {
            Vec::new()
        },
        multi_partner: w.multi_partner,
        pending_approval: w.pending_approval,
        unread_updates: u64::try_from(v.unread_updates).unwrap_or(0),
        role: v.access.role.map(|r| r.role_id(v.access.lead).to_string()),
        collections: None,
        environments: None,
    }
}

pub fn workspace_member(m: &MemberSeen) -> WorkspaceMemberView {
    let r = &m.member;
    WorkspaceMemberView {
        id: r.user_id.to_string(),
        name: r.name.clone(),
        email: m.show_email.then(|| r.email.to_string()),
        role: r.role.as_str().to_string(),
        role_id: r.role.role_id(r.lead).to_string(),
        display_name: r.role.display_name(r.lead).to_string(),
        is_partner: r.role.is_partner(),
        partner_lead: r.lead,
        partner_team_id: r.partner_team_id.map(|t| t.to_string()),
    }
}

pub fn activity(a: &ActivityRecord) -> ActivityView {
    ActivityView {
        id: a.id,
        workspace_id: a.workspace_id.to_string(),
        created_at: time(a.created_at),
        updated_at: time(a.created_at),
        user: ActivityUser {
            id: a.actor_id.map(|u| u.to_string()),
            name: a.actor_name.clone(),
            is_partner: a.partner_team_id.is_some(),
        },
        action: a.action.clone(),
        element_type: a.element_type.clone(),
        element_id: a.element_id.clone(),
        element_name: a.element_name.clone(),
        trigger: "user".into(),
    }
}

pub fn update(u: &portico_store::UpdateRecord) -> UpdateView {
    UpdateView {
        id: u.id,
        workspace_id: u.workspace_id.to_string(),
        topic: u.topic.clone(),
        description: u.description.clone(),
        description_html: portico_app::markdown::render(&u.description),
        category: u.category.clone(),
        is_pinned: u.is_pinned,
        related_resources: serde_json::from_str(&u.related).unwrap_or_default(),
        element_changes: serde_json::from_str(&u.element_changes).unwrap_or(serde_json::Value::Array(Vec::new())),
        created_by: UpdateAuthor {
            id: u.author_id.to_string(),
            name: u.author_name.clone(),
        },
        updated_by: u.updated_by.to_string(),
        created_at: time(u.created_at),
        updated_at: time(u.updated_at),
    }
}

pub fn comment(c: &portico_store::CommentRecord) -> CommentView {
    CommentView {
        id: c.id,
        update_id: c.update_id,
        parent_id: c.parent_id,
        body: c.body.clone(),
        body_html: portico_app::markdown::render(&c.body),
        created_by: UpdateAuthor {
            id: c.author_id.to_string(),
            name: c.author_name.clone(),
        },
        is_partner: c.partner_team_id.is_some(),
        created_at: time(c.created_at),
        updated_at: time(c.updated_at),
    }
}

pub fn notification(n: &NotificationRecord) -> NotificationView {
    NotificationView {
        id: n.id,
        kind: n.kind.clone(),
        message: n.message.clone(),
        data: serde_json::from_str(&n.data).unwrap_or(serde_json::Value::Null),
        created_at: time(n.created_at),
        read: n.read_at.is_some(),
    }
}

pub fn audit(r: &AuditRecord) -> AuditTrail {
    AuditTrail {
        id: r.id,
        action: r.action.clone(),
        timestamp: time(r.created_at),
        message: format!("{} on {} {}", r.action, r.target_type, r.target_id),
        data: AuditData {
            actor: AuditActor {
                id: r.actor_id.map(|u| u.to_string()),
            },
            team: AuditTeam {
                id: r.team_id.map(|t| t.to_string()),
            },
            target_type: r.target_type.clone(),
            target_id: r.target_id.clone(),
            details: r.details.clone(),
        },
    }
}

// --- Collections -----------------------------------------------------------

/// `{owner}-{id}`, the reference API's collection uid.
pub fn collection_uid(c: &portico_store::CollectionRecord) -> String {
    format!("{}-{}", c.created_by, c.id)
}

pub fn collection_info(c: &portico_store::CollectionRecord, forks: usize) -> CollectionInfo {
    CollectionInfo {
        forks,
        id: c.id.to_string(),
        name: c.name.clone(),
        owner: c.created_by.to_string(),
        uid: collection_uid(c),
        workspace_id: c.workspace_id.to_string(),
        revision: c.revision,
        is_public: false,
        created_at: time(c.created_at),
        updated_at: time(c.updated_at),
    }
}

pub fn element_changes(list: &[portico_app::collections::ElementChange]) -> Vec<ElementChangeView> {
    list.iter().map(element_change).collect()
}

fn element_change(c: &portico_app::collections::ElementChange) -> ElementChangeView {
    ElementChangeView {
        action: c.action.clone(),
        element_type: c.element_type.clone(),
        element_id: c.element_id.clone(),
        name: c.name.clone(),
        collection_id: c.collection_id.clone(),
    }
}

pub fn collection_saved(s: &portico_app::collections::Saved) -> CollectionSaved {
    CollectionSaved {
        collection: CollectionRef {
            id: s.collection.id.to_string(),
            name: s.collection.name.clone(),
            uid: collection_uid(&s.collection),
        },
        revision: s.collection.revision,
        post_update_suggested: s.post_update_suggested,
        element_changes: element_changes(&s.element_changes),
    }
}

/// An element's fields with the reference API's bookkeeping fields.
fn item_data(item: &portico_app::collections::ItemView) -> serde_json::Value {
    use portico_domain::collection::NodeKind;
    use serde_json::Value;
    let mut data = item.fields.clone();
    let ids = |kind: NodeKind| -> Value {
        item.children
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, id)| Value::String(id.clone()))
            .collect()
    };
    data.insert("id".into(), Value::String(item.id.clone()));
    data.insert("collection".into(), Value::String(item.collection.id.to_string()));
    data.insert("owner".into(), Value::String(item.collection.created_by.to_string()));
    data.insert("lastRevision".into(), Value::from(item.collection.revision));
    data.insert("updatedAt".into(), Value::String(time(item.collection.updated_at)));
    data.insert(
        "lastUpdatedBy".into(),
        Value::String(item.collection.updated_by.to_string()),
    );
    let parent = item.parent.clone().map_or(Value::Null, Value::String);
    match item.kind {
        NodeKind::Folder => {
            data.insert("folder".into(), parent);
            data.insert("order".into(), ids(NodeKind::Request));
            data.insert("folders_order".into(), ids(NodeKind::Folder));
        }
        NodeKind::Request => {
            data.insert("folder".into(), parent);
            data.insert("responses_order".into(), ids(NodeKind::Response));
        }
        NodeKind::Response | NodeKind::Collection => {
            data.insert("requestId".into(), parent);
        }
    }
    Value::Object(data)
}

pub fn item_envelope(
    item: &portico_app::collections::ItemView,
    saved: &portico_app::collections::Saved,
) -> ItemEnvelope {
    ItemEnvelope {
        data: item_data(item),
        meta: serde_json::json!({ "model": item.kind.as_str(), "action": "save" }),
        model_id: item.id.clone(),
        revision: saved.collection.revision,
        post_update_suggested: saved.post_update_suggested,
        element_changes: element_changes(&saved.element_changes),
    }
}

pub fn item_envelope_read(item: &portico_app::collections::ItemView) -> ItemEnvelope {
    ItemEnvelope {
        data: item_data(item),
        meta: serde_json::json!({ "model": item.kind.as_str(), "action": "find" }),
        model_id: item.id.clone(),
        revision: item.collection.revision,
        post_update_suggested: false,
        element_changes: Vec::new(),
    }
}

pub fn revision(r: &portico_app::collections::RevisionView) -> RevisionEntry {
    RevisionEntry {
        revision: r.revision,
        created_at: time(r.created_at),
        author: RevisionAuthor {
            id: r.author_id.to_string(),
            name: r.author_name.clone(),
        },
        note: r.note.clone(),
        changes: r
            .changes
            .iter()
            .map(|c| ChangeEntry {
                change: element_change(&c.change),
                diff: c.diff.as_ref().map(|d| {
                    d.iter()
                        .map(|f| FieldChangeView {
                            path: f.path.clone(),
                            from: f.from.clone(),
                            to: f.to.clone(),
                        })
                        .collect()
                }),
            })
            .collect(),
    }
}

// --- Environments ----------------------------------------------------------

pub fn environment_uid(e: &portico_store::EnvironmentRecord) -> String {
    format!("{}-{}", e.created_by, e.id)
}

pub fn environment_info(e: &portico_store::EnvironmentRecord) -> EnvironmentInfo {
    EnvironmentInfo {
        id: e.id.to_string(),
        name: e.name.clone(),
        owner: e.created_by.to_string(),
        uid: environment_uid(e),
        workspace_id: e.workspace_id.to_string(),
        revision: e.revision,
        is_public: false,
        created_at: time(e.created_at),
        updated_at: time(e.updated_at),
    }
}

pub fn environment_saved(s: &portico_app::environments::EnvironmentSaved) -> EnvironmentSavedView {
    EnvironmentSavedView {
        environment: CollectionRef {
            id: s.record.id.to_string(),
            name: s.record.name.clone(),
            uid: environment_uid(&s.record),
        },
        revision: s.record.revision,
        post_update_suggested: s.post_update_suggested,
        element_changes: element_changes(&s.element_changes),
    }
}

/// A comment on a collection element; `thread_root` is the thread's first
/// comment (for the status), when it is another one.
pub fn element_comment(
    c: &portico_store::ElementCommentRecord,
    thread_root: Option<&portico_store::ElementCommentRecord>,
) -> ElementCommentView {
    let resolved = thread_root.map_or(c.resolved, |r| r.resolved);
    ElementCommentView {
        id: c.id,
        thread_id: c.thread_id.unwrap_or(c.id),
        status: if resolved { "Resolved" } else { "Open" }.to_owned(),
        created_by: c.author_id.to_string(),
        created_by_name: c.author_name.clone(),
        created_at: time(c.created_at),
        updated_at: time(c.updated_at),
        body: c.body.clone(),
        body_html: portico_app::markdown::render(&c.body),
    }
}

/// A team's OpenID Connect provider as its admins see it.
pub fn team_sign_in(
    config: &portico_app::config::AppConfig,
    team: portico_domain::ids::TeamId,
    c: &portico_app::sign_in::TeamSignIn,
) -> TeamSignInView {
    TeamSignInView {
        issuer: c.issuer.clone(),
        client_id: c.client_id.clone(),
        enforce: c.enforce,
        redirect_uri: config.sign_in_callback(),
        sign_in_url: format!("{}/sso/{team}/start", config.public_url.trim_end_matches('/')),
        updated_at: time(c.updated_at),
    }
}

/// A run as the API answers it; the report only when `with_report`.
pub fn run(r: &portico_store::RunRecord, with_report: bool) -> RunView {
    RunView {
        id: r.id.clone(),
        collection_id: r.collection_id.to_string(),
        environment_id: r.environment_id.map(|e| e.to_string()),
        environment_name: r.environment_name.clone(),
        started_at: time(r.started_at),
        duration_ms: r.duration_ms,
        passed: r.passed,
        requests: RunCount {
            total: r.requests,
            failed: r.failed_requests,
        },
        assertions: RunCount {
            total: r.assertions,
            failed: r.failed_assertions,
        },
        report: if with_report {
            serde_json::from_str(&r.report).ok()
        } else {
            None
        },
    }
}
