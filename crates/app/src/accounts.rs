//! Accounts: sign-up, sign-in, sessions, API keys and "who am I" (R-SEC-1).

use portico_domain::Error;
use portico_domain::ErrorKind;
use portico_domain::ids::{ApiKeyId, UserId};
use portico_domain::values::{DisplayName, Email, Label, NewPassword};
use portico_store::{ApiKeyRecord, MembershipRecord, NewAuditRecord, PendingSignupRecord, StoreError, Tx, UserRecord};

use crate::crypto::{random_hex, token_hash};
use crate::{App, AuthMethod, Principal, Result, SignupMode, now, passwords};

/// What sign-up and sign-in answer: the user, and the new session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: UserRecord,
    /// The session token for the cookie. Stored only as a hash.
    pub session_token: String,
    pub csrf_token: String,
    pub expires_at: i64,
}

/// What a sign-up gave.
#[derive(Debug, Clone)]
pub enum SignedUp {
    /// The account exists and is signed in (`open`, or the first account).
    Account(SignedIn),
    /// `verify-email`: an email went to the address. `user` is what the
    /// account will be once its link is opened, and it is answered the
    /// same whether the address already had an account or not.
    EmailSent { user: UserRecord },
}

/// A freshly created API key, shown once.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub record: ApiKeyRecord,
    pub key: String,
}

/// The caller's account with their teams.
#[derive(Debug, Clone)]
pub struct Me {
    pub user: UserRecord,
    pub memberships: Vec<MembershipRecord>,
    /// Unread updates over every workspace the user sees (R-UPD-3).
    pub unread_updates: i64,
}

const API_KEY_PREFIX: &str = "ptk_";

/// The name a removed account shows under what it wrote.
pub const REMOVED_NAME: &str = "Removed account";

fn wrong_password() -> Error {
    Error::forbidden("wrong_password", "The password is wrong.")
}

fn wrong_credentials() -> Error {
    Error::new(
        ErrorKind::Unauthenticated,
        "invalid_credentials",
        "The email or password is wrong.",
    )
}

impl App {
    /// Signs up. With `signup = "open"` the account is made at once and
    /// signed in; the first account of an empty server is its operator.
    /// Asking for an email that already has an account counts against the
    /// client's address like a failed sign-in, so that nobody can list
    /// accounts by trying emails quickly (R-SEC-1); the password is hashed
    /// either way, so both answers take as long.
    ///
    /// With `signup = "verify-email"` (see [`App::sign_up_by_email`]) a new
    /// email and a taken one answer alike. `next` is the local page the
    /// emailed link leads to once the account is made.
    pub async fn sign_up(
        &self,
        email: &str,
        name: &str,
        password: &str,
        client: &str,
        next: Option<&str>,
    ) -> Result<SignedUp> {
        if self.config.signup == SignupMode::VerifyEmail {
            return self.sign_up_by_email(email, name, password, client, next).await;
        }
        let at = now();
        let client_key = format!("signup-ip:{client}");
        if let Some(ms) = self.login_limiter.blocked_for(&client_key, at) {
            return Err(Error::new(
                ErrorKind::RateLimited,
                "too_many_attempts",
                format!(
                    "Too many sign-ups for existing accounts. Try again in {} seconds.",
                    (ms + 999) / 1000
                ),
            ));
        }
        let email = Email::parse(email)?;
        let name = DisplayName::parse(name)?;
        let password = NewPassword::parse(password)?;
        let hash = passwords::hash(password.expose().to_string()).await?;
        let user = match self.create_user(email, name, Some(hash), false).await {
            Err(e) if e.code == "email_taken" => {
                self.login_limiter.record(&client_key, at);
                return Err(e);
            }
            other => other?,
        };
        Ok(SignedUp::Account(self.start_session(user).await?))
    }

