//! Comments on a collection, its folders, requests and responses: threads
//! with replies, edit and delete, resolve, `@mentions` that notify; turned
//! off in multi-partner workspaces (R-MULTI-4).

use portico_domain::Error;
use portico_domain::collection::NodeKind;
use portico_domain::ids::{CollectionId, UserId};
use portico_domain::policy::{Action, Actor, Resource, authorize};
use portico_store::{CollectionRecord, ElementCommentRecord, Tx, WorkspaceAccess};

use super::{collection_for, flat};
use crate::comments::{check_body, comments_off};
use crate::notifications::notify_mentions;
use crate::workspaces::{facts_of, notify};
use crate::{App, Principal, Result, now};

/// The element a comment is on: the collection itself, or one of its
/// folders, requests or responses.
#[derive(Debug, Clone)]
pub struct CommentTarget {
    pub collection: CollectionId,
    pub kind: NodeKind,
    /// The element's id; the collection's own id for the collection.
    pub element: String,
}

/// A new comment, or changes to one.
#[derive(Debug, Clone, Default)]
pub struct ElementCommentDraft {
    pub body: Option<String>,
    /// Reply in this thread (the id of its first comment).
    pub thread_id: Option<i64>,
    /// Resolve (`true`) or reopen (`false`) the thread.
    pub resolved: Option<bool>,
    /// People tagged with `@`: they are notified.
    pub mentions: Vec<UserId>,
}

/// Opens the collection for `action`, refuses multi-partner workspaces and
/// checks that the element exists; answers it with its name.
fn open(
    tx: &mut dyn Tx,
    actor: &Actor,
    target: &CommentTarget,
    action: Action,
) -> Result<(CollectionRecord, WorkspaceAccess, String)> {
    let (c, access) = collection_for(tx, actor, target.collection, Action::ViewWorkspace)?;
    let name = if target.kind == NodeKind::Collection {
        if target.element != c.id.to_string() {
            return Err(Error::not_found("collection"));
        }
        c.name.clone()
    } else {
        let node = tx
            .current_node(c.id, &target.element)?
            .map(flat)
            .transpose()?
            .filter(|n| n.kind == target.kind)
            .ok_or_else(|| Error::not_found(kind_name(target.kind)))?;
        node.name().unwrap_or_default().to_owned()
    };
    authorize(actor, action, Resource::Workspace(&facts_of(&access))).map_err(|d| d.into_error("collection"))?;
    if access.workspace.multi_partner {
        return Err(comments_off());
    }
    Ok((c, access, name))
}

fn kind_name(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Collection => "collection",
        NodeKind::Folder => "folder",
        NodeKind::Request => "request",
        NodeKind::Response => "response",
    }
}

/// The comment `id` on this element.
fn comment_on(tx: &mut dyn Tx, target: &CommentTarget, id: i64) -> Result<ElementCommentRecord> {
    tx.element_comment(target.collection, id)?
        .filter(|c| c.element_type == target.kind.as_str() && c.element_id == target.element)
        .ok_or_else(|| Error::not_found("comment"))
}

