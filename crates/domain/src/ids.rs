//! Identifiers. Each kind of object has its own newtype so that a team id can
//! never be passed where a user id is expected. Ids are random UUIDs, written
//! in their hyphenated lowercase form.

use std::fmt;
use std::str::FromStr;

use crate::Error;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(uuid::Uuid);

        impl $name {
            /// A new random id.
            pub fn generate() -> Self {
                Self(uuid::Uuid::new_v4())
            }

            /// Parses an id from a path or a body. A malformed id names no
            /// object, so it is answered like a missing one.
            pub fn parse(s: &str) -> Result<Self, Error> {
                uuid::Uuid::parse_str(s)
                    .map(Self)
                    .map_err(|_| Error::not_found($what))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                Self::parse(s)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    };
}

id_type!(
    /// A user account.
    UserId,
    "user"
);
id_type!(
    /// A team (an organisation).
    TeamId,
    "team"
);
id_type!(
    /// An API key of a user.
    ApiKeyId,
    "API key"
);
id_type!(
    /// An invitation.
    InvitationId,
    "invitation"
);
id_type!(
    /// A workspace.
    WorkspaceId,
    "workspace"
);
id_type!(
    /// A collection.
    CollectionId,
    "collection"
);
id_type!(
    /// An environment.
    EnvironmentId,
    "environment"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_survives_display_and_parse() {
        let id = TeamId::generate();
        assert_eq!(TeamId::parse(&id.to_string()), Ok(id));
    }

    #[test]
    fn a_malformed_id_reads_as_not_found() {
        let err = UserId::parse("1; drop table users").unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::NotFound);
    }
}
