//! What the app benches share: an app on a fresh SQLite file database,
//! opened as `portico serve` opens it, with one user, team and workspace.

use std::path::Path;

use portico_app::{App, AppConfig, AuthMethod, Principal};
use portico_domain::ids::WorkspaceId;
use portico_domain::values::{DisplayName, Email};
use portico_store_sqlite::SqliteOptions;

/// An app on a fresh SQLite database in `dir`, with a user, a team and a
/// team workspace.
pub async fn fresh_app(dir: &Path) -> (App, Principal, WorkspaceId) {
    let store = portico_store_sqlite::open(&dir.join("portico.db"), &SqliteOptions::default()).unwrap();
    let app = App::new(store, AppConfig::default());
    let user = app
        .create_user(
            Email::parse("bench@portico.example").unwrap(),
            DisplayName::parse("Bench Marker").unwrap(),
            None,
            false,
        )
        .await
        .unwrap();
    let who = Principal {
        user,
        via: AuthMethod::ApiKey,
    };
    let team = app.create_team(&who, "Bench").await.unwrap();
    let ws = app
        .create_workspace(&who, Some(team.id), "Bench", "team", None)
        .await
        .unwrap()
        .access
        .workspace
        .id;
    (app, who, ws)
}
