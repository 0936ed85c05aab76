//! What the pull request pages show (R-PR-1): the draft of a new pull
//! request from a fork, the pull requests of a collection with their
//! authors, and one pull request with its people, comments and what the
//! caller may do with it. Each reads what the pull request use cases check,
//! so that pages offer only what those accept.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use portico_domain::Error;
use portico_domain::collection::{ItemChange, Resolutions, three_way_owned};
use portico_domain::ids::{CollectionId, UserId, WorkspaceId};
use portico_domain::policy::Action;
use portico_store::{CollectionRecord, ForkRecord, PullRequestCommentRecord, PullRequestRecord, Tx, WorkspaceAccess};

use super::pull_requests::{check_merge, may_review, pull_request_for, view};
use super::{PullRequestView, collection_allows, collection_for, tree};
use crate::workspaces::visible_members;
use crate::{App, Principal, Result};

/// Someone a pull request page names.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: UserId,
    pub name: String,
    /// A partner in the destination's workspace (R-ISO-6).
    pub partner: bool,
}

/// What the form for a new pull request from a fork needs.
#[derive(Debug, Clone)]
pub struct PullRequestDraft {
    pub fork: ForkRecord,
    pub parent: CollectionRecord,
    /// The people who may review it: those of the parent's workspace the
    /// caller sees (R-MULTI-3) and who see the parent.
    pub reviewers: Vec<Person>,
    /// What merging would change in the parent.
    pub changes: Vec<ItemChange>,
    pub conflicts: usize,
}

/// A pull request in a collection's list.
#[derive(Debug, Clone)]
pub struct PullRequestRow {
    pub record: PullRequestRecord,
    pub author: String,
    /// Into this collection (else out of it, from this fork).
    pub incoming: bool,
}

/// One pull request as its page shows it.
#[derive(Debug, Clone)]
pub struct PullRequestDetail {
    pub pull_request: PullRequestView,
    pub comments: Vec<PullRequestCommentRecord>,
    /// The author, the reviewers and the commenters.
    pub people: HashMap<UserId, Person>,
    pub is_reviewer: bool,
    /// A reviewer or an editor of the destination, while it is open.
    pub may_decline: bool,
    /// An editor of the destination (R-FORK-4).
    pub may_merge: bool,
    /// Why a merge would be refused now: merge checks or conflicts.
    pub merge_blocked: Option<String>,
    /// For its author while it is open: who may review it, to change the
    /// reviewers (empty otherwise).
    pub reviewer_choices: Vec<Person>,
}

impl PullRequestDetail {
    /// Open or approved: still waiting for a decision.
    pub fn is_open(&self) -> bool {
        matches!(self.pull_request.record.status.as_str(), "open" | "approved")
    }

    pub fn name_of(&self, user: UserId) -> &str {
        self.people.get(&user).map_or("Someone", |p| p.name.as_str())
    }
}

fn person(tx: &mut dyn Tx, ws: Option<WorkspaceId>, user: UserId) -> Result<Person> {
    let name = tx.user_by_id(user)?.map_or_else(|| "Someone".to_owned(), |u| u.name);
    let partner = match ws {
        Some(ws) => tx.workspace_member(ws, user)?.is_some_and(|m| m.role.is_partner()),
        None => false,
    };
    Ok(Person {
        id: user,
        name,
        partner,
    })
}

/// The people who may review a pull request into a collection of the
/// workspace of `access`, as its reader sees them: its members the reader
/// sees (R-MULTI-3) who see the workspace.
fn reviewer_choices(tx: &mut dyn Tx, access: &WorkspaceAccess) -> Result<Vec<Person>> {
    let ws = access.workspace.id;
    let mut people = Vec::new();
    for m in visible_members(access, tx.workspace_members(ws)?) {
        if may_review(tx, ws, m.user_id)? {
            people.push(Person {
                id: m.user_id,
                name: m.name,
                partner: m.role.is_partner(),
            });
        }
    }
    people.sort_by_key(|p| p.name.to_lowercase());
    Ok(people)
}