    /// Sign-up that tells nobody whether an email has an account (R-SEC-1):
    /// a new email and a taken one get the same answer, after the same
    /// work (the password is hashed, one row or two written, one email
    /// queued). A new email gets a single-use link (stored only as its
    /// SHA-256) that makes the account; the owner of a taken one is told
    /// that someone tried, and nothing about their account changes. Every
    /// sign-up counts against the client address's and the email's hourly
    /// allowance. The first account of an empty server is made at once, as
    /// with `open`, so a fresh install needs no mail to be set up.
    async fn sign_up_by_email(
        &self,
        email: &str,
        name: &str,
        password: &str,
        client: &str,
        next: Option<&str>,
    ) -> Result<SignedUp> {
        let at = now();
        let email = Email::parse(email)?;
        let name = DisplayName::parse(name)?;
        let password = NewPassword::parse(password)?;
        self.quotas.take_signup(client, email.as_str(), at)?;
        let hash = passwords::hash(password.expose().to_string()).await?;
        let token = random_hex(32)?;
        let link = self.config.signup_link(&token, next);
        let sign_in_page = format!("{}/sign-in", self.config.public_url.trim_end_matches('/'));
        let ttl = self.config.signup_link_ttl_ms;
        let answered = UserRecord {
            id: UserId::generate(),
            email,
            name: name.as_str().to_string(),
            password_hash: None,
            is_server_admin: false,
            created_at: at,
        };
        let pending = PendingSignupRecord {
            user_id: answered.id,
            email: answered.email.clone(),
            name: answered.name.clone(),
            password_hash: hash,
            created_at: at,
            expires_at: at + ttl,
        };
        let made = self
            .store
            .write(move |tx| {
                if tx.count_users()? == 0 {
                    // The operator of a fresh install (SPEC §4).
                    let user = UserRecord {
                        password_hash: Some(pending.password_hash),
                        is_server_admin: true,
                        ..answered_user(&pending.email, pending.user_id, &pending.name, at)
                    };
                    insert_new_user(tx, &user, serde_json::json!({ "operator": true }))?;
                    return Ok::<_, Error>(Some(user));
                }
                match tx.user_by_email(&pending.email)? {
                    Some(owner) => {
                        tx.insert_outbox(
                            owner.email.as_str(),
                            "Someone tried to sign up to Portico with your email",
                            &format!(
                                "Someone just tried to create a Portico account with this email address. \
                                 You already have an account, so nothing was made and nothing about your \
                                 account changed.\n\nIf it was you, sign in instead: {sign_in_page}\n\n\
                                 If it was not you, you can ignore this email."
                            ),
                            at,
                        )?;
                    }
                    None => {
                        tx.insert_pending_signup(&pending, &token_hash(&token), at)?;
                        tx.insert_outbox(
                            pending.email.as_str(),
                            "Confirm your Portico account",
                            &format!(
                                "Someone (we hope you) signed up to Portico with this email address.\n\n\
                                 Open this link to finish and sign in: {link}\n\n\
                                 The link works once and expires in {} hours. If you did not sign up, \
                                 ignore this email: no account is made without it.",
                                ttl / 3_600_000
                            ),
                            at,
                        )?;
                    }
                }
                Ok(None)
            })
            .await?;
        match made {
            Some(user) => Ok(SignedUp::Account(self.start_session(user).await?)),
            None => Ok(SignedUp::EmailSent { user: answered }),
        }
    }

    /// Opens an emailed sign-up link: makes the account it was for, with the
    /// id the sign-up answered, and signs in. The link works once; a used,
    /// expired or made-up one answers `400 signup_link_invalid` and makes
    /// nothing. If the email got an account meanwhile, the link is spent
    /// and `409 email_taken` answers (its holder owns the address).
    pub async fn verify_sign_up(&self, token: &str) -> Result<SignedIn> {
        let hash = token_hash(token);
        let at = now();
        let made = self
            .store
            .write(move |tx| {
                let Some(p) = tx.take_pending_signup(&hash, at)? else {
                    return Ok::<_, Error>(Err(signup_link_invalid()));
                };
                if tx.user_by_email(&p.email)?.is_some() {
                    // Committed: the link is spent either way.
                    return Ok(Err(email_taken()));
                }
                let user = UserRecord {
                    password_hash: Some(p.password_hash),
                    ..answered_user(&p.email, p.user_id, &p.name, at)
                };
                insert_new_user(
                    tx,
                    &user,
                    serde_json::json!({ "operator": false, "verifiedEmail": true }),
                )?;
                Ok(Ok(user))
            })
            .await??;
        self.start_session(made).await
    }

