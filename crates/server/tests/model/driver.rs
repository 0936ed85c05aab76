//! Plays a sequence against the HTTP server and against the model, and
//! compares the answers and what each principal sees.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Client, TestApp};
use crate::model::{Action, Kind, Model, Outcome, Role, Step, Team, Who};

/// The accounts of one pool: everyone of a sequence but the operator and
/// the anonymous caller. Signing up costs an argon2 hash, so a pool serves
/// many sequences; each sequence makes its own teams.
pub struct People {
    pub clients: BTreeMap<Who, Client>,
    pub emails: BTreeMap<Who, String>,
    pub anonymous: Client,
}

impl People {
    pub async fn sign_up(app: &TestApp, operator: &Client, operator_email: &str, pool: &str) -> People {
        let mut clients = BTreeMap::new();
        let mut emails = BTreeMap::new();
        for who in Who::ALL {
            if matches!(who, Who::Operator | Who::Anonymous) {
                continue;
            }
            let email = format!("{who:?}.{pool}@{}-{pool}.example", who.domain()).to_lowercase();
            clients.insert(who, app.user(&email, &format!("{who:?}")).await);
            emails.insert(who, email);
        }
        clients.insert(Who::Operator, Client::like(operator));
        emails.insert(Who::Operator, operator_email.to_string());
        People {
            clients,
            emails,
            anonymous: app.anonymous(),
        }
    }

    fn client(&self, who: Who) -> &Client {
        self.clients.get(&who).unwrap_or(&self.anonymous)
    }
}

impl Client {
    /// The same credentials, another handle.
    pub fn like(c: &Client) -> Client {
        Client {
            base: c.base.clone(),
            http: c.http.clone(),
            csrf: c.csrf.clone(),
            api_key: c.api_key.clone(),
            user_id: c.user_id.clone(),
        }
    }
}

/// The model indexes of a listing's entries: where each entry's `id`
/// stands among the server ids the sequence made.
fn listed(list: &Value, known: &[Value]) -> BTreeSet<usize> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| known.iter().position(|id| entry["id"] == *id))
        .collect()
}

/// The secret value of every environment a sequence makes.
const SECRET_VALUE: &str = "sk_model_secret_7d1";

/// A difference between the server and the model.
#[derive(Debug)]
pub struct Divergence {
    /// Index of the step (in the sequence given) where it showed.
    pub step: usize,
    pub what: String,
}

/// One sequence on the server: the server's ids of the model's objects.
struct Run<'a> {
    people: &'a People,
    model: Model,
    teams: BTreeMap<Team, String>,
    workspaces: Vec<String>,
    /// Collection id and uid.
    collections: Vec<(String, String)>,
    updates: Vec<Value>,
    environments: Vec<String>,
    runs: Vec<Value>,
    comments: Vec<Value>,
    pull_requests: Vec<Value>,
    tokens: Vec<String>,
    /// Invitation ids, read from each link's preview.
    invitations: Vec<Value>,
    /// Domains the server captured, by team id: released when the sequence
    /// ends, as the pool's accounts serve the next sequences.
    captured: BTreeSet<(String, String)>,
}

/// Actions played, and how many of them the server carried out, by kind
/// (the summary line shows that sequences reach deep states).
pub static PLAYED: std::sync::Mutex<BTreeMap<String, (u64, u64)>> = std::sync::Mutex::new(BTreeMap::new());

/// Refusals whose status differs between the model and the server, when
/// `PORTICO_MODEL_TALLY` asks to count them instead of stopping.
pub static TALLY: std::sync::Mutex<BTreeMap<String, u64>> = std::sync::Mutex::new(BTreeMap::new());

/// Plays `steps`; `Err` at the first divergence.
pub async fn play(people: &People, steps: &[Step], trace: &mut Vec<String>) -> Result<(), Divergence> {
    play_with(people, steps.len(), |model, i| model.resolve(steps[i]), trace).await
}

/// Plays actions given as they are (scenarios written by hand).
pub async fn play_actions(people: &People, actions: &[Action]) -> Result<(), Divergence> {
    play_with(people, actions.len(), |_, i| Some(actions[i]), &mut Vec::new()).await
}

