//! Environments: variables of a workspace, `default` or `secret`; secret
//! values reach only those who may edit the environment.

use portico_domain::Error;
use portico_domain::environment::{Environment, VariableEdit};
use portico_domain::ids::{EnvironmentId, WorkspaceId};
use portico_domain::policy::{Action, Actor, Resource, authorize};
use portico_store::{EnvironmentRecord, Millis, Tx, WorkspaceAccess};
use serde_json::Value;

use crate::collections::{ElementChange, RevisionNote, suggestion};
use crate::workspaces::{activity, facts_of, listed_workspaces, workspace_for, workspace_for_element};
use crate::{App, Principal, Result, now};

/// An environment as a caller may see it.
#[derive(Debug, Clone)]
pub struct EnvironmentView {
    pub record: EnvironmentRecord,
    pub content: Environment,
    /// Whether the caller may edit it, and so see its secret values.
    pub can_edit: bool,
}

/// The outcome of a write, with the save nudge (R-UPD-2).
#[derive(Debug, Clone)]
pub struct EnvironmentSaved {
    pub record: EnvironmentRecord,
    pub post_update_suggested: bool,
    pub element_changes: Vec<ElementChange>,
}

pub(crate) fn content(r: &EnvironmentRecord) -> Result<Environment> {
    let values = match serde_json::from_str(&r.vars) {
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
        name: r.name.clone(),
        values,
    })
}

pub(crate) fn vars_json(env: &Environment) -> String {
    Value::Array(env.values.iter().cloned().map(Value::Object).collect()).to_string()
}

pub(crate) fn environment_for(
    tx: &mut dyn Tx,
    actor: &Actor,
    id: EnvironmentId,
    action: Action,
) -> Result<(EnvironmentRecord, WorkspaceAccess)> {
    // Writers queue on the environment's row (see `collection_for`).
    let e = if action == Action::ViewWorkspace {
        tx.environment(id)?
    } else {
        tx.environment_for_update(id)?
    }
    .ok_or_else(|| Error::not_found("environment"))?;
    let access = workspace_for_element(tx, actor, e.workspace_id, action, "environment", None)?;
    Ok((e, access))
}

pub(crate) fn can_edit(actor: &Actor, access: &WorkspaceAccess) -> bool {
    authorize(actor, Action::EditElements, Resource::Workspace(&facts_of(access))).is_ok()
}

fn change(action: &str, r: &EnvironmentRecord) -> ElementChange {
    ElementChange {
        action: action.into(),
        element_type: "environment".into(),
        element_id: r.id.to_string(),
        name: r.name.clone(),
        collection_id: None,
    }
}

/// Records the revision the record now is, and answers with the nudge.
pub(crate) fn keep(
    tx: &mut dyn Tx,
    access: &WorkspaceAccess,
    record: EnvironmentRecord,
    action: &str,
) -> Result<EnvironmentSaved> {
    let note = RevisionNote {
        note: None,
        changes: vec![change(action, &record)],
    };
    let text = serde_json::to_string(&note).map_err(|_| Error::internal())?;
    tx.insert_environment_revision(&record, &text)?;
    let event = serde_json::json!({
        "environmentId": record.id.to_string(),
        "name": record.name,
        "revision": record.revision,
        "action": action,
        "author": record.updated_by.to_string(),
    });
    crate::integrations::emit(tx, access, "environment_changed", event, record.updated_at)?;
    let (post_update_suggested, element_changes) = suggestion(tx, access)?;
    Ok(EnvironmentSaved {
        record,
        post_update_suggested,
        element_changes,
    })
}

fn stale(e: &EnvironmentRecord, expected: i64) -> Error {
    Error::conflict(
        "revision_conflict",
        format!(
            "The environment changed since revision {expected}: it is at revision {}. Reload it and apply your change again.",
            e.revision
        ),
    )
}