    /// Creates an account directly (command line, demo). `operator` forces the
    /// operator flag; the first account is an operator anyway.
    pub async fn create_user(
        &self,
        email: Email,
        name: DisplayName,
        password_hash: Option<String>,
        operator: bool,
    ) -> Result<UserRecord> {
        let at = now();
        self.store
            .write(move |tx| {
                if tx.user_by_email(&email)?.is_some() {
                    return Err(email_taken());
                }
                let first = tx.count_users()? == 0;
                let user = UserRecord {
                    id: UserId::generate(),
                    email,
                    name: name.as_str().to_string(),
                    password_hash,
                    is_server_admin: first || operator,
                    created_at: at,
                };
                insert_new_user(tx, &user, serde_json::json!({ "operator": user.is_server_admin }))?;
                Ok(user)
            })
            .await
    }

    /// Makes an existing account an operator, or creates one (command line).
    pub async fn ensure_operator(&self, email: &str, name: &str, password: &str) -> Result<UserRecord> {
        let email = Email::parse(email)?;
        let name = DisplayName::parse(name)?;
        let password = NewPassword::parse(password)?;
        let hash = passwords::hash(password.expose().to_string()).await?;
        let lookup = email.clone();
        let existing = self
            .store
            .read(move |tx| tx.user_by_email(&lookup).map_err(Error::from))
            .await?;
        match existing {
            Some(user) => {
                let id = user.id;
                self.store
                    .write(move |tx| {
                        tx.set_server_admin(id, true)?;
                        tx.set_user_password(id, &hash)?;
                        tx.user_by_id(id)?.ok_or_else(|| Error::not_found("user"))
                    })
                    .await
            }
            None => self.create_user(email, name, Some(hash), true).await,
        }
    }

    /// `429 too_many_attempts` while the account or the client address has
    /// had too many wrong passwords lately (R-SEC-1); `what` names them in
    /// the message.
    fn password_attempts_allowed(
        &self,
        email_key: &str,
        client_key: &str,
        at: portico_store::Millis,
        what: &str,
    ) -> Result<()> {
        let blocked = [email_key, client_key]
            .iter()
            .filter_map(|k| self.login_limiter.blocked_for(k, at))
            .max();
        match blocked {
            Some(ms) => Err(Error::new(
                ErrorKind::RateLimited,
                "too_many_attempts",
                format!("Too many {what}. Try again in {} seconds.", (ms + 999) / 1000),
            )),
            None => Ok(()),
        }
    }

    /// Signs in with email and password. Wrong email and wrong password answer
    /// the same, in about the same time; failures are rate limited per account
    /// and per client address (R-SEC-1).
    pub async fn log_in(&self, email: &str, password: &str, client: &str) -> Result<SignedIn> {
        let at = now();
        let email_key = format!("email:{}", email.trim().to_lowercase());
        let client_key = format!("ip:{client}");
        self.password_attempts_allowed(&email_key, &client_key, at, "failed sign-ins")?;
        let user = match Email::parse(email) {
            Ok(e) => {
                self.store
                    .read(move |tx| tx.user_by_email(&e).map_err(Error::from))
                    .await?
            }
            Err(_) => None,
        };
        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        let ok = passwords::verify(password.to_string(), hash.clone()).await;
        match user {
            Some(user) if ok => {
                self.login_limiter.clear(&email_key);
                // Asked only once the password is right, so the answer tells
                // nothing to someone who does not know it.
                let id = user.id;
                let enforced = self
                    .store
                    .read(move |tx| tx.member_of_enforcing_team(id).map_err(Error::from))
                    .await?;
                if portico_domain::sign_in::password_refused(user.is_server_admin, enforced) {
                    return Err(Error::forbidden(
                        "sso_required",
                        "Your team signs in with its identity provider: choose \"Sign in with single sign-on\".",
                    ));
                }
                if hash.as_deref().is_some_and(passwords::needs_rehash) {
                    // Parameters rose since this hash was made: replace it
                    // now that the password is at hand.
                    let stronger = passwords::hash(password.to_string()).await?;
                    let id = user.id;
                    self.store
                        .write(move |tx| tx.set_user_password(id, &stronger).map_err(Error::from))
                        .await?;
                }
                self.start_session(user).await
            }
            _ => {
                self.login_limiter.record(&email_key, at);
                self.login_limiter.record(&client_key, at);
                Err(wrong_credentials())
            }
        }
    }

