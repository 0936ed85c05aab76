//! Pull requests in the browser (R-PR-1): **Create pull request** from a
//! fork, the **Pull requests** of a collection on its page, and a pull
//! request's page: its diff labelled per item, reviewers, comments,
//! **Approve** / **Unapprove** for reviewers, **Decline** (final) and
//! **Merge** for editors of the parent, within the team's merge checks, and
//! **Edit** (title, description, reviewers) for its author.
//! What a caller may not see answers the "Not found" page (R-ISO-3,
//! R-MULTI-3).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use portico_app::collections::{Person, PullRequestDetail, Review};
use portico_domain::collection::{ChangeKind, ItemChange};
use portico_domain::ids::UserId;

use super::changelog::shown;
use super::collections::{Loaded, collection_id};
use super::html::{avatar, csrf_field, escape, when};
use super::layout::{self, Section};
use super::session::{Viewer, WebError, WebForm, see_other};
use crate::AppState;

/// A path id that cannot be a pull request reads as a missing one.
fn pull_request_id(id: &str) -> Result<String, WebError> {
    uuid::Uuid::parse_str(id)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| WebError::NotFound)
}

fn status_badge(status: &str) -> String {
    let label = match status {
        "open" => "Open",
        "approved" => "Approved",
        "declined" => "Declined",
        "merged" => "Merged",
        other => other,
    };
    format!(
        "<span class=\"badge pr-status pr-{s}\" data-status=\"{s}\">{}</span>",
        escape(label),
        s = escape(status)
    )
}

fn form_field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

/// The Pull requests section of a collection's page: those into it (and,
/// on a fork, out of it) that the viewer sees.
pub async fn section(s: &AppState, v: &Viewer, c: &Loaded) -> Result<String, WebError> {
    let rows = s.app.pull_request_rows(&v.who, c.record.id).await?;
    if rows.is_empty() {
        return Ok(String::new());
    }
    let items: String = rows
        .iter()
        .map(|r| {
            format!(
                "<li class=\"row\" data-pull-request=\"{id}\"><div class=\"row-main\">\
                 <a class=\"row-title\" href=\"/pull-requests/{id}\">{title}</a>\
                 <span class=\"row-sub muted small\">{dir} · by {author} · {at}</span></div>\
                 <div class=\"row-meta\">{status}</div></li>",
                id = escape(&r.record.id),
                title = escape(&r.record.title),
                dir = if r.incoming {
                    "Into this collection"
                } else {
                    "From this fork"
                },
                author = escape(&r.author),
                at = when(r.record.created_at),
                status = status_badge(&r.record.status),
            )
        })
        .collect();
    Ok(format!(
        "<section class=\"card\" aria-labelledby=\"prs-h\"><h2 id=\"prs-h\">Pull requests \
         <span class=\"muted small\">{n}</span></h2><ul class=\"list bordered pr-list\">{items}</ul></section>",
        n = rows.len()
    ))
}

fn change_label(c: &ItemChange) -> (&'static str, &'static str) {
    match c.change {
        ChangeKind::Addition => ("addition", "Addition"),
        ChangeKind::Deletion => ("deletion", "Deletion"),
        ChangeKind::Modification => ("modification", "Modification"),
    }
}

/// The diff of a pull request, labelled per item with its changed fields.
fn changes_html(changes: &[ItemChange]) -> String {
    if changes.is_empty() {
        return "<p class=\"muted\">No changes: the fork has nothing the collection lacks.</p>".into();
    }
    let items: String = changes
        .iter()
        .map(|c| {
            let (class, label) = change_label(c);
            let moved = if c.location.is_some() && c.change == ChangeKind::Modification {
                " <span class=\"muted small\">(moved)</span>"
            } else {
                ""
            };
            let rows: String = c
                .fields
                .iter()
                .map(|f| {
                    format!(
                        "<tr><th scope=\"row\"><code>{}</code></th><td class=\"from\" data-label=\"Before\">{}</td><td class=\"to\" data-label=\"After\">{}</td></tr>",
                        escape(&f.path),
                        shown(f.from.as_ref()),
                        shown(f.to.as_ref())
                    )
                })
                .collect();
            let table = if rows.is_empty() {
                String::new()
            } else {
                format!(
                    "<div class=\"table-scroll\"><table class=\"kv diff\"><thead><tr><th scope=\"col\">Field</th>\
                     <th scope=\"col\">Before</th><th scope=\"col\">After</th></tr></thead><tbody>{rows}</tbody></table></div>"
                )
            };
            format!(
                "<li class=\"pr-change\" data-change=\"{class}\" data-uid=\"{uid}\"><p><span class=\"badge change-{class}\">{label}</span> \
                 {kind} <strong>{name}</strong>{moved}</p>{table}</li>",
                uid = escape(&c.uid),
                kind = escape(c.kind.as_str()),
                name = escape(c.name.as_deref().unwrap_or("Untitled")),
            )
        })
        .collect();
    format!("<ol class=\"changes pr-changes\">{items}</ol>")
}

