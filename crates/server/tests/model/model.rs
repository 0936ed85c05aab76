//! The reference model: what SPEC says should happen, written from SPEC
//! (§2 rules, §3 matrix) and kept apart from the server's policy code.
//!
//! It knows one publishing team (`Pub`, professional), three partner teams
//! (`T1` free, `T2` basic, `T3` free) and an outsider's team (`Out`, free),
//! the people of the sequence (`Who`), and what happened so far. For each
//! action it answers what the server should answer, and changes its state
//! as the server should.

use std::collections::{BTreeMap, BTreeSet};

/// The principals of a sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Who {
    /// The server's operator (first account): sees teams, belongs to none.
    Operator,
    PubAdmin,
    /// Joins `Pub` as Partner Manager only when a step adds them.
    PubPm,
    PubDev1,
    PubDev2,
    T1Admin,
    T1Dev,
    T2Admin,
    T2Dev,
    T3Admin,
    T3Dev,
    Outsider,
    Anonymous,
}

impl Who {
    pub const ALL: [Who; 13] = [
        Who::Operator,
        Who::PubAdmin,
        Who::PubPm,
        Who::PubDev1,
        Who::PubDev2,
        Who::T1Admin,
        Who::T1Dev,
        Who::T2Admin,
        Who::T2Dev,
        Who::T3Admin,
        Who::T3Dev,
        Who::Outsider,
        Who::Anonymous,
    ];

    /// The team the person belongs to at the start (or joins, for `PubPm`).
    pub fn home(self) -> Option<Team> {
        match self {
            Who::PubAdmin | Who::PubPm | Who::PubDev1 | Who::PubDev2 => Some(Team::Pub),
            Who::T1Admin | Who::T1Dev => Some(Team::T1),
            Who::T2Admin | Who::T2Dev => Some(Team::T2),
            Who::T3Admin | Who::T3Dev => Some(Team::T3),
            Who::Outsider => Some(Team::Out),
            Who::Operator | Who::Anonymous => None,
        }
    }

    /// Email domain: people of one team share one (R-ROLE-2, multi-partner).
    pub fn domain(self) -> &'static str {
        match self.home() {
            Some(Team::Pub) => "pub",
            Some(Team::T1) => "t1",
            Some(Team::T2) => "t2",
            Some(Team::T3) => "t3",
            Some(Team::Out) => "out",
            None => "ops",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Team {
    Pub,
    T1,
    T2,
    T3,
    Out,
}

impl Team {
    pub const ALL: [Team; 5] = [Team::Pub, Team::T1, Team::T2, Team::T3, Team::Out];

    /// Paid plans (R-FORK-1): `basic`, `professional`, `enterprise`.
    fn paid(self) -> bool {
        matches!(self, Team::Pub | Team::T2)
    }

    /// Partner Workspaces need professional or enterprise (R-PLAN-1): the
    /// publisher is on one of them.
    fn partner_plan(self) -> bool {
        self == Team::Pub
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Team,
    Private,
    Partner,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Editor,
    Viewer,
    PartnerEditor,
    PartnerViewer,
}

impl Role {
    pub fn is_partner(self) -> bool {
        matches!(self, Role::PartnerEditor | Role::PartnerViewer)
    }

    fn edits(self) -> bool {
        matches!(self, Role::Admin | Role::Editor | Role::PartnerEditor)
    }

    /// The API's role id (SPEC §1: 3/2/1, 5/4, Lead 7/6).
    pub fn id(self, lead: bool) -> &'static str {
        match (self, lead) {
            (Role::Admin, _) => "3",
            (Role::Editor, _) => "2",
            (Role::Viewer, _) => "1",
            (Role::PartnerEditor, false) => "5",
            (Role::PartnerViewer, false) => "4",
            (Role::PartnerEditor, true) => "7",
            (Role::PartnerViewer, true) => "6",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    pub role: Role,
    pub lead: bool,
    /// The partner team through which a partner holds the role.
    pub via: Option<Team>,
}

#[derive(Debug, Clone)]
pub struct Workspace {
    pub team: Team,
    pub kind: Kind,
    pub multi: bool,
    /// Every partner team each person has been a partner through here,
    /// kept after they go: what the activity feed may name (R-MULTI-3).
    pub partner_teams: BTreeMap<Who, BTreeSet<Team>>,
    /// A request for a Partner Workspace on `enterprise`: private until a
    /// Partner Manager approves or denies it (R-PLAN-2).
    pub pending: bool,
    pub members: BTreeMap<Who, Member>,
}

#[derive(Debug, Clone, Copy)]
pub struct Collection {
    pub ws: usize,
    /// The collection it was forked from.
    pub parent: Option<usize>,
    /// Who made it (R-MULTI-3).
    pub by: Who,
}

#[derive(Debug, Clone, Copy)]
pub struct Update {
    pub ws: usize,
}

/// An environment with one secret variable.
#[derive(Debug, Clone, Copy)]
pub struct Environment {
    pub ws: usize,
}

/// A run of a collection, private to who ran it (issue 11).
#[derive(Debug, Clone, Copy)]
pub struct CollectionRun {
    pub collection: usize,
    pub by: Who,
}

/// The review steps of a pull request (R-PR-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review {
    Approve,
    Unapprove,
    Decline,
    Merge,
}

impl Review {
    pub fn action(self) -> &'static str {
        match self {
            Review::Approve => "approve",
            Review::Unapprove => "unapprove",
            Review::Decline => "decline",
            Review::Merge => "merge",
        }
    }
}

/// A pull request from a fork into its parent, with one reviewer (R-PR-1).
#[derive(Debug, Clone, Copy)]
pub struct PullRequest {
    pub fork: usize,
    pub parent: usize,
    /// Its author (R-MULTI-3).
    pub by: Who,
    pub reviewer: Who,
    pub approved: bool,
    /// `declined` or `merged`: closed for good.
    pub closed: Option<&'static str>,
}

impl PullRequest {
    /// The status it shows.
    fn status(&self) -> &'static str {
        match (self.closed, self.approved) {
            (Some(s), _) => s,
            (None, true) => "approved",
            (None, false) => "open",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Comment {
    pub update: usize,
    /// The author's partner team when they wrote it (R-MULTI-3).
    pub via: Option<Team>,
}

#[derive(Debug, Clone, Copy)]
pub struct Invitation {
    pub ws: usize,
    pub to: Who,
    pub role: Role,
    pub lead: bool,
    pub open: bool,
    /// Revoked by a manager of the workspace before it was used.
    pub revoked: bool,
}

/// Team roles the sequence uses (SPEC §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeamRoles {
    pub admin: bool,
    pub pm: bool,
}

/// Everything the model knows.
#[derive(Debug, Clone, Default)]
pub struct Model {
    pub teams: BTreeMap<Team, BTreeMap<Who, TeamRoles>>,
    pub workspaces: Vec<Workspace>,
    pub collections: Vec<Collection>,
    pub updates: Vec<Update>,
    pub environments: Vec<Environment>,
    pub runs: Vec<CollectionRun>,
    pub comments: Vec<Comment>,
    pub pull_requests: Vec<PullRequest>,
    pub invitations: Vec<Invitation>,
    pub partnerships: BTreeSet<Team>,
    /// Captured email domains: the domain of a team's people (by that team)
    /// and the team that captured it.
    pub captured: BTreeMap<Team, Team>,
    /// `Pub` is on `enterprise` (else `professional`).
    pub enterprise: bool,
    /// Element editor roles: (collection, person).
    pub element_editors: BTreeSet<(usize, Who)>,
}

/// A step as generated: raw numbers, turned into an [`Action`] against the
/// state of the moment (so a sequence is a pure function of its seed, and
/// dropping a step while shrinking leaves the others meaningful).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub kind: u8,
    pub who: u8,
    pub a: u16,
    pub b: u16,
    pub c: u8,
}

/// What a step does, resolved against the model's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    CreateWorkspace {
        who: Who,
        team: Team,
        kind: Kind,
    },
    AddPartnerManager {
        who: Who,
    },
    /// The operator moves `Pub` between professional and enterprise.
    SetPlan {
        who: Who,
        enterprise: bool,
    },
    /// Captures the email domain of `domain`'s people for `team`.
    CaptureDomain {
        who: Who,
        team: Team,
        domain: Team,
    },
    ReleaseDomain {
        who: Who,
        team: Team,
        domain: Team,
    },
    /// A Partner Manager approves or denies a Partner Workspace request.
    DecideRequest {
        who: Who,
        ws: usize,
        approve: bool,
    },
    InvitePartner {
        who: Who,
        ws: usize,
        to: Who,
        role: Role,
        lead: bool,
    },
    Accept {
        who: Who,
        invitation: usize,
    },
    SetTeamMemberRole {
        who: Who,
        ws: usize,
        to: Who,
        role: Option<Role>,
    },
    SetPartnerRole {
        who: Who,
        ws: usize,
        to: Who,
        role: Option<Role>,
        lead: bool,
    },
    EnableMultiPartner {
        who: Who,
        ws: usize,
    },
    LeaveTeam {
        who: Who,
    },
    /// The team's admin adds someone who left back to the team.
    Rejoin {
        who: Who,
        to: Who,
    },
    PostUpdate {
        who: Who,
        ws: usize,
    },
    Comment {
        who: Who,
        update: usize,
    },
    CreateCollection {
        who: Who,
        ws: usize,
    },
    Fork {
        who: Who,
        collection: usize,
        dest: usize,
    },
    Merge {
        who: Who,
        fork: usize,
    },
    ReadWorkspace {
        who: Who,
        ws: usize,
    },
    ReadCollection {
        who: Who,
        collection: usize,
    },
    ReadUpdate {
        who: Who,
        update: usize,
    },
    ReadComments {
        who: Who,
        update: usize,
    },
    ReadMembers {
        who: Who,
        ws: usize,
    },
    ReadForks {
        who: Who,
        collection: usize,
    },
    RemovePartner {
        who: Who,
        ws: usize,
        to: Who,
    },
    ReadUpdates {
        who: Who,
        ws: usize,
    },
    /// The team's member directory.
    ReadTeam {
        who: Who,
        team: Team,
    },
    ReadAuditLog {
        who: Who,
        team: Team,
    },
    /// The workspace's activity feed.
    ReadActivity {
        who: Who,
        ws: usize,
    },
    /// Gives (or takes back) the element role `editor` on a collection.
    SetElementEditor {
        who: Who,
        collection: usize,
        to: Who,
        editor: bool,
    },
    /// Renames a collection.
    EditCollection {
        who: Who,
        collection: usize,
    },
    ExportCollection {
        who: Who,
        collection: usize,
    },
    CreateEnvironment {
        who: Who,
        ws: usize,
    },
    /// Reads an environment: shown or not, and its secret value or not.
    ReadEnvironment {
        who: Who,
        env: usize,
    },
    RunCollection {
        who: Who,
        collection: usize,
    },
    /// Revokes an open partner invitation (R-INV-1).
    RevokeInvitation {
        who: Who,
        invitation: usize,
    },
    /// The invitation's preview, by whoever holds its link.
    PreviewInvitation {
        who: Who,
        invitation: usize,
    },
    /// The open invitations of a workspace.
    ReadInvitations {
        who: Who,
        ws: usize,
    },
    /// The caller's own runs of a collection.
    ReadRuns {
        who: Who,
        collection: usize,
    },
    /// Proposes a fork's changes to its parent, with one reviewer.
    OpenPullRequest {
        who: Who,
        fork: usize,
        reviewer: Who,
    },
    ReadPullRequest {
        who: Who,
        pr: usize,
    },
    /// The pull requests into or out of a collection.
    ReadPullRequests {
        who: Who,
        collection: usize,
    },
    ReviewPullRequest {
        who: Who,
        pr: usize,
        review: Review,
    },
}

