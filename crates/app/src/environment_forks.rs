//! Forks of environments (R-FORK-1..4): a copy that remembers its parent
//! and the parent's variables at the fork, so that pulls and merges are
//! three-way merges variable by variable.
//!
//! Secret values never travel to someone who may not edit the environment
//! they come from: a fork made, or a pull done, by such a person carries
//! secret variables with empty values.

use std::collections::{HashMap, HashSet};

use portico_domain::Error;
use portico_domain::collection::Side;
use portico_domain::environment::{Environment, VariableConflict, merge_variables};
use portico_domain::ids::{EnvironmentId, WorkspaceId};
use portico_domain::policy::{Action, authorize_fork};
use portico_store::{EnvironmentForkRecord, EnvironmentRecord};
use serde_json::Value;

use crate::collections::fork_label;
use crate::environments::{EnvironmentSaved, can_edit, content, environment_for, keep, save, vars_json};
use crate::workspaces::{activity, facts_of, of_another_partner_team, visible_workspaces};
use crate::{App, Principal, Result, now};

/// The environment with the values of its secret variables emptied.
fn without_secrets(mut env: Environment) -> Environment {
    for v in &mut env.values {
        if v.get("type").and_then(Value::as_str) == Some("secret") {
            v.insert("value".to_owned(), Value::String(String::new()));
        }
    }
    env
}

fn parse_vars(name: &str, vars: &str) -> Result<Environment> {
    let values = match serde_json::from_str(vars) {
        Ok(Value::Array(list)) => list
            .into_iter()
            .filter_map(|v| match v {
                Value::Object(o) => Some(o),
                _ => None,
            })
            .collect(),
        _ => return Err(Error::internal()),
    };
    Ok(Environment {
        name: name.to_owned(),
        values,
    })
}

/// The outcome of a pull or a merge of environments.
#[derive(Debug, Clone)]
pub struct EnvironmentMerge {
    /// The environment written (or left as it was, with conflicts).
    pub saved: Option<EnvironmentSaved>,
    pub conflicts: Vec<VariableConflict>,
}

/// Forks of an environment the caller sees, and how many others exist.
#[derive(Debug, Clone)]
pub struct EnvironmentForkList {
    pub forks: Vec<(EnvironmentForkRecord, EnvironmentRecord)>,
    pub hidden: usize,
}

