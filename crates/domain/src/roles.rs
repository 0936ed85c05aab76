//! Team roles (SPEC §1). A member may hold several at once.

use std::fmt;
use std::str::FromStr;

use crate::Error;
use crate::plan::Plan;

/// A role a member holds in their team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TeamRole {
    Admin,
    SuperAdmin,
    Billing,
    Developer,
    CommunityManager,
    PartnerManager,
}

impl TeamRole {
    pub const ALL: [TeamRole; 6] = [
        TeamRole::Admin,
        TeamRole::SuperAdmin,
        TeamRole::Billing,
        TeamRole::Developer,
        TeamRole::CommunityManager,
        TeamRole::PartnerManager,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TeamRole::Admin => "admin",
            TeamRole::SuperAdmin => "super_admin",
            TeamRole::Billing => "billing",
            TeamRole::Developer => "developer",
            TeamRole::CommunityManager => "community_manager",
            TeamRole::PartnerManager => "partner_manager",
        }
    }

    /// Whether a team on `plan` may give this role. `super_admin` is an
    /// enterprise role (SPEC §1).
    pub fn allowed_on(self, plan: Plan) -> bool {
        self != TeamRole::SuperAdmin || plan == Plan::Enterprise
    }
}

impl fmt::Display for TeamRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TeamRole {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        TeamRole::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                Error::invalid(
                    "unknown_role",
                    format!(
                        "Unknown team role '{s}'. Use admin, super_admin, billing, developer, community_manager or partner_manager."
                    ),
                )
            })
    }
}

/// The set of roles one member holds: never empty, no duplicates, sorted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TeamRoles(Vec<TeamRole>);

impl TeamRoles {
    /// Builds a role set from names, refusing an empty list and unknown names.
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<Self, Error> {
        let roles = names
            .iter()
            .map(|n| n.as_ref().parse())
            .collect::<Result<Vec<TeamRole>, _>>()?;
        Self::new(roles)
    }

    pub fn new(mut roles: Vec<TeamRole>) -> Result<Self, Error> {
        roles.sort();
        roles.dedup();
        if roles.is_empty() {
            return Err(Error::invalid(
                "roles_required",
                "Give the member at least one team role.",
            ));
        }
        Ok(Self(roles))
    }

    pub fn single(role: TeamRole) -> Self {
        Self(vec![role])
    }

    pub fn contains(&self, role: TeamRole) -> bool {
        self.0.contains(&role)
    }

    pub fn iter(&self) -> impl Iterator<Item = TeamRole> + '_ {
        self.0.iter().copied()
    }

    /// Checks every role is available on the team's plan.
    pub fn check_plan(&self, plan: Plan) -> Result<(), Error> {
        match self.iter().find(|r| !r.allowed_on(plan)) {
            Some(r) => Err(Error::invalid(
                "role_requires_enterprise",
                format!("The role '{r}' exists only on the enterprise plan."),
            )),
            None => Ok(()),
        }
    }

    /// Stored form: names joined by commas.
    pub fn to_storage(&self) -> String {
        self.iter().map(TeamRole::as_str).collect::<Vec<_>>().join(",")
    }

    pub fn from_storage(s: &str) -> Result<Self, Error> {
        let names: Vec<&str> = s.split(',').filter(|p| !p.is_empty()).collect();
        Self::parse(&names)
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.iter().map(TeamRole::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_may_hold_several_roles_without_duplicates() {
        let roles = TeamRoles::parse(&["partner_manager", "admin", "admin"]).unwrap();
        assert_eq!(roles.names(), vec!["admin", "partner_manager"]);
        assert_eq!(TeamRoles::from_storage(&roles.to_storage()), Ok(roles));
    }

    #[test]
    fn unknown_and_empty_role_lists_are_refused() {
        assert_eq!(TeamRoles::parse(&["owner"]).unwrap_err().code, "unknown_role");
        assert_eq!(TeamRoles::parse::<&str>(&[]).unwrap_err().code, "roles_required");
    }

    #[test]
    fn super_admin_is_an_enterprise_role() {
        let roles = TeamRoles::parse(&["super_admin"]).unwrap();
        assert!(roles.check_plan(Plan::Enterprise).is_ok());
        assert_eq!(
            roles.check_plan(Plan::Professional).unwrap_err().code,
            "role_requires_enterprise"
        );
    }
}
