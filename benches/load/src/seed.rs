//! The load test's data set, written through Portico's use cases.

use std::time::Instant;

use portico_app::collections::ItemWrite;
use portico_app::invitations::TeamChoice;
use portico_app::updates::UpdateDraft;
use portico_app::{App, AppConfig, AuthMethod, Principal};
use portico_domain::collection::NodeKind;
use portico_domain::ids::WorkspaceId;
use portico_domain::values::{DisplayName, Email};

#[path = "../../../crates/domain/examples/parse_collection/fixture.rs"]
#[allow(dead_code)]
mod fixture;

#[derive(clap::Args)]
pub struct SeedArgs {
    /// `postgres://…`, or the path of a SQLite file.
    #[arg(long)]
    database: String,
    /// Partner Workspaces shared with the partner.
    #[arg(long, default_value_t = 50)]
    partner_workspaces: usize,
    /// Updates posted in each Partner Workspace (unread by the partner).
    #[arg(long, default_value_t = 5)]
    updates: usize,
    /// Grows a SQLite database to at least this many megabytes with
    /// 10,000-request collections and updates in an internal workspace.
    #[arg(long, default_value_t = 0)]
    fill_mb: u64,
    /// Requests per filling collection.
    #[arg(long, default_value_t = 10_000)]
    fill_requests: usize,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

async fn user(app: &App, email: &str, name: &str) -> Result<Principal, String> {
    let user = app
        .create_user(
            Email::parse(email).map_err(err)?,
            DisplayName::parse(name).map_err(err)?,
            None,
            false,
        )
        .await
        .map_err(err)?;
    Ok(Principal {
        user,
        via: AuthMethod::ApiKey,
    })
}

pub async fn run(args: SeedArgs) -> Result<(), String> {
    let started = Instant::now();
    let database = args.database.clone();
    let store = tokio::task::spawn_blocking(move || crate::open_store(&database))
        .await
        .map_err(err)??;
    let app = App::new(store, AppConfig::default());
    let users = app
        .store
        .read(|tx| tx.count_users().map_err(portico_domain::Error::from))
        .await
        .map_err(err)?;
    if users > 0 {
        return Err(format!("{} already holds data: seed an empty database", args.database));
    }

    let publisher = user(&app, "publisher@load.example", "Pat Publisher").await?;
    let partner = user(&app, "partner@partner.example", "Parker Partner").await?;
    let team = app.create_team(&publisher, "Load Publisher").await.map_err(err)?;
    app.set_team_plan_as_operator(team.id, "enterprise")
        .await
        .map_err(err)?;
    app.set_member_roles(
        &publisher,
        team.id,
        publisher.id(),
        &["admin".into(), "partner_manager".into()],
    )
    .await
    .map_err(err)?;
    let partner_team = app.create_team(&partner, "Load Partner").await.map_err(err)?;

    let mut workspaces: Vec<WorkspaceId> = Vec::new();
    for i in 0..args.partner_workspaces {
        let ws = app
            .create_workspace(
                &publisher,
                Some(team.id),
                &format!("Partner API {i}"),
                "partner",
                Some("Shared with the partner."),
            )
            .await
            .map_err(err)?
            .access
            .workspace
            .id;
        let out = app
            .invite_partners(&publisher, ws, "5", vec![partner.user.email.to_string()])
            .await
            .map_err(err)?;
        // The first invitation makes the partnership; later ones add the
        // partner directly.
        if let Some(token) = out
            .results
            .first()
            .and_then(|r| r.invitation_link.as_deref())
            .and_then(|l| l.rsplit('/').next())
        {
            let choice = TeamChoice {
                team_id: Some(partner_team.id),
                new_team_name: None,
            };
            app.accept_invitation(&partner, token, choice).await.map_err(err)?;
        }
        for u in 0..args.updates {
            app.post_update(&publisher, ws, draft(&format!("Release note {u}")))
                .await
                .map_err(err)?;
        }
        workspaces.push(ws);
    }
    let first = *workspaces.first().ok_or("--partner-workspaces must be at least 1")?;

    // A small collection in the first workspace, for the edit writes.
    let file = fixture::collection(4, 5);
    let collection = app
        .create_collection(&publisher, first, file)
        .await
        .map_err(err)?
        .collection;
    let (_, text) = app.collection(&publisher, collection.id, false).await.map_err(err)?;
    let exported: serde_json::Value = serde_json::from_str(&text).map_err(err)?;
    let request = exported["item"][0]["item"][0]["id"]
        .as_str()
        .ok_or("the collection has no request")?
        .to_string();
    // The edit writes rename it; check once that renaming works here.
    let rename = ItemWrite {
        body: Some(serde_json::json!({ "name": "Renamed by the seed" })),
        ..Default::default()
    };
    app.update_item(
        &publisher,
        collection.id,
        NodeKind::Request,
        request.clone(),
        rename,
        None,
    )
    .await
    .map_err(err)?;

    let partner_key = app.create_api_key(&partner, "load test").await.map_err(err)?.key;
    let publisher_key = app.create_api_key(&publisher, "load test").await.map_err(err)?.key;

    if args.fill_mb > 0 {
        fill(&app, &publisher, team.id, &args).await?;
    }

    println!("PARTNER_KEY={partner_key}");
    println!("PUBLISHER_KEY={publisher_key}");
    println!("PARTNER_USER={}", partner.user.id);
    println!("WORKSPACE={first}");
    println!("COLLECTION={}", collection.id);
    println!("REQUEST={request}");
    eprintln!("seeded in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn draft(topic: &str) -> UpdateDraft {
    UpdateDraft {
        topic: Some(topic.into()),
        description: Some(
            "The **Payments API** changed: `POST /refunds` accepts partial refunds, \
             and the *Refunds* folder shows how."
                .into(),
        ),
        category: Some("new_feature".into()),
        ..Default::default()
    }
}

/// Grows a SQLite database past `fill_mb`: each round imports a
/// 10,000-request collection (its URLs made distinct, so that no stored
/// text is shared with another round) and posts 2,000 updates.
async fn fill(
    app: &App,
    publisher: &Principal,
    team: portico_domain::ids::TeamId,
    args: &SeedArgs,
) -> Result<(), String> {
    let path = std::path::Path::new(args.database.strip_prefix("sqlite://").unwrap_or(&args.database)).to_path_buf();
    if args.database.starts_with("postgres") {
        return Err("--fill-mb grows SQLite databases only".into());
    }
    let archive = app
        .create_workspace(publisher, Some(team), "Archive", "team", None)
        .await
        .map_err(err)?
        .access
        .workspace
        .id;
    let per_folder = 100.min(args.fill_requests.max(1));
    let file = serde_json::to_string(&fixture::collection(
        args.fill_requests.div_ceil(per_folder),
        per_folder,
    ))
    .map_err(err)?;
    let size = || -> u64 {
        let wal = path.with_extension("db-wal");
        std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) + std::fs::metadata(wal).map(|m| m.len()).unwrap_or(0)
    };
    let mut round = 0;
    while size() < args.fill_mb * 1_000_000 {
        let text = file.replace("{{baseUrl}}", &format!("{{{{baseUrl}}}}/v{round}"));
        app.create_collection(
            publisher,
            archive,
            portico_app::collections::CollectionInput::Text(text.into_bytes()),
        )
        .await
        .map_err(err)?;
        for u in 0..2_000 {
            app.post_update(publisher, archive, draft(&format!("Archive {round}.{u}")))
                .await
                .map_err(err)?;
        }
        round += 1;
        eprintln!("fill round {round}: {} MB", size() / 1_000_000);
    }
    Ok(())
}