impl App {
    /// The comments on an element, oldest first.
    pub async fn element_comments(&self, who: &Principal, target: CommentTarget) -> Result<Vec<ElementCommentRecord>> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                open(tx, &actor, &target, Action::ViewWorkspace)?;
                Ok(tx.element_comments(target.collection, target.kind.as_str(), &target.element)?)
            })
            .await
    }

    /// Starts a thread, or replies in one (`thread_id`).
    pub async fn post_element_comment(
        &self,
        who: &Principal,
        target: CommentTarget,
        draft: ElementCommentDraft,
    ) -> Result<ElementCommentRecord> {
        let body = check_body(draft.body.as_deref().unwrap_or_default())?;
        let who = who.clone();
        let at = now();
        self.store
            .write(move |tx| {
                let actor = who.actor();
                let (c, _, name) = open(tx, &actor, &target, Action::CommentOnUpdate)?;
                let thread = match draft.thread_id {
                    Some(t) => {
                        let root = comment_on(tx, &target, t).map_err(|_| {
                            Error::invalid("invalid_thread", format!("There is no thread {t} on this element."))
                        })?;
                        if root.thread_id.is_some() {
                            return Err(Error::invalid(
                                "invalid_thread",
                                "Reply with the id of the thread's first comment.",
                            ));
                        }
                        Some(root)
                    }
                    None => None,
                };
                let mut comment = ElementCommentRecord {
                    id: 0,
                    collection_id: c.id,
                    element_type: target.kind.as_str().to_owned(),
                    element_id: target.element.clone(),
                    thread_id: thread.as_ref().map(|t| t.id),
                    author_id: who.id(),
                    author_name: who.user.name.clone(),
                    body,
                    resolved: false,
                    created_at: at,
                    updated_at: at,
                };
                comment.id = tx.insert_element_comment(&comment)?;
                let data = serde_json::json!({
                    "collectionId": c.id.to_string(),
                    "elementType": target.kind.as_str(),
                    "elementId": target.element,
                    "commentId": comment.id,
                });
                if let Some(root) = thread.filter(|r| r.author_id != who.id()) {
                    let message = format!("{} replied to your comment on {name}", who.user.name);
                    notify(tx, root.author_id, "reply_to_you", &message, data.clone(), at)?;
                }
                notify_mentions(tx, c.workspace_id, &who, &draft.mentions, &name, &data, at)?;
                Ok(comment)
            })
            .await
    }

    /// Edits one's own comment, or resolves or reopens a thread (its author
    /// or anyone who may edit the collection).
    pub async fn edit_element_comment(
        &self,
        who: &Principal,
        target: CommentTarget,
        id: i64,
        draft: ElementCommentDraft,
    ) -> Result<ElementCommentRecord> {
        let body = draft.body.as_deref().map(check_body).transpose()?;
        if body.is_none() && draft.resolved.is_none() {
            return Err(Error::invalid("invalid_comment", "Send a new body, or a status."));
        }
        let who = who.clone();
        let at = now();
        self.store
            .write(move |tx| {
                let actor = who.actor();
                let (c, access, name) = open(tx, &actor, &target, Action::CommentOnUpdate)?;
                let mut comment = comment_on(tx, &target, id)?;
                let own = comment.author_id == who.id();
                if body.is_some() && !own {
                    return Err(Error::forbidden("forbidden", "Only its author edits a comment."));
                }
                if let Some(resolved) = draft.resolved {
                    if comment.thread_id.is_some() {
                        return Err(Error::invalid(
                            "invalid_thread",
                            "Resolve a thread through its first comment.",
                        ));
                    }
                    let editor =
                        authorize(&actor, Action::EditElements, Resource::Workspace(&facts_of(&access))).is_ok();
                    if !own && !editor {
                        return Err(Error::forbidden(
                            "forbidden",
                            "Only the thread's author or an editor resolves it.",
                        ));
                    }
                    comment.resolved = resolved;
                }
                if let Some(body) = body {
                    comment.body = body;
                }
                comment.updated_at = at;
                tx.save_element_comment(comment.id, &comment.body, comment.resolved, at)?;
                let data = serde_json::json!({
                    "collectionId": c.id.to_string(),
                    "elementType": target.kind.as_str(),
                    "elementId": target.element,
                    "commentId": comment.id,
                });
                notify_mentions(tx, c.workspace_id, &who, &draft.mentions, &name, &data, at)?;
                Ok(comment)
            })
            .await
    }

    /// Deletes one's own comment (workspace admins delete any); deleting a
    /// thread's first comment deletes the thread.
    pub async fn delete_element_comment(&self, who: &Principal, target: CommentTarget, id: i64) -> Result<()> {
        let who = who.clone();
        self.store
            .write(move |tx| {
                let actor = who.actor();
                let (_, access, _) = open(tx, &actor, &target, Action::ViewWorkspace)?;
                let comment = comment_on(tx, &target, id)?;
                let moderator = authorize(
                    &actor,
                    Action::ModerateComments,
                    Resource::Workspace(&facts_of(&access)),
                )
                .is_ok();
                if comment.author_id != who.id() && !moderator {
                    return Err(Error::forbidden(
                        "forbidden",
                        "Only its author or a workspace admin deletes a comment.",
                    ));
                }
                tx.delete_element_comment(id)?;
                Ok(())
            })
            .await
    }
}