impl Action {
    pub fn who(&self) -> Who {
        match *self {
            Action::CreateWorkspace { who, .. }
            | Action::AddPartnerManager { who }
            | Action::SetPlan { who, .. }
            | Action::CaptureDomain { who, .. }
            | Action::ReleaseDomain { who, .. }
            | Action::DecideRequest { who, .. }
            | Action::InvitePartner { who, .. }
            | Action::Accept { who, .. }
            | Action::SetTeamMemberRole { who, .. }
            | Action::SetPartnerRole { who, .. }
            | Action::EnableMultiPartner { who, .. }
            | Action::LeaveTeam { who }
            | Action::Rejoin { who, .. }
            | Action::PostUpdate { who, .. }
            | Action::Comment { who, .. }
            | Action::CreateCollection { who, .. }
            | Action::Fork { who, .. }
            | Action::Merge { who, .. }
            | Action::ReadWorkspace { who, .. }
            | Action::ReadCollection { who, .. }
            | Action::ReadUpdate { who, .. }
            | Action::ReadComments { who, .. }
            | Action::ReadMembers { who, .. }
            | Action::ReadForks { who, .. }
            | Action::RemovePartner { who, .. }
            | Action::ReadUpdates { who, .. }
            | Action::ReadTeam { who, .. }
            | Action::ReadAuditLog { who, .. }
            | Action::ReadActivity { who, .. }
            | Action::SetElementEditor { who, .. }
            | Action::EditCollection { who, .. }
            | Action::ExportCollection { who, .. }
            | Action::CreateEnvironment { who, .. }
            | Action::ReadEnvironment { who, .. }
            | Action::RunCollection { who, .. }
            | Action::ReadRuns { who, .. }
            | Action::RevokeInvitation { who, .. }
            | Action::PreviewInvitation { who, .. }
            | Action::ReadInvitations { who, .. }
            | Action::OpenPullRequest { who, .. }
            | Action::ReadPullRequest { who, .. }
            | Action::ReadPullRequests { who, .. }
            | Action::ReviewPullRequest { who, .. } => who,
        }
    }
}