    pub(crate) async fn start_session(&self, user: UserRecord) -> Result<SignedIn> {
        let token = random_hex(32)?;
        let csrf = random_hex(32)?;
        let at = now();
        let expires_at = at + self.config.session_ttl_ms;
        let (hash, uid, c) = (token_hash(&token), user.id, csrf.clone());
        self.store
            .write(move |tx| tx.insert_session(&hash, uid, &c, at, expires_at).map_err(Error::from))
            .await?;
        Ok(SignedIn {
            user,
            session_token: token,
            csrf_token: csrf,
            expires_at,
        })
    }

    /// Ends a browser session.
    pub async fn log_out(&self, session_token: &str) -> Result<()> {
        let hash = token_hash(session_token);
        self.store
            .write(move |tx| tx.delete_session(&hash).map_err(Error::from))
            .await
    }

    /// The user behind a session cookie, if the session is valid.
    pub async fn authenticate_session(&self, session_token: &str) -> Result<Option<Principal>> {
        let hash = token_hash(session_token);
        let at = now();
        let session = self
            .store
            .read(move |tx| tx.session_by_hash(&hash, at).map_err(Error::from))
            .await?;
        Ok(session.map(|s| Principal {
            user: s.user,
            via: AuthMethod::Session {
                csrf_token: s.csrf_token,
            },
        }))
    }

    /// The user behind an `x-api-key`, if the key is valid and not revoked.
    pub async fn authenticate_api_key(&self, key: &str) -> Result<Option<Principal>> {
        if !key.starts_with(API_KEY_PREFIX) || key.len() > 200 {
            return Ok(None);
        }
        let hash = token_hash(key);
        let user = self
            .store
            .read(move |tx| tx.user_by_api_key_hash(&hash).map_err(Error::from))
            .await?;
        Ok(user.map(|user| Principal {
            user,
            via: AuthMethod::ApiKey,
        }))
    }

    /// Creates an API key for the caller; the key itself is answered only here.
    pub async fn create_api_key(&self, who: &Principal, name: &str) -> Result<NewApiKey> {
        let name = Label::parse(name, "key name")?;
        let key = format!("{API_KEY_PREFIX}{}", random_hex(24)?);
        let record = ApiKeyRecord {
            id: ApiKeyId::generate(),
            user_id: who.id(),
            name: name.as_str().to_string(),
            prefix: key[..12].to_string(),
            created_at: now(),
        };
        let (r, hash) = (record.clone(), token_hash(&key));
        self.store
            .write(move |tx| {
                tx.insert_api_key(&r, &hash)?;
                tx.insert_audit(&NewAuditRecord {
                    team_id: None,
                    actor_id: Some(r.user_id),
                    action: "api_key.create",
                    target_type: "api_key",
                    target_id: r.id.to_string(),
                    details: serde_json::json!({ "name": r.name }),
                    created_at: r.created_at,
                })
                .map_err(Error::from)
            })
            .await?;
        Ok(NewApiKey { record, key })
    }

    pub async fn list_api_keys(&self, who: &Principal) -> Result<Vec<ApiKeyRecord>> {
        let uid = who.id();
        self.store
            .read(move |tx| tx.api_keys_of(uid).map_err(Error::from))
            .await
    }

