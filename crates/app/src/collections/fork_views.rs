//! What a page needs to offer forks truthfully: the destinations the policy
//! allows for one collection (R-FORK-1) and how far a fork is from its
//! source in both directions (R-FORK-2).

use portico_domain::collection::{Resolutions, three_way_owned};
use portico_domain::ids::{CollectionId, TeamId};
use portico_domain::policy::{Action, authorize_fork};
use portico_store::{ForkRecord, WorkspaceRecord};

use super::{collection_for, tree};
use crate::workspaces::{facts_of, visible_workspaces};
use crate::{App, Principal, Result};

/// The workspaces of one team a collection may be forked into.
#[derive(Debug, Clone)]
pub struct ForkDestinations {
    pub team_id: TeamId,
    /// The team's name, for the caller's own teams only: a partner learns
    /// nothing of the publisher team beyond its workspaces (R-ISO-2).
    pub team_name: Option<String>,
    /// The team that publishes the collection.
    pub publisher: bool,
    pub workspaces: Vec<WorkspaceRecord>,
}

/// Where a fork stands against its source.
#[derive(Debug, Clone)]
pub struct ForkStatus {
    pub fork: ForkRecord,
    /// Revisions the source made since the fork's base (R-FORK-2).
    pub behind: i64,
    /// Items merging the fork would change in the source: what the fork has
    /// that the source lacks. `None` when the caller cannot see the source.
    pub ahead: Option<usize>,
}

impl App {
    /// The workspaces the caller may fork a collection into, grouped by
    /// team, the publisher's first: exactly those the fork use case accepts,
    /// by the same policy decision (R-FORK-1).
    pub async fn fork_destinations(&self, who: &Principal, id: CollectionId) -> Result<Vec<ForkDestinations>> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                let (_, source) = collection_for(tx, &actor, id, Action::ViewWorkspace)?;
                let source_facts = facts_of(&source);
                let publisher = source.workspace.team_id;
                let mut groups: Vec<ForkDestinations> = Vec::new();
                for dest in visible_workspaces(tx, &actor)? {
                    if authorize_fork(&actor, &source_facts, &facts_of(&dest)).is_err() {
                        continue;
                    }
                    let team = dest.workspace.team_id;
                    if let Some(g) = groups.iter_mut().find(|g| g.team_id == team) {
                        g.workspaces.push(dest.workspace);
                        continue;
                    }
                    let team_name = match dest.team_roles {
                        Some(_) => tx.team_by_id(team)?.map(|t| t.name),
                        None => None,
                    };
                    groups.push(ForkDestinations {
                        team_id: team,
                        team_name,
                        publisher: team == publisher,
                        workspaces: vec![dest.workspace],
                    });
                }
                for g in &mut groups {
                    g.workspaces.sort_by_key(|w| w.name.to_lowercase());
                }
                groups.sort_by(|a, b| {
                    (!a.publisher, a.team_name.as_deref().unwrap_or_default())
                        .cmp(&(!b.publisher, b.team_name.as_deref().unwrap_or_default()))
                });
                Ok(groups)
            })
            .await
    }

    /// How many revisions a fork is behind its source and how many items it
    /// would change there (R-FORK-2). A collection that is no fork is
    /// `invalid` (`not_a_fork`), as for [`App::source_status`].
    pub async fn fork_status(&self, who: &Principal, id: CollectionId) -> Result<ForkStatus> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                collection_for(tx, &actor, id, Action::ViewWorkspace)?;
                let fork = tx.fork_of(id)?.ok_or_else(super::forks::not_a_fork)?;
                let parent = tx.collection(fork.parent_id)?;
                let behind = parent.as_ref().map_or(0, |p| (p.revision - fork.base_revision).max(0));
                let sees_parent = collection_for(tx, &actor, fork.parent_id, Action::ViewWorkspace).is_ok();
                let ahead = if sees_parent {
                    let base = tree(tx, fork.parent_id, Some(fork.base_revision))?;
                    let mine = tree(tx, id, None)?;
                    let theirs = tree(tx, fork.parent_id, None)?;
                    Some(three_way_owned(&base, &mine, theirs, &Resolutions::new()).summary.len())
                } else {
                    None
                };
                Ok(ForkStatus { fork, behind, ahead })
            })
            .await
    }
}