async fn play_with(
    people: &People,
    steps: usize,
    next: impl Fn(&Model, usize) -> Option<Action>,
    trace: &mut Vec<String>,
) -> Result<(), Divergence> {
    let mut run = Run::setup(people).await;
    let result = play_run(&mut run, steps, next, trace).await;
    run.release_domains().await;
    result
}

async fn play_run(
    run: &mut Run<'_>,
    steps: usize,
    next: impl Fn(&Model, usize) -> Option<Action>,
    trace: &mut Vec<String>,
) -> Result<(), Divergence> {
    for i in 0..steps {
        let Some(action) = next(&run.model, i) else {
            continue;
        };
        trace.push(format!("{i}: {action:?}"));
        let expected = run.model.apply(action);
        let got = run.exec(action).await;
        {
            let name = format!("{action:?}");
            let mut name = name.split([' ', '{']).next().unwrap_or_default().to_string();
            if std::env::var("PORTICO_MODEL_DEBUG").is_ok() {
                name = format!(
                    "{name}/{}{}",
                    got.1["error"]["name"].as_str().unwrap_or_default(),
                    got.1["results"][0]["status"].as_str().unwrap_or_default()
                );
            }
            let mut played = PLAYED.lock().unwrap();
            let e = played.entry(name).or_default();
            e.0 += 1;
            e.1 += u64::from(matches!(
                got.0,
                Outcome::Ok
                    | Outcome::Comments(_)
                    | Outcome::Members(_)
                    | Outcome::Forks(_)
                    | Outcome::Updates(_)
                    | Outcome::Environment { .. }
                    | Outcome::Runs(_)
                    | Outcome::PullRequest(_)
                    | Outcome::PullRequests(_)
                    | Outcome::Feed { .. }
                    | Outcome::Invitation(_)
                    | Outcome::Invitations(_)
                    | Outcome::Invited("EMAIL_SENT" | "PARTNER_ADDED" | "REMOVED")
            ));
        }
        if let (Outcome::Refused(want), Outcome::Refused(have)) = (&expected, &got.0)
            && want != have
            && std::env::var("PORTICO_MODEL_TALLY").is_ok()
        {
            let name = format!("{action:?}");
            let name = name.split([' ', '{']).next().unwrap_or_default();
            let key = format!(
                "{name} model {want} server {have} {}",
                got.1["error"]["name"].as_str().unwrap_or_default()
            );
            *TALLY.lock().unwrap().entry(key).or_default() += 1;
            continue;
        }
        if expected != got.0 {
            return Err(Divergence {
                step: i,
                what: format!(
                    "{action:?}: the model says {expected:?}, the server {:?} {}",
                    got.0, got.1
                ),
            });
        }
        run.check_sight(action.who())
            .await
            .map_err(|what| Divergence { step: i, what })?;
    }
    // At the end, everyone's full view.
    for who in Who::ALL {
        run.check_sight(who)
            .await
            .map_err(|what| Divergence { step: steps, what })?;
        run.check_hidden(who)
            .await
            .map_err(|what| Divergence { step: steps, what })?;
    }
    Ok(())
}

/// The status a pull request answer shows.
fn pr_status(body: &Value) -> Outcome {
    Outcome::PullRequest(match body["status"].as_str() {
        Some("open") => "open",
        Some("approved") => "approved",
        Some("declined") => "declined",
        Some("merged") => "merged",
        _ => "(none)",
    })
}

fn class(status: StatusCode) -> Outcome {
    match status.as_u16() {
        200..=299 => Outcome::Ok,
        401 => Outcome::Unauthenticated,
        404 => Outcome::Hidden,
        s => Outcome::Refused(s),
    }
}

