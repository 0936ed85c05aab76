//! Team sign-in with OpenID Connect: team admins configure their provider
//! (the client secret sealed with the server key), people sign in through
//! it, accounts at a team's captured domain are made on first sign-in, and
//! a team may refuse its members' passwords. The protocol itself (discovery,
//! code exchange, ID token checks) is the server's: these use cases see only
//! its verified result.

use portico_domain::Error;
use portico_domain::ids::{TeamId, UserId};
use portico_domain::policy::Action;
use portico_domain::roles::{TeamRole, TeamRoles};
use portico_domain::sign_in::{ProviderSettings, parse_client_secret, provisioned_name};
use portico_domain::values::Email;
use portico_store::{SignInAttemptRecord, StoreError, TeamSignInRecord, UserRecord};

use crate::accounts::SignedIn;
use crate::audit::Audit;
use crate::crypto::{open, seal, token_hash};
use crate::teams::team_for;
use crate::{App, Principal, Result, now};

const SECRET_LABEL: &str = "team-sign-in/client-secret";
const VERIFIER_LABEL: &str = "team-sign-in/pkce-verifier";
/// How long someone has to come back from their provider.
const ATTEMPT_TTL_MS: i64 = 10 * 60 * 1000;

/// A team's provider as its admins see it (never the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamSignIn {
    pub issuer: String,
    pub client_id: String,
    pub enforce: bool,
    pub updated_at: i64,
}

/// What the server needs to talk to a team's provider.
#[derive(Debug, Clone)]
pub struct Provider {
    pub team_id: TeamId,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
}

/// A sign-in coming back from a provider, found by its `state`.
#[derive(Debug, Clone)]
pub struct PendingSignIn {
    pub provider: Provider,
    pub nonce: String,
    pub pkce_verifier: String,
    pub return_to: String,
}

/// Who the provider says signed in, after the server checked the ID token.
#[derive(Debug, Clone)]
pub struct VerifiedIdentity {
    pub email: String,
    pub email_verified: bool,
    pub name: Option<String>,
}

fn no_key() -> Error {
    Error::invalid(
        "server_key_missing",
        "This server has no key to keep client secrets with; its operator must set one (docs/configuration.md).",
    )
}

fn view(r: &TeamSignInRecord) -> TeamSignIn {
    TeamSignIn {
        issuer: r.issuer.clone(),
        client_id: r.client_id.clone(),
        enforce: r.enforce,
        updated_at: r.updated_at,
    }
}

/// The answer for a `state` that is unknown, used or too old.
pub fn sign_in_expired() -> Error {
    Error::invalid(
        "sign_in_expired",
        "This sign-in link is no longer valid (it was used already, is too old, or was not started here). Start again.",
    )
}

impl App {
    fn key(&self) -> Result<&[u8; 32]> {
        self.config.server_key.as_ref().ok_or_else(no_key)
    }

    /// The team's provider, for its admins and operators (`None` when the
    /// team signs in with passwords).
    pub async fn team_sign_in(&self, who: &Principal, team_id: TeamId) -> Result<Option<TeamSignIn>> {
        let actor = who.actor();
        self.store
            .read(move |tx| {
                team_for(tx, &actor, team_id, Action::ManageTeamSignIn)?;
                Ok(tx.team_sign_in(team_id)?.as_ref().map(view))
            })
            .await
    }