/// Saves new content as the next revision, unless it changes nothing.
pub(crate) fn save(
    tx: &mut dyn Tx,
    access: &WorkspaceAccess,
    old: EnvironmentRecord,
    env: &Environment,
    expected: Option<i64>,
    author: portico_domain::ids::UserId,
    at: Millis,
) -> Result<EnvironmentSaved> {
    if let Some(e) = expected.filter(|e| *e != old.revision) {
        return Err(stale(&old, e));
    }
    let vars = vars_json(env);
    if env.name == old.name && vars == old.vars {
        let (post_update_suggested, element_changes) = suggestion(tx, access)?;
        return Ok(EnvironmentSaved {
            record: old,
            post_update_suggested,
            element_changes,
        });
    }
    let mut next = old.clone();
    next.name.clone_from(&env.name);
    next.vars = vars;
    next.revision += 1;
    next.updated_by = author;
    next.updated_at = at;
    if !tx.save_environment(&next, old.revision)? {
        return Err(stale(&old, old.revision));
    }
    keep(tx, access, next, "updated")
}

impl App {
    /// Creates an environment from `{"environment": {name, values}}` or an
    /// exported environment file.
    pub async fn create_environment(&self, who: &Principal, ws: WorkspaceId, body: Value) -> Result<EnvironmentSaved> {
        let env = Environment::parse(&body)?;
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let access = workspace_for(tx, &actor, ws, Action::EditElements)?;
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
                activity(
                    tx,
                    &access,
                    actor.user_id,
                    "create",
                    ("environment", record.id.to_string(), record.name.clone()),
                    at,
                )?;
                keep(tx, &access, record, "created")
            })
            .await
    }

    /// The environments of one workspace, or of every workspace the caller
    /// sees; an unknown workspace gives an empty list.
    pub async fn list_environments(&self, who: &Principal, ws: Option<WorkspaceId>) -> Result<Vec<EnvironmentRecord>> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                let workspaces = listed_workspaces(tx, &actor, ws)?;
                let mut out = Vec::new();
                for w in workspaces {
                    out.extend(tx.environments_in(w)?);
                }
                Ok(out)
            })
            .await
    }

    /// One environment; `export` asks for the export right.
    pub async fn environment(&self, who: &Principal, id: EnvironmentId, export: bool) -> Result<EnvironmentView> {
        if export {
            self.take_quota(crate::rate_limit::Quota::Exports, who, 1)?;
        }
        let actor = who.actor();
        let action = if export {
            Action::ExportElements
        } else {
            Action::ViewWorkspace
        };
        self.store
            .read(move |tx| {
                let (record, access) = environment_for(tx, &actor, id, action)?;
                Ok(EnvironmentView {
                    content: content(&record)?,
                    can_edit: can_edit(&actor, &access),
                    record,
                })
            })
            .await
    }

    /// Replaces name and variables (PUT).
    pub async fn replace_environment(
        &self,
        who: &Principal,
        id: EnvironmentId,
        body: Value,
        expected: Option<i64>,
    ) -> Result<EnvironmentSaved> {
        let env = Environment::parse(&body)?;
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let (old, access) = environment_for(tx, &actor, id, Action::EditElements)?;
                save(tx, &access, old, &env, expected, actor.user_id, at)
            })
            .await
    }

    /// Applies JSON Patch operations (PATCH), all or nothing.
    pub async fn patch_environment(
        &self,
        who: &Principal,
        id: EnvironmentId,
        ops: Value,
        expected: Option<i64>,
    ) -> Result<EnvironmentSaved> {
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let (old, access) = environment_for(tx, &actor, id, Action::EditElements)?;
                let env = content(&old)?.apply_patch(&ops)?;
                save(tx, &access, old, &env, expected, actor.user_id, at)
            })
            .await
    }

    /// Saves a form edit (the web page's editor): name and variables,
    /// secrets left blank keeping their value, on the revision the form was
    /// shown from (a stale one is refused, R-COL-2).
    pub async fn edit_environment(
        &self,
        who: &Principal,
        id: EnvironmentId,
        name: String,
        rows: Vec<VariableEdit>,
        expected: i64,
    ) -> Result<EnvironmentSaved> {
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let (old, access) = environment_for(tx, &actor, id, Action::EditElements)?;
                let env = content(&old)?.edited(&name, &rows)?;
                save(tx, &access, old, &env, Some(expected), actor.user_id, at)
            })
            .await
    }

    pub async fn delete_environment(&self, who: &Principal, id: EnvironmentId) -> Result<EnvironmentRecord> {
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                let (e, access) = environment_for(tx, &actor, id, Action::EditElements)?;
                tx.delete_environment(id)?;
                activity(
                    tx,
                    &access,
                    actor.user_id,
                    "delete",
                    ("environment", id.to_string(), e.name.clone()),
                    at,
                )?;
                Ok(e)
            })
            .await
    }
}