impl App {
    /// Forks an environment into a workspace (R-FORK-1, as for collections).
    pub async fn fork_environment(
        &self,
        who: &Principal,
        id: EnvironmentId,
        ws: WorkspaceId,
        label: &str,
    ) -> Result<(EnvironmentSaved, EnvironmentForkRecord)> {
        let label = fork_label(label)?;
        self.take_quota(crate::rate_limit::Quota::Forks, who, 1)?;
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| fork_environment_in(tx, &actor, id, ws, label, at))
            .await
    }

    /// The forks of an environment in workspaces the caller sees.
    pub async fn environment_forks(&self, who: &Principal, id: EnvironmentId) -> Result<EnvironmentForkList> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                let (_, access) = environment_for(tx, &actor, id, Action::ViewWorkspace)?;
                let seen: HashSet<WorkspaceId> = visible_workspaces(tx, &actor)?
                    .into_iter()
                    .map(|a| a.workspace.id)
                    .collect();
                let mut list = EnvironmentForkList {
                    forks: Vec::new(),
                    hidden: 0,
                };
                for fork in tx.environment_forks_of(id)? {
                    let Some(env) = tx.environment(fork.environment_id)? else {
                        continue;
                    };
                    let other_side = of_another_partner_team(tx, &access, fork.created_by)?;
                    if seen.contains(&env.workspace_id) && !other_side {
                        list.forks.push((fork, env));
                    } else {
                        list.hidden += 1;
                    }
                }
                Ok(list)
            })
            .await
    }

    /// Pulls the parent's variables into a fork: a three-way merge by key
    /// against the parent's variables at the fork or last pull. Unresolved
    /// conflicts write nothing.
    pub async fn pull_environment(
        &self,
        who: &Principal,
        id: EnvironmentId,
        choose: HashMap<String, Side>,
    ) -> Result<EnvironmentMerge> {
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let (fork_env, access) = environment_for(tx, &actor, id, Action::EditElements)?;
                let fork = tx
                    .environment_fork_of(id)?
                    .ok_or_else(|| Error::invalid("not_a_fork", "This environment is not a fork."))?;
                let (parent, parent_access) = environment_for(tx, &actor, fork.parent_id, Action::ViewWorkspace)
                    .map_err(|_| Error::not_found("source environment"))?;
                let mut source = content(&parent)?;
                if !can_edit(&actor, &parent_access) {
                    source = without_secrets(source);
                }
                let base = parse_vars(&parent.name, &fork.base_vars)?;
                let dest = content(&fork_env)?;
                let (merged, conflicts) = merge_variables(&base, &source, &dest, &|k| choose.get(k).copied());
                if !conflicts.is_empty() {
                    return Ok(EnvironmentMerge { saved: None, conflicts });
                }
                let saved = save(tx, &access, fork_env, &merged, None, actor.user_id, at)?;
                tx.set_environment_fork_base(id, &vars_json(&source), parent.revision)?;
                Ok(EnvironmentMerge {
                    saved: Some(saved),
                    conflicts,
                })
            })
            .await
    }

    /// Merges a fork's variables into its parent (R-FORK-4): editors of the
    /// parent; deleting the fork afterwards needs editor rights on it too.
    /// Conflicts with the parent's own changes write nothing.
    pub async fn merge_environment(
        &self,
        who: &Principal,
        parent_id: EnvironmentId,
        fork_id: EnvironmentId,
        delete_source: bool,
    ) -> Result<EnvironmentMerge> {
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let fork_action = if delete_source {
                    Action::EditElements
                } else {
                    Action::ViewWorkspace
                };
                let (fork_env, fork_access) = environment_for(tx, &actor, fork_id, fork_action)?;
                let fork = tx
                    .environment_fork_of(fork_id)?
                    .filter(|f| f.parent_id == parent_id)
                    .ok_or_else(|| Error::invalid("not_a_fork", "The source is not a fork of this environment."))?;
                let (parent, parent_access) = environment_for(tx, &actor, parent_id, Action::MergeIntoElement)?;
                let base = parse_vars(&parent.name, &fork.base_vars)?;
                let theirs = content(&fork_env)?;
                let ours = content(&parent)?;
                let (merged, conflicts) = merge_variables(&base, &theirs, &ours, &|_| None);
                if !conflicts.is_empty() {
                    return Ok(EnvironmentMerge { saved: None, conflicts });
                }
                let saved = save(tx, &parent_access, parent, &merged, None, actor.user_id, at)?;
                if delete_source {
                    tx.delete_environment(fork_id)?;
                    activity(
                        tx,
                        &fork_access,
                        actor.user_id,
                        "delete",
                        ("environment", fork_id.to_string(), fork_env.name.clone()),
                        at,
                    )?;
                }
                Ok(EnvironmentMerge {
                    saved: Some(saved),
                    conflicts,
                })
            })
            .await
    }
}

/// Forks an environment inside a transaction (also used when a collection
/// is forked with its environments).
pub(crate) fn fork_environment_in(
    tx: &mut dyn portico_store::Tx,
    actor: &portico_domain::policy::Actor,
    id: EnvironmentId,
    ws: WorkspaceId,
    label: String,
    at: portico_store::Millis,
) -> Result<(EnvironmentSaved, EnvironmentForkRecord)> {
    let (source, source_access) = environment_for(tx, actor, id, Action::Fork)?;
    let dest_access = tx
        .workspace_access(ws, actor.user_id)?
        .ok_or_else(|| Error::not_found("workspace"))?;
    authorize_fork(actor, &facts_of(&source_access), &facts_of(&dest_access))?;
    let mut env = content(&source)?;
    if !can_edit(actor, &source_access) {
        env = without_secrets(env);
    }
    let record = EnvironmentRecord {
        id: EnvironmentId::generate(),
        workspace_id: ws,
        name: env.name.clone(),
        vars: vars_json(&env),
        revision: 1,
        created_by: actor.user_id,
        updated_by: actor.user_id,
        created_at: at,
        updated_at: at,
    };
    tx.insert_environment(&record)?;
    let fork = EnvironmentForkRecord {
        environment_id: record.id,
        parent_id: id,
        label,
        base_vars: record.vars.clone(),
        base_revision: source.revision,
        created_by: actor.user_id,
        created_at: at,
    };
    tx.insert_environment_fork(&fork)?;
    activity(
        tx,
        &dest_access,
        actor.user_id,
        "fork",
        ("environment", record.id.to_string(), record.name.clone()),
        at,
    )?;
    Ok((keep(tx, &dest_access, record, "created")?, fork))
}
