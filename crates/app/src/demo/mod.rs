//! Demo data for `portico serve --demo`: a believable small world to click
//! through, created through the same use cases as real data.

use portico_domain::Error;
use portico_domain::values::{DisplayName, Email};

use crate::{App, AuthMethod, Principal, Result, passwords};

/// The password of every demo account. Demo data is for trying Portico out;
/// never run `--demo` on a server others can reach.
pub const DEMO_PASSWORD: &str = "portico-demo";

/// The demo's collection, in Collection Format v2.1.
const DEMO_COLLECTION: &str = include_str!("payments.postman_collection.json");

/// A demo login to print.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub email: &'static str,
    pub who: &'static str,
}

pub const DEMO_LOGINS: &[DemoLogin] = &[
    DemoLogin {
        email: "ops@portico.example",
        who: "server operator",
    },
    DemoLogin {
        email: "alice@acme.example",
        who: "Acme Payments (publisher, professional): admin, partner manager",
    },
    DemoLogin {
        email: "bob@acme.example",
        who: "Acme Payments: developer",
    },
    DemoLogin {
        email: "gina@globex.example",
        who: "Globex (partner team, basic): admin; partner editor and Lead at Acme",
    },
    DemoLogin {
        email: "ivan@initech.example",
        who: "Initech (partner team, free): admin; partner viewer of the Acme API Changelog",
    },
];

/// What seeding did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoOutcome {
    /// The database was empty and now holds the demo.
    Created,
    /// The database already holds the demo (a restart with `--demo`).
    AlreadyThere,
    /// The database holds other data: nothing was added.
    NotEmpty,
}

impl App {
    async fn demo_user(&self, email: &str, name: &str, hash: &str) -> Result<Principal> {
        let user = self
            .create_user(
                Email::parse(email)?,
                DisplayName::parse(name)?,
                Some(hash.to_string()),
                false,
            )
            .await?;
        Ok(Principal {
            user,
            via: AuthMethod::ApiKey,
        })
    }

    /// Invites a demo partner and accepts for them with their team.
    async fn demo_partner(
        &self,
        by: &Principal,
        ws: portico_domain::ids::WorkspaceId,
        role: &str,
        partner: &Principal,
        team: portico_domain::ids::TeamId,
    ) -> Result<()> {
        let out = self
            .invite_partners(by, ws, role, vec![partner.user.email.to_string()])
            .await?;
        let link = out.results.first().and_then(|r| r.invitation_link.clone());
        // Without a link the partner was in partnership already: added directly.
        if let Some(token) = link.as_deref().and_then(|l| l.rsplit('/').next()) {
            let choice = crate::invitations::TeamChoice {
                team_id: Some(team),
                new_team_name: None,
            };
            self.accept_invitation(partner, token, choice).await?;
        }
        Ok(())
    }

    /// Fills an empty database with the demo.
    pub async fn seed_demo(&self) -> Result<DemoOutcome> {
        let first = Email::parse(DEMO_LOGINS[0].email)?;
        let (users, has_demo) = self
            .store
            .read(move |tx| Ok::<_, Error>((tx.count_users()?, tx.user_by_email(&first)?.is_some())))
            .await?;
        if has_demo {
            return Ok(DemoOutcome::AlreadyThere);
        }
        if users > 0 {
            return Ok(DemoOutcome::NotEmpty);
        }
        let hash = passwords::hash(DEMO_PASSWORD.to_string()).await?;
        let _ops = self.demo_user("ops@portico.example", "Olive Operator", &hash).await?;
        let alice = self.demo_user("alice@acme.example", "Alice Archer", &hash).await?;
        let bob = self.demo_user("bob@acme.example", "Bob Builder", &hash).await?;
        let gina = self.demo_user("gina@globex.example", "Gina Globex", &hash).await?;
        let ivan = self.demo_user("ivan@initech.example", "Ivan Initech", &hash).await?;

        let acme = self.create_team(&alice, "Acme Payments").await?;
        self.set_team_plan_as_operator(acme.id, "professional").await?;
        self.set_member_roles(&alice, acme.id, alice.id(), &["admin".into(), "partner_manager".into()])
            .await?;
        self.add_member(&alice, acme.id, bob.user.email.as_str(), &["developer".into()])
            .await?;
        self.add_domain(&alice, acme.id, "acme.example").await?;

        let globex = self.create_team(&gina, "Globex").await?;
        self.set_team_plan_as_operator(globex.id, "basic").await?;
        self.add_domain(&gina, globex.id, "globex.example").await?;

        let initech = self.create_team(&ivan, "Initech").await?;

        // Acme's workspaces: one internal, one Partner Workspace with Globex,
        // one multi-partner workspace broadcasting to Globex and Initech.
        self.create_workspace(
            &alice,
            Some(acme.id),
            "Acme Platform (internal)",
            "team",
            Some("Where Acme's engineers keep their work in progress."),
        )
        .await?;
        let pw = self
            .create_workspace(
                &alice,
                Some(acme.id),
                "Payments API for Globex",
                "partner",
                Some("The Payments API, shared with Globex's integration team."),
            )
            .await?;
        self.demo_partner(&alice, pw.access.workspace.id, "7", &gina, globex.id)
            .await?;
        let draft = |topic: &str, description: &str, category: &str, pinned: bool| crate::updates::UpdateDraft {
            topic: Some(topic.into()),
            description: Some(description.into()),
            category: Some(category.into()),
            is_pinned: Some(pinned),
            ..Default::default()
        };
        let pw_id = pw.access.workspace.id;
        // The Payments API collection, with a second revision to show in its
        // changelog.
        let file: serde_json::Value = serde_json::from_str(DEMO_COLLECTION).map_err(|_| Error::internal())?;
        let collection = self.create_collection(&alice, pw_id, file).await?.collection;
        let (_, exported) = self.collection(&alice, collection.id, false).await?;
        let exported: serde_json::Value = serde_json::from_str(&exported).map_err(|_| Error::internal())?;
        if let Some(refund) = exported["item"][1]["item"][0]["id"].as_str() {
            let write = crate::collections::ItemWrite {
                body: Some(serde_json::json!({
                    "name": "Refund a payment (full or partial)"
                })),
                ..Default::default()
            };
            let kind = portico_domain::collection::NodeKind::Request;
            self.update_item(&alice, collection.id, kind, refund.to_owned(), write, None)
                .await?;
        }
        self.post_update(
            &alice,
            pw_id,
            draft(
                "Welcome to the Payments API workspace",
                "This is where we share the **Payments API** with Globex.\n\n- Fork the collection into your team\n- Watch this tab for changes",
                "announcement",
                true,
            ),
        )
        .await?;
        let mut refunds = draft(
            "Refunds are live",
            "`POST /refunds` now accepts partial refunds. See the *Refunds* folder.",
            "new_feature",
            false,
        );
        refunds.related = Some(vec![("collection".into(), collection.id.to_string())]);
        self.post_update(&alice, pw_id, refunds).await?;
        let broadcast = self
            .create_workspace(
                &alice,
                Some(acme.id),
                "Acme API Changelog",
                "partner",
                Some("Announcements for every partner of Acme."),
            )
            .await?;
        let id = broadcast.access.workspace.id;
        self.update_workspace(
            &alice,
            id,
            crate::workspaces::WorkspaceChanges {
                multi_partner: Some(true),
                ..Default::default()
            },
        )
        .await?;
        self.demo_partner(&alice, id, "4", &gina, globex.id).await?;
        self.demo_partner(&alice, id, "4", &ivan, initech.id).await?;
        Ok(DemoOutcome::Created)
    }
}