impl<'a> Run<'a> {
    async fn setup(people: &'a People) -> Run<'a> {
        let mut teams = BTreeMap::new();
        let admins = [
            (Team::Pub, Who::PubAdmin),
            (Team::T1, Who::T1Admin),
            (Team::T2, Who::T2Admin),
            (Team::T3, Who::T3Admin),
            (Team::Out, Who::Outsider),
        ];
        for (team, admin) in admins {
            let (status, body) = people
                .client(admin)
                .post("/api/teams", json!({ "name": format!("{team:?}") }))
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            teams.insert(team, body["team"]["id"].as_str().expect("team id").to_string());
        }
        let ops = people.client(Who::Operator);
        for (team, plan) in [(Team::Pub, "professional"), (Team::T2, "basic")] {
            let (status, body) = ops
                .patch(&format!("/api/teams/{}", teams[&team]), json!({ "plan": plan }))
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        for (team, admin, dev) in [
            (Team::Pub, Who::PubAdmin, Who::PubDev1),
            (Team::Pub, Who::PubAdmin, Who::PubDev2),
            (Team::T1, Who::T1Admin, Who::T1Dev),
            (Team::T2, Who::T2Admin, Who::T2Dev),
            (Team::T3, Who::T3Admin, Who::T3Dev),
        ] {
            let (status, body) = people
                .client(admin)
                .post(
                    &format!("/api/teams/{}/members", teams[&team]),
                    json!({ "email": people.emails[&dev], "roles": ["developer"] }),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        Run {
            people,
            model: Model::new(),
            teams,
            workspaces: Vec::new(),
            collections: Vec::new(),
            updates: Vec::new(),
            environments: Vec::new(),
            runs: Vec::new(),
            comments: Vec::new(),
            pull_requests: Vec::new(),
            tokens: Vec::new(),
            invitations: Vec::new(),
            captured: BTreeSet::new(),
        }
    }

    /// The email domain of a team's people in this pool.
    fn domain_of(&self, team: Team) -> String {
        let someone = Who::ALL
            .into_iter()
            .find(|w| w.home() == Some(team))
            .unwrap_or(Who::Outsider);
        let email = &self.people.emails[&someone];
        email.rsplit('@').next().unwrap_or_default().to_string()
    }

    /// Releases the domains the sequence captured (as the operator).
    async fn release_domains(&mut self) {
        let ops = self.people.client(Who::Operator);
        for (team, domain) in std::mem::take(&mut self.captured) {
            let (s, body) = ops.delete(&format!("/api/teams/{team}/domains/{domain}")).await;
            assert!(s.is_success(), "releasing {domain}: {s} {body}");
        }
    }

    fn pr_id(&self, pr: usize) -> &str {
        self.pull_requests[pr].as_str().unwrap_or_default()
    }

    fn user_id(&self, who: Who) -> String {
        self.people.client(who).user_id.clone()
    }

    /// Sends the action; answers its outcome and the body (for messages).
    async fn exec(&mut self, action: Action) -> (Outcome, Value) {
        let c = self.people.client(action.who());
        match action {
            Action::CreateWorkspace { team, kind, .. } => {
                let kind = match kind {
                    Kind::Team => "team",
                    Kind::Private => "private",
                    Kind::Partner => "partner",
                };
                let (s, body) = c
                    .post(
                        "/api/workspaces",
                        json!({ "workspace": { "name": "W", "type": kind, "teamId": self.teams[&team] } }),
                    )
                    .await;
                if s.is_success() {
                    self.workspaces
                        .push(body["workspace"]["id"].as_str().unwrap_or_default().to_string());
                }
                (class(s), body)
            }
            Action::SetPlan { enterprise, .. } => {
                let plan = if enterprise { "enterprise" } else { "professional" };
                let (s, body) = c
                    .patch(
                        &format!("/api/teams/{}", self.teams[&Team::Pub]),
                        json!({ "plan": plan }),
                    )
                    .await;
                (class(s), body)
            }
            Action::DecideRequest { ws, approve, .. } => {
                let decision = if approve { "approve" } else { "deny" };
                let (s, body) = c
                    .post(
                        &format!("/api/workspaces/{}/approval", self.workspaces[ws]),
                        json!({ "decision": decision }),
                    )
                    .await;
                (class(s), body)
            }
            Action::CaptureDomain { team, domain, .. } => {
                let (team, domain) = (self.teams[&team].clone(), self.domain_of(domain));
                let (s, body) = c
                    .post(&format!("/api/teams/{team}/domains"), json!({ "domain": domain }))
                    .await;
                if s.is_success() {
                    self.captured.insert((team, domain));
                }
                (class(s), body)
            }
            Action::ReleaseDomain { team, domain, .. } => {
                let (team, domain) = (self.teams[&team].clone(), self.domain_of(domain));
                let (s, body) = c.delete(&format!("/api/teams/{team}/domains/{domain}")).await;
                if s.is_success() {
                    self.captured.remove(&(team, domain));
                }
                (class(s), body)
            }
            Action::AddPartnerManager { .. } => {
                let (s, body) = c
                    .post(
                        &format!("/api/teams/{}/members", self.teams[&Team::Pub]),
                        json!({ "email": self.people.emails[&Who::PubPm], "roles": ["developer", "partner_manager"] }),
                    )
                    .await;
                (class(s), body)
            }
            Action::InvitePartner { ws, to, role, lead, .. } => {
                let (s, body) = c
                    .post(
                        "/api/invitations",
                        json!({ "action": "invite_partner", "targetEntity": "workspace",
                            "targetEntityId": self.workspaces[ws], "roleId": role.id(lead),
                            "target": { "emails": [self.people.emails[&to]] } }),
                    )
                    .await;
                if !s.is_success() {
                    return (class(s), body);
                }
                let r = &body["results"][0];
                let status = match r["status"].as_str() {
                    Some("PARTNER_ADDED") => "PARTNER_ADDED",
                    Some("EMAIL_SENT") => "EMAIL_SENT",
                    Some("ALREADY_INVITED") => "ALREADY_INVITED",
                    Some("FAILED") => "FAILED",
                    _ => "?",
                };
                if status == "EMAIL_SENT" {
                    let token = r["invitationLink"]
                        .as_str()
                        .and_then(|l| l.rsplit('/').next())
                        .unwrap_or_default();
                    let (_, preview) = self.people.anonymous.get(&format!("/api/invitations/{token}")).await;
                    self.invitations.push(preview["invitation"]["id"].clone());
                    self.tokens.push(token.to_string());
                }
                (Outcome::Invited(status), body)
            }
            Action::Accept { who, invitation } => {
                let team = who.home().map(|t| self.teams[&t].clone()).unwrap_or_default();
                let (s, body) = c
                    .post(
                        &format!("/api/invitations/{}", self.tokens[invitation]),
                        json!({ "teamId": team }),
                    )
                    .await;
                (class(s), body)
            }
            Action::RevokeInvitation { invitation, .. } => {
                let ws = self.model.invitations[invitation].ws;
                let (s, body) = c
                    .delete(&format!(
                        "/api/workspaces/{}/invitations/{}",
                        self.workspaces[ws],
                        self.invitations[invitation].as_str().unwrap_or_default()
                    ))
                    .await;
                (class(s), body)
            }
            Action::PreviewInvitation { invitation, .. } => {
                let (s, body) = c.get(&format!("/api/invitations/{}", self.tokens[invitation])).await;
                if !s.is_success() {
                    return (class(s), body);
                }
                let status = match body["invitation"]["status"].as_str() {
                    Some("open") => "open",
                    Some("accepted") => "accepted",
                    Some("revoked") => "revoked",
                    Some("expired") => "expired",
                    _ => "?",
                };
                (Outcome::Invitation(status), body)
            }
            Action::ReadInvitations { ws, .. } => {
                let (s, body) = c
                    .get(&format!("/api/workspaces/{}/invitations", self.workspaces[ws]))
                    .await;
                if !s.is_success() {
                    return (class(s), body);
                }
                (
                    Outcome::Invitations(listed(&body["invitations"], &self.invitations)),
                    body,
                )
            }
            Action::SetTeamMemberRole { ws, to, role, .. } => {
                let (op, id) = match role {
                    Some(r) => ("add", r.id(false)),
                    None => ("remove", "1"),
                };
                let (s, body) = c
                    .patch(
                        &format!("/api/workspaces/{}/roles", self.workspaces[ws]),
                        json!({ "roles": [{ "op": op, "path": "/user", "value": [{ "id": self.user_id(to), "role": id }] }] }),
                    )
                    .await;
                (class(s), body)
            }
            Action::SetPartnerRole { ws, to, role, lead, .. } => {
                let (op, id) = match role {
                    Some(r) => ("add", r.id(lead)),
                    None => ("remove", Role::PartnerViewer.id(false)),
                };
                let (s, body) = c
                    .patch(
                        &format!("/api/workspaces/{}/roles", self.workspaces[ws]),
                        json!({ "roles": [{ "op": op, "path": "/partner", "value": [{ "id": self.user_id(to), "role": id }] }] }),
                    )
                    .await;
                (class(s), body)
            }
            Action::EnableMultiPartner { ws, .. } => {
                let (s, body) = c
                    .put(
                        &format!("/api/workspaces/{}", self.workspaces[ws]),
                        json!({ "workspace": { "multiPartner": true } }),
                    )
                    .await;
                (class(s), body)
            }
            Action::LeaveTeam { who } => {
                let team = who.home().map(|t| self.teams[&t].clone()).unwrap_or_default();
                let (s, body) = c
                    .delete(&format!("/api/teams/{team}/members/{}", self.user_id(who)))
                    .await;
                (class(s), body)
            }
            Action::Rejoin { to, .. } => {
                let team = to.home().map(|t| self.teams[&t].clone()).unwrap_or_default();
                let roles = if to == Who::PubPm {
                    json!(["developer", "partner_manager"])
                } else {
                    json!(["developer"])
                };
                let (s, body) = c
                    .post(
                        &format!("/api/teams/{team}/members"),
                        json!({ "email": self.people.emails[&to], "roles": roles }),
                    )
                    .await;
                (class(s), body)
            }
            Action::PostUpdate { ws, .. } => {
                let (s, body) = c
                    .post(
                        &format!("/api/workspaces/{}/updates", self.workspaces[ws]),
                        json!({ "topic": "News", "description": "Changed", "category": "announcement" }),
                    )
                    .await;
                if s.is_success() {
                    self.updates.push(body["id"].clone());
                }
                (class(s), body)
            }
            Action::Comment { update, .. } => {
                let ws = self.model.updates[update].ws;
                let (s, body) = c
                    .post(
                        &format!(
                            "/api/workspaces/{}/updates/{}/comments",
                            self.workspaces[ws], self.updates[update]
                        ),
                        json!({ "body": "Thanks" }),
                    )
                    .await;
                if s.is_success() {
                    self.comments.push(body["id"].clone());
                }
                (class(s), body)
            }
            Action::CreateCollection { ws, .. } => {
                let (s, body) = c
                    .post(
                        &format!("/api/collections?workspace={}", self.workspaces[ws]),
                        json!({ "info": { "name": "C", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
                            "item": [{ "name": "Ping", "request": { "method": "GET", "url": "https://api.example/ping" } }] }),
                    )
                    .await;
                if s.is_success() {
                    self.push_collection(&body);
                }
                (class(s), body)
            }
            Action::Fork { collection, dest, .. } => {
                let (s, body) = c
                    .post(
                        &format!(
                            "/api/collections/fork/{}?workspace={}",
                            self.collections[collection].0, self.workspaces[dest]
                        ),
                        json!({ "label": "mine" }),
                    )
                    .await;
                if s.is_success() {
                    self.push_collection(&body);
                }
                (class(s), body)
            }
            Action::OpenPullRequest { fork, reviewer, .. } => {
                let parent = self.model.collections[fork].parent.unwrap_or_default();
                let (s, body) = c
                    .post(
                        &format!("/api/collections/{}/pull-requests", self.collections[fork].0),
                        json!({ "title": "Proposal", "description": "From the fork",
                            "reviewers": [self.user_id(reviewer)], "destinationId": self.collections[parent].0 }),
                    )
                    .await;
                if !s.is_success() {
                    return (class(s), body);
                }
                self.pull_requests.push(body["id"].clone());
                (pr_status(&body), body)
            }
            Action::ReadPullRequest { pr, .. } => {
                let (s, body) = c.get(&format!("/api/pull-requests/{}", self.pr_id(pr))).await;
                if !s.is_success() {
                    return (class(s), body);
                }
                (pr_status(&body), body)
            }
            Action::ReadPullRequests { collection, .. } => {
                let (s, body) = c
                    .get(&format!(
                        "/api/collections/{}/pull-requests",
                        self.collections[collection].0
                    ))
                    .await;
                if !s.is_success() {
                    return (class(s), body);
                }
                (Outcome::PullRequests(listed(&body["data"], &self.pull_requests)), body)
            }
            Action::ReviewPullRequest { pr, review, .. } => {
                let (s, body) = c
                    .post(
                        &format!("/api/pull-requests/{}/tasks", self.pr_id(pr)),
                        json!({ "action": review.action() }),
                    )
                    .await;
                if !s.is_success() {
                    return (class(s), body);
                }
                (pr_status(&body), body)
            }
            Action::Merge { fork, .. } => {
                let parent = self.model.collections[fork].parent.unwrap_or_default();
                let (s, body) = c
                    .put(
                        "/api/collection-merges",
                        json!({ "strategy": "default", "source": self.collections[fork].1,
                            "destination": self.collections[parent].0 }),
                    )
                    .await;
                (class(s), body)
            }
            Action::CreateEnvironment { ws, .. } => {
                let (s, body) = c
                    .post(
                        &format!("/api/environments?workspace={}", self.workspaces[ws]),
                        json!({ "environment": { "name": "E", "values": [
                            { "key": "token", "value": SECRET_VALUE, "type": "secret", "enabled": true }
                        ] } }),
                    )
                    .await;
                if s.is_success() {
                    self.environments
                        .push(body["environment"]["id"].as_str().unwrap_or_default().to_string());
                }
                (class(s), body)
            }
            Action::ReadEnvironment { env, .. } => {
                let (s, body) = c.get(&format!("/api/environments/{}", self.environments[env])).await;
                if !s.is_success() {
                    return (class(s), body);
                }
                let secrets = body.to_string().contains(SECRET_VALUE);
                (Outcome::Environment { secrets }, body)
            }
            Action::RunCollection { collection, .. } => {
                let (s, body) = c
                    .post(
                        &format!("/api/collections/{}/runs", self.collections[collection].0),
                        json!({}),
                    )
                    .await;
                if s.is_success() {
                    self.runs.push(body["run"]["id"].clone());
                }
                (class(s), body)
            }
            Action::ReadRuns { collection, .. } => {
                let (s, body) = c
                    .get(&format!("/api/collections/{}/runs", self.collections[collection].0))
                    .await;
                if !s.is_success() {
                    return (class(s), body);
                }
                (Outcome::Runs(listed(&body["runs"], &self.runs)), body)
            }
            Action::ReadWorkspace { ws, .. } => {
                let (s, body) = c.get(&format!("/api/workspaces/{}", self.workspaces[ws])).await;
                (class(s), body)
            }
            Action::ReadCollection { collection, .. } => {
                let (s, body) = c
                    .get(&format!("/api/collections/{}", self.collections[collection].0))
                    .await;
                (class(s), body)
            }
            Action::ReadUpdate { update, .. } => {
                let ws = self.model.updates[update].ws;
                let (s, body) = c
                    .get(&format!(
                        "/api/workspaces/{}/updates/{}",
                        self.workspaces[ws], self.updates[update]
                    ))
                    .await;
                (class(s), body)
            }
            Action::ReadComments { update, .. } => {
                let ws = self.model.updates[update].ws;
                let (s, body) = c
                    .get(&format!(
                        "/api/workspaces/{}/updates/{}/comments",
                        self.workspaces[ws], self.updates[update]
                    ))
                    .await;
                if !s.is_success() {
                    return (class(s), body);
                }
                (Outcome::Comments(listed(&body["data"], &self.comments)), body)
            }
            Action::ReadMembers { ws, .. } => {
                let (s, body) = c.get(&format!("/api/workspaces/{}/members", self.workspaces[ws])).await;
                if !s.is_success() {
                    return (class(s), body);
                }
                let shown = body["members"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|m| {
                        let who = self.who_is(m["id"].as_str()?)?;
                        let role = ["1", "2", "3", "4", "5", "6", "7"]
                            .into_iter()
                            .find(|r| m["roleId"] == *r)?;
                        Some((who, role))
                    })
                    .collect();
                (Outcome::Members(shown), body)
            }
            Action::ReadForks { collection, .. } => {
                let (s, body) = c
                    .get(&format!("/api/collections/{}/forks", self.collections[collection].0))
                    .await;
                if !s.is_success() {
                    return (class(s), body);
                }
                let shown = body["data"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|f| self.collections.iter().position(|(id, _)| f["forkId"] == id.as_str()))
                    .collect();
                (Outcome::Forks(shown), body)
            }
            Action::ReadActivity { who, ws } => {
                let (s, body) = c
                    .get(&format!("/api/workspaces/{}/activities?limit=100", self.workspaces[ws]))
                    .await;
                if !s.is_success() {
                    return (class(s), body);
                }
                let clean = body["data"].as_array().into_iter().flatten().all(|e| {
                    let subject = e["elementId"].as_str().filter(|_| e["elementType"] == "user");
                    [e["user"]["id"].as_str(), subject]
                        .into_iter()
                        .flatten()
                        .filter_map(|id| self.who_is(id))
                        .all(|named| self.model.feed_may_name(who, ws, named))
                });
                (Outcome::Feed { clean }, body)
            }
            Action::ReadUpdates { ws, .. } => {
                let (s, body) = c
                    .get(&format!("/api/workspaces/{}/updates?limit=100", self.workspaces[ws]))
                    .await;
                if !s.is_success() {
                    return (class(s), body);
                }
                (Outcome::Updates(listed(&body["data"], &self.updates)), body)
            }
            Action::SetElementEditor {
                collection, to, editor, ..
            } => {
                let role = if editor { json!("EDITOR") } else { Value::Null };
                let (s, body) = c
                    .patch(
                        &format!("/api/collections/{}/roles", self.collections[collection].0),
                        json!({ "roles": [{ "op": "update", "path": "/user", "value": [{ "id": self.user_id(to), "role": role }] }] }),
                    )
                    .await;
                (class(s), body)
            }
            Action::EditCollection { collection, .. } => {
                let (s, body) = c
                    .patch(
                        &format!("/api/collections/{}", self.collections[collection].0),
                        json!({ "collection": { "info": { "name": "Renamed" } } }),
                    )
                    .await;
                (class(s), body)
            }
            Action::ExportCollection { collection, .. } => {
                let (s, body) = c
                    .get(&format!(
                        "/api/collections/{}?download=true",
                        self.collections[collection].0
                    ))
                    .await;
                (class(s), body)
            }
            Action::ReadTeam { team, .. } => {
                let (s, body) = c.get(&format!("/api/teams/{}/members", self.teams[&team])).await;
                (class(s), body)
            }
            Action::ReadAuditLog { team, .. } => {
                let (s, body) = c.get(&format!("/api/audit/logs?teamId={}", self.teams[&team])).await;
                (class(s), body)
            }
            Action::RemovePartner { ws, to, .. } => {
                let (s, body) = c
                    .post(
                        "/api/invitations",
                        json!({ "action": "remove_partner", "targetEntity": "workspace",
                            "targetEntityId": self.workspaces[ws], "target": { "userIds": [self.user_id(to)] } }),
                    )
                    .await;
                if !s.is_success() {
                    return (class(s), body);
                }
                let status = if body["results"][0]["status"] == "REMOVED" {
                    "REMOVED"
                } else {
                    "FAILED"
                };
                (Outcome::Invited(status), body)
            }
        }
    }

    /// The principal with this user id.
    fn who_is(&self, id: &str) -> Option<Who> {
        self.people
            .clients
            .iter()
            .find(|(_, c)| c.user_id == id)
            .map(|(w, _)| *w)
    }

    fn push_collection(&mut self, body: &Value) {
        let c = &body["collection"];
        self.collections.push((
            c["id"].as_str().unwrap_or_default().to_string(),
            c["uid"].as_str().unwrap_or_default().to_string(),
        ));
    }

    /// The workspaces (with their `external` flag) and collections of this
    /// sequence that `who`'s listings show, against the model's.
    async fn check_sight(&self, who: Who) -> Result<(), String> {
        let c = self.people.client(who);
        if who == Who::Anonymous {
            let (s, _) = c.get("/api/workspaces").await;
            return (s == StatusCode::UNAUTHORIZED)
                .then_some(())
                .ok_or_else(|| format!("anonymous listing answered {s}"));
        }
        let mut listed = BTreeMap::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(k) => format!("/api/workspaces?limit=100&cursor={k}"),
                None => "/api/workspaces?limit=100".to_string(),
            };
            let (s, body) = c.get(&path).await;
            if s != StatusCode::OK {
                return Err(format!("{who:?}: workspace listing answered {s} {body}"));
            }
            for w in body["workspaces"].as_array().into_iter().flatten() {
                if let Some(i) = self.workspaces.iter().position(|id| w["id"] == id.as_str()) {
                    listed.insert(i, w["external"].as_bool().unwrap_or(false));
                }
            }
            cursor = body["meta"]["nextCursor"].as_str().map(String::from);
            if cursor.is_none() {
                break;
            }
        }
        let expected: BTreeMap<usize, bool> = (0..self.workspaces.len())
            .filter(|w| self.model.sees(who, *w))
            .map(|w| (w, self.model.external(who, w)))
            .collect();
        if listed != expected {
            return Err(format!(
                "{who:?} lists workspaces (index: external) {listed:?}, the model {expected:?}"
            ));
        }
        let (s, body) = c.get("/api/collections").await;
        if s != StatusCode::OK {
            return Err(format!("{who:?}: collection listing answered {s} {body}"));
        }
        let listed: BTreeSet<usize> = body["collections"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| self.collections.iter().position(|(id, _)| x["id"] == id.as_str()))
            .collect();
        let expected: BTreeSet<usize> = (0..self.collections.len())
            .filter(|k| self.model.sees(who, self.model.collections[*k].ws))
            .collect();
        if listed != expected {
            return Err(format!("{who:?} lists collections {listed:?}, the model {expected:?}"));
        }
        Ok(())
    }

    /// Every workspace, collection and update of the sequence, read by id:
    /// `200` where the model shows it, `404` elsewhere (R-ISO-3).
    async fn check_hidden(&self, who: Who) -> Result<(), String> {
        let c = self.people.client(who);
        let want = |sees: bool| match who {
            Who::Anonymous => StatusCode::UNAUTHORIZED,
            _ if sees => StatusCode::OK,
            _ => StatusCode::NOT_FOUND,
        };
        for (w, id) in self.workspaces.iter().enumerate() {
            let (s, _) = c.get(&format!("/api/workspaces/{id}")).await;
            if s != want(self.model.sees(who, w)) {
                return Err(format!("{who:?} reads workspace {w}: {s}"));
            }
        }
        for (k, (id, _)) in self.collections.iter().enumerate() {
            let (s, _) = c.get(&format!("/api/collections/{id}")).await;
            if s != want(self.model.sees(who, self.model.collections[k].ws)) {
                return Err(format!("{who:?} reads collection {k}: {s}"));
            }
        }
        for (u, id) in self.updates.iter().enumerate() {
            let ws = self.model.updates[u].ws;
            let (s, _) = c
                .get(&format!("/api/workspaces/{}/updates/{id}", self.workspaces[ws]))
                .await;
            if s != want(self.model.sees(who, ws)) {
                return Err(format!("{who:?} reads update {u}: {s}"));
            }
        }
        for (r, p) in self.model.pull_requests.iter().enumerate() {
            let (s, _) = c.get(&format!("/api/pull-requests/{}", self.pr_id(r))).await;
            if s != want(self.model.pr_visible(who, p)) {
                return Err(format!("{who:?} reads pull request {r}: {s}"));
            }
        }
        Ok(())
    }
}