/// An answer, as far as authorization goes: the class of the status, plus
/// what the answer must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `2xx`.
    Ok,
    /// `2xx` of an invitation: the status of the one email (R-INV-3).
    Invited(&'static str),
    /// `2xx` of a comment list: the comments shown, by model index.
    Comments(BTreeSet<usize>),
    /// `2xx` of a member list: the people shown with their role ids.
    Members(BTreeMap<Who, &'static str>),
    /// `2xx` of a fork list: the forks shown, by model index.
    Forks(BTreeSet<usize>),
    /// `2xx` of an update list: the updates shown, by model index.
    Updates(BTreeSet<usize>),
    /// `2xx` of an environment: whether its secret value was shown.
    Environment { secrets: bool },
    /// `2xx` of a run list: the runs shown, by model index.
    Runs(BTreeSet<usize>),
    /// `2xx` of an invitation's preview: its status.
    Invitation(&'static str),
    /// `2xx` of a workspace's open invitations, by model index.
    Invitations(BTreeSet<usize>),
    /// `2xx` of a pull request: its status.
    PullRequest(&'static str),
    /// `2xx` of a pull request list: the requests shown, by model index.
    PullRequests(BTreeSet<usize>),
    /// `2xx` of an activity feed: whether it names no one the reader may
    /// not see, a partner of another partner team (R-MULTI-3).
    Feed { clean: bool },
    /// `404`, as if the object did not exist (R-ISO-3).
    Hidden,
    /// Another `4xx`: seen but refused, with its status: `403` (not
    /// allowed), `400` (not a valid request for this object) or `409`
    /// (clashes with the object's state).
    Refused(u16),
    /// `401`: no credentials.
    Unauthenticated,
}

impl Model {
    /// The sequence's start: every team with its admin, and developers in
    /// `Pub` and in each partner team.
    pub fn new() -> Self {
        let mut m = Model::default();
        let admin = TeamRoles { admin: true, pm: false };
        let dev = TeamRoles {
            admin: false,
            pm: false,
        };
        for (team, people) in [
            (
                Team::Pub,
                vec![(Who::PubAdmin, admin), (Who::PubDev1, dev), (Who::PubDev2, dev)],
            ),
            (Team::T1, vec![(Who::T1Admin, admin), (Who::T1Dev, dev)]),
            (Team::T2, vec![(Who::T2Admin, admin), (Who::T2Dev, dev)]),
            (Team::T3, vec![(Who::T3Admin, admin), (Who::T3Dev, dev)]),
            (Team::Out, vec![(Who::Outsider, admin)]),
        ] {
            m.teams.insert(team, people.into_iter().collect());
        }
        m
    }

    fn partner_plan(&self, team: Team) -> bool {
        team.partner_plan()
    }

    /// Partner Workspaces a team may have: 3 on professional, no limit on
    /// enterprise (the configuration's defaults).
    fn pw_limit(&self, team: Team) -> Option<usize> {
        (!(team == Team::Pub && self.enterprise)).then_some(3)
    }

    fn in_team(&self, who: Who, team: Team) -> bool {
        self.teams.get(&team).is_some_and(|t| t.contains_key(&who))
    }

    fn team_roles(&self, who: Who, team: Team) -> Option<TeamRoles> {
        self.teams.get(&team).and_then(|t| t.get(&who)).copied()
    }

    /// Partner Manager; a team admin counts as one where the team has none
    /// (SPEC §3).
    fn is_pm(&self, who: Who, team: Team) -> bool {
        let has_pm = self.teams[&team].values().any(|r| r.pm);
        self.team_roles(who, team).is_some_and(|r| r.pm || (r.admin && !has_pm))
    }

    /// The role `who` holds in workspace `w`, counted only while they are in
    /// the team it was given through (R-ISO-4).
    fn role(&self, who: Who, w: usize) -> Option<Member> {
        let ws = &self.workspaces[w];
        let m = ws.members.get(&who)?;
        self.in_team(who, m.via.unwrap_or(ws.team)).then_some(*m)
    }

    /// The role `who` acts with: their own, or viewer of a team workspace of
    /// their team (SPEC §3, last paragraph).
    fn effective(&self, who: Who, w: usize) -> Option<Role> {
        let ws = &self.workspaces[w];
        match self.role(who, w) {
            Some(m) => Some(m.role),
            None if ws.kind == Kind::Team && self.in_team(who, ws.team) => Some(Role::Viewer),
            None => None,
        }
    }

    /// R-ISO-1, R-ISO-2, R-ROLE-1.
    pub fn sees(&self, who: Who, w: usize) -> bool {
        let ws = &self.workspaces[w];
        self.effective(who, w).is_some() || ((ws.kind == Kind::Partner || ws.pending) && self.is_pm(who, ws.team))
    }

    /// Partner Manager of a PW, or workspace admin: edits settings, invites,
    /// changes roles (SPEC §3).
    fn manages(&self, who: Who, w: usize) -> bool {
        let ws = &self.workspaces[w];
        ((ws.kind == Kind::Partner || ws.pending) && self.is_pm(who, ws.team))
            || self.role(who, w).is_some_and(|m| m.role == Role::Admin)
    }

    fn edits(&self, who: Who, w: usize) -> bool {
        self.manages(who, w) || self.effective(who, w).is_some_and(Role::edits)
    }

    fn lead(&self, who: Who, w: usize) -> Option<Team> {
        self.role(who, w)
            .filter(|m| m.role.is_partner() && m.lead)
            .and_then(|m| m.via)
    }

    /// The external flag of a workspace in `who`'s listing (R-ISO-5).
    pub fn external(&self, who: Who, w: usize) -> bool {
        !self.in_team(who, self.workspaces[w].team)
    }

    /// R-ROLE-4: a partner editor anywhere in the team's PWs holds a seat;
    /// professional has 3.
    fn seat_for(&self, who: Who) -> bool {
        let holders: BTreeSet<Who> = self
            .workspaces
            .iter()
            .filter(|w| w.team == Team::Pub)
            .flat_map(|w| w.members.iter())
            .filter(|(_, m)| m.role == Role::PartnerEditor)
            .map(|(u, _)| *u)
            .collect();
        let seats = if self.enterprise { 50 } else { 3 };
        holders.contains(&who) || holders.len() < seats
    }

    /// The partner team of a single-partner PW (one partner team at a time).
    fn partner_team_of(&self, w: usize) -> Option<Team> {
        self.workspaces[w].members.values().find_map(|m| m.via)
    }

    /// R-INV-4: a workspace left without an admin gets the Partner Managers.
    fn ensure_admin(&mut self, w: usize) {
        let has_admin = self.workspaces[w]
            .members
            .keys()
            .any(|u| self.role(*u, w).is_some_and(|m| m.role == Role::Admin));
        if has_admin {
            return;
        }
        let team = self.workspaces[w].team;
        // A team admin counts as Partner Manager where the team has none
        // (SPEC §3).
        let pms: Vec<Who> = self.teams[&team]
            .keys()
            .copied()
            .filter(|u| self.is_pm(*u, team))
            .collect();
        for pm in pms {
            self.workspaces[w].members.insert(
                pm,
                Member {
                    role: Role::Admin,
                    lead: false,
                    via: None,
                },
            );
        }
    }

    /// Turns a generated step into an action on this state; `None` when it
    /// has nothing to act on yet. Actors are mostly people close to the
    /// object (its members, its team), so that sequences get past refusals.
    pub fn resolve(&self, s: Step) -> Option<Action> {
        let anyone = Who::ALL[s.who as usize % Who::ALL.len()];
        let nws = self.workspaces.len();
        let ws = |x: u16| (nws > 0).then(|| x as usize % nws);
        // A Partner Workspace, 3 times in 4 when there is one.
        let pws: Vec<usize> = (0..nws).filter(|w| self.workspaces[*w].kind == Kind::Partner).collect();
        let pw = |x: u16| {
            if x.is_multiple_of(4) || pws.is_empty() {
                ws(x / 4)
            } else {
                Some(pws[x as usize / 4 % pws.len()])
            }
        };
        // Someone of the workspace (a member or of its team), 3 times in 4.
        let near = |w: usize| {
            if s.who.is_multiple_of(4) {
                return anyone;
            }
            let mut near: Vec<Who> = self.workspaces[w].members.keys().copied().collect();
            near.extend(self.teams[&self.workspaces[w].team].keys().copied());
            near[(s.who as usize / 4) % near.len()]
        };
        let partners = [
            Who::T1Admin,
            Who::T1Dev,
            Who::T2Admin,
            Who::T2Dev,
            Who::T3Admin,
            Who::T3Dev,
            Who::Outsider,
            Who::PubDev1,
        ];
        let partner_role = |c: u8| match c % 4 {
            0 => (Role::PartnerViewer, false),
            1 => (Role::PartnerEditor, false),
            2 => (Role::PartnerViewer, true),
            _ => (Role::PartnerEditor, true),
        };
        // A sequence starts with a Partner Workspace of the publisher; past
        // six workspaces, creating one becomes inviting.
        // One sequence in four puts the publisher on enterprise first.
        if nws == 0 && s.b.is_multiple_of(4) && !self.enterprise {
            return Some(Action::SetPlan {
                who: Who::Operator,
                enterprise: true,
            });
        }
        if nws == 0 {
            let who = [Who::PubAdmin, Who::PubDev1, Who::PubAdmin, anyone][s.c as usize % 4];
            return Some(Action::CreateWorkspace {
                who,
                team: Team::Pub,
                kind: Kind::Partner,
            });
        }
        let kind = match s.kind % 120 {
            0..=9 if nws >= 6 => 12,
            k => k,
        };
        Some(match kind {
            0..=9 => {
                let team = if s.a.is_multiple_of(2) {
                    Team::Pub
                } else {
                    Team::ALL[s.a as usize / 2 % 5]
                };
                let kinds = if team == Team::Pub {
                    [Kind::Partner, Kind::Partner, Kind::Team, Kind::Private]
                } else {
                    [Kind::Team, Kind::Private, Kind::Partner, Kind::Team]
                };
                let kind = kinds[s.b as usize % 4];
                let of: Vec<Who> = self.teams[&team].keys().copied().collect();
                let who = if s.c.is_multiple_of(4) || of.is_empty() {
                    anyone
                } else {
                    of[s.c as usize % of.len()]
                };
                Action::CreateWorkspace { who, team, kind }
            }
            10 | 11 if s.b.is_multiple_of(2) => Action::SetPlan {
                who: if s.c.is_multiple_of(4) { anyone } else { Who::Operator },
                enterprise: s.c.is_multiple_of(8) == self.enterprise,
            },
            10 | 11 => Action::AddPartnerManager {
                who: if s.c.is_multiple_of(2) { Who::PubAdmin } else { anyone },
            },
            // Runs and environments (issue 11, SPEC §3).
            26..=27 => {
                if s.c % 3 == 2 {
                    let n = self.environments.len();
                    (n > 0).then_some(())?;
                    let env = s.b as usize % n;
                    return Some(Action::ReadEnvironment {
                        who: near(self.environments[env].ws),
                        env,
                    });
                }
                let n = self.collections.len();
                (n > 0).then_some(())?;
                let collection = s.a as usize % n;
                let who = near(self.collections[collection].ws);
                if s.c.is_multiple_of(3) {
                    Action::RunCollection { who, collection }
                } else {
                    Action::ReadRuns { who, collection }
                }
            }
            12..=25 => {
                let w = pw(s.a)?;
                let (role, lead) = partner_role(s.c);
                Action::InvitePartner {
                    who: near(w),
                    ws: w,
                    to: partners[s.b as usize % partners.len()],
                    role,
                    lead,
                }
            }
            28..=39 => {
                let n = self.invitations.len();
                (n > 0).then_some(())?;
                // Mostly an open one.
                let open: Vec<usize> = (0..n).filter(|i| self.invitations[*i].open).collect();
                let invitation = if s.b.is_multiple_of(5) || open.is_empty() {
                    s.a as usize % n
                } else {
                    open[s.a as usize % open.len()]
                };
                // Mostly the invitee; sometimes someone else tries.
                let who = if s.c.is_multiple_of(5) {
                    anyone
                } else {
                    self.invitations[invitation].to
                };
                let ws = self.invitations[invitation].ws;
                match s.c / 5 % 8 {
                    0 => Action::RevokeInvitation {
                        who: near(ws),
                        invitation,
                    },
                    1 => Action::PreviewInvitation { who, invitation },
                    2 => Action::ReadInvitations { who: near(ws), ws },
                    _ => Action::Accept { who, invitation },
                }
            }
            40..=45 => {
                let w = ws(s.a)?;
                let role = [None, Some(Role::Viewer), Some(Role::Editor), Some(Role::Admin)][s.c as usize % 4];
                let team: Vec<Who> = self.teams[&self.workspaces[w].team].keys().copied().collect();
                let to = if s.b.is_multiple_of(4) || team.is_empty() {
                    Who::ALL[s.b as usize / 4 % (Who::ALL.len() - 1)]
                } else {
                    team[s.b as usize / 4 % team.len()]
                };
                Action::SetTeamMemberRole {
                    who: near(w),
                    ws: w,
                    to,
                    role,
                }
            }
            46..=51 => {
                let w = pw(s.a)?;
                let (role, lead) = partner_role(s.c / 3);
                let theirs: Vec<Who> = self.workspaces[w]
                    .members
                    .iter()
                    .filter(|(_, m)| m.role.is_partner())
                    .map(|(u, _)| *u)
                    .collect();
                let to = if s.b.is_multiple_of(4) || theirs.is_empty() {
                    partners[s.b as usize / 4 % partners.len()]
                } else {
                    theirs[s.b as usize / 4 % theirs.len()]
                };
                Action::SetPartnerRole {
                    who: near(w),
                    ws: w,
                    to,
                    role: (!s.c.is_multiple_of(3)).then_some(role),
                    lead,
                }
            }
            52..=54 => {
                let requests: Vec<usize> = (0..nws).filter(|w| self.workspaces[*w].pending).collect();
                if !requests.is_empty() {
                    // Now and then a workspace that is no request (any more).
                    let w = if s.c.is_multiple_of(5) {
                        s.a as usize % nws
                    } else {
                        requests[s.a as usize % requests.len()]
                    };
                    let who = if s.b.is_multiple_of(2) { Who::PubAdmin } else { near(w) };
                    return Some(Action::DecideRequest {
                        who,
                        ws: w,
                        approve: !s.c.is_multiple_of(4),
                    });
                }
                let w = pw(s.a)?;
                Action::EnableMultiPartner { who: near(w), ws: w }
            }
            55..=58 => {
                // Those who may leave a team: not its last admin.
                let leavers = [
                    Who::PubDev1,
                    Who::PubDev2,
                    Who::PubPm,
                    Who::T1Dev,
                    Who::T2Dev,
                    Who::T3Dev,
                ];
                let gone: Vec<Who> = leavers
                    .into_iter()
                    .filter(|w| w.home().is_some_and(|t| !self.in_team(*w, t)))
                    .collect();
                let who = if s.c % 2 == 1 && !gone.is_empty() {
                    gone[s.a as usize % gone.len()]
                } else {
                    leavers[s.a as usize % leavers.len()]
                };
                if s.c.is_multiple_of(2) {
                    Action::LeaveTeam { who }
                } else {
                    let admin = match who.home() {
                        Some(Team::T1) => Who::T1Admin,
                        Some(Team::T2) => Who::T2Admin,
                        Some(Team::T3) => Who::T3Admin,
                        _ => Who::PubAdmin,
                    };
                    Action::Rejoin {
                        who: if s.b.is_multiple_of(4) { anyone } else { admin },
                        to: who,
                    }
                }
            }
            59..=64 => {
                let w = ws(s.a)?;
                Action::PostUpdate { who: near(w), ws: w }
            }
            65..=70 => {
                let n = self.updates.len();
                (n > 0).then_some(())?;
                let update = s.a as usize % n;
                Action::Comment {
                    who: near(self.updates[update].ws),
                    update,
                }
            }
            71..=78 => {
                let w = ws(s.a)?;
                if s.c.is_multiple_of(4) {
                    Action::CreateEnvironment { who: near(w), ws: w }
                } else {
                    Action::CreateCollection { who: near(w), ws: w }
                }
            }
            79..=86 => {
                let n = self.collections.len();
                (n > 0).then_some(())?;
                let collection = s.a as usize % n;
                Action::Fork {
                    who: near(self.collections[collection].ws),
                    collection,
                    dest: ws(s.b)?,
                }
            }
            87..=90 => {
                let forks: Vec<usize> = (0..self.collections.len())
                    .filter(|c| self.collections[*c].parent.is_some())
                    .collect();
                (!forks.is_empty()).then_some(())?;
                let fork = forks[s.a as usize % forks.len()];
                Action::Merge {
                    who: near(self.collections[fork].ws),
                    fork,
                }
            }
            91..=93 => {
                let w = ws(s.a)?;
                let team = Team::ALL[s.b as usize % 5];
                match s.c % 7 {
                    0 => Action::ReadWorkspace { who: near(w), ws: w },
                    1 => Action::ReadMembers { who: near(w), ws: w },
                    2 => Action::ReadTeam { who: anyone, team },
                    3 => Action::ReadAuditLog { who: anyone, team },
                    4 => Action::ReadUpdates { who: near(w), ws: w },
                    5 => Action::ReadActivity { who: near(w), ws: w },
                    _ => {
                        let theirs: Vec<Who> = self.workspaces[w].members.keys().copied().collect();
                        let to = if theirs.is_empty() {
                            Who::T1Dev
                        } else {
                            theirs[s.b as usize % theirs.len()]
                        };
                        Action::RemovePartner {
                            who: near(w),
                            ws: w,
                            to,
                        }
                    }
                }
            }
            94..=96 => {
                let n = self.collections.len();
                (n > 0).then_some(())?;
                let collection = s.a as usize % n;
                let who = near(self.collections[collection].ws);
                match s.c % 5 {
                    0 => Action::ReadCollection { who, collection },
                    1 => Action::ReadForks { who, collection },
                    2 => Action::EditCollection { who, collection },
                    3 => Action::ExportCollection { who, collection },
                    _ => {
                        let ws = self.collections[collection].ws;
                        let theirs: Vec<Who> = self.workspaces[ws].members.keys().copied().collect();
                        let to = if s.b.is_multiple_of(4) || theirs.is_empty() {
                            anyone
                        } else {
                            theirs[s.b as usize / 4 % theirs.len()]
                        };
                        Action::SetElementEditor {
                            who,
                            collection,
                            to,
                            editor: !s.b.is_multiple_of(3),
                        }
                    }
                }
            }
            // Captured domains (R-INV-2).
            115..=119 => {
                let domain = Team::ALL[s.a as usize % 5];
                let team = if s.b.is_multiple_of(3) {
                    Team::ALL[s.b as usize / 3 % 5]
                } else {
                    domain
                };
                let who = if s.c.is_multiple_of(4) {
                    anyone
                } else if s.c % 4 == 1 {
                    Who::Operator
                } else {
                    self.teams[&team]
                        .iter()
                        .find(|(_, r)| r.admin)
                        .map_or(anyone, |(w, _)| *w)
                };
                if (s.c / 4).is_multiple_of(3) {
                    Action::ReleaseDomain { who, team, domain }
                } else {
                    Action::CaptureDomain { who, team, domain }
                }
            }
            // Pull requests (R-PR-1).
            100..=114 => {
                let forks: Vec<usize> = (0..self.collections.len())
                    .filter(|c| self.collections[*c].parent.is_some())
                    .collect();
                (!forks.is_empty()).then_some(())?;
                let n = self.pull_requests.len();
                match (s.c % 10, n) {
                    (0..=1, _) | (_, 0) => {
                        let fork = forks[s.a as usize % forks.len()];
                        let f = self.collections[fork];
                        let parent_ws = self.collections[f.parent?].ws;
                        let who = if s.b.is_multiple_of(2) { f.by } else { near(f.ws) };
                        let reviewer = match near(parent_ws) {
                            Who::Anonymous => Who::Outsider,
                            r => r,
                        };
                        Action::OpenPullRequest { who, fork, reviewer }
                    }
                    (2..=6, _) => {
                        let pr = s.a as usize % n;
                        let p = self.pull_requests[pr];
                        let who = if s.b.is_multiple_of(2) {
                            p.reviewer
                        } else {
                            near(self.collections[p.parent].ws)
                        };
                        let review = match s.b / 2 % 8 {
                            0..=2 => Review::Approve,
                            3 => Review::Unapprove,
                            4 => Review::Decline,
                            _ => Review::Merge,
                        };
                        Action::ReviewPullRequest { who, pr, review }
                    }
                    (7..=8, _) => {
                        let pr = s.a as usize % n;
                        let p = self.pull_requests[pr];
                        let who = if s.b.is_multiple_of(2) {
                            anyone
                        } else {
                            near(self.collections[p.parent].ws)
                        };
                        Action::ReadPullRequest { who, pr }
                    }
                    _ => {
                        let p = self.pull_requests[s.a as usize % n];
                        let collection = if s.b.is_multiple_of(2) { p.fork } else { p.parent };
                        Action::ReadPullRequests {
                            who: near(self.collections[collection].ws),
                            collection,
                        }
                    }
                }
            }
            _ => {
                let n = self.updates.len();
                (n > 0).then_some(())?;
                let update = s.a as usize % n;
                if s.c.is_multiple_of(2) {
                    Action::ReadUpdate { who: anyone, update }
                } else {
                    Action::ReadComments { who: anyone, update }
                }
            }
        })
    }

    /// What the server should answer to `action`; changes the state as the
    /// server should.
    pub fn apply(&mut self, action: Action) -> Outcome {
        let outcome = self.apply_step(action);
        for w in &mut self.workspaces {
            for (who, m) in &w.members {
                if let Some(t) = m.via.filter(|_| m.role.is_partner()) {
                    w.partner_teams.entry(*who).or_default().insert(t);
                }
            }
        }
        outcome
    }

    /// Whether `reader`'s activity feed of `ws` may name `named`: a partner
    /// reads nothing of someone known here only as a partner of another
    /// team (R-MULTI-3).
    pub fn feed_may_name(&self, reader: Who, ws: usize, named: Who) -> bool {
        match self.partner_team_in(reader, ws) {
            None => true,
            Some(mine) => self.workspaces[ws]
                .partner_teams
                .get(&named)
                .is_none_or(|teams| teams.contains(&mine)),
        }
    }

    fn apply_step(&mut self, action: Action) -> Outcome {
        // The link is the secret: anyone holding it sees the preview.
        if let Action::PreviewInvitation { invitation, .. } = action {
            let i = self.invitations[invitation];
            return Outcome::Invitation(match (i.open, i.revoked) {
                (true, _) => "open",
                (false, true) => "revoked",
                (false, false) => "accepted",
            });
        }
        if action.who() == Who::Anonymous {
            return Outcome::Unauthenticated;
        }
        match action {
            Action::CreateWorkspace { who, team, kind } => {
                // A team is visible to its members and to the operator.
                let Some(roles) = self.team_roles(who, team) else {
                    return if who == Who::Operator {
                        Outcome::Refused(403)
                    } else {
                        Outcome::Hidden
                    };
                };
                if kind == Kind::Partner {
                    let pws = self
                        .workspaces
                        .iter()
                        .filter(|w| w.team == team && w.kind == Kind::Partner)
                        .count();
                    if !self.partner_plan(team) || self.pw_limit(team).is_some_and(|n| pws >= n) {
                        return Outcome::Refused(403);
                    }
                    // R-PLAN-3 (for a Partner Workspace made, not requested).
                    let requested = self.enterprise && !roles.pm;
                    if roles.admin && !requested && !self.teams[&team].values().any(|r| r.pm) {
                        self.teams
                            .get_mut(&team)
                            .map(|t| t.insert(who, TeamRoles { admin: true, pm: true }));
                    }
                }
                let members = BTreeMap::from([(
                    who,
                    Member {
                        role: Role::Admin,
                        lead: false,
                        via: None,
                    },
                )]);
                // R-PLAN-2: on enterprise, members who do not hold the
                // team role partner_manager only request one (a team admin
                // too, though they count as Partner Manager elsewhere).
                let pending = kind == Kind::Partner && self.enterprise && !roles.pm;
                self.workspaces.push(Workspace {
                    team,
                    kind: if pending { Kind::Private } else { kind },
                    multi: false,
                    partner_teams: BTreeMap::new(),
                    pending,
                    members,
                });
                Outcome::Ok
            }
            // Plans change only by the operator (docs/decisions.md).
            Action::SetPlan { who, enterprise } => {
                if who != Who::Operator {
                    return if self.in_team(who, Team::Pub) {
                        Outcome::Refused(403)
                    } else {
                        Outcome::Hidden
                    };
                }
                self.enterprise = enterprise;
                Outcome::Ok
            }
            // R-PLAN-2: the request's creator and the Partner Managers see
            // it; Partner Managers decide, once; the plan's limit is
            // checked again at approval.
            Action::DecideRequest { who, ws, approve } => {
                if !self.sees(who, ws) {
                    return Outcome::Hidden;
                }
                // A Partner Manager's say is over requests and Partner
                // Workspaces: a decided Partner Workspace clashes (409), an
                // internal workspace is none of theirs to decide (403).
                let w = &self.workspaces[ws];
                if !self.is_pm(who, w.team) || !(w.pending || w.kind == Kind::Partner) {
                    return Outcome::Refused(403);
                }
                if !w.pending {
                    return Outcome::Refused(409);
                }
                let team = w.team;
                if approve {
                    let pws = self
                        .workspaces
                        .iter()
                        .filter(|w| w.team == team && w.kind == Kind::Partner)
                        .count();
                    if self.pw_limit(team).is_some_and(|n| pws >= n) {
                        return Outcome::Refused(403);
                    }
                    self.workspaces[ws].kind = Kind::Partner;
                }
                self.workspaces[ws].pending = false;
                Outcome::Ok
            }
            // Team admins capture and release their team's domains (only
            // their own email's domain), the operator any team's and any
            // domain; a domain belongs to one team at most.
            Action::CaptureDomain { who, team, domain } | Action::ReleaseDomain { who, team, domain } => {
                if who != Who::Operator {
                    match self.team_roles(who, team) {
                        None => return Outcome::Hidden,
                        Some(r) if !r.admin => return Outcome::Refused(403),
                        Some(_) => {}
                    }
                }
                if matches!(action, Action::CaptureDomain { .. }) {
                    // A team admin captures only their own email's domain.
                    if who != Who::Operator && who.home() != Some(domain) {
                        return Outcome::Refused(403);
                    }
                    if self.captured.contains_key(&domain) {
                        return Outcome::Refused(409);
                    }
                    self.captured.insert(domain, team);
                } else {
                    if self.captured.get(&domain) != Some(&team) {
                        return Outcome::Hidden;
                    }
                    self.captured.remove(&domain);
                }
                Outcome::Ok
            }
            Action::AddPartnerManager { who } => {
                let Some(roles) = self.team_roles(who, Team::Pub) else {
                    return if who == Who::Operator {
                        Outcome::Refused(403)
                    } else {
                        Outcome::Hidden
                    };
                };
                if !roles.admin {
                    return Outcome::Refused(403);
                }
                if self.in_team(Who::PubPm, Team::Pub) {
                    return Outcome::Refused(409);
                }
                self.teams
                    .get_mut(&Team::Pub)
                    .map(|t| t.insert(Who::PubPm, TeamRoles { admin: false, pm: true }));
                Outcome::Ok
            }
            Action::InvitePartner {
                who,
                ws,
                to,
                role,
                lead,
            } => self.invite(who, ws, to, role, lead),
            Action::Accept { who, invitation } => self.accept(who, invitation),
            Action::PreviewInvitation { .. } => unreachable!("answered above"),
            // Workspace managers only (docs/partner-workspaces.md); an
            // invitation no longer open is no longer there to revoke.
            Action::RevokeInvitation { who, invitation } => {
                let ws = self.invitations[invitation].ws;
                if !self.sees(who, ws) {
                    return Outcome::Hidden;
                }
                if !self.manages(who, ws) {
                    return Outcome::Refused(403);
                }
                let i = &mut self.invitations[invitation];
                if !i.open {
                    return Outcome::Hidden;
                }
                i.open = false;
                i.revoked = true;
                Outcome::Ok
            }
            Action::ReadInvitations { who, ws } => {
                if !self.sees(who, ws) {
                    return Outcome::Hidden;
                }
                if !self.manages(who, ws) {
                    return Outcome::Refused(403);
                }
                Outcome::Invitations(
                    (0..self.invitations.len())
                        .filter(|i| self.invitations[*i].ws == ws && self.invitations[*i].open)
                        .collect(),
                )
            }
            Action::SetTeamMemberRole { who, ws, to, role } => {
                if !self.sees(who, ws) {
                    return Outcome::Hidden;
                }
                if !self.manages(who, ws) {
                    return Outcome::Refused(403);
                }
                if !self.in_team(to, self.workspaces[ws].team) {
                    return Outcome::Refused(400);
                }
                let members = &mut self.workspaces[ws].members;
                match role {
                    Some(role) => {
                        members.insert(
                            to,
                            Member {
                                role,
                                lead: false,
                                via: None,
                            },
                        );
                    }
                    None => {
                        members.remove(&to);
                    }
                }
                self.ensure_admin(ws);
                Outcome::Ok
            }
            Action::SetPartnerRole {
                who,
                ws,
                to,
                role,
                lead,
            } => {
                if !self.sees(who, ws) {
                    return Outcome::Hidden;
                }
                let Some(current) = self.role(to, ws).filter(|m| m.role.is_partner()) else {
                    return Outcome::Refused(400);
                };
                // A Lead changes or removes people of their own partner team,
                // never granting Lead (R-ROLE-2, SPEC §3).
                let leads_reach =
                    self.lead(who, ws).is_some_and(|t| Some(t) == current.via) && !(role.is_some() && lead);
                if !self.manages(who, ws) && !leads_reach {
                    return Outcome::Refused(403);
                }
                match role {
                    Some(role) => {
                        // R-MULTI-2, R-ROLE-4.
                        if role == Role::PartnerEditor && self.workspaces[ws].multi {
                            return Outcome::Refused(400);
                        }
                        if role == Role::PartnerEditor && !self.seat_for(to) {
                            return Outcome::Refused(409);
                        }
                        self.workspaces[ws].members.insert(to, Member { role, lead, ..current });
                    }
                    None => {
                        self.workspaces[ws].members.remove(&to);
                    }
                }
                self.ensure_admin(ws);
                Outcome::Ok
            }
            Action::EnableMultiPartner { who, ws } => {
                if !self.sees(who, ws) {
                    return Outcome::Hidden;
                }
                if !self.manages(who, ws) {
                    return Outcome::Refused(403);
                }
                if self.workspaces[ws].kind != Kind::Partner {
                    return Outcome::Refused(400);
                }
                let w = &mut self.workspaces[ws];
                w.multi = true;
                // R-MULTI-2: partner editors become viewers.
                for m in w.members.values_mut() {
                    if m.role == Role::PartnerEditor {
                        m.role = Role::PartnerViewer;
                    }
                }
                Outcome::Ok
            }
            Action::LeaveTeam { who } => {
                let Some(team) = who.home().filter(|t| self.in_team(who, *t)) else {
                    return Outcome::Hidden;
                };
                self.teams.get_mut(&team).map(|t| t.remove(&who));
                // Their roles in the team's workspaces go with them, and so
                // does every partner role reached through the team
                // (R-ISO-4): coming back to the team does not bring it back.
                for w in 0..self.workspaces.len() {
                    let m = self.workspaces[w].members.get(&who).copied();
                    let through = m.is_some_and(|m| m.via.unwrap_or(self.workspaces[w].team) == team);
                    if through {
                        self.workspaces[w].members.remove(&who);
                        self.ensure_admin(w);
                    }
                }
                Outcome::Ok
            }
            Action::Rejoin { who, to } => {
                let Some(team) = to.home() else {
                    return Outcome::Refused(403);
                };
                let Some(roles) = self.team_roles(who, team) else {
                    return if who == Who::Operator {
                        Outcome::Refused(403)
                    } else {
                        Outcome::Hidden
                    };
                };
                if !roles.admin {
                    return Outcome::Refused(403);
                }
                if self.in_team(to, team) {
                    return Outcome::Refused(409);
                }
                let pm = to == Who::PubPm;
                self.teams
                    .get_mut(&team)
                    .map(|t| t.insert(to, TeamRoles { admin: false, pm }));
                Outcome::Ok
            }
            Action::PostUpdate { who, ws } => {
                if !self.sees(who, ws) {
                    return Outcome::Hidden;
                }
                let multi = self.workspaces[ws].multi;
                let allowed = self.manages(who, ws)
                    || match self.effective(who, ws) {
                        Some(Role::Editor | Role::Admin) => true,
                        Some(Role::PartnerEditor) => !multi,
                        _ => false,
                    };
                if !allowed {
                    return Outcome::Refused(403);
                }
                self.updates.push(Update { ws });
                Outcome::Ok
            }
            Action::Comment { who, update } => {
                let ws = self.updates[update].ws;
                if !self.sees(who, ws) {
                    return Outcome::Hidden;
                }
                // R-MULTI-4.
                if self.workspaces[ws].multi {
                    return Outcome::Refused(409);
                }
                let via = self.role(who, ws).and_then(|m| m.via);
                self.comments.push(Comment { update, via });
                Outcome::Ok
            }
            Action::CreateCollection { who, ws } => {
                if !self.sees(who, ws) {
                    return Outcome::Hidden;
                }
                if !self.edits(who, ws) {
                    return Outcome::Refused(403);
                }
                self.collections.push(Collection {
                    ws,
                    parent: None,
                    by: who,
                });
                Outcome::Ok
            }
            Action::Fork { who, collection, dest } => {
                let source = self.collections[collection].ws;
                if !self.sees(who, source) || !self.sees(who, dest) {
                    return Outcome::Hidden;
                }
                if !self.fork_allowed(who, source, dest) {
                    return Outcome::Refused(403);
                }
                self.collections.push(Collection {
                    ws: dest,
                    parent: Some(collection),
                    by: who,
                });
                Outcome::Ok
            }
            Action::Merge { who, fork } => {
                let Some(parent) = self.collections[fork].parent else {
                    return Outcome::Refused(403);
                };
                let (fws, pws) = (self.collections[fork].ws, self.collections[parent].ws);
                if !self.sees(who, fws) || !self.sees(who, pws) {
                    return Outcome::Hidden;
                }
                // R-FORK-4: editor on the parent (its workspace, or the
                // element).
                if !self.edits_element(who, parent) {
                    return Outcome::Refused(403);
                }
                Outcome::Ok
            }
            Action::ReadWorkspace { who, ws } => self.visible(who, ws),
            Action::ReadCollection { who, collection } => self.visible(who, self.collections[collection].ws),
            Action::CreateEnvironment { who, ws } => {
                if !self.sees(who, ws) {
                    return Outcome::Hidden;
                }
                if !self.edits(who, ws) {
                    return Outcome::Refused(403);
                }
                self.environments.push(Environment { ws });
                Outcome::Ok
            }
            // Secret values reach only those who may edit the environment.
            Action::ReadEnvironment { who, env } => {
                let ws = self.environments[env].ws;
                if !self.sees(who, ws) {
                    return Outcome::Hidden;
                }
                Outcome::Environment {
                    secrets: self.edits(who, ws),
                }
            }
            // Anyone who sees a collection runs it (issue 11).
            Action::RunCollection { who, collection } => {
                let out = self.visible(who, self.collections[collection].ws);
                if out == Outcome::Ok {
                    self.runs.push(CollectionRun { collection, by: who });
                }
                out
            }
            // Runs are private to who ran them.
            Action::ReadRuns { who, collection } => {
                if self.visible(who, self.collections[collection].ws) != Outcome::Ok {
                    return Outcome::Hidden;
                }
                Outcome::Runs(
                    (0..self.runs.len())
                        .filter(|r| self.runs[*r].collection == collection && self.runs[*r].by == who)
                        .collect(),
                )
            }
            Action::OpenPullRequest { who, fork, reviewer } => {
                let Some(parent) = self.collections[fork].parent else {
                    return Outcome::Refused(400);
                };
                let (fws, pws) = (self.collections[fork].ws, self.collections[parent].ws);
                // The fork (the path) first: from someone who edits it; then
                // the parent (the body), which they must see. A refusal on
                // the fork is the same whatever the body names.
                if !self.sees(who, fws) {
                    return Outcome::Hidden;
                }
                if !self.edits_element(who, fork) {
                    return Outcome::Refused(403);
                }
                if !self.sees(who, pws) {
                    return Outcome::Hidden;
                }
                let pr = PullRequest {
                    fork,
                    parent,
                    by: who,
                    reviewer,
                    approved: false,
                    closed: None,
                };
                // Reviewers see the parent, and the request itself (R-MULTI-3).
                if !self.sees(reviewer, pws) || !self.pr_visible(reviewer, &pr) {
                    return Outcome::Refused(400);
                }
                self.pull_requests.push(pr);
                Outcome::PullRequest("open")
            }
            Action::ReadPullRequest { who, pr } => {
                let p = self.pull_requests[pr];
                if !self.pr_visible(who, &p) {
                    return Outcome::Hidden;
                }
                Outcome::PullRequest(p.status())
            }
            Action::ReadPullRequests { who, collection } => {
                if !self.sees(who, self.collections[collection].ws) {
                    return Outcome::Hidden;
                }
                Outcome::PullRequests(
                    (0..self.pull_requests.len())
                        .filter(|r| {
                            let p = &self.pull_requests[*r];
                            (p.fork == collection || p.parent == collection) && self.pr_visible(who, p)
                        })
                        .collect(),
                )
            }
            Action::ReviewPullRequest { who, pr, review } => {
                let p = self.pull_requests[pr];
                if !self.pr_visible(who, &p) {
                    return Outcome::Hidden;
                }
                // Declined and merged requests are final.
                if p.closed.is_some() {
                    return Outcome::Refused(409);
                }
                let reviewer = who == p.reviewer;
                let parent_editor = self.edits_element(who, p.parent);
                let p = &mut self.pull_requests[pr];
                match review {
                    Review::Approve | Review::Unapprove if !reviewer => return Outcome::Refused(403),
                    Review::Approve => p.approved = true,
                    Review::Unapprove => p.approved = false,
                    Review::Decline if !reviewer && !parent_editor => return Outcome::Refused(403),
                    Review::Decline => p.closed = Some("declined"),
                    Review::Merge if !parent_editor => return Outcome::Refused(403),
                    Review::Merge => p.closed = Some("merged"),
                }
                Outcome::PullRequest(p.status())
            }
            Action::ReadUpdate { who, update } => self.visible(who, self.updates[update].ws),
            Action::ReadComments { who, update } => {
                let ws = self.updates[update].ws;
                if !self.sees(who, ws) {
                    return Outcome::Hidden;
                }
                Outcome::Comments(self.comments_seen(who, update))
            }
            Action::ReadActivity { who, ws } => {
                if self.sees(who, ws) {
                    Outcome::Feed { clean: true }
                } else {
                    Outcome::Hidden
                }
            }
            Action::ReadMembers { who, ws } => {
                if !self.sees(who, ws) {
                    return Outcome::Hidden;
                }
                let mine = self.partner_team_in(who, ws);
                let shown = self.workspaces[ws]
                    .members
                    .keys()
                    .filter_map(|u| self.role(*u, ws).map(|m| (*u, m)))
                    .filter(|(_, m)| !matches!((mine, m.via), (Some(a), Some(b)) if a != b))
                    .map(|(u, m)| (u, m.role.id(m.lead)))
                    .collect();
                Outcome::Members(shown)
            }
            Action::ReadForks { who, collection } => {
                let source = self.collections[collection].ws;
                if !self.sees(who, source) {
                    return Outcome::Hidden;
                }
                let mine = self
                    .partner_team_in(who, source)
                    .filter(|_| self.workspaces[source].multi);
                let shown = (0..self.collections.len())
                    .filter(|f| self.collections[*f].parent == Some(collection))
                    .filter(|f| self.sees(who, self.collections[*f].ws))
                    .filter(|f| self.shown_to_partner(mine, source, self.collections[*f].by))
                    .collect();
                Outcome::Forks(shown)
            }
            Action::SetElementEditor {
                who,
                collection,
                to,
                editor,
            } => {
                let ws = self.collections[collection].ws;
                if !self.sees(who, ws) {
                    return Outcome::Hidden;
                }
                let allowed = self.manages(who, ws) || self.effective(who, ws) == Some(Role::Editor);
                if !allowed {
                    return Outcome::Refused(403);
                }
                if editor && !self.sees(to, ws) {
                    return Outcome::Refused(400);
                }
                if editor {
                    self.element_editors.insert((collection, to));
                } else {
                    self.element_editors.remove(&(collection, to));
                }
                Outcome::Ok
            }
            Action::EditCollection { who, collection } => {
                let ws = self.collections[collection].ws;
                if !self.sees(who, ws) {
                    return Outcome::Hidden;
                }
                if self.edits_element(who, collection) {
                    Outcome::Ok
                } else {
                    Outcome::Refused(403)
                }
            }
            // SPEC §3: everyone but a partner viewer exports; a partner
            // viewer with an element role on it too.
            Action::ExportCollection { who, collection } => {
                let ws = self.collections[collection].ws;
                if !self.sees(who, ws) {
                    return Outcome::Hidden;
                }
                let exports = self.manages(who, ws)
                    || self.effective(who, ws).is_some_and(|r| r != Role::PartnerViewer)
                    || self.element_editors.contains(&(collection, who));
                if exports { Outcome::Ok } else { Outcome::Refused(403) }
            }
            Action::ReadUpdates { who, ws } => {
                if !self.sees(who, ws) {
                    return Outcome::Hidden;
                }
                Outcome::Updates((0..self.updates.len()).filter(|u| self.updates[*u].ws == ws).collect())
            }
            // R-ISO-2: no member directory for partners and outsiders; the
            // operator sees teams.
            Action::ReadTeam { who, team } => {
                if self.in_team(who, team) || who == Who::Operator {
                    Outcome::Ok
                } else {
                    Outcome::Hidden
                }
            }
            // SPEC §3, last row: team admins (and super admins) only.
            Action::ReadAuditLog { who, team } => match self.team_roles(who, team) {
                Some(r) if r.admin => Outcome::Ok,
                Some(_) => Outcome::Refused(403),
                None if who == Who::Operator => Outcome::Refused(403),
                None => Outcome::Hidden,
            },
            Action::RemovePartner { who, ws, to } => {
                if !self.sees(who, ws) {
                    return Outcome::Hidden;
                }
                let lead = self.lead(who, ws);
                if !self.manages(who, ws) && lead.is_none() {
                    return Outcome::Refused(403);
                }
                // Partners who left their own team can be removed too.
                let Some(m) = self.workspaces[ws]
                    .members
                    .get(&to)
                    .filter(|m| m.role.is_partner())
                    .copied()
                else {
                    return Outcome::Invited("FAILED");
                };
                if !self.manages(who, ws) && lead != m.via {
                    return Outcome::Invited("FAILED");
                }
                self.workspaces[ws].members.remove(&to);
                Outcome::Invited("REMOVED")
            }
        }
    }

    /// Edits this collection: edits its workspace, or holds the element
    /// role `editor` on it (SPEC §1, §3).
    fn edits_element(&self, who: Who, collection: usize) -> bool {
        self.edits(who, self.collections[collection].ws) || self.element_editors.contains(&(collection, who))
    }

    /// R-MULTI-3: what `by` made is shown to a partner of team `mine` in a
    /// multi-partner workspace when `by` is of the publishing team or of
    /// `mine` (whatever their role in the workspace now).
    fn shown_to_partner(&self, mine: Option<Team>, ws: usize, by: Who) -> bool {
        match mine {
            Some(t) => self.in_team(by, self.workspaces[ws].team) || self.in_team(by, t),
            None => true,
        }
    }

    /// A pull request is shown to whoever sees its fork or its parent; in a
    /// multi-partner workspace never to a partner of another partner team
    /// than its author's (R-MULTI-3).
    pub fn pr_visible(&self, who: Who, p: &PullRequest) -> bool {
        let (fws, pws) = (self.collections[p.fork].ws, self.collections[p.parent].ws);
        let kept_apart = [fws, pws].into_iter().any(|w| {
            self.workspaces[w].multi
                && self
                    .partner_team_in(who, w)
                    .is_some_and(|t| !self.shown_to_partner(Some(t), w, p.by))
        });
        (self.sees(who, fws) || self.sees(who, pws)) && !kept_apart
    }

    /// The partner team `who` sees a workspace through, as a partner.
    fn partner_team_in(&self, who: Who, ws: usize) -> Option<Team> {
        self.role(who, ws).filter(|m| m.role.is_partner()).and_then(|m| m.via)
    }

    fn visible(&self, who: Who, ws: usize) -> Outcome {
        if self.sees(who, ws) {
            Outcome::Ok
        } else {
            Outcome::Hidden
        }
    }

    /// The comments of an update `who` is shown: in multi-partner mode a
    /// partner sees none by people of another partner team (R-MULTI-3).
    pub fn comments_seen(&self, who: Who, update: usize) -> BTreeSet<usize> {
        let ws = self.updates[update].ws;
        let mine = self.role(who, ws).filter(|m| m.role.is_partner()).and_then(|m| m.via);
        (0..self.comments.len())
            .filter(|c| self.comments[*c].update == update)
            .filter(|c| {
                !self.workspaces[ws].multi
                    || match (mine, self.comments[*c].via) {
                        (Some(a), Some(b)) => a == b,
                        _ => true,
                    }
            })
            .collect()
    }

    /// R-FORK-1.
    fn fork_allowed(&self, who: Who, source: usize, dest: usize) -> bool {
        if !self.edits(who, dest) {
            return false;
        }
        let same_team = self.workspaces[source].team == self.workspaces[dest].team;
        let as_partner = self.role(who, source).filter(|m| m.role.is_partner());
        match as_partner {
            None => same_team,
            Some(_) if same_team => true,
            Some(m) => {
                let dest_team = self.workspaces[dest].team;
                let own = self.in_team(who, dest_team) && !self.role(who, dest).is_some_and(|d| d.role.is_partner());
                own && (dest_team.paid() || m.role == Role::PartnerEditor)
            }
        }
    }

    /// R-INV-3, R-ROLE-2, R-ROLE-4, R-MULTI-2.
    fn invite(&mut self, who: Who, ws: usize, to: Who, role: Role, lead: bool) -> Outcome {
        // Inviting oneself is refused whatever the workspace.
        if who == to {
            return Outcome::Refused(400);
        }
        if !self.sees(who, ws) {
            return Outcome::Hidden;
        }
        let w = &self.workspaces[ws];
        if w.kind != Kind::Partner {
            return Outcome::Refused(400);
        }
        let manages = self.manages(who, ws);
        let my_team = self.lead(who, ws);
        if !manages && (my_team.is_none() || lead) {
            return Outcome::Refused(403);
        }
        if w.multi && role == Role::PartnerEditor {
            return Outcome::Refused(400);
        }
        if self.in_team(to, w.team) {
            return Outcome::Invited("FAILED");
        }
        if self.role(to, ws).is_some() {
            return Outcome::Invited("ALREADY_INVITED");
        }
        if self.invitations.iter().any(|i| i.open && i.ws == ws && i.to == to) {
            return Outcome::Invited("ALREADY_INVITED");
        }
        if !manages {
            let reach = match my_team {
                // In multi-partner mode, the Lead's own email domain.
                Some(_) if w.multi => who.domain() == to.domain(),
                Some(t) => self.in_team(to, t) || to.home().is_some_and(|d| self.captured.get(&d) == Some(&t)),
                None => false,
            };
            if !reach {
                return Outcome::Invited("FAILED");
            }
        }
        // Someone of a team already in partnership is added directly.
        let current = self.partner_team_of(ws);
        let partnered = Team::ALL.into_iter().find(|t| {
            *t != w.team
                && self.in_team(to, *t)
                && self.partnerships.contains(t)
                && (w.multi || current.is_none_or(|c| c == *t))
        });
        let multi = w.multi;
        let given = if role == Role::PartnerEditor && (multi || !self.seat_for(to)) {
            Role::PartnerViewer
        } else {
            role
        };
        if let Some(team) = partnered {
            self.workspaces[ws].members.insert(
                to,
                Member {
                    role: given,
                    lead,
                    via: Some(team),
                },
            );
            return Outcome::Invited("PARTNER_ADDED");
        }
        self.invitations.push(Invitation {
            ws,
            to,
            role: given,
            lead,
            open: true,
            revoked: false,
        });
        Outcome::Invited("EMAIL_SENT")
    }

    /// R-INV-1, R-INV-2.
    fn accept(&mut self, who: Who, i: usize) -> Outcome {
        let inv = self.invitations[i];
        // The operator belongs to no team: their request names none (an
        // empty team id), a malformed request whatever the link.
        if who.home().is_none() {
            return Outcome::Refused(400);
        }
        // A used link clashes with its state; someone else's is not theirs
        // to use (R-INV-1).
        if !inv.open {
            return Outcome::Refused(409);
        }
        if who != inv.to {
            return Outcome::Refused(403);
        }
        // They accept with their own team (the request names it, R-INV-2).
        // A member of the publishing team cannot partner with it. Where a
        // team captured their email domain, only that team will do, and
        // they join it if they are not in it; otherwise they must be in
        // the team they name.
        let ws = inv.ws;
        let publisher = self.workspaces[ws].team;
        if self.in_team(who, publisher) {
            return Outcome::Refused(400);
        }
        let Some(named) = who.home() else {
            return Outcome::Refused(400);
        };
        let joins = match self.captured.get(&named) {
            Some(forced) if *forced != named || *forced == publisher => return Outcome::Refused(400),
            Some(_) => !self.in_team(who, named),
            None if !self.in_team(who, named) => return Outcome::Refused(400),
            None => false,
        };
        let team = named;
        // One partner team per workspace outside multi-partner mode.
        if !self.workspaces[ws].multi
            && self.workspaces[ws]
                .members
                .values()
                .any(|m| m.via.is_some_and(|t| t != team))
        {
            return Outcome::Refused(409);
        }
        let role = if inv.role == Role::PartnerEditor && (self.workspaces[ws].multi || !self.seat_for(who)) {
            Role::PartnerViewer
        } else {
            inv.role
        };
        self.invitations[i].open = false;
        if joins {
            self.teams.get_mut(&team).map(|t| {
                t.insert(
                    who,
                    TeamRoles {
                        admin: false,
                        pm: false,
                    },
                )
            });
        }
        self.workspaces[ws].members.insert(
            who,
            Member {
                role,
                lead: inv.lead,
                via: Some(team),
            },
        );
        self.partnerships.insert(team);
        Outcome::Ok
    }
}
