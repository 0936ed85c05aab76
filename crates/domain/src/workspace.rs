//! Workspaces: their kinds and the roles people hold in them (SPEC §1).

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// The type of a workspace. Personal, private and team workspaces are
/// *internal*; partner workspaces are opened to partner teams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorkspaceKind {
    Personal,
    Private,
    Team,
    Partner,
}

impl WorkspaceKind {
    pub const ALL: [WorkspaceKind; 4] = [
        WorkspaceKind::Personal,
        WorkspaceKind::Private,
        WorkspaceKind::Team,
        WorkspaceKind::Partner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WorkspaceKind::Personal => "personal",
            WorkspaceKind::Private => "private",
            WorkspaceKind::Team => "team",
            WorkspaceKind::Partner => "partner",
        }
    }

    pub fn is_internal(self) -> bool {
        self != WorkspaceKind::Partner
    }
}

impl fmt::Display for WorkspaceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for WorkspaceKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        WorkspaceKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            Error::invalid(
                "invalid_workspace_type",
                format!("Unknown workspace type '{s}'. Use personal, private, team or partner."),
            )
        })
    }
}

/// A role in one workspace. Team members hold `Admin`, `Editor` or `Viewer`;
/// partners hold `PartnerEditor` or `PartnerViewer`, never admin (R-ROLE-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WorkspaceRole {
    Admin,
    Editor,
    Viewer,
    PartnerEditor,
    PartnerViewer,
}

impl WorkspaceRole {
    pub const ALL: [WorkspaceRole; 5] = [
        WorkspaceRole::Admin,
        WorkspaceRole::Editor,
        WorkspaceRole::Viewer,
        WorkspaceRole::PartnerEditor,
        WorkspaceRole::PartnerViewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WorkspaceRole::Admin => "admin",
            WorkspaceRole::Editor => "editor",
            WorkspaceRole::Viewer => "viewer",
            WorkspaceRole::PartnerEditor => "partner_editor",
            WorkspaceRole::PartnerViewer => "partner_viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        WorkspaceRole::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn is_partner(self) -> bool {
        matches!(self, WorkspaceRole::PartnerEditor | WorkspaceRole::PartnerViewer)
    }

    /// Editors and partner editors may change the workspace's elements.
    pub fn can_edit(self) -> bool {
        matches!(
            self,
            WorkspaceRole::Admin | WorkspaceRole::Editor | WorkspaceRole::PartnerEditor
        )
    }

    /// The reference API's role id: team roles 3/2/1, partner roles 5/4, and
    /// with the Partner Lead flag 7/6.
    pub fn role_id(self, lead: bool) -> &'static str {
        match (self, lead) {
            (WorkspaceRole::Admin, _) => "3",
            (WorkspaceRole::Editor, _) => "2",
            (WorkspaceRole::Viewer, _) => "1",
            (WorkspaceRole::PartnerEditor, false) => "5",
            (WorkspaceRole::PartnerViewer, false) => "4",
            (WorkspaceRole::PartnerEditor, true) => "7",
            (WorkspaceRole::PartnerViewer, true) => "6",
        }
    }

    /// The role's name as the reference API shows it.
    pub fn display_name(self, lead: bool) -> &'static str {
        match (self, lead) {
            (WorkspaceRole::Admin, _) => "Admin",
            (WorkspaceRole::Editor, _) => "Editor",
            (WorkspaceRole::Viewer, _) => "Viewer",
            (WorkspaceRole::PartnerEditor, false) => "Editor",
            (WorkspaceRole::PartnerViewer, false) => "Viewer",
            (WorkspaceRole::PartnerEditor, true) => "Editor and Partner Lead",
            (WorkspaceRole::PartnerViewer, true) => "Viewer and Partner Lead",
        }
    }

    /// Reads a role id (`"1"`…`"7"`) or a role name (`partner_editor`, …;
    /// `partner_editor_lead` and `partner_viewer_lead` add the Lead flag).
    pub fn parse_grant(s: &str) -> Result<(Self, bool), Error> {
        let grant = match s {
            "3" | "admin" => (WorkspaceRole::Admin, false),
            "2" | "editor" => (WorkspaceRole::Editor, false),
            "1" | "viewer" => (WorkspaceRole::Viewer, false),
            "5" | "partner_editor" => (WorkspaceRole::PartnerEditor, false),
            "4" | "partner_viewer" => (WorkspaceRole::PartnerViewer, false),
            "7" | "partner_editor_lead" => (WorkspaceRole::PartnerEditor, true),
            "6" | "partner_viewer_lead" => (WorkspaceRole::PartnerViewer, true),
            _ => {
                return Err(Error::invalid(
                    "unknown_role",
                    format!(
                        "Unknown workspace role '{s}'. Use 1 (viewer), 2 (editor), 3 (admin), 4 (partner viewer), \
                         5 (partner editor), 6 (partner viewer and Lead) or 7 (partner editor and Lead)."
                    ),
                ));
            }
        };
        Ok(grant)
    }
}

impl fmt::Display for WorkspaceRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_ids_follow_the_reference_api() {
        for (id, role, lead) in [
            ("1", WorkspaceRole::Viewer, false),
            ("2", WorkspaceRole::Editor, false),
            ("3", WorkspaceRole::Admin, false),
            ("4", WorkspaceRole::PartnerViewer, false),
            ("5", WorkspaceRole::PartnerEditor, false),
            ("6", WorkspaceRole::PartnerViewer, true),
            ("7", WorkspaceRole::PartnerEditor, true),
        ] {
            assert_eq!(WorkspaceRole::parse_grant(id), Ok((role, lead)));
            assert_eq!(role.role_id(lead), id);
        }
        assert_eq!(WorkspaceRole::parse_grant("8").unwrap_err().code, "unknown_role");
        assert_eq!(
            WorkspaceRole::parse_grant("partner_editor_lead"),
            Ok((WorkspaceRole::PartnerEditor, true))
        );
    }

    #[test]
    fn r_role_3_partner_roles_never_include_admin() {
        assert!(WorkspaceRole::PartnerEditor.is_partner());
        assert!(WorkspaceRole::PartnerViewer.is_partner());
        assert!(!WorkspaceRole::Admin.is_partner());
    }

    #[test]
    fn workspace_types_parse() {
        assert_eq!("partner".parse::<WorkspaceKind>(), Ok(WorkspaceKind::Partner));
        assert_eq!(
            "public".parse::<WorkspaceKind>().unwrap_err().code,
            "invalid_workspace_type"
        );
        assert!(WorkspaceKind::Team.is_internal());
    }
}

/// A role on one element (a collection), widening the workspace role for it
/// (SPEC §3 "with element editor role").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ElementRole {
    /// May view, fork and export the element.
    Viewer,
    /// May also edit it directly.
    Editor,
}

impl ElementRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ElementRole::Viewer => "VIEWER",
            ElementRole::Editor => "EDITOR",
        }
    }
}

impl FromStr for ElementRole {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "VIEWER" | "viewer" => Ok(ElementRole::Viewer),
            "EDITOR" | "editor" => Ok(ElementRole::Editor),
            _ => Err(Error::invalid(
                "invalid_role",
                format!("Unknown element role '{s}'. Use VIEWER or EDITOR."),
            )),
        }
    }
}
