//! Collections, their elements, changelog and the save nudge.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// A collection in listings.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CollectionInfo {
    pub id: String,
    pub name: String,
    /// The user who created it.
    pub owner: String,
    /// `{owner}-{id}`, as the reference API writes it.
    pub uid: String,
    pub workspace_id: String,
    /// The head revision; send it back in `If-Match` to write safely.
    pub revision: i64,
    pub is_public: bool,
    pub created_at: String,
    pub updated_at: String,
    /// How many forks were made of it (R-FORK-2).
    pub forks: usize,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CollectionListMeta {
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CollectionList {
    pub collections: Vec<CollectionInfo>,
    pub meta: CollectionListMeta,
}

/// A collection in Collection Format v2.1; every element carries its `id`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CollectionDocument {
    #[schema(value_type = Object)]
    pub collection: Value,
    /// The revision this document is; also in the `ETag` header.
    pub revision: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CollectionRef {
    pub id: String,
    pub name: String,
    pub uid: String,
}

/// An element a change touched (R-UPD-2, R-COL-3).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ElementChangeView {
    /// `created`, `updated`, `moved`, `reordered` or `deleted`.
    pub action: String,
    /// `collection`, `folder`, `request` or `response`.
    pub element_type: String,
    pub element_id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collection_id: Option<String>,
}

/// The answer to a write of a whole collection.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CollectionSaved {
    pub collection: CollectionRef,
    /// The new head revision.
    pub revision: i64,
    /// True in Partner Workspaces: offer "Post an update" (R-UPD-2).
    pub post_update_suggested: bool,
    /// The element changes since the workspace's last update, newest first.
    pub element_changes: Vec<ElementChangeView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CollectionDeleted {
    pub collection: CollectionDeletedRef,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CollectionDeletedRef {
    pub id: String,
    pub uid: String,
}

/// One folder, request or response, in the reference API's envelope.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemEnvelope {
    /// The element's own fields in Collection Format v2.1 with `id`,
    /// `collection`, `folder` (its parent folder or request, or null) and
    /// the ids of its children (`order`, `folders_order`, `responses`).
    #[schema(value_type = Object)]
    pub data: Value,
    #[schema(value_type = Object)]
    pub meta: Value,
    #[serde(rename = "model_id")]
    pub model_id: String,
    pub revision: i64,
    pub post_update_suggested: bool,
    pub element_changes: Vec<ElementChangeView>,
}

/// The answer to deleting an element.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemDeleted {
    #[schema(value_type = Object)]
    pub data: Value,
    #[serde(rename = "model_id")]
    pub model_id: String,
    pub revision: i64,
    pub post_update_suggested: bool,
    pub element_changes: Vec<ElementChangeView>,
}

/// One field that differs between two versions of an element.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FieldChangeView {
    /// Dotted path, e.g. `request.url.raw`.
    pub path: String,
    /// Any JSON value.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Value)]
    pub from: Option<Value>,
    /// Any JSON value.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Value)]
    pub to: Option<Value>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangeEntry {
    #[serde(flatten)]
    pub change: ElementChangeView,
    /// Absent when the revision touched too many elements to diff each.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<Vec<FieldChangeView>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RevisionAuthor {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevisionEntry {
    pub revision: i64,
    pub created_at: String,
    pub author: RevisionAuthor,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub changes: Vec<ChangeEntry>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Changelog {
    pub data: Vec<RevisionEntry>,
    pub meta: crate::PageMeta,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RestoreRequest {
    /// The revision to bring back; the result is a new revision.
    pub revision: i64,
}

/// An environment in listings.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentInfo {
    pub id: String,
    pub name: String,
    pub owner: String,
    pub uid: String,
    pub workspace_id: String,
    pub revision: i64,
    pub is_public: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EnvironmentList {
    pub environments: Vec<EnvironmentInfo>,
}

/// An environment with its variables; secret values are empty for callers
/// who may not edit it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentDetail {
    #[serde(flatten)]
    pub info: EnvironmentInfo,
    #[schema(value_type = Vec<Object>)]
    pub values: Vec<Value>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EnvironmentDocument {
    pub environment: EnvironmentDetail,
}

/// The answer to a write of an environment.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentSavedView {
    pub environment: CollectionRef,
    pub revision: i64,
    pub post_update_suggested: bool,
    pub element_changes: Vec<ElementChangeView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EnvironmentDeleted {
    pub environment: CollectionDeletedRef,
}

/// One person's role on a collection.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ElementRoleEntry {
    pub id: String,
    /// `VIEWER` or `EDITOR`.
    pub role: String,
}

/// Roles on a collection, in the reference API's shape (Portico gives roles
/// to users only; `team` and `group` stay empty).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CollectionRoles {
    pub user: Vec<ElementRoleEntry>,
    pub team: Vec<ElementRoleEntry>,
    pub group: Vec<ElementRoleEntry>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CollectionRoleValue {
    pub id: String,
    /// `VIEWER` or `EDITOR`; null (or the `remove` operation) takes the role back.
    pub role: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CollectionRoleOp {
    /// `update`, or `remove`.
    pub op: String,
    /// `/user`.
    pub path: String,
    pub value: Vec<CollectionRoleValue>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CollectionRolesPatch {
    pub roles: Vec<CollectionRoleOp>,
}

/// Someone tagged in a comment: `{"@alice": {"type": "user", "id": "…"}}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CommentTag {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

/// A comment to post or edit on a collection or one of its elements.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ElementCommentRequest {
    /// Markdown, 1 to 10,000 characters; optional when only `status` changes.
    pub body: Option<String>,
    /// Reply in this thread (the id of its first comment).
    pub thread_id: Option<i64>,
    /// People to notify.
    #[serde(default)]
    pub tags: std::collections::BTreeMap<String, CommentTag>,
    /// `Resolved` or `Open`: resolve or reopen the thread (first comment only).
    pub status: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ElementCommentView {
    pub id: i64,
    /// The thread: the id of its first comment.
    pub thread_id: i64,
    /// `Open` or `Resolved` (the thread's).
    pub status: String,
    pub created_by: String,
    pub created_by_name: String,
    pub created_at: String,
    pub updated_at: String,
    pub body: String,
    /// The body rendered to sanitised HTML.
    pub body_html: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ElementCommentList {
    pub data: Vec<ElementCommentView>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ElementCommentEnvelope {
    pub data: ElementCommentView,
}
