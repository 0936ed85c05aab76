//! Pull requests (R-PR-1): a proposal to merge a fork into its parent, with
//! 1–50 reviewers, approvals, comments, a final decline and a merge by an
//! editor of the parent.

use portico_domain::collection::{Conflict, ItemChange, Resolutions, three_way_owned};
use portico_domain::ids::{CollectionId, UserId};
use portico_domain::policy::{Action, Actor, Denied, Resource, authorize};
use portico_domain::{Error, ErrorKind};
use portico_store::{CollectionRecord, PullRequestCommentRecord, PullRequestRecord, Tx, WorkspaceAccess};

use super::forks::{MergeBlocked, merge_into_parent};
use super::{collection_for, tree};
use crate::workspaces::{activity, facts_of, of_another_partner_team};
use crate::{App, Principal, Result, now};

/// Most reviewers on one pull request.
pub const MAX_REVIEWERS: usize = 50;
/// Longest title, in characters.
pub const MAX_TITLE: usize = 255;

/// A pull request with what a reader needs to see of it.
#[derive(Debug, Clone)]
pub struct PullRequestView {
    pub record: PullRequestRecord,
    pub reviewers: Vec<(UserId, bool)>,
    /// What merging would change in the destination, item by item.
    pub changes: Vec<ItemChange>,
    /// Where the destination changed the same things since the fork's base.
    pub conflicts: Vec<Conflict>,
    pub source: Option<CollectionRecord>,
    pub destination: Option<CollectionRecord>,
}

/// What a reviewer or an editor does with a pull request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review {
    Approve,
    Unapprove,
    Decline,
    Merge,
}

impl Review {
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "approve" => Ok(Review::Approve),
            "unapprove" => Ok(Review::Unapprove),
            "decline" => Ok(Review::Decline),
            "merge" => Ok(Review::Merge),
            _ => Err(Error::invalid(
                "invalid_action",
                "The action is `approve`, `unapprove`, `decline` or `merge`.",
            )),
        }
    }
}

fn check_title(title: &str) -> Result<String> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE {
        return Err(Error::invalid(
            "invalid_title",
            format!("A pull request needs a title of 1 to {MAX_TITLE} characters."),
        ));
    }
    Ok(title.to_owned())
}

/// Checks the reviewers: 1 to 50 people who may see the destination.
fn check_reviewers(tx: &mut dyn Tx, dest: &CollectionRecord, reviewers: &[UserId]) -> Result<Vec<UserId>> {
    let mut list: Vec<UserId> = Vec::new();
    for r in reviewers {
        if !list.contains(r) {
            list.push(*r);
        }
    }
    if list.is_empty() || list.len() > MAX_REVIEWERS {
        return Err(Error::invalid(
            "invalid_reviewers",
            format!("A pull request needs 1 to {MAX_REVIEWERS} reviewers."),
        ));
    }
    for user in &list {
        if !may_review(tx, dest.workspace_id, *user)? {
            return Err(Error::invalid(
                "invalid_reviewers",
                "Every reviewer must be able to see the destination collection.",
            ));
        }
    }
    Ok(list)
}

/// Whether `user` may review pull requests into a collection of workspace
/// `ws`: they see the workspace.
pub(super) fn may_review(tx: &mut dyn Tx, ws: portico_domain::ids::WorkspaceId, user: UserId) -> Result<bool> {
    Ok(tx.workspace_access(ws, user)?.is_some_and(|a| {
        let actor = Actor {
            user_id: user,
            is_server_admin: false,
        };
        authorize(&actor, Action::ViewWorkspace, Resource::Workspace(&facts_of(&a))).is_ok()
    }))
}

/// Loads a pull request the actor may see: through its destination or its
/// source, never one of another partner team's in a multi-partner
/// workspace (R-MULTI-3). Anything else is "not found".
pub(super) fn pull_request_for(
    tx: &mut dyn Tx,
    actor: &Actor,
    id: &str,
) -> Result<(PullRequestRecord, Option<WorkspaceAccess>)> {
    let missing = || Error::not_found("pull request");
    let pr = tx.pull_request(id)?.ok_or_else(missing)?;
    let dest = collection_for(tx, actor, pr.destination_id, Action::ViewWorkspace).ok();
    if let Some((_, access)) = &dest {
        if of_another_partner_team(tx, access, pr.created_by)? {
            return Err(missing());
        }
        return Ok((pr, dest.map(|(_, a)| a)));
    }
    if collection_for(tx, actor, pr.source_id, Action::ViewWorkspace).is_ok() {
        return Ok((pr, None));
    }
    Err(missing())
}

