//! Collection runs inside the app (issue 11).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// `POST /collections/{collectionId}/runs`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StartRun {
    /// An environment the caller may see; its enabled variables are the
    /// run's environment scope.
    #[serde(default)]
    pub environment_id: Option<String>,
    /// Iterations, 1 to 10 (default 1).
    #[serde(default)]
    pub iteration_count: Option<u32>,
    /// Run only these folders (or requests), by name or id.
    #[serde(default)]
    pub folders: Vec<String>,
}

/// Executed and failed.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RunCount {
    pub total: i64,
    pub failed: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunView {
    pub id: String,
    pub collection_id: String,
    pub environment_id: Option<String>,
    pub environment_name: Option<String>,
    pub started_at: String,
    pub duration_ms: i64,
    /// Every assertion passed and no request or script failed.
    pub passed: bool,
    pub requests: RunCount,
    pub assertions: RunCount,
    /// The JSON report (every request and assertion); only on a single run.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub report: Option<Value>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RunEnvelope {
    pub run: RunView,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RunList {
    /// The caller's own runs of the collection, newest first.
    pub runs: Vec<RunView>,
}
