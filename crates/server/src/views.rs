//! Records of the use cases turned into the API's views.

use std::time::{Duration, UNIX_EPOCH};

use portico_api_types::*;
use portico_app::teams::{InvitationPreview, TeamDetail};
use portico_store::{ApiKeyRecord, AuditRecord, MemberRecord, Millis, TeamRecord, UserRecord};

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
    InvitationView {
        id: i.id.to_string(),
        email: i.email.to_string(),
        team_id: i.team_id.to_string(),
        team_name: p.team_name.clone(),
        kind: i.kind.as_str().to_string(),
        roles: i.roles.names().into_iter().map(String::from).collect(),
        status: p.status.as_str().to_string(),
        expires_at: time(i.expires_at),
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
