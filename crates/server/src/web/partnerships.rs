//! A team's Partnerships tab, with two views: **As a publisher** (the
//! partner teams of this team's Partner Workspaces; for team admins and
//! Partner Managers also each partner and the workspaces they reach,
//! R-INV-5) and **As a partner** (the teams whose Partner Workspaces this
//! team's members are partners in, with the ones the viewer reaches).

use axum::extract::{Path, Query, State};
use axum::response::Response;
use portico_app::partnerships::{PartnerTeam, PublisherTeam};
use portico_domain::ids::TeamId;
use serde::Deserialize;

use super::html::{avatar, escape, when};
use super::session::{Viewer, WebError};
use super::teams::{TeamTab, header, team_id, team_page};
use crate::AppState;

#[derive(Debug, Deserialize)]
pub struct TabQuery {
    pub tab: Option<String>,
}

/// Which teams sign in through their own provider.
type Methods = std::collections::HashMap<TeamId, Option<String>>;

/// How a team's people sign in (issue: the Partnerships page shows each
/// partner team's method).
fn method_html(methods: &Methods, team: TeamId) -> &'static str {
    if methods.get(&team).is_some_and(Option::is_some) {
        "<span data-sign-in=\"sso\">signs in with single sign-on</span>"
    } else {
        "<span data-sign-in=\"password\">signs in with a password</span>"
    }
}

fn publisher_html(list: &[PartnerTeam], methods: &Methods) -> String {
    if list.is_empty() {
        return "<p class=\"muted\" data-no-partners>No partner team yet. A partnership starts when the first person of \
                another team accepts an invitation to one of this team's Partner Workspaces.</p>"
            .into();
    }
    let mut out = String::from("<ul class=\"list bordered partnerships\">");
    for p in list {
        let partners = match &p.partners {
            None => String::new(),
            Some(people) if people.is_empty() => {
                "<p class=\"muted small\">No partner of this team holds a role in a Partner Workspace now.</p>".into()
            }
            Some(people) => {
                let rows: String = people
                    .iter()
                    .map(|r| {
                        let spaces: String = r
                            .workspaces
                            .iter()
                            .map(|(w, role, lead)| {
                                format!(
                                    "<li><a href=\"/workspaces/{id}\">{name}</a> <span class=\"muted small\">{role}</span></li>",
                                    id = escape(&w.id.to_string()),
                                    name = escape(&w.name),
                                    role = escape(role.display_name(*lead)),
                                )
                            })
                            .collect();
                        format!(
                            "<li class=\"member\" data-partner=\"{uid}\">{avatar}<div class=\"member-text\">\
                             <span class=\"member-name\">{name}</span><span class=\"muted small\">{email}</span>\
                             <ul class=\"reach\">{spaces}</ul></div></li>",
                            uid = escape(&r.user_id.to_string()),
                            avatar = avatar(&r.name, true),
                            name = escape(&r.name),
                            email = escape(r.email.as_str()),
                        )
                    })
                    .collect();
                format!("<ul class=\"members\">{rows}</ul>")
            }
        };
        out.push_str(&format!(
            "<li class=\"partnership\" data-partner-team=\"{id}\"><h3 class=\"sub\">{name}</h3>\
             <p class=\"muted small\">Partner since {since} · {method}</p>{partners}</li>",
            id = escape(&p.team.id.to_string()),
            name = escape(&p.team.name),
            since = when(p.since),
            method = method_html(methods, p.team.id),
        ));
    }
    out.push_str("</ul>");
    out
}

fn partner_html(list: &[PublisherTeam], methods: &Methods) -> String {
    if list.is_empty() {
        return "<p class=\"muted\" data-no-publishers>This team is not a partner of another team yet.</p>".into();
    }
    let mut out = String::from("<ul class=\"list bordered partnerships\">");
    for p in list {
        let spaces = if p.workspaces.is_empty() {
            "<p class=\"muted small\">You hold no role in their Partner Workspaces.</p>".to_string()
        } else {
            let items: String = p
                .workspaces
                .iter()
                .map(|w| {
                    format!(
                        "<li><a href=\"/workspaces/{id}\">{name}</a> <span class=\"tag external\">EXTERNAL</span></li>",
                        id = escape(&w.id.to_string()),
                        name = escape(&w.name),
                    )
                })
                .collect();
            format!("<p class=\"small\">Your workspaces there:</p><ul class=\"reach\">{items}</ul>")
        };
        out.push_str(&format!(
            "<li class=\"partnership\" data-publisher-team=\"{id}\"><h3 class=\"sub\">{name}</h3>\
             <p class=\"muted small\">Partner since {since} · {method}</p>{spaces}</li>",
            id = escape(&p.team.id.to_string()),
            name = escape(&p.team.name),
            since = when(p.since),
            method = method_html(methods, p.team.id),
        ));
    }
    out.push_str("</ul>");
    out
}

pub async fn page(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Query(q): Query<TabQuery>,
) -> Result<Response, WebError> {
    let team = team_id(&id)?;
    let as_partner = q.tab.as_deref() == Some("partner");
    let t = s.app.team(&v.who, team).await?;
    let (intro, list) = if as_partner {
        let list = s.app.publishers_of_partner(&v.who, team).await?;
        let methods = s.app.sign_in_methods(list.iter().map(|p| p.team.id).collect()).await?;
        (
            "Teams that invited people of this team into their Partner Workspaces.",
            partner_html(&list, &methods.into_iter().collect()),
        )
    } else {
        let list = s.app.partners_of_publisher(&v.who, team).await?;
        let methods = s.app.sign_in_methods(list.iter().map(|p| p.team.id).collect()).await?;
        (
            "Teams whose people are partners in this team's Partner Workspaces.",
            publisher_html(&list, &methods.into_iter().collect()),
        )
    };
    let tid = escape(&team.to_string());
    let cur = |on: bool| if on { " aria-current=\"page\"" } else { "" };
    let body = format!(
        "{head}<nav class=\"tabs subtabs\" aria-label=\"Partnerships\"><ul>\
         <li><a href=\"/teams/{tid}/partnerships\"{p}>As a publisher</a></li>\
         <li><a href=\"/teams/{tid}/partnerships?tab=partner\"{a}>As a partner</a></li></ul></nav>\
         <section class=\"card\" aria-labelledby=\"ps-h\"><h2 id=\"ps-h\">{title}</h2><p>{intro}</p>{list}</section>",
        head = header(&t, &v, TeamTab::Partnerships),
        p = cur(!as_partner),
        a = cur(as_partner),
        title = if as_partner { "As a partner" } else { "As a publisher" },
    );
    Ok(team_page(&s, &v, &t, "Partnerships", &body).await)
}