    /// Revokes one of the caller's keys; another user's key reads as missing.
    pub async fn revoke_api_key(&self, who: &Principal, id: ApiKeyId) -> Result<()> {
        let uid = who.id();
        let at = now();
        self.store
            .write(move |tx| {
                if !tx.revoke_api_key(uid, id, at)? {
                    return Err(Error::not_found("API key"));
                }
                tx.insert_audit(&NewAuditRecord {
                    team_id: None,
                    actor_id: Some(uid),
                    action: "api_key.revoke",
                    target_type: "api_key",
                    target_id: id.to_string(),
                    details: serde_json::json!({}),
                    created_at: at,
                })?;
                Ok(())
            })
            .await
    }

    /// Checks `password` against the caller's own, under the same failure
    /// limits as sign-in: a wrong one counts against the account and the
    /// client address like a failed sign-in, and once they are spent the
    /// answer is `429 too_many_attempts` (R-SEC-1). Answers the account as
    /// stored now.
    async fn confirm_password(&self, user: UserId, password: &str, client: &str) -> Result<UserRecord> {
        let at = now();
        let fresh = self
            .store
            .read(move |tx| tx.user_by_id(user).map_err(Error::from))
            .await?
            .ok_or_else(|| Error::new(ErrorKind::Unauthenticated, "unauthenticated", "Sign in first."))?;
        let email_key = format!("email:{}", fresh.email.as_str());
        let client_key = format!("ip:{client}");
        self.password_attempts_allowed(&email_key, &client_key, at, "wrong passwords")?;
        if !passwords::verify(password.to_string(), fresh.password_hash.clone()).await {
            self.login_limiter.record(&email_key, at);
            self.login_limiter.record(&client_key, at);
            return Err(wrong_password());
        }
        self.login_limiter.clear(&email_key);
        Ok(fresh)
    }

    /// Changes the caller's password (R-SEC-1). The current password must
    /// be given (see [`App::confirm_password`]); the new one follows the
    /// rules of sign-up. Every session of the account ends, on every
    /// process (they are in the store); with `rotate` (the call came with a
    /// session cookie) the caller gets a fresh session in the same
    /// transaction, answered here. API keys stay: they are separate
    /// credentials, revoked one by one.
    pub async fn change_password(
        &self,
        who: &Principal,
        current: &str,
        new: &str,
        client: &str,
        rotate: bool,
    ) -> Result<Option<SignedIn>> {
        let new = NewPassword::parse(new)?;
        let user = self.confirm_password(who.id(), current, client).await?;
        let hash = passwords::hash(new.expose().to_string()).await?;
        let at = now();
        let fresh = if rotate {
            Some((random_hex(32)?, random_hex(32)?, at + self.config.session_ttl_ms))
        } else {
            None
        };
        let id = user.id;
        let stored = fresh.as_ref().map(|(t, c, e)| (token_hash(t), c.clone(), *e));
        self.store
            .write(move |tx| {
                tx.set_user_password(id, &hash)?;
                let ended = tx.delete_sessions_of(id)?;
                if let Some((token, csrf, expires_at)) = &stored {
                    tx.insert_session(token, id, csrf, at, *expires_at)?;
                }
                tx.insert_audit(&NewAuditRecord {
                    team_id: None,
                    actor_id: Some(id),
                    action: "user.password_change",
                    target_type: "user",
                    target_id: id.to_string(),
                    details: serde_json::json!({ "sessionsEnded": ended }),
                    created_at: at,
                })?;
                Ok::<_, Error>(())
            })
            .await?;
        Ok(fresh.map(|(session_token, csrf_token, expires_at)| SignedIn {
            user: UserRecord {
                password_hash: None,
                ..user
            },
            session_token,
            csrf_token,
            expires_at,
        }))
    }

