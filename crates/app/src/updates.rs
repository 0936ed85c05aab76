//! Workspace updates (R-UPD-1, R-UPD-3): announcements with a topic, a
//! markdown description, a category, linked elements and a pin; unread
//! badges per member.

use portico_domain::Error;
use portico_domain::ids::WorkspaceId;
use portico_domain::policy::Action;
use portico_store::UpdateRecord;

use crate::pagination::page_size;
use crate::teams::Page;
use crate::workspaces::{notify, workspace_for};
use crate::{App, Principal, Result, now};

pub const CATEGORIES: [&str; 5] = [
    "improvement",
    "new_feature",
    "bug_fix",
    "breaking_change",
    "announcement",
];
pub const MAX_TOPIC: usize = 200;
pub const MAX_DESCRIPTION: usize = 10_000;
const RESOURCES: [&str; 4] = ["collection", "folder", "request", "response"];

/// What a caller sends to post or edit an update; `None` leaves a field as is.
#[derive(Debug, Clone, Default)]
pub struct UpdateDraft {
    pub topic: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    /// `(resource, resourceId)` pairs.
    pub related: Option<Vec<(String, String)>>,
    pub is_pinned: Option<bool>,
    /// The element changes announced, as the save nudge listed them (R-UPD-2).
    pub element_changes: Option<serde_json::Value>,
}

fn check(draft: &UpdateDraft) -> Result<()> {
    if let Some(t) = &draft.topic {
        let n = t.trim().chars().count();
        if n == 0 || n > MAX_TOPIC {
            return Err(Error::invalid(
                "invalid_topic",
                format!("The topic must be 1 to {MAX_TOPIC} characters."),
            ));
        }
    }
    if draft
        .description
        .as_ref()
        .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION)
    {
        return Err(Error::invalid(
            "description_too_long",
            format!("The description may hold at most {MAX_DESCRIPTION} characters."),
        ));
    }
    if let Some(c) = draft.category.as_deref().filter(|c| !CATEGORIES.contains(c)) {
        return Err(Error::invalid(
            "invalid_category",
            format!("Unknown category '{c}'. Use improvement, new_feature, bug_fix, breaking_change or announcement."),
        ));
    }
    if let Some(list) = &draft.related {
        if list.len() > 50 {
            return Err(Error::invalid("too_many_resources", "Link at most 50 elements."));
        }
        if let Some((r, _)) = list.iter().find(|(r, _)| !RESOURCES.contains(&r.as_str())) {
            return Err(Error::invalid(
                "invalid_resource",
                format!("Unknown resource type '{r}'. Use collection, folder, request or response."),
            ));
        }
    }
    if draft.element_changes.as_ref().is_some_and(|c| !c.is_array()) {
        return Err(Error::invalid(
            "invalid_element_changes",
            "elementChanges must be a list.",
        ));
    }
    Ok(())
}

fn related_json(list: &[(String, String)]) -> String {
    serde_json::Value::Array(
        list.iter()
            .map(|(r, id)| serde_json::json!({ "resource": r, "resourceId": id }))
            .collect(),
    )
    .to_string()
}

fn decode_cursor(c: &str) -> Result<(bool, i64)> {
    let bad = || Error::invalid("invalid_cursor", "The cursor is not one this server gave out.");
    let raw = hex::decode(c).map_err(|_| bad())?;
    let s = String::from_utf8(raw).map_err(|_| bad())?;
    let (p, seq) = s.split_once(':').ok_or_else(bad)?;
    Ok((p == "1", seq.parse().map_err(|_| bad())?))
}

fn encode_cursor(u: &UpdateRecord) -> String {
    hex::encode(format!("{}:{}", u8::from(u.is_pinned), u.seq))
}