impl App {
    /// The form of a new pull request from a fork into its parent: who may
    /// review it and what it would change. Needs what opening one needs.
    pub async fn pull_request_draft(&self, who: &Principal, fork_id: CollectionId) -> Result<PullRequestDraft> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                let (source, _) = collection_for(tx, &actor, fork_id, Action::ViewWorkspace)?;
                if !collection_allows(tx, &actor, &source, Action::EditElements)? {
                    return Err(Error::forbidden(
                        "forbidden",
                        "Only editors of the fork open pull requests from it.",
                    ));
                }
                let fork = tx
                    .fork_of(fork_id)?
                    .ok_or_else(|| Error::invalid("not_a_fork", "This collection is not a fork."))?;
                let (parent, access) = collection_for(tx, &actor, fork.parent_id, Action::ViewWorkspace)
                    .map_err(|_| Error::not_found("source collection"))?;
                let reviewers = reviewer_choices(tx, &access)?;
                let base = tree(tx, parent.id, Some(fork.base_revision))?;
                let mine = tree(tx, fork_id, None)?;
                let theirs = tree(tx, parent.id, None)?;
                let merged = three_way_owned(&base, &mine, theirs, &Resolutions::new());
                Ok(PullRequestDraft {
                    fork,
                    parent,
                    reviewers,
                    changes: merged.summary,
                    conflicts: merged.conflicts.len(),
                })
            })
            .await
    }

    /// The pull requests into or out of a collection the caller sees
    /// (R-MULTI-3), newest first, with their authors' names.
    pub async fn pull_request_rows(&self, who: &Principal, collection: CollectionId) -> Result<Vec<PullRequestRow>> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                collection_for(tx, &actor, collection, Action::ViewWorkspace)?;
                let mut rows = Vec::new();
                for pr in tx.pull_requests_of(collection)? {
                    if pull_request_for(tx, &actor, &pr.id).is_err() {
                        continue;
                    }
                    let author = tx
                        .user_by_id(pr.created_by)?
                        .map_or_else(|| "Someone".to_owned(), |u| u.name);
                    rows.push(PullRequestRow {
                        incoming: pr.destination_id == collection,
                        record: pr,
                        author,
                    });
                }
                rows.sort_by_key(|r| std::cmp::Reverse(r.record.created_at));
                Ok(rows)
            })
            .await
    }

    /// One pull request with its comments, the people it names and what
    /// the caller may do with it.
    pub async fn pull_request_detail(&self, who: &Principal, id: String) -> Result<PullRequestDetail> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                let (pr, dest_access) = pull_request_for(tx, &actor, &id)?;
                let comments = tx.pull_request_comments(&pr.id)?;
                let pull_request = view(tx, pr)?;
                let record = &pull_request.record;
                let ws = pull_request.destination.as_ref().map(|d| d.workspace_id);
                let mut people = HashMap::new();
                let named = std::iter::once(record.created_by)
                    .chain(pull_request.reviewers.iter().map(|(u, _)| *u))
                    .chain(comments.iter().map(|c| c.author_id));
                for user in named.collect::<Vec<_>>() {
                    if let Entry::Vacant(e) = people.entry(user) {
                        e.insert(person(tx, ws, user)?);
                    }
                }
                let open = matches!(record.status.as_str(), "open" | "approved");
                let is_reviewer = pull_request.reviewers.iter().any(|(u, _)| *u == actor.user_id);
                let editor = match (&pull_request.destination, &dest_access) {
                    (Some(parent), Some(_)) => collection_allows(tx, &actor, parent, Action::MergeIntoElement)?,
                    _ => false,
                };
                let merge_blocked = match (&pull_request.destination, &dest_access) {
                    (Some(parent), Some(access)) if open && editor => {
                        match check_merge(tx, parent, access, &pull_request.reviewers) {
                            Err(e) => Some(e.message),
                            Ok(()) if !pull_request.conflicts.is_empty() => Some(format!(
                                "The collection changed {} field(s) differently since the fork was last in sync: \
                                 pull into the fork and resolve the conflicts there first.",
                                pull_request.conflicts.len()
                            )),
                            Ok(()) => None,
                        }
                    }
                    _ => None,
                };
                let reviewer_choices = match &dest_access {
                    Some(access) if open && record.created_by == actor.user_id => reviewer_choices(tx, access)?,
                    _ => Vec::new(),
                };
                Ok(PullRequestDetail {
                    reviewer_choices,
                    may_decline: open && (is_reviewer || editor),
                    may_merge: open && editor,
                    is_reviewer,
                    merge_blocked,
                    comments,
                    people,
                    pull_request,
                })
            })
            .await
    }
}