    /// Removes the caller's account, after checking their password as
    /// [`App::change_password`] does. Refused with `409 last_team_admin`
    /// while they are the last admin of a team that has other members, and
    /// with `409 last_operator` for the server's only operator. Otherwise,
    /// in one transaction: they leave every team as leaving it does (their
    /// workspace roles go, a workspace left without an admin gets the
    /// Partner Managers: R-ISO-4, R-INV-4); a team they were the only
    /// member of stays, with its workspaces, without members; every
    /// session and API key ends; the email becomes one that cannot be
    /// typed (so the address may sign up again) and the name
    /// [`REMOVED_NAME`]. What they wrote stays, under that name.
    pub async fn remove_account(&self, who: &Principal, password: &str, client: &str) -> Result<()> {
        let user = self.confirm_password(who.id(), password, client).await?;
        let id = user.id;
        let at = now();
        self.store
            .write(move |tx| {
                let user = tx.user_by_id(id)?.ok_or_else(|| Error::not_found("user"))?;
                if user.is_server_admin && tx.count_server_admins()? <= 1 {
                    return Err(Error::conflict(
                        "last_operator",
                        "You are the server's only operator. Make another account operator first \
                         (`portico admin create-operator`), then remove this one.",
                    ));
                }
                let memberships = tx.memberships_of(id)?;
                for m in &memberships {
                    if crate::teams::is_admin(&m.roles)
                        && tx.count_team_admins(m.team.id)? <= 1
                        && tx.members(m.team.id, None, 2)?.len() > 1
                    {
                        return Err(Error::conflict(
                            "last_team_admin",
                            format!(
                                "You are the last admin of the team {}, which has other members. \
                                 Make someone else admin first.",
                                m.team.name
                            ),
                        ));
                    }
                }
                for m in &memberships {
                    crate::teams::leave_team(tx, m.team.id, id, id, &m.roles, "member.account_removed", at)?;
                }
                // Any workspace role left (none should be, once every team
                // is left) goes the same way.
                for a in tx.workspace_accesses(id)? {
                    if a.role.is_some() {
                        tx.delete_workspace_member(a.workspace.id, id)?;
                        crate::workspaces::ensure_workspace_admin(tx, &a.workspace, at)?;
                    }
                }
                tx.remove_user(id, &Email::removed(&id.to_string()), REMOVED_NAME, at)?;
                tx.insert_audit(&NewAuditRecord {
                    team_id: None,
                    actor_id: Some(id),
                    action: "user.remove",
                    target_type: "user",
                    target_id: id.to_string(),
                    details: serde_json::json!({ "teamsLeft": memberships.len() }),
                    created_at: at,
                })?;
                Ok(())
            })
            .await
    }

    /// The caller and their teams.
    pub async fn me(&self, who: &Principal) -> Result<Me> {
        let user = who.user.clone();
        let actor = who.actor();
        self.store
            .read(move |tx| {
                let memberships = tx.memberships_of(user.id)?;
                let mut unread_updates = 0;
                for a in crate::workspaces::visible_workspaces(tx, &actor)? {
                    unread_updates += a.unread_updates;
                }
                Ok(Me {
                    user,
                    memberships,
                    unread_updates,
                })
            })
            .await
    }
}

/// Inserts a new account and its `user.signup` audit row.
fn insert_new_user(tx: &mut dyn Tx, user: &UserRecord, details: serde_json::Value) -> Result<()> {
    tx.insert_user(user).map_err(|e| match e {
        StoreError::UniqueViolation(_) => email_taken(),
        other => other.into(),
    })?;
    tx.insert_audit(&NewAuditRecord {
        team_id: None,
        actor_id: Some(user.id),
        action: "user.signup",
        target_type: "user",
        target_id: user.id.to_string(),
        details,
        created_at: user.created_at,
    })?;
    Ok(())
}

/// An account as a sign-up answers it: no operator, no password shown.
fn answered_user(email: &Email, id: UserId, name: &str, at: portico_store::Millis) -> UserRecord {
    UserRecord {
        id,
        email: email.clone(),
        name: name.to_string(),
        password_hash: None,
        is_server_admin: false,
        created_at: at,
    }
}

fn signup_link_invalid() -> Error {
    Error::invalid(
        "signup_link_invalid",
        "This sign-up link is no longer valid (it was used already, is too old, or was never sent). \
         Sign up again, or sign in if you finished already.",
    )
}

fn email_taken() -> Error {
    Error::conflict("email_taken", "An account with this email already exists.")
}
