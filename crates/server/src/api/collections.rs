//! Collections and their folders, requests and responses (R-COL-1..3).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use portico_api_types::*;
use portico_app::collections::{CollectionInput, CollectionPatch, ItemWrite, Placement};
use portico_domain::Error;
use portico_domain::collection::NodeKind;
use portico_domain::ids::{CollectionId, WorkspaceId};
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::IntoParams;

use crate::error::ApiResult;
use crate::extract::{BaseRevision, Caller, CollectionJson, CollectionText, Json, Query};
use crate::{AppState, views};

/// Largest collection body accepted (R-SEC-2): imports and replacements.
pub const MAX_COLLECTION_BYTES: usize = 32 * 1024 * 1024;

pub(crate) fn collection_id(s: &str) -> Result<CollectionId, Error> {
    CollectionId::parse(s).map_err(|_| Error::not_found("collection"))
}

/// `ETag` for a revision, as `If-Match` takes it back.
pub(crate) fn etag(revision: i64) -> HeaderMap {
    let mut h = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{revision}\"")) {
        h.insert(header::ETAG, v);
    }
    h
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only the collections of this workspace.
    pub workspace: Option<String>,
    /// Only collections with exactly this name.
    pub name: Option<String>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

/// The collections of a workspace, or of every workspace the caller sees.
#[utoipa::path(get, path = "/api/collections", tag = "collections", params(ListParams),
    responses((status = 200, body = CollectionList), (status = 400, body = ErrorBody)))]
