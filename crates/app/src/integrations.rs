//! Outgoing webhooks of internal workspaces (R-ISO-7): configured by
//! workspace admins, refused on Partner Workspaces, queued in the
//! transaction of the change they report and delivered by the server's
//! webhook sender.

use portico_domain::Error;
use portico_domain::ids::WorkspaceId;
use portico_domain::integration::{EVENTS, Target, is_internal};
use portico_domain::policy::Action;
use portico_domain::workspace::WorkspaceKind;
use portico_store::{DeliveryRecord, IntegrationRecord, Millis, Tx, WorkspaceAccess};
use serde_json::{Value, json};

use crate::workspaces::workspace_for;
use crate::{App, Principal, Result, crypto, now};

/// Most webhooks per workspace.
pub const MAX_PER_WORKSPACE: usize = 20;

fn unavailable() -> Error {
    Error::conflict(
        "integrations_unavailable_in_partner_workspace",
        "Integrations send workspace activity to outside services, so Partner Workspaces do not have them.",
    )
}

fn is_partner_space(a: &WorkspaceAccess) -> bool {
    a.workspace.kind == WorkspaceKind::Partner || a.workspace.pending_approval
}

/// Refuses targets inside the server's own networks unless allowed; a host
/// name must resolve, and to public addresses only.
pub async fn check_target(target: &Target, allow_private: bool) -> Result<()> {
    if allow_private {
        return Ok(());
    }
    let refused = || {
        Error::invalid(
            "webhook_target_not_allowed",
            "Webhooks may not reach loopback, private or link-local addresses on this server.",
        )
    };
    if target.is_local_name() {
        return Err(refused());
    }
    if let Some(ip) = target.ip() {
        return if is_internal(ip) { Err(refused()) } else { Ok(()) };
    }
    let addrs: Vec<_> = tokio::net::lookup_host((target.host.as_str(), target.port))
        .await
        .map_err(|_| {
            Error::invalid(
                "webhook_target_unresolvable",
                format!("The host {} could not be resolved.", target.host),
            )
        })?
        .collect();
    if addrs.is_empty() || addrs.iter().any(|a| is_internal(a.ip())) {
        return Err(refused());
    }
    Ok(())
}

/// Queues `event` for every webhook of the workspace that asked for it, in
/// the caller's transaction. Partner Workspaces send nothing.
pub(crate) fn emit(tx: &mut dyn Tx, access: &WorkspaceAccess, event: &str, data: Value, at: Millis) -> Result<()> {
    if is_partner_space(access) {
        return Ok(());
    }
    let hooks = tx.integrations_in(access.workspace.id)?;
    if hooks.is_empty() {
        return Ok(());
    }
    let payload = json!({
        "event": event,
        "workspace": { "id": access.workspace.id.to_string(), "name": access.workspace.name },
        "occurredAt": at,
        "data": data,
    })
    .to_string();
    for hook in hooks {
        let wants = serde_json::from_str::<Vec<String>>(&hook.events).is_ok_and(|e| e.iter().any(|e| e == event));
        if wants {
            tx.insert_delivery(&hook.id, event, &payload, at)?;
        }
    }
    Ok(())
}

impl App {
    /// Adds a webhook to an internal workspace (workspace admins). Answers
    /// it with its signing secret, shown this once.
    pub async fn create_integration(
        &self,
        who: &Principal,
        ws: WorkspaceId,
        name: String,
        url: String,
        events: Vec<String>,
    ) -> Result<IntegrationRecord> {
        let name = name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(Error::invalid(
                "invalid_name",
                "Give the integration a name of 1 to 200 characters.",
            ));
        }
        if events.is_empty() {
            return Err(Error::invalid("invalid_events", "Choose at least one event."));
        }
        if let Some(e) = events.iter().find(|e| !EVENTS.contains(&e.as_str())) {
            return Err(Error::invalid(
                "invalid_events",
                format!("Unknown event '{e}'. Known events: {}.", EVENTS.join(", ")),
            ));
        }
        let target = Target::parse(&url)?;
        let actor = who.actor();
        let allow = self.config.allow_private_webhook_targets;
        // Visibility and the partner refusal come before anything about the URL.
        let first = actor.clone();
        self.store
            .read(move |tx| {
                let access = workspace_for(tx, &first, ws, Action::EditWorkspaceSettings)?;
                if is_partner_space(&access) {
                    return Err(unavailable());
                }
                Ok(())
            })
            .await?;
        check_target(&target, allow).await?;
        let secret = crypto::random_hex(32)?;
        let at = now();
        let mut events = events;
        events.sort();
        events.dedup();
        self.store
            .write(move |tx| {
                let access = workspace_for(tx, &actor, ws, Action::EditWorkspaceSettings)?;
                if is_partner_space(&access) {
                    return Err(unavailable());
                }
                if tx.integrations_in(ws)?.len() >= MAX_PER_WORKSPACE {
                    return Err(Error::invalid(
                        "too_many_integrations",
                        format!("A workspace has at most {MAX_PER_WORKSPACE} integrations."),
                    ));
                }
                let record = IntegrationRecord {
                    id: uuid::Uuid::new_v4().to_string(),
                    workspace_id: ws,
                    name,
                    url: target.url,
                    events: serde_json::to_string(&events).map_err(|_| Error::internal())?,
                    secret,
                    created_by: actor.user_id,
                    created_at: at,
                };
                tx.insert_integration(&record)?;
                Ok(record)
            })
            .await
    }

    /// The workspace's webhooks (admins); partner workspaces answer the 409.
    pub async fn list_integrations(&self, who: &Principal, ws: WorkspaceId) -> Result<Vec<IntegrationRecord>> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                let access = workspace_for(tx, &actor, ws, Action::EditWorkspaceSettings)?;
                if is_partner_space(&access) {
                    return Err(unavailable());
                }
                Ok(tx.integrations_in(ws)?)
            })
            .await
    }

    fn integration_in(
        tx: &mut dyn Tx,
        actor: &portico_domain::policy::Actor,
        ws: WorkspaceId,
        id: &str,
    ) -> Result<IntegrationRecord> {
        workspace_for(tx, actor, ws, Action::EditWorkspaceSettings)?;
        tx.integration(id)?
            .filter(|i| i.workspace_id == ws)
            .ok_or_else(|| Error::not_found("integration"))
    }

    pub async fn delete_integration(&self, who: &Principal, ws: WorkspaceId, id: String) -> Result<()> {
        let actor = who.actor();
        self.store
            .write(move |tx| {
                Self::integration_in(tx, &actor, ws, &id)?;
                tx.delete_integration(&id)?;
                Ok(())
            })
            .await
    }

    /// The newest deliveries of a webhook: the delivery log.
    pub async fn integration_deliveries(
        &self,
        who: &Principal,
        ws: WorkspaceId,
        id: String,
    ) -> Result<Vec<DeliveryRecord>> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                Self::integration_in(tx, &actor, ws, &id)?;
                Ok(tx.deliveries(&id, 100)?)
            })
            .await
    }
}