/// The merge preview: the fork's changes since its base against the
/// destination's head.
fn preview(tx: &mut dyn Tx, pr: &PullRequestRecord) -> Result<(Vec<ItemChange>, Vec<Conflict>)> {
    let (Some(fork), Some(_)) = (tx.fork_of(pr.source_id)?, tx.collection(pr.destination_id)?) else {
        return Ok((Vec::new(), Vec::new()));
    };
    if tx.collection(pr.source_id)?.is_none() {
        return Ok((Vec::new(), Vec::new()));
    }
    let base = tree(tx, pr.destination_id, Some(fork.base_revision))?;
    let theirs = tree(tx, pr.source_id, None)?;
    let ours = tree(tx, pr.destination_id, None)?;
    let merged = three_way_owned(&base, &theirs, ours, &Resolutions::new());
    Ok((merged.summary, merged.conflicts))
}

pub(super) fn view(tx: &mut dyn Tx, record: PullRequestRecord) -> Result<PullRequestView> {
    let (changes, conflicts) = if matches!(record.status.as_str(), "open" | "approved") {
        preview(tx, &record)?
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(PullRequestView {
        reviewers: tx.reviewers(&record.id)?,
        source: tx.collection(record.source_id)?,
        destination: tx.collection(record.destination_id)?,
        changes,
        conflicts,
        record,
    })
}

/// The merge checks the destination's team requires (R-PR-1).
pub(super) fn check_merge(
    tx: &mut dyn Tx,
    parent: &CollectionRecord,
    access: &WorkspaceAccess,
    reviewers: &[(UserId, bool)],
) -> Result<()> {
    let checks = tx.merge_checks(access.workspace.team_id)?;
    let approvers: Vec<UserId> = reviewers.iter().filter(|(_, a)| *a).map(|(u, _)| *u).collect();
    if (checks.require_approval || checks.require_editor_approval) && approvers.is_empty() {
        return Err(Error::conflict(
            "merge_checks_failed",
            "The team requires an approval before merging.",
        ));
    }
    if checks.require_editor_approval {
        let mut editor = false;
        for user in approvers {
            let actor = Actor {
                user_id: user,
                is_server_admin: false,
            };
            if collection_for(tx, &actor, parent.id, Action::EditElements).is_ok() {
                editor = true;
                break;
            }
        }
        if !editor {
            return Err(Error::conflict(
                "merge_checks_failed",
                "The team requires an approval by an editor of the collection before merging.",
            ));
        }
    }
    Ok(())
}

impl App {
    /// The merge checks of a team (its members).
    pub async fn merge_checks(
        &self,
        who: &Principal,
        team: portico_domain::ids::TeamId,
    ) -> Result<portico_store::MergeChecks> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                crate::teams::team_for(tx, &actor, team, Action::ViewTeam)?;
                Ok(tx.merge_checks(team)?)
            })
            .await
    }

    /// Sets the merge checks of a team (its admins).
    pub async fn set_merge_checks(
        &self,
        who: &Principal,
        team: portico_domain::ids::TeamId,
        checks: portico_store::MergeChecks,
    ) -> Result<portico_store::MergeChecks> {
        let actor = who.actor();
        self.store
            .write(move |tx| {
                crate::teams::team_for(tx, &actor, team, Action::RenameTeam)?;
                tx.set_merge_checks(team, checks)?;
                Ok(checks)
            })
            .await
    }
}

/// The destination a caller may merge a pull request into, or decline it
/// for. Someone who sees the request (through its fork, say) but not its
/// destination is refused like any other non-editor, not told that the
/// request they just read is missing.
fn merge_destination(
    tx: &mut dyn Tx,
    actor: &Actor,
    pr: &PullRequestRecord,
) -> Result<(CollectionRecord, WorkspaceAccess)> {
    match collection_for(tx, actor, pr.destination_id, Action::MergeIntoElement) {
        Err(e) if e.kind == ErrorKind::NotFound && tx.collection(pr.destination_id)?.is_some() => {
            Err(Denied::Forbidden.into_error("collection"))
        }
        other => other,
    }
}