pub async fn list_collections(
    State(s): State<AppState>,
    Caller(who): Caller,
    Query(q): Query<ListParams>,
) -> ApiResult<axum::Json<CollectionList>> {
    // An unknown workspace id gives an empty list, as in the reference API.
    let ws = match q.workspace.as_deref().map(WorkspaceId::parse) {
        Some(Ok(ws)) => Some(Some(ws)),
        Some(Err(_)) => None,
        None => Some(None),
    };
    let all = match ws {
        Some(ws) => s.app.list_collections(&who, ws, q.name).await?,
        None => Vec::new(),
    };
    let total = all.len();
    let offset = q.offset.unwrap_or(0);
    let limit = q.limit.unwrap_or(total.max(1)).clamp(1, 1000);
    Ok(axum::Json(CollectionList {
        collections: all
            .iter()
            .skip(offset)
            .take(limit)
            .map(|c| views::collection_info(&c.record, c.forks))
            .collect(),
        meta: CollectionListMeta { total, offset, limit },
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CreateParams {
    /// The workspace to create the collection in.
    pub workspace: String,
}

/// Imports a collection: v2.1, v2.0 or v1, bare or as `{"collection": …}`;
/// or an OpenAPI 3.0/3.1 document (JSON, or YAML sent as `application/yaml`).
#[utoipa::path(post, path = "/api/collections", tag = "collections", params(CreateParams),
    request_body(content = Object, description = "A collection in Collection Format v2.1, v2.0 or v1, or an OpenAPI 3.0/3.1 document"),
    responses((status = 200, body = CollectionSaved), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn create_collection(
    State(s): State<AppState>,
    Caller(who): Caller,
    Query(q): Query<CreateParams>,
    CollectionText(body): CollectionText,
) -> ApiResult<(HeaderMap, axum::Json<CollectionSaved>)> {
    let ws = WorkspaceId::parse(&q.workspace).map_err(|_| Error::not_found("workspace"))?;
    let saved = s
        .app
        .create_collection(&who, ws, CollectionInput::upload(body)?)
        .await?;
    Ok((
        etag(saved.collection.revision),
        axum::Json(views::collection_saved(&saved)),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GetParams {
    /// `true`: a download (asks for the export right, which partner viewers
    /// lack) with a file name.
    pub download: Option<bool>,
    /// `openapi`: the collection as an OpenAPI 3.1 document (an export).
    pub format: Option<String>,
}

/// A collection in Collection Format v2.1; the `ETag` is its revision.
#[utoipa::path(get, path = "/api/collections/{collectionId}", tag = "collections",
    params(("collectionId" = String, Path), GetParams),
    responses((status = 200, body = CollectionDocument), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_collection(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    Query(q): Query<GetParams>,
) -> ApiResult<(HeaderMap, String)> {
    let download = q.download.unwrap_or(false);
    match q.format.as_deref() {
        None | Some("postman" | "collection") => {}
        Some("openapi") => {
            let (record, doc) = s.app.collection_as_openapi(&who, collection_id(&id)?).await?;
            let mut headers = etag(record.revision);
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            return Ok((headers, doc.to_string()));
        }
        Some(other) => {
            return Err(Error::invalid(
                "invalid_format",
                format!("Unknown format '{other}': use openapi, or leave it out."),
            )
            .into());
        }
    }
    let (record, collection) = s.app.collection(&who, collection_id(&id)?, download).await?;
    let mut headers = etag(record.revision);
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if download {
        let file: String = record
            .name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
            .collect();
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}.postman_collection.json\"")) {
            headers.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    // A `CollectionDocument`, written around the exported text rather than
    // parsed and serialised again.
    let body = format!("{{\"collection\":{collection},\"revision\":{}}}", record.revision);
    Ok((headers, body))
}

/// Replaces a collection's contents. Elements keep their identity where the
/// body carries their ids; the others are created or deleted.
#[utoipa::path(put, path = "/api/collections/{collectionId}", tag = "collections",
    params(("collectionId" = String, Path), ("If-Match" = Option<String>, Header, description = "The revision the change is based on")),
    request_body(content = Object, description = "{\"collection\": …} in Collection Format v2.1"),
    responses((status = 200, body = CollectionSaved), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn put_collection(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    BaseRevision(base): BaseRevision,
    CollectionJson(body): CollectionJson,
) -> ApiResult<(HeaderMap, axum::Json<CollectionSaved>)> {
    let saved = s.app.replace_collection(&who, collection_id(&id)?, body, base).await?;
    Ok((
        etag(saved.collection.revision),
        axum::Json(views::collection_saved(&saved)),
    ))
}

/// Changes a collection's `info`, `variable`, `auth` or `events`.
#[utoipa::path(patch, path = "/api/collections/{collectionId}", tag = "collections",
    params(("collectionId" = String, Path), ("If-Match" = Option<String>, Header, description = "The revision the change is based on")),
    request_body(content = Object, description = "{\"collection\": {info, variable, auth, events}}"),
    responses((status = 200, body = CollectionSaved), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn patch_collection(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    BaseRevision(base): BaseRevision,
    CollectionJson(body): CollectionJson,
) -> ApiResult<(HeaderMap, axum::Json<CollectionSaved>)> {
    let id = collection_id(&id)?;
    let patch = CollectionPatch::from_json(&body)?;
    let saved = s.app.patch_collection(&who, id, patch, base).await?;
    Ok((
        etag(saved.collection.revision),
        axum::Json(views::collection_saved(&saved)),
    ))
}

/// Deletes a collection and its history.
#[utoipa::path(delete, path = "/api/collections/{collectionId}", tag = "collections",
    params(("collectionId" = String, Path)),
    responses((status = 200, body = CollectionDeleted), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_collection(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<CollectionDeleted>> {
    let c = s.app.delete_collection(&who, collection_id(&id)?).await?;
    Ok(axum::Json(CollectionDeleted {
        collection: CollectionDeletedRef {
            id: c.id.to_string(),
            uid: views::collection_uid(&c),
        },
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangelogParams {
    pub cursor: Option<String>,
    /// Page size, at most 100.
    pub limit: Option<u32>,
}

/// Every revision, newest first, with the elements it touched and a diff of
/// their fields (R-COL-3).
#[utoipa::path(get, path = "/api/collections/{collectionId}/changelog", tag = "collections",
    params(("collectionId" = String, Path), ChangelogParams),
    responses((status = 200, body = Changelog), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn changelog(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    Query(q): Query<ChangelogParams>,
) -> ApiResult<axum::Json<Changelog>> {
    let page = s.app.changelog(&who, collection_id(&id)?, q.cursor, q.limit).await?;
    Ok(axum::Json(Changelog {
        data: page.items.iter().map(views::revision).collect(),
        meta: PageMeta {
            next_cursor: page.next_cursor,
            limit: portico_app::pagination::page_size(q.limit),
        },
    }))
}

/// Brings back the collection as it was at a revision, as a new revision.
#[utoipa::path(post, path = "/api/collections/{collectionId}/restore", tag = "collections",
    params(("collectionId" = String, Path), ("If-Match" = Option<String>, Header, description = "The revision the change is based on")),
    request_body = RestoreRequest,
    responses((status = 200, body = CollectionSaved), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn restore(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    BaseRevision(base): BaseRevision,
    Json(req): Json<RestoreRequest>,
) -> ApiResult<(HeaderMap, axum::Json<CollectionSaved>)> {
    let saved = s
        .app
        .restore_collection(&who, collection_id(&id)?, req.revision, base)
        .await?;
    Ok((
        etag(saved.collection.revision),
        axum::Json(views::collection_saved(&saved)),
    ))
}

// --- Elements -------------------------------------------------------------

/// Where an element goes, from the query (`folderId`, `requestId`) and the
/// body (`folder`, `folderId`, `requestId`, `position`), which are taken
/// out of the fields.
struct Place {
    parent: Option<Option<String>>,
    index: Option<usize>,
}

fn take_place(kind: NodeKind, body: &mut Value, query: &ItemParams) -> Result<Place, Error> {
    let bad = |m: &str| Error::invalid("invalid_placement", m.to_owned());
    let keys: &[&str] = if kind == NodeKind::Response {
        &["requestId"]
    } else {
        &["folder", "folderId"]
    };
    let mut parent = match kind {
        NodeKind::Response => query.request_id.clone().map(Some),
        _ => query.folder_id.clone().map(Some),
    };
    let mut index = None;
    if let Value::Object(fields) = body {
        for key in keys {
            match fields.remove(*key) {
                None => {}
                Some(Value::Null) => parent = Some(None),
                Some(Value::String(p)) => parent = Some(Some(p)),
                Some(_) => return Err(bad(&format!("`{key}` must be an id or null."))),
            }
        }
        match fields.remove("position") {
            None | Some(Value::Null) => {}
            Some(v) => {
                let n = v
                    .as_u64()
                    .ok_or_else(|| bad("`position` must be a whole number from 0."))?;
                index = Some(usize::try_from(n).unwrap_or(usize::MAX));
            }
        }
    }
    Ok(Place { parent, index })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct ItemParams {
    /// The folder to add a folder or request to (default: the top).
    pub folder_id: Option<String>,
    /// The request to add a response to.
    pub request_id: Option<String>,
}

async fn create(
    s: AppState,
    who: portico_app::Principal,
    id: String,
    kind: NodeKind,
    base: Option<i64>,
    mut body: Value,
    q: ItemParams,
) -> ApiResult<(HeaderMap, axum::Json<ItemEnvelope>)> {
    let id = collection_id(&id)?;
    let place = take_place(kind, &mut body, &q)?;
    let placement = Placement {
        parent: place.parent.flatten(),
        index: place.index,
    };
    let (saved, item) = s.app.create_item(&who, id, kind, body, placement, base).await?;
    Ok((
        etag(saved.collection.revision),
        axum::Json(views::item_envelope(&item, &saved)),
    ))
}

async fn read(
    s: AppState,
    who: portico_app::Principal,
    (id, uid): (String, String),
    kind: NodeKind,
) -> ApiResult<(HeaderMap, axum::Json<ItemEnvelope>)> {
    let item = s.app.item(&who, collection_id(&id)?, kind, uid).await?;
    let revision = item.collection.revision;
    Ok((etag(revision), axum::Json(views::item_envelope_read(&item))))
}

async fn update(
    s: AppState,
    who: portico_app::Principal,
    (id, uid): (String, String),
    kind: NodeKind,
    base: Option<i64>,
    mut body: Value,
) -> ApiResult<(HeaderMap, axum::Json<ItemEnvelope>)> {
    let id = collection_id(&id)?;
    let place = take_place(
        kind,
        &mut body,
        &ItemParams {
            folder_id: None,
            request_id: None,
        },
    )?;
    let has_fields = body.as_object().is_none_or(|o| !o.is_empty());
    let write = ItemWrite {
        body: has_fields.then_some(body),
        parent: place.parent,
        index: place.index,
    };
    let (saved, item) = s.app.update_item(&who, id, kind, uid, write, base).await?;
    Ok((
        etag(saved.collection.revision),
        axum::Json(views::item_envelope(&item, &saved)),
    ))
}

async fn delete(
    s: AppState,
    who: portico_app::Principal,
    (id, uid): (String, String),
    kind: NodeKind,
    base: Option<i64>,
) -> ApiResult<(HeaderMap, axum::Json<ItemDeleted>)> {
    let saved = s
        .app
        .delete_item(&who, collection_id(&id)?, kind, uid.clone(), base)
        .await?;
    let mut data = Map::new();
    data.insert("id".into(), Value::String(uid.clone()));
    data.insert("owner".into(), Value::String(saved.collection.created_by.to_string()));
    Ok((
        etag(saved.collection.revision),
        axum::Json(ItemDeleted {
            data: Value::Object(data),
            model_id: uid,
            revision: saved.collection.revision,
            post_update_suggested: saved.post_update_suggested,
            element_changes: views::element_changes(&saved.element_changes),
        }),
    ))
}

macro_rules! element_routes {
    ($kind:expr, $what:literal, $list:literal, $one:literal, $idname:literal,
     $create:ident, $get:ident, $put:ident, $del:ident) => {
        /// Adds a folder, request or response (v2.1 fields, or the reference API's flat fields);
        /// `position` places it among its siblings.
        #[utoipa::path(post, path = $list, tag = "collections",
            params(("collectionId" = String, Path), ItemParams, ("If-Match" = Option<String>, Header, description = "The revision the change is based on")),
            request_body(content = Object),
            responses((status = 200, body = ItemEnvelope), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
                (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
        pub async fn $create(
            State(s): State<AppState>,
            Caller(who): Caller,
            Path(id): Path<String>,
            Query(q): Query<ItemParams>,
            BaseRevision(base): BaseRevision,
            CollectionJson(body): CollectionJson,
        ) -> ApiResult<(HeaderMap, axum::Json<ItemEnvelope>)> {
            create(s, who, id, $kind, base, body, q).await
        }

        /// One folder, request or response with the ids of its children.
        #[utoipa::path(get, path = $one, tag = "collections",
            params(("collectionId" = String, Path), ($idname = String, Path)),
            responses((status = 200, body = ItemEnvelope), (status = 404, body = ErrorBody)))]
        pub async fn $get(
            State(s): State<AppState>,
            Caller(who): Caller,
            Path(ids): Path<(String, String)>,
        ) -> ApiResult<(HeaderMap, axum::Json<ItemEnvelope>)> {
            read(s, who, ids, $kind).await
        }

        /// Changes an element: fields given replace the old ones (`null` removes one);
        /// `folder` (or `requestId`) and `position` move it.
        #[utoipa::path(put, path = $one, tag = "collections",
            params(("collectionId" = String, Path), ($idname = String, Path), ("If-Match" = Option<String>, Header, description = "The revision the change is based on")),
            request_body(content = Object),
            responses((status = 200, body = ItemEnvelope), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
                (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
        pub async fn $put(
            State(s): State<AppState>,
            Caller(who): Caller,
            Path(ids): Path<(String, String)>,
            BaseRevision(base): BaseRevision,
            CollectionJson(body): CollectionJson,
        ) -> ApiResult<(HeaderMap, axum::Json<ItemEnvelope>)> {
            update(s, who, ids, $kind, base, body).await
        }

        /// Deletes an element with everything it holds.
        #[utoipa::path(delete, path = $one, tag = "collections",
            params(("collectionId" = String, Path), ($idname = String, Path), ("If-Match" = Option<String>, Header, description = "The revision the change is based on")),
            responses((status = 200, body = ItemDeleted), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
        pub async fn $del(
            State(s): State<AppState>,
            Caller(who): Caller,
            Path(ids): Path<(String, String)>,
            BaseRevision(base): BaseRevision,
        ) -> ApiResult<(HeaderMap, axum::Json<ItemDeleted>)> {
            delete(s, who, ids, $kind, base).await
        }
    };
}

element_routes!(
    NodeKind::Folder,
    "folder",
    "/api/collections/{collectionId}/folders",
    "/api/collections/{collectionId}/folders/{folderId}",
    "folderId",
    create_folder,
    get_folder,
    put_folder,
    delete_folder
);
element_routes!(
    NodeKind::Request,
    "request",
    "/api/collections/{collectionId}/requests",
    "/api/collections/{collectionId}/requests/{requestId}",
    "requestId",
    create_request,
    get_request,
    put_request,
    delete_request
);
element_routes!(
    NodeKind::Response,
    "response",
    "/api/collections/{collectionId}/responses",
    "/api/collections/{collectionId}/responses/{responseId}",
    "responseId",
    create_response,
    get_response,
    put_response,
    delete_response
);

/// Everyone with a role on the collection.
#[utoipa::path(get, path = "/api/collections/{collectionId}/roles", tag = "collections",
    params(("collectionId" = String, Path)),
    responses((status = 200, body = CollectionRoles), (status = 404, body = ErrorBody)))]
pub async fn get_roles(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<CollectionRoles>> {
    let roles = s.app.collection_roles(&who, collection_id(&id)?).await?;
    Ok(axum::Json(CollectionRoles {
        user: roles
            .into_iter()
            .map(|(user, role)| ElementRoleEntry {
                id: user.to_string(),
                role: role.as_str().to_owned(),
            })
            .collect(),
        team: Vec::new(),
        group: Vec::new(),
    }))
}

/// Gives or takes back roles on the collection (workspace admins and
/// editors). `EDITOR` lets a workspace viewer or partner viewer edit and
/// export this collection; `VIEWER` lets them export it.
#[utoipa::path(patch, path = "/api/collections/{collectionId}/roles", tag = "collections",
    params(("collectionId" = String, Path)), request_body = CollectionRolesPatch,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_roles(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    Json(req): Json<CollectionRolesPatch>,
) -> ApiResult<axum::http::StatusCode> {
    use portico_domain::ids::UserId;
    use portico_domain::workspace::ElementRole;
    let id = collection_id(&id)?;
    let mut changes = Vec::new();
    for op in req.roles {
        if op.path != "/user" {
            return Err(Error::invalid(
                "unsupported_role_target",
                "Portico gives collection roles to users: use the path /user.",
            )
            .into());
        }
        let remove = match op.op.as_str() {
            "update" => false,
            "remove" => true,
            other => {
                return Err(Error::invalid(
                    "invalid_op",
                    format!("Unknown operation '{other}'. Use update or remove."),
                )
                .into());
            }
        };
        for v in op.value {
            let user =
                UserId::parse(&v.id).map_err(|_| Error::invalid("invalid_user", format!("No user {}.", v.id)))?;
            let role = match (&v.role, remove) {
                (Some(r), false) => Some(r.parse::<ElementRole>()?),
                _ => None,
            };
            changes.push((user, role));
        }
    }
    s.app.update_collection_roles(&who, id, changes).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
