//! A collection's changelog with per-element diffs, and restoring an
//! earlier revision (R-COL-3).

use portico_domain::Error;
use portico_domain::collection::{self, FieldChange, NodeKind};
use portico_domain::ids::{CollectionId, UserId};
use portico_domain::policy::Action;
use portico_store::Millis;

use super::{ElementChange, RevisionNote, Saved, check_revision, collection_for, commit, edit_between, flat, saved};
use crate::pagination::page_size;
use crate::teams::Page;
use crate::{App, Principal, Result, now};

/// Diffs are computed for at most this many elements of one revision; the
/// rest are listed without one.
const MAX_DIFFS_PER_REVISION: usize = 50;

/// One entry of the changelog.
#[derive(Debug, Clone)]
pub struct RevisionView {
    pub revision: i64,
    pub author_id: UserId,
    pub author_name: String,
    pub created_at: Millis,
    pub note: Option<String>,
    pub changes: Vec<ChangeWithDiff>,
}

/// An element a revision touched, with the fields that changed.
#[derive(Debug, Clone)]
pub struct ChangeWithDiff {
    pub change: ElementChange,
    /// `None` when the revision touched too many elements to diff them all.
    pub diff: Option<Vec<FieldChange>>,
}

fn bad_cursor() -> Error {
    Error::invalid("invalid_cursor", "The cursor is not one this server gave out.")
}

impl App {
    /// The changelog, newest first; `cursor` continues a previous page.
    pub async fn changelog(
        &self,
        who: &Principal,
        id: CollectionId,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<Page<RevisionView>> {
        let before = cursor.map(|c| c.parse::<i64>().map_err(|_| bad_cursor())).transpose()?;
        let limit = page_size(limit);
        let actor = who.actor();
        self.store
            .read(move |tx| {
                collection_for(tx, &actor, id, Action::ViewWorkspace)?;
                let mut rows = tx.revisions(id, before, limit + 1)?;
                let more = rows.len() > limit as usize;
                rows.truncate(limit as usize);
                let mut items = Vec::with_capacity(rows.len());
                for r in rows {
                    let note = RevisionNote::parse(&r.changes);
                    let mut changes = Vec::with_capacity(note.changes.len());
                    for (i, change) in note.changes.into_iter().enumerate() {
                        let diff = if i < MAX_DIFFS_PER_REVISION {
                            let kind: NodeKind = change.element_type.parse()?;
                            let old = tx
                                .node_version(id, &change.element_id, r.revision - 1)?
                                .map(flat)
                                .transpose()?;
                            let new = tx
                                .node_version(id, &change.element_id, r.revision)?
                                .map(flat)
                                .transpose()?;
                            Some(collection::diff(
                                kind,
                                old.as_ref().map(|n| &n.body),
                                new.as_ref().map(|n| &n.body),
                            ))
                        } else {
                            None
                        };
                        changes.push(ChangeWithDiff { change, diff });
                    }
                    let author_name = tx.user_by_id(r.author)?.map(|u| u.name).unwrap_or_default();
                    items.push(RevisionView {
                        revision: r.revision,
                        author_id: r.author,
                        author_name,
                        created_at: r.created_at,
                        note: note.note,
                        changes,
                    });
                }
                let next_cursor = more.then(|| items.last().map(|r| r.revision.to_string())).flatten();
                Ok(Page { items, next_cursor })
            })
            .await
    }

    /// Makes the collection as it was at `revision`, as a new revision.
    pub async fn restore_collection(
        &self,
        who: &Principal,
        id: CollectionId,
        revision: i64,
        expected: Option<i64>,
    ) -> Result<Saved> {
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let (c, access) = collection_for(tx, &actor, id, Action::EditElements)?;
                check_revision(&c, expected)?;
                if revision < 1 || revision > c.revision {
                    return Err(Error::invalid(
                        "invalid_revision",
                        format!("Choose a revision from 1 to {}.", c.revision),
                    ));
                }
                let target = tx
                    .nodes_at(id, Some(revision))?
                    .into_iter()
                    .map(flat)
                    .collect::<Result<Vec<_>>>()?;
                let mut edit = edit_between(tx.nodes_at(id, None)?, &target)?;
                edit.note = Some(format!("Restored revision {revision}"));
                let head = commit(tx, &access, &c, actor.user_id, at, edit)?;
                saved(tx, &access, head)
            })
            .await
    }
}
