//! Team plans and what each allows (R-PLAN-1).

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// A team's plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Plan {
    Free,
    Basic,
    Professional,
    Enterprise,
}

impl Plan {
    pub const ALL: [Plan; 4] = [Plan::Free, Plan::Basic, Plan::Professional, Plan::Enterprise];

    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Free => "free",
            Plan::Basic => "basic",
            Plan::Professional => "professional",
            Plan::Enterprise => "enterprise",
        }
    }

    /// Paid plans let partners fork into their own team (R-FORK-1).
    pub fn is_paid(self) -> bool {
        self != Plan::Free
    }

    /// Partner Workspaces exist only on professional and enterprise (R-PLAN-1).
    pub fn has_partner_workspaces(self) -> bool {
        matches!(self, Plan::Professional | Plan::Enterprise)
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Plan {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Plan::ALL.into_iter().find(|p| p.as_str() == s).ok_or_else(|| {
            Error::invalid(
                "unknown_plan",
                format!("Unknown plan '{s}'. Use one of: free, basic, professional, enterprise."),
            )
        })
    }
}

/// Per-plan limits, from configuration. `None` means unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanLimits {
    pub max_partner_workspaces: Option<u32>,
    pub max_partner_editor_seats: Option<u32>,
}

impl PlanLimits {
    /// The defaults of R-PLAN-1.
    pub fn default_for(plan: Plan) -> Self {
        match plan {
            Plan::Free | Plan::Basic => PlanLimits {
                max_partner_workspaces: Some(0),
                max_partner_editor_seats: Some(0),
            },
            Plan::Professional => PlanLimits {
                max_partner_workspaces: Some(3),
                max_partner_editor_seats: Some(3),
            },
            Plan::Enterprise => PlanLimits {
                max_partner_workspaces: None,
                max_partner_editor_seats: Some(50),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_parse_by_their_lowercase_names_only() {
        for p in Plan::ALL {
            assert_eq!(p.as_str().parse::<Plan>(), Ok(p));
        }
        let err = "gold".parse::<Plan>().unwrap_err();
        assert_eq!(err.code, "unknown_plan");
        assert!("Professional".parse::<Plan>().is_err());
    }

    #[test]
    fn r_plan_1_partner_workspaces_only_on_professional_and_enterprise() {
        assert!(!Plan::Free.has_partner_workspaces());
        assert!(!Plan::Basic.has_partner_workspaces());
        assert!(Plan::Professional.has_partner_workspaces());
        assert!(Plan::Enterprise.has_partner_workspaces());
        assert_eq!(
            PlanLimits::default_for(Plan::Professional).max_partner_workspaces,
            Some(3)
        );
        assert_eq!(PlanLimits::default_for(Plan::Enterprise).max_partner_workspaces, None);
        assert_eq!(
            PlanLimits::default_for(Plan::Enterprise).max_partner_editor_seats,
            Some(50)
        );
    }
}