impl App {
    /// Posts an update (workspace admins and editors; partner editors outside
    /// multi-partner mode). Members are notified.
    pub async fn post_update(&self, who: &Principal, ws: WorkspaceId, draft: UpdateDraft) -> Result<UpdateRecord> {
        check(&draft)?;
        let topic = draft
            .topic
            .clone()
            .ok_or_else(|| Error::invalid("invalid_topic", "Give the update a topic."))?;
        let description = draft.description.clone().unwrap_or_default();
        let category = draft
            .category
            .clone()
            .ok_or_else(|| Error::invalid("invalid_category", "Give the update a category."))?;
        let related = draft.related.clone().unwrap_or_default();
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let access = workspace_for(tx, &actor, ws, Action::PostUpdate)?;
                for (kind, id) in &related {
                    if !tx.element_in_workspace(ws, kind, id)? {
                        return Err(Error::invalid(
                            "resource_not_in_workspace",
                            format!("The {kind} {id} is not an element of this workspace."),
                        ));
                    }
                }
                let update = tx.insert_update(&UpdateRecord {
                    id: 0,
                    workspace_id: ws,
                    seq: 0,
                    author_id: actor.user_id,
                    author_name: String::new(),
                    updated_by: actor.user_id,
                    topic: topic.trim().to_string(),
                    description,
                    category,
                    related: related_json(&related),
                    element_changes: draft
                        .element_changes
                        .unwrap_or_else(|| serde_json::json!([]))
                        .to_string(),
                    is_pinned: draft.is_pinned.unwrap_or(false),
                    created_at: at,
                    updated_at: at,
                })?;
                let event = serde_json::json!({
                    "updateId": update.id,
                    "topic": update.topic,
                    "category": update.category,
                    "author": actor.user_id.to_string(),
                });
                crate::integrations::emit(tx, &access, "update_posted", event, at)?;
                for m in tx
                    .workspace_members(ws)?
                    .into_iter()
                    .filter(|m| m.active && m.user_id != actor.user_id)
                {
                    notify(
                        tx,
                        m.user_id,
                        "update_posted",
                        &format!("New update in {}: {}", access.workspace.name, update.topic),
                        serde_json::json!({ "workspaceId": ws.to_string(), "updateId": update.id }),
                        at,
                    )?;
                }
                Ok(update)
            })
            .await
    }

    /// Pinned updates first, then newest first.
    pub async fn list_updates(
        &self,
        who: &Principal,
        ws: WorkspaceId,
        category: Option<String>,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Page<UpdateRecord>> {
        if let Some(c) = category.as_deref().filter(|c| !CATEGORIES.contains(c)) {
            return Err(Error::invalid("invalid_category", format!("Unknown category '{c}'.")));
        }
        let after = cursor.map(decode_cursor).transpose()?;
        let limit = page_size(limit);
        let actor = who.actor();
        self.store
            .read(move |tx| {
                workspace_for(tx, &actor, ws, Action::ViewWorkspace)?;
                let mut items = tx.updates(ws, category.as_deref(), after, limit + 1)?;
                let next_cursor = if items.len() > limit as usize {
                    items.truncate(limit as usize);
                    items.last().map(encode_cursor)
                } else {
                    None
                };
                Ok(Page { items, next_cursor })
            })
            .await
    }

    pub async fn update(&self, who: &Principal, ws: WorkspaceId, id: i64) -> Result<UpdateRecord> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                workspace_for(tx, &actor, ws, Action::ViewWorkspace)?;
                tx.update_by_id(ws, id)?.ok_or_else(|| Error::not_found("update"))
            })
            .await
    }

    /// Edits, pins or unpins an update.
    pub async fn edit_update(
        &self,
        who: &Principal,
        ws: WorkspaceId,
        id: i64,
        draft: UpdateDraft,
    ) -> Result<UpdateRecord> {
        check(&draft)?;
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                workspace_for(tx, &actor, ws, Action::ViewWorkspace)?;
                let mut u = tx.update_by_id(ws, id)?.ok_or_else(|| Error::not_found("update"))?;
                workspace_for(tx, &actor, ws, Action::PostUpdate)?;
                if let Some(related) = &draft.related {
                    for (kind, rid) in related {
                        if !tx.element_in_workspace(ws, kind, rid)? {
                            return Err(Error::invalid(
                                "resource_not_in_workspace",
                                format!("The {kind} {rid} is not an element of this workspace."),
                            ));
                        }
                    }
                    u.related = related_json(related);
                }
                if let Some(t) = draft.topic {
                    u.topic = t.trim().to_string();
                }
                if let Some(d) = draft.description {
                    u.description = d;
                }
                if let Some(c) = draft.category {
                    u.category = c;
                }
                if let Some(p) = draft.is_pinned {
                    u.is_pinned = p;
                }
                if let Some(c) = draft.element_changes {
                    u.element_changes = c.to_string();
                }
                u.updated_by = actor.user_id;
                u.updated_at = at;
                tx.save_update(&u)?;
                Ok(u)
            })
            .await
    }

    pub async fn delete_update(&self, who: &Principal, ws: WorkspaceId, id: i64) -> Result<()> {
        let actor = who.actor();
        self.store
            .write(move |tx| {
                workspace_for(tx, &actor, ws, Action::ViewWorkspace)?;
                tx.update_by_id(ws, id)?.ok_or_else(|| Error::not_found("update"))?;
                workspace_for(tx, &actor, ws, Action::PostUpdate)?;
                tx.delete_update(ws, id)?;
                Ok(())
            })
            .await
    }

    /// The caller opened the Updates tab: their badge goes to zero.
    pub async fn mark_updates_seen(&self, who: &Principal, ws: WorkspaceId) -> Result<()> {
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                workspace_for(tx, &actor, ws, Action::ViewWorkspace)?;
                tx.mark_updates_seen(ws, actor.user_id, at)?;
                Ok(())
            })
            .await
    }
}
