//! Element roles on collections: a role for one person on one collection,
//! widening their workspace role for it (SPEC §3).

use portico_domain::Error;
use portico_domain::ids::{CollectionId, UserId};
use portico_domain::policy::{Action, Actor, Resource, authorize};
use portico_domain::workspace::ElementRole;

use super::{ELEMENT, collection_for};
use crate::workspaces::{activity, facts_of};
use crate::{App, Principal, Result, now};

impl App {
    /// Everyone with a role on the collection.
    pub async fn collection_roles(&self, who: &Principal, id: CollectionId) -> Result<Vec<(UserId, ElementRole)>> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                collection_for(tx, &actor, id, Action::ViewWorkspace)?;
                Ok(tx
                    .element_roles(ELEMENT, &id.to_string())?
                    .into_iter()
                    .filter_map(|(user, role)| role.parse().ok().map(|r| (user, r)))
                    .collect())
            })
            .await
    }

    /// Gives (`Some`) or takes back (`None`) roles on the collection;
    /// workspace admins and editors only. Everyone named must already see
    /// the workspace: an element role never opens a workspace to anyone.
    pub async fn update_collection_roles(
        &self,
        who: &Principal,
        id: CollectionId,
        changes: Vec<(UserId, Option<ElementRole>)>,
    ) -> Result<()> {
        if changes.len() > 100 {
            return Err(Error::invalid("too_many_roles", "Change at most 100 roles at once."));
        }
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let (c, access) = collection_for(tx, &actor, id, Action::ManageElementRoles)?;
                for (user, role) in &changes {
                    let target = Actor {
                        user_id: *user,
                        is_server_admin: false,
                    };
                    let sees = match tx.workspace_access(c.workspace_id, *user)? {
                        Some(a) => {
                            authorize(&target, Action::ViewWorkspace, Resource::Workspace(&facts_of(&a))).is_ok()
                        }
                        None => false,
                    };
                    if !sees && role.is_some() {
                        return Err(Error::invalid(
                            "not_a_member",
                            format!("The user {user} cannot see this workspace; invite them to it first."),
                        ));
                    }
                    tx.set_element_role(ELEMENT, &id.to_string(), *user, role.map(ElementRole::as_str))?;
                }
                activity(
                    tx,
                    &access,
                    actor.user_id,
                    "update_roles",
                    ("collection", id.to_string(), c.name.clone()),
                    at,
                )?;
                Ok(())
            })
            .await
    }
}
