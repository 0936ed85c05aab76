//! Forks and pulls (R-FORK-1..3), in the reference API's shapes.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// `POST /collections/fork/{id}`: the fork's label.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFork {
    pub label: String,
    /// Environments to fork along with the collection, into the same
    /// workspace (ids or uids).
    #[serde(default)]
    pub environments: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ForkInfo {
    pub label: String,
    pub created_at: String,
    /// The uid of the collection forked.
    pub from: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ForkedCollection {
    pub id: String,
    pub name: String,
    pub uid: String,
    pub fork: ForkInfo,
    /// The fork's head revision.
    pub revision: i64,
    /// The environments forked along with it: their new ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ForkCreated {
    pub collection: ForkedCollection,
}

/// One fork of a collection.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ForkEntry {
    pub fork_id: String,
    pub fork_name: String,
    pub fork_label: String,
    pub created_at: String,
    pub created_by: String,
    pub source_id: String,
    pub workspace_id: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ForkListMeta {
    pub total: usize,
    /// Forks that exist but sit in workspaces the caller may not see.
    pub inaccessible_forks: usize,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ForkList {
    pub data: Vec<ForkEntry>,
    pub meta: ForkListMeta,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SourceStatusEntry {
    pub is_source_ahead: bool,
    pub source_id: String,
    pub base_revision: i64,
}

/// `GET /collections/{id}/source-status`: keyed by the fork's uid, as in the
/// reference API.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SourceStatus {
    #[schema(value_type = Object)]
    pub collection: serde_json::Map<String, Value>,
}

/// How to settle one conflict of a pull.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConflictResolution {
    /// The item's id.
    pub uid: String,
    /// The field path of the conflict (`request.url`, `name`, `location`,
    /// or empty for the item's existence).
    pub path: String,
    /// `source` (the parent's value) or `destination` (the fork's).
    pub side: String,
}

/// `PUT /collections/{id}/pulls`: optional resolutions of conflicts.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PullRequestBody {
    #[serde(default)]
    pub resolutions: Vec<ConflictResolution>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PullRef {
    pub destination_id: String,
    pub source_id: String,
    /// The fork's head revision after the pull.
    pub revision: i64,
}

/// A pull that was applied (possibly with nothing to change).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PullDone {
    pub collection: PullRef,
    /// What the pull changed in the fork, item by item.
    #[schema(value_type = Vec<Object>)]
    pub changes: Vec<Value>,
}

/// A refused pull: `409 pull_conflicts` with the unresolved conflicts, or
/// `409 revision_conflict` (no `conflicts`) when the fork is no longer at the
/// `If-Match` revision.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PullConflicts {
    #[schema(value_type = Object)]
    pub error: Value,
    /// Each with `uid`, `kind`, `name`, `path`, `base`, `source` and
    /// `destination` values.
    #[schema(value_type = Vec<Object>, required = false)]
    pub conflicts: Vec<Value>,
}

/// `PUT /collection-merges`: merge the fork `source` into its parent
/// `destination` (ids or uids).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeBody {
    /// `default`, `updateSourceWithDestination` or `deleteSource`.
    pub strategy: String,
    pub source: String,
    pub destination: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MergeTaskRef {
    pub id: String,
    /// `successful` or `failed` (a merge runs to its end before answering).
    pub status: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MergeStarted {
    pub task: MergeTaskRef,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MergeTaskStatus {
    pub id: String,
    pub status: String,
    #[schema(value_type = Object)]
    pub details: Value,
}
