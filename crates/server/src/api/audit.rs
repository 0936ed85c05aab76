//! The team audit log (R-SEC-3).

use axum::extract::State;
use portico_api_types::*;
use portico_app::audit::AuditFilter;
use portico_domain::ids::TeamId;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, Query};
use crate::{AppState, views};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct AuditParams {
    /// The team; optional when the caller administers one team only.
    pub team_id: Option<String>,
    /// Only this action, e.g. `member.add`.
    pub action: Option<String>,
    /// RFC 3339 time or date (inclusive).
    pub since: Option<String>,
    /// RFC 3339 time or date (inclusive).
    pub until: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

fn parse_time(s: &str, end_of_day: bool) -> Result<i64, ApiError> {
    let bad = || {
        ApiError::from(portico_domain::Error::invalid(
            "invalid_time",
            format!("'{s}' is not an RFC 3339 time or a YYYY-MM-DD date."),
        ))
    };
    let full = if s.len() == 10 {
        format!("{s}T{}Z", if end_of_day { "23:59:59.999" } else { "00:00:00" })
    } else {
        s.to_string()
    };
    let t = humantime::parse_rfc3339_weak(&full).map_err(|_| bad())?;
    let ms = t.duration_since(std::time::UNIX_EPOCH).map_err(|_| bad())?.as_millis();
    i64::try_from(ms).map_err(|_| bad())
}

/// The team's audit log, newest first (team admins and super admins).
#[utoipa::path(get, path = "/api/audit/logs", tag = "auditLogs", params(AuditParams),
    responses((status = 200, body = AuditLogList), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_audit_logs(
    State(s): State<AppState>,
    Caller(who): Caller,
    Query(q): Query<AuditParams>,
) -> ApiResult<axum::Json<AuditLogList>> {
    let filter = AuditFilter {
        team_id: q.team_id.as_deref().map(TeamId::parse).transpose()?,
        action: q.action,
        since: q.since.as_deref().map(|t| parse_time(t, false)).transpose()?,
        until: q.until.as_deref().map(|t| parse_time(t, true)).transpose()?,
        cursor: q.cursor,
        limit: q.limit,
    };
    let (_, page) = s.app.audit_logs(&who, filter).await?;
    Ok(axum::Json(AuditLogList {
        trails: page.items.iter().map(views::audit).collect(),
        next_cursor: page.next_cursor,
    }))
}