/// A checkbox per person who may review, those in `chosen` ticked.
fn reviewer_boxes(people: &[Person], chosen: &[UserId], me: UserId) -> String {
    people
        .iter()
        .map(|p| {
            format!(
                "<label class=\"choice reviewer\">\
                 <input type=\"checkbox\" name=\"reviewer\" value=\"{id}\"{checked}>{avatar} {name}{you}</label>",
                id = escape(&p.id.to_string()),
                checked = if chosen.contains(&p.id) { " checked" } else { "" },
                avatar = avatar(&p.name, p.partner),
                name = escape(&p.name),
                you = if p.id == me { " (you)" } else { "" },
            )
        })
        .collect()
}

/// The reviewers a form posts, one `reviewer` field each.
fn posted_reviewers(fields: &[(String, String)]) -> Result<Vec<UserId>, WebError> {
    fields
        .iter()
        .filter(|(k, _)| k == "reviewer")
        .map(|(_, val)| {
            UserId::parse(val).map_err(|_| {
                WebError::Refused(
                    StatusCode::BAD_REQUEST,
                    "A chosen reviewer is not a person here.".into(),
                )
            })
        })
        .collect()
}

/// The form of a new pull request from a fork into its source.
pub async fn new_page(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> Result<Response, WebError> {
    let cid = collection_id(&id)?;
    let draft = s.app.pull_request_draft(&v.who, cid).await?;
    let reviewers = reviewer_boxes(&draft.reviewers, &[], v.who.user.id);
    let conflicts = match draft.conflicts {
        0 => String::new(),
        n => format!(
            "<p class=\"error\">The source changed {n} field(s) differently since your fork was last in sync: \
             pull changes into the fork first, or the merge will be refused.</p>"
        ),
    };
    let body = format!(
        "<div class=\"page-head\"><div><p class=\"crumbs\"><a href=\"/collections/{fork}\">{label}</a> → \
         <a href=\"/collections/{parent}\">{parent_name}</a></p><h1>Create pull request</h1></div></div>\
         <div class=\"pr-grid\"><div class=\"pr-main\">\
         <section class=\"card\" aria-labelledby=\"pr-form-h\"><h2 id=\"pr-form-h\">Propose your changes</h2>\
         <form method=\"post\" action=\"/collections/{fork}/pull-requests\" class=\"stack\">{csrf}\
         <input type=\"hidden\" name=\"destination\" value=\"{parent}\">\
         <div class=\"field\"><label for=\"pr-title\">Title</label>\
         <input id=\"pr-title\" name=\"title\" required maxlength=\"255\" autocomplete=\"off\"></div>\
         <div class=\"field\"><label for=\"pr-description\">Description</label>\
         <textarea id=\"pr-description\" name=\"description\" rows=\"5\" aria-describedby=\"pr-description-hint\"></textarea>\
         <p class=\"hint\" id=\"pr-description-hint\">Markdown. Say what changes and why.</p></div>\
         <fieldset class=\"field\" aria-describedby=\"pr-reviewers-hint\"><legend>Reviewers</legend>\
         <div class=\"choices column\">{reviewers}</div>\
         <p class=\"hint\" id=\"pr-reviewers-hint\">Choose 1 to 50 people who see the source collection.</p></fieldset>\
         <div><button type=\"submit\" class=\"button\">Create pull request</button> \
         <a class=\"button secondary\" href=\"/collections/{fork}\">Cancel</a></div></form></section></div>\
         <div class=\"pr-side\"><section class=\"card\" aria-labelledby=\"pr-diff-h\"><h2 id=\"pr-diff-h\">Changes \
         <span class=\"muted small\">{n}</span></h2>{conflicts}{changes}</section></div></div>",
        fork = escape(&cid.to_string()),
        label = escape(&draft.fork.label),
        parent = escape(&draft.parent.id.to_string()),
        parent_name = escape(&draft.parent.name),
        csrf = csrf_field(v.csrf()),
        n = draft.changes.len(),
        changes = changes_html(&draft.changes),
    );
    Ok(layout::page(&s, &v, "Create pull request", Section::Workspaces, &body).await)
}

/// Opens a pull request from the posted form: `csrf`, `destination` (the
/// fork's source), `title`, `description` and one `reviewer` per chosen
/// person.
pub async fn create(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    WebForm(fields): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    v.check_csrf(form_field(&fields, "csrf"))?;
    let cid = collection_id(&id)?;
    let reviewers = posted_reviewers(&fields)?;
    let destination = collection_id(form_field(&fields, "destination"))?;
    let created = s
        .app
        .create_pull_request(
            &v.who,
            cid,
            destination,
            form_field(&fields, "title"),
            form_field(&fields, "description"),
            reviewers,
        )
        .await?;
    Ok(see_other(&format!("/pull-requests/{}", created.record.id)))
}

fn reviewers_html(d: &PullRequestDetail) -> String {
    let items: String = d
        .pull_request
        .reviewers
        .iter()
        .map(|(u, approved)| {
            let partner = d.people.get(u).is_some_and(|p| p.partner);
            format!(
                "<li class=\"member\" data-reviewer=\"{id}\">{avatar}<span class=\"member-name\">{name}</span>{state}</li>",
                id = escape(&u.to_string()),
                avatar = avatar(d.name_of(*u), partner),
                name = escape(d.name_of(*u)),
                state = if *approved {
                    " <span class=\"badge pr-status pr-approved\">Approved</span>"
                } else {
                    " <span class=\"muted small\">Not approved yet</span>"
                },
            )
        })
        .collect();
    format!(
        "<section class=\"card\" aria-labelledby=\"reviewers-h\"><h2 id=\"reviewers-h\">Reviewers</h2>\
         <ul class=\"members\">{items}</ul></section>"
    )
}

fn actions_html(d: &PullRequestDetail, csrf: &str, me: UserId) -> String {
    let id = escape(&d.pull_request.record.id);
    let form = |action: &str, label: &str, class: &str| {
        format!(
            "<form method=\"post\" action=\"/pull-requests/{id}/review\" class=\"stack pr-action\">{csrf}\
             <input type=\"hidden\" name=\"action\" value=\"{action}\">\
             <div><button type=\"submit\" class=\"{class}\">{label}</button></div></form>",
            csrf = csrf_field(csrf),
        )
    };
    let mut out = String::new();
    if d.is_open() && d.is_reviewer {
        let approved = d.pull_request.reviewers.iter().any(|(u, a)| *u == me && *a);
        out.push_str(&if approved {
            form("unapprove", "Unapprove", "button secondary")
        } else {
            form("approve", "Approve", "button")
        });
    }
    if d.may_merge {
        match &d.merge_blocked {
            Some(why) => out.push_str(&format!(
                "<div class=\"pr-action\"><button type=\"button\" class=\"button\" disabled aria-describedby=\"merge-why\">Merge</button>\
                 <p class=\"hint\" id=\"merge-why\">{}</p></div>",
                escape(why)
            )),
            None => out.push_str(&form("merge", "Merge", "button")),
        }
    }
    if d.may_decline {
        out.push_str(&format!(
            "<form method=\"post\" action=\"/pull-requests/{id}/review\" class=\"stack pr-action\" \
             data-confirm=\"Decline this pull request? This is final: it cannot be reopened or merged.\">{csrf}\
             <input type=\"hidden\" name=\"action\" value=\"decline\">\
             <div class=\"field\"><label for=\"decline-comment\">Reason for declining (optional)</label>\
             <textarea id=\"decline-comment\" name=\"comment\" rows=\"2\"></textarea></div>\
             <div><button type=\"submit\" class=\"button danger\">Decline</button></div></form>",
            csrf = csrf_field(csrf),
        ));
    }
    if out.is_empty() {
        return String::new();
    }
    format!("<section class=\"card\" aria-labelledby=\"decide-h\"><h2 id=\"decide-h\">Decide</h2>{out}</section>")
}

/// **Edit** for the author while it is open: title, description, reviewers.
fn edit_html(d: &PullRequestDetail, csrf: &str, me: UserId) -> String {
    let pr = &d.pull_request.record;
    if !d.is_open() || pr.created_by != me || d.reviewer_choices.is_empty() {
        return String::new();
    }
    let chosen: Vec<UserId> = d.pull_request.reviewers.iter().map(|(u, _)| *u).collect();
    format!(
        "<section class=\"card\" aria-labelledby=\"edit-h\"><details class=\"composer\">\
         <summary id=\"edit-h\">Edit this pull request</summary>\
         <form method=\"post\" action=\"/pull-requests/{id}/edit\" class=\"stack\">{csrf}\
         <div class=\"field\"><label for=\"edit-title\">Title</label>\
         <input id=\"edit-title\" name=\"title\" required maxlength=\"255\" value=\"{title}\" autocomplete=\"off\"></div>\
         <div class=\"field\"><label for=\"edit-description\">Description</label>\
         <textarea id=\"edit-description\" name=\"description\" rows=\"4\">{description}</textarea></div>\
         <fieldset class=\"field\"><legend>Reviewers</legend><div class=\"choices column\">{boxes}</div>\
         <p class=\"hint\">1 to 50. Approvals of reviewers you keep stay.</p></fieldset>\
         <div><button type=\"submit\" class=\"button\">Save changes</button></div></form></details></section>",
        id = escape(&pr.id),
        csrf = csrf_field(csrf),
        title = escape(&pr.title),
        description = escape(&pr.description),
        boxes = reviewer_boxes(&d.reviewer_choices, &chosen, me),
    )
}

fn comments_html(d: &PullRequestDetail, csrf: &str) -> String {
    let items: String = d
        .comments
        .iter()
        .map(|c| {
            let partner = d.people.get(&c.author_id).is_some_and(|p| p.partner);
            format!(
                "<li class=\"comment\" id=\"comment-{cid}\">{avatar}<div class=\"comment-body\">\
                 <p class=\"comment-meta\"><strong>{name}</strong> <span class=\"muted small\">{at}</span></p>\
                 <div class=\"prose\">{body}</div></div></li>",
                cid = escape(&c.id),
                avatar = avatar(d.name_of(c.author_id), partner),
                name = escape(d.name_of(c.author_id)),
                at = when(c.created_at),
                body = portico_app::markdown::render(&c.body),
            )
        })
        .collect();
    let list = if items.is_empty() {
        "<p class=\"muted\">No comments yet.</p>".to_string()
    } else {
        format!("<ol class=\"comments\">{items}</ol>")
    };
    format!(
        "<section class=\"card\" aria-labelledby=\"comments-h\"><h2 id=\"comments-h\">Comments</h2>{list}\
         <form method=\"post\" action=\"/pull-requests/{id}/comments\" class=\"comment-form\">{csrf}\
         <label for=\"pr-comment\">Add a comment</label>\
         <textarea id=\"pr-comment\" name=\"body\" rows=\"3\" required maxlength=\"10000\"></textarea>\
         <button type=\"submit\" class=\"button\">Comment</button></form></section>",
        id = escape(&d.pull_request.record.id),
        csrf = csrf_field(csrf),
    )
}

/// A pull request's page.
pub async fn page(State(s): State<AppState>, v: Viewer, Path(id): Path<String>) -> Result<Response, WebError> {
    let d = s.app.pull_request_detail(&v.who, pull_request_id(&id)?).await?;
    let pr = &d.pull_request.record;
    let link = |c: &Option<portico_store::CollectionRecord>, fallback: &str| match c {
        Some(c) => format!(
            "<a href=\"/collections/{}\">{}</a>",
            escape(&c.id.to_string()),
            escape(&c.name)
        ),
        None => format!("<span class=\"muted\">{}</span>", escape(fallback)),
    };
    let description = if pr.description.trim().is_empty() {
        "<p class=\"muted\">No description.</p>".to_string()
    } else {
        format!(
            "<div class=\"prose\">{}</div>",
            portico_app::markdown::render(&pr.description)
        )
    };
    let outcome = match pr.status.as_str() {
        "declined" => format!(
            "<p class=\"error\" data-outcome=\"declined\">Declined: this pull request is closed and cannot be merged.{}</p>",
            pr.decline_comment
                .as_deref()
                .map(|c| format!(" Reason: {}", escape(c)))
                .unwrap_or_default()
        ),
        "merged" => "<p data-outcome=\"merged\"><strong>Merged</strong> into the collection.</p>".to_string(),
        _ => String::new(),
    };
    let diff = if d.is_open() {
        let conflicts = match d.pull_request.conflicts.len() {
            0 => String::new(),
            n => format!(
                "<p class=\"error\">{n} conflict(s) with changes made to the collection since the fork was last in sync.</p>"
            ),
        };
        format!(
            "<section class=\"card\" aria-labelledby=\"diff-h\"><h2 id=\"diff-h\">Changes \
             <span class=\"muted small\">{n}</span></h2>{conflicts}{changes}</section>",
            n = d.pull_request.changes.len(),
            changes = changes_html(&d.pull_request.changes),
        )
    } else {
        String::new()
    };
    let body = format!(
        "<div class=\"page-head\"><div><p class=\"crumbs\">From the fork {source} into {dest}</p>\
         <h1>{title}</h1></div><p class=\"actions\">{status}</p></div>\
         <p class=\"muted small\">Opened by {author} · {at}</p>{outcome}\
         <div class=\"pr-grid\"><div class=\"pr-main\">\
         <section class=\"card\" aria-labelledby=\"about-h\"><h2 id=\"about-h\">Description</h2>{description}</section>\
         {diff}{comments}</div><div class=\"pr-side\">{actions}{reviewers}{edit}</div></div>",
        source = link(&d.pull_request.source, "A deleted fork"),
        dest = link(&d.pull_request.destination, "A deleted collection"),
        title = escape(&pr.title),
        status = status_badge(&pr.status),
        author = escape(d.name_of(pr.created_by)),
        at = when(pr.created_at),
        comments = comments_html(&d, v.csrf()),
        actions = actions_html(&d, v.csrf(), v.who.user.id),
        reviewers = reviewers_html(&d),
        edit = edit_html(&d, v.csrf(), v.who.user.id),
    );
    let title = format!("{} · Pull request", pr.title);
    Ok(layout::page(&s, &v, &title, Section::Workspaces, &body).await)
}

/// Approves, unapproves, declines or merges: the form's `action` (and, for
/// a decline, an optional `comment`).
pub async fn review(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    WebForm(fields): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    v.check_csrf(form_field(&fields, "csrf"))?;
    let id = pull_request_id(&id)?;
    let review = Review::parse(form_field(&fields, "action")).map_err(WebError::from)?;
    let comment = Some(form_field(&fields, "comment").to_string());
    let done = s.app.review_pull_request(&v.who, id.clone(), review, comment).await?;
    if let Err(blocked) = done {
        return Err(WebError::Refused(
            StatusCode::CONFLICT,
            format!(
                "The collection changed {} field(s) differently since the fork was last in sync: \
                 pull into the fork, resolve the conflicts there, then merge again.",
                blocked.conflicts.len()
            ),
        ));
    }
    Ok(see_other(&format!("/pull-requests/{id}")))
}

/// Changes the title, description and reviewers (its author): the form's
/// `title`, `description` and one `reviewer` per chosen person.
pub async fn edit(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    WebForm(fields): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    v.check_csrf(form_field(&fields, "csrf"))?;
    let id = pull_request_id(&id)?;
    let reviewers = posted_reviewers(&fields)?;
    s.app
        .update_pull_request(
            &v.who,
            id.clone(),
            form_field(&fields, "title"),
            Some(form_field(&fields, "description").to_string()),
            reviewers,
        )
        .await?;
    Ok(see_other(&format!("/pull-requests/{id}")))
}

/// Comments on a pull request.
pub async fn comment(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    WebForm(fields): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    v.check_csrf(form_field(&fields, "csrf"))?;
    let id = pull_request_id(&id)?;
    let saved = s
        .app
        .comment_on_pull_request(&v.who, id.clone(), form_field(&fields, "body").to_string())
        .await?;
    Ok(see_other(&format!("/pull-requests/{id}#comment-{}", saved.id)))
}
