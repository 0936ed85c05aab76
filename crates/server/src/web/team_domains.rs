//! A team's Domains and Plan tabs. Captured domains (R-INV-2) are added and
//! released by team admins and the operator; the plan (R-PLAN-1) is
//! changed by the server's operator only, everyone else reads it.

use axum::extract::{Path, State};
use axum::response::Response;
use portico_domain::plan::Plan;
use portico_domain::policy::Action;
use serde::Deserialize;

use super::html::{csrf_field, escape};
use super::session::{Viewer, WebError, WebForm, see_other};
use super::teams::{TeamTab, header, plan_label, team_id, team_page};
use crate::AppState;

#[derive(Debug, Deserialize)]
pub struct DomainForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub domain: String,
}

#[derive(Debug, Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub plan: String,
}

pub async fn domains(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> Result<Response, WebError> {
    let t = s.app.team(&v.who, team_id(&id)?).await?;
    let manage = t.allows(&v.who, Action::ManageTeamDomains);
    let tid = escape(&t.team.id.to_string());
    let csrf = csrf_field(v.csrf());
    let rows: String = t
        .domains
        .iter()
        .map(|d| {
            let d = escape(&d.to_string());
            let remove = if manage {
                format!(
                    "<form method=\"post\" action=\"/teams/{tid}/domains/remove\" data-confirm=\"Release {d}?\">{csrf}\
                     <input type=\"hidden\" name=\"domain\" value=\"{d}\">\
                     <button type=\"submit\" class=\"button secondary small\" aria-label=\"Release {d}\">Release</button></form>"
                )
            } else {
                String::new()
            };
            format!(
                "<li class=\"row\" data-domain=\"{d}\"><div class=\"row-main\"><span class=\"row-title\">{d}</span></div>{remove}</li>"
            )
        })
        .collect();
    let list = if rows.is_empty() {
        "<p class=\"muted\" data-no-domains>No captured domains.</p>".to_string()
    } else {
        format!("<ul class=\"list bordered\">{rows}</ul>")
    };
    let add = if manage {
        format!(
            "<form method=\"post\" action=\"/teams/{tid}/domains\" class=\"field-row\">{csrf}\
             <div class=\"field grow\"><label for=\"domain\">Domain</label>\
             <input id=\"domain\" name=\"domain\" required placeholder=\"acme.example\" autocomplete=\"off\"></div>\
             <div class=\"field\"><button type=\"submit\" class=\"button\">Capture domain</button></div></form>"
        )
    } else {
        String::new()
    };
    let body = format!(
        "{head}<section class=\"card\" aria-labelledby=\"domains-h\"><h2 id=\"domains-h\">Captured domains</h2>\
         <p>Someone whose email is at a captured domain who accepts a partner invitation can accept it only for this \
         team. A domain belongs to one team at most. Team admins capture the domain of their own email address, or          one below it; the server's operator captures any other.</p>{list}{add}</section>",
        head = header(&t, &v, TeamTab::Domains),
    );
    Ok(team_page(&s, &v, &t, "Domains", &body).await)
}

pub async fn add_domain(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    WebForm(f): WebForm<DomainForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let team = team_id(&id)?;
    s.app.add_domain(&v.who, team, f.domain.trim()).await?;
    Ok(see_other(&format!("/teams/{team}/domains")))
}

pub async fn remove_domain(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    WebForm(f): WebForm<DomainForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let team = team_id(&id)?;
    s.app.remove_domain(&v.who, team, f.domain.trim()).await?;
    Ok(see_other(&format!("/teams/{team}/domains")))
}

fn limit(n: Option<u32>) -> String {
    match n {
        None => "unlimited".into(),
        Some(0) => "none".into(),
        Some(n) => n.to_string(),
    }
}

pub async fn plan(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> Result<Response, WebError> {
    let t = s.app.team(&v.who, team_id(&id)?).await?;
    let limits = s.app.config.limits(t.team.plan);
    let change = if t.allows(&v.who, Action::SetTeamPlan) {
        let options: String = Plan::ALL
            .iter()
            .map(|p| {
                format!(
                    "<option value=\"{v}\"{sel}>{l}</option>",
                    v = p.as_str(),
                    sel = if *p == t.team.plan { " selected" } else { "" },
                    l = plan_label(*p),
                )
            })
            .collect();
        format!(
            "<form method=\"post\" action=\"/teams/{tid}/plan\" class=\"field-row\" data-plan-form>{csrf}\
             <div class=\"field\"><label for=\"plan\">Plan</label><select id=\"plan\" name=\"plan\">{options}</select></div>\
             <div class=\"field\"><button type=\"submit\" class=\"button\">Change plan</button></div></form>\
             <p class=\"hint\">You see this form as the operator of this Portico server. The change is in the team's audit log.</p>",
            tid = escape(&t.team.id.to_string()),
            csrf = csrf_field(v.csrf()),
        )
    } else {
        "<p class=\"hint\">Only the operator of this Portico server changes a team's plan.</p>".to_string()
    };
    let body = format!(
        "{head}<section class=\"card\" aria-labelledby=\"plan-h\"><h2 id=\"plan-h\">Plan</h2>\
         <dl class=\"facts\"><dt>Plan</dt><dd data-plan=\"{code}\">{plan}</dd>\
         <dt>Partner Workspaces</dt><dd>{pws}</dd><dt>Partner Editor seats</dt><dd>{seats}</dd></dl>\
         <p class=\"muted small\">Partner Workspaces exist on the Professional and Enterprise plans.</p>{change}</section>",
        head = header(&t, &v, TeamTab::Plan),
        code = t.team.plan.as_str(),
        plan = plan_label(t.team.plan),
        pws = limit(limits.max_partner_workspaces),
        seats = limit(limits.max_partner_editor_seats),
    );
    Ok(team_page(&s, &v, &t, "Plan", &body).await)
}

/// Changes the plan through the same use case as `PATCH /api/teams/{id}`,
/// where the policy lets only the operator do it.
pub async fn set_plan(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    WebForm(f): WebForm<PlanForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let team = team_id(&id)?;
    s.app.update_team(&v.who, team, None, Some(f.plan.as_str())).await?;
    Ok(see_other(&format!("/teams/{team}/plan")))
}