    /// Sets the team's provider. The client secret is required the first
    /// time; without one the stored secret is kept. The caller has checked
    /// that the issuer answers discovery.
    pub async fn set_team_sign_in(
        &self,
        who: &Principal,
        team_id: TeamId,
        settings: ProviderSettings,
        client_secret: Option<&str>,
    ) -> Result<TeamSignIn> {
        let key = *self.key()?;
        let sealed = client_secret
            .map(|s| parse_client_secret(s).and_then(|s| seal(&key, SECRET_LABEL, s)))
            .transpose()?;
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                team_for(tx, &actor, team_id, Action::ManageTeamSignIn)?;
                let current = tx.team_sign_in(team_id)?;
                let client_secret_sealed = match (sealed, current) {
                    (Some(s), _) => s,
                    (None, Some(c)) => c.client_secret_sealed,
                    (None, None) => {
                        return Err(Error::invalid(
                            "invalid_client_secret",
                            "Give the client secret the provider issued.",
                        ));
                    }
                };
                let record = TeamSignInRecord {
                    team_id,
                    issuer: settings.issuer.clone(),
                    client_id: settings.client_id.clone(),
                    client_secret_sealed,
                    enforce: settings.enforce,
                    updated_at: at,
                };
                tx.put_team_sign_in(&record)?;
                Audit::new(Some(team_id), Some(actor.user_id), at).log(
                    tx,
                    "team.sign_in_set",
                    "team",
                    team_id,
                    serde_json::json!({
                        "issuer": record.issuer,
                        "clientId": record.client_id,
                        "enforce": record.enforce,
                    }),
                )?;
                Ok(view(&record))
            })
            .await
    }

    /// Goes back to passwords for the team.
    pub async fn remove_team_sign_in(&self, who: &Principal, team_id: TeamId) -> Result<()> {
        let actor = who.actor();
        let at = now();
        self.store
            .write(move |tx| {
                team_for(tx, &actor, team_id, Action::ManageTeamSignIn)?;
                if !tx.delete_team_sign_in(team_id)? {
                    return Err(Error::not_found("sign-in provider"));
                }
                Audit::new(Some(team_id), Some(actor.user_id), at).log(
                    tx,
                    "team.sign_in_removed",
                    "team",
                    team_id,
                    serde_json::json!({}),
                )
            })
            .await
    }

    /// Whether each of these teams signs in through a provider (the
    /// Partnerships page shows partner teams' methods): issuer or `None`.
    pub async fn sign_in_methods(&self, teams: Vec<TeamId>) -> Result<Vec<(TeamId, Option<String>)>> {
        self.store
            .read(move |tx| {
                teams
                    .into_iter()
                    .map(|t| Ok((t, tx.team_sign_in(t)?.map(|r| r.issuer))))
                    .collect()
            })
            .await
    }

    /// The team whose provider signs in this email: the team that captured
    /// its domain, if that team has a provider.
    pub async fn sign_in_team_for_email(&self, email: &str) -> Result<TeamId> {
        let none = || {
            Error::invalid(
                "no_sign_in_provider",
                "No team signs in this email's domain with single sign-on. Sign in with your password.",
            )
        };
        let email = Email::parse(email).map_err(|_| none())?;
        self.store
            .read(move |tx| {
                let team = tx.team_capturing(&email.domain())?.ok_or_else(none)?;
                tx.team_sign_in(team)?.ok_or_else(none)?;
                Ok(team)
            })
            .await
    }

    /// A team's provider with its secret opened, to start or finish a
    /// sign-in. Anyone may start one; an unknown team is a 404.
    pub async fn sign_in_provider(&self, team_id: TeamId) -> Result<Provider> {
        let key = *self.key()?;
        let record = self
            .store
            .read(move |tx| tx.team_sign_in(team_id).map_err(Error::from))
            .await?
            .ok_or_else(|| Error::not_found("sign-in provider"))?;
        let client_secret = open(&key, SECRET_LABEL, &record.client_secret_sealed).ok_or_else(|| {
            tracing::error!(team = %team_id, "a client secret does not open with the server key");
            Error::invalid(
                "server_key_changed",
                "The team's client secret was kept with another server key; a team admin must enter it again.",
            )
        })?;
        Ok(Provider {
            team_id,
            issuer: record.issuer,
            client_id: record.client_id,
            client_secret,
        })
    }

    /// Remembers a sign-in sent to the provider: the `state` (as a hash),
    /// the nonce, and the PKCE verifier (sealed).
    pub async fn begin_sign_in(
        &self,
        team_id: TeamId,
        state: &str,
        nonce: &str,
        pkce_verifier: &str,
        return_to: &str,
    ) -> Result<()> {
        let key = *self.key()?;
        let at = now();
        let attempt = SignInAttemptRecord {
            state_hash: token_hash(state),
            team_id,
            nonce: nonce.to_owned(),
            verifier_sealed: seal(&key, VERIFIER_LABEL, pkce_verifier)?,
            return_to: safe_return_path(return_to),
            expires_at: at + ATTEMPT_TTL_MS,
        };
        self.store
            .write(move |tx| tx.insert_sign_in_attempt(&attempt, at).map_err(Error::from))
            .await
    }

    /// Takes the sign-in this `state` started; a state works once.
    pub async fn take_sign_in(&self, state: &str) -> Result<PendingSignIn> {
        let key = *self.key()?;
        let hash = token_hash(state);
        let at = now();
        let attempt = self
            .store
            .write(move |tx| tx.take_sign_in_attempt(&hash, at).map_err(Error::from))
            .await?
            .ok_or_else(sign_in_expired)?;
        let pkce_verifier = open(&key, VERIFIER_LABEL, &attempt.verifier_sealed).ok_or_else(sign_in_expired)?;
        let provider = self.sign_in_provider(attempt.team_id).await?;
        Ok(PendingSignIn {
            provider,
            nonce: attempt.nonce,
            pkce_verifier,
            return_to: attempt.return_to,
        })
    }

    /// Signs in the person the team's provider vouched for. An existing
    /// account must be a member of the team, or have its email at a domain
    /// the team captured (it then joins the team); an email at a captured
    /// domain without an account gets one, joined to the team as a
    /// developer. Unverified emails are refused.
    pub async fn finish_sign_in(&self, team_id: TeamId, who: VerifiedIdentity) -> Result<SignedIn> {
        let email = Email::parse(&who.email).map_err(|_| {
            Error::forbidden(
                "email_not_usable",
                "The identity provider did not give a usable email address for this account.",
            )
        })?;
        if !who.email_verified {
            return Err(Error::forbidden(
                "email_not_verified",
                "The identity provider has not verified this account's email address.",
            ));
        }
        let at = now();
        let name = provisioned_name(who.name.as_deref(), email.as_str());
        let user = self
            .store
            .write(move |tx| {
                if tx.team_sign_in(team_id)?.is_none() {
                    return Err(Error::not_found("sign-in provider"));
                }
                let captured = tx.team_capturing(&email.domain())? == Some(team_id);
                let audit = |actor: UserId| Audit::new(Some(team_id), Some(actor), at);
                // Joins the team as a developer, in the audit log as `action`.
                let join = |tx: &mut dyn portico_store::Tx, user: UserId, action: &'static str| -> Result<()> {
                    tx.insert_member(team_id, user, &TeamRoles::single(TeamRole::Developer), at)?;
                    audit(user).log(tx, action, "user", user, serde_json::json!({ "roles": ["developer"] }))
                };
                let user = match tx.user_by_email(&email)? {
                    Some(user) => {
                        if tx.member_roles(team_id, user.id)?.is_none() {
                            if !captured {
                                return Err(Error::forbidden(
                                    "not_a_team_member",
                                    "This account is not a member of the team whose provider signed it in. Ask a team admin to add you.",
                                ));
                            }
                            join(tx, user.id, "member.provisioned")?;
                        }
                        user
                    }
                    None => {
                        if !captured {
                            return Err(Error::forbidden(
                                "no_account",
                                "No account uses this email, and its domain is not captured by the team whose provider signed it in.",
                            ));
                        }
                        let user = UserRecord {
                            id: UserId::generate(),
                            email,
                            name,
                            password_hash: None,
                            is_server_admin: false,
                            created_at: at,
                        };
                        tx.insert_user(&user).map_err(|e| match e {
                            StoreError::UniqueViolation(_) => Error::conflict(
                                "sign_in_race",
                                "This account was being made by another sign-in. Try again.",
                            ),
                            other => other.into(),
                        })?;
                        join(tx, user.id, "user.provisioned")?;
                        user
                    }
                };
                audit(user.id).log(tx, "user.sso_sign_in", "user", user.id, serde_json::json!({}))?;
                Ok(user)
            })
            .await?;
        self.start_session(user).await
    }
}

/// A path on this server to go to after signing in: anything else (another
/// origin, `//host`, a scheme) becomes `/`.
fn safe_return_path(path: &str) -> String {
    let ok =
        path.starts_with('/') && !path.starts_with("//") && !path.contains(['\\', '\r', '\n']) && path.len() <= 500;
    if ok { path.to_owned() } else { "/".to_owned() }
}

#[cfg(test)]
mod tests {
    use super::safe_return_path;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(safe_return_path("/workspaces/1"), "/workspaces/1");
        for bad in ["https://evil.example/", "//evil.example", "/\\evil.example", "evil", ""] {
            assert_eq!(safe_return_path(bad), "/", "{bad}");
        }
    }
}