fn closed(pr: &PullRequestRecord) -> Error {
    Error::conflict(
        "pull_request_closed",
        format!("The pull request is {}: nothing more can be done with it.", pr.status),
    )
}

impl App {
    /// Opens a pull request from a fork into its parent.
    pub async fn create_pull_request(
        &self,
        who: &Principal,
        source: CollectionId,
        destination: CollectionId,
        title: &str,
        description: &str,
        reviewers: Vec<UserId>,
    ) -> Result<PullRequestView> {
        let title = check_title(title)?;
        let description = description.to_owned();
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                collection_for(tx, &actor, source, Action::EditElements)?;
                tx.fork_of(source)?
                    .filter(|f| f.parent_id == destination)
                    .ok_or_else(|| Error::invalid("not_a_fork", "The collection is not a fork of the destination."))?;
                let (dest, dest_access) = collection_for(tx, &actor, destination, Action::ViewWorkspace)?;
                let reviewers = check_reviewers(tx, &dest, &reviewers)?;
                let record = PullRequestRecord {
                    id: uuid::Uuid::new_v4().to_string(),
                    source_id: source,
                    destination_id: destination,
                    title,
                    description,
                    status: "open".to_owned(),
                    decline_comment: None,
                    created_by: actor.user_id,
                    updated_by: actor.user_id,
                    created_at: at,
                    updated_at: at,
                };
                tx.insert_pull_request(&record)?;
                tx.set_reviewers(&record.id, &reviewers)?;
                activity(
                    tx,
                    &dest_access,
                    actor.user_id,
                    "pull_request",
                    ("collection", destination.to_string(), record.title.clone()),
                    at,
                )?;
                for r in reviewers.iter().filter(|r| **r != actor.user_id) {
                    crate::workspaces::notify(
                        tx,
                        *r,
                        "pull_request",
                        &format!("You were asked to review \u{201c}{}\u{201d}", record.title),
                        serde_json::json!({ "pullRequestId": record.id, "collectionId": destination.to_string() }),
                        at,
                    )?;
                }
                view(tx, record)
            })
            .await
    }

    /// The pull requests into or out of a collection that the caller sees.
    pub async fn pull_requests(&self, who: &Principal, collection: CollectionId) -> Result<Vec<PullRequestRecord>> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                collection_for(tx, &actor, collection, Action::ViewWorkspace)?;
                let mut out = Vec::new();
                for pr in tx.pull_requests_of(collection)? {
                    if pull_request_for(tx, &actor, &pr.id).is_ok() {
                        out.push(pr);
                    }
                }
                Ok(out)
            })
            .await
    }

    /// One pull request with its reviewers and the merge preview.
    pub async fn pull_request(&self, who: &Principal, id: String) -> Result<PullRequestView> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                let (pr, _) = pull_request_for(tx, &actor, &id)?;
                view(tx, pr)
            })
            .await
    }

    /// Approves, unapproves, declines or merges a pull request.
    pub async fn review_pull_request(
        &self,
        who: &Principal,
        id: String,
        review: Review,
        comment: Option<String>,
    ) -> Result<std::result::Result<PullRequestView, MergeBlocked>> {
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let (mut pr, _) = pull_request_for(tx, &actor, &id)?;
                if !matches!(pr.status.as_str(), "open" | "approved") {
                    return Err(closed(&pr));
                }
                let reviewers = tx.reviewers(&pr.id)?;
                let is_reviewer = reviewers.iter().any(|(u, _)| *u == actor.user_id);
                let not_reviewer =
                    || Error::forbidden("not_a_reviewer", "Only the pull request's reviewers may do this.");
                let mut notify_author = None;
                match review {
                    Review::Approve | Review::Unapprove => {
                        if !is_reviewer {
                            return Err(not_reviewer());
                        }
                        tx.set_approval(&pr.id, actor.user_id, review == Review::Approve)?;
                        let approved = tx.reviewers(&pr.id)?.iter().any(|(_, a)| *a);
                        pr.status = if approved { "approved" } else { "open" }.to_owned();
                        if review == Review::Approve {
                            notify_author = Some("approved");
                        }
                    }
                    Review::Decline => {
                        if !is_reviewer && merge_destination(tx, &actor, &pr).is_err() {
                            return Err(not_reviewer());
                        }
                        pr.status = "declined".to_owned();
                        pr.decline_comment = comment.filter(|c| !c.trim().is_empty());
                        notify_author = Some("declined");
                    }
                    Review::Merge => {
                        let (parent, parent_access) = merge_destination(tx, &actor, &pr)?;
                        check_merge(tx, &parent, &parent_access, &reviewers)?;
                        let fork_c = tx
                            .collection(pr.source_id)?
                            .ok_or_else(|| Error::not_found("collection"))?;
                        let fork = tx
                            .fork_of(pr.source_id)?
                            .ok_or_else(|| Error::not_found("collection"))?;
                        match merge_into_parent(tx, &fork_c, &fork, &parent, &parent_access, actor.user_id, at)? {
                            Err(blocked) => return Ok(Err(blocked)),
                            Ok(_) => {
                                pr.status = "merged".to_owned();
                                notify_author = Some("merged");
                            }
                        }
                    }
                }
                pr.updated_by = actor.user_id;
                pr.updated_at = at;
                tx.save_pull_request(&pr)?;
                if let Some(what) = notify_author.filter(|_| pr.created_by != actor.user_id) {
                    crate::workspaces::notify(
                        tx,
                        pr.created_by,
                        "pull_request",
                        &format!("Your pull request \u{201c}{}\u{201d} was {what}", pr.title),
                        serde_json::json!({ "pullRequestId": pr.id, "collectionId": pr.destination_id.to_string() }),
                        at,
                    )?;
                }
                Ok(Ok(view(tx, pr)?))
            })
            .await
    }

    /// Changes an open pull request's title, description and reviewers (its
    /// author). Approvals of reviewers kept stay.
    pub async fn update_pull_request(
        &self,
        who: &Principal,
        id: String,
        title: &str,
        description: Option<String>,
        reviewers: Vec<UserId>,
    ) -> Result<PullRequestView> {
        let title = check_title(title)?;
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let (mut pr, _) = pull_request_for(tx, &actor, &id)?;
                if pr.created_by != actor.user_id {
                    return Err(Error::forbidden(
                        "not_the_author",
                        "Only the author changes a pull request.",
                    ));
                }
                if !matches!(pr.status.as_str(), "open" | "approved") {
                    return Err(closed(&pr));
                }
                let dest = tx
                    .collection(pr.destination_id)?
                    .ok_or_else(|| Error::not_found("collection"))?;
                let reviewers = check_reviewers(tx, &dest, &reviewers)?;
                tx.set_reviewers(&pr.id, &reviewers)?;
                pr.title = title;
                if let Some(d) = description {
                    pr.description = d;
                }
                let approved = tx.reviewers(&pr.id)?.iter().any(|(_, a)| *a);
                pr.status = if approved { "approved" } else { "open" }.to_owned();
                pr.updated_by = actor.user_id;
                pr.updated_at = at;
                tx.save_pull_request(&pr)?;
                view(tx, pr)
            })
            .await
    }

    /// Comments on a pull request (anyone who sees it).
    pub async fn comment_on_pull_request(
        &self,
        who: &Principal,
        id: String,
        body: String,
    ) -> Result<PullRequestCommentRecord> {
        let body = body.trim().to_owned();
        if body.is_empty() || body.chars().count() > 10_000 {
            return Err(Error::invalid(
                "invalid_comment",
                "A comment has 1 to 10,000 characters.",
            ));
        }
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let (pr, _) = pull_request_for(tx, &actor, &id)?;
                let comment = PullRequestCommentRecord {
                    id: uuid::Uuid::new_v4().to_string(),
                    pull_request_id: pr.id.clone(),
                    author_id: actor.user_id,
                    body,
                    created_at: at,
                };
                tx.insert_pull_request_comment(&comment)?;
                Ok(comment)
            })
            .await
    }

    /// The comments on a pull request, oldest first.
    pub async fn pull_request_comments(&self, who: &Principal, id: String) -> Result<Vec<PullRequestCommentRecord>> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                let (pr, _) = pull_request_for(tx, &actor, &id)?;
                Ok(tx.pull_request_comments(&pr.id)?)
            })
            .await
    }
}
