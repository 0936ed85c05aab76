//! The Updates tab: the workspace's updates (pinned first), the post form for
//! those the policy allows, comments and one level of replies. Opening the
//! tab marks the updates seen, so the badge clears (R-UPD-3).

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use portico_app::Principal;
use portico_app::updates::{CATEGORIES, UpdateDraft};
use portico_app::workspaces::WorkspaceView;
use portico_domain::policy::Action;
use portico_store::{CommentRecord, UpdateRecord};
use serde::Deserialize;

use super::html::{avatar, csrf_field, escape, url_encode, when};
use super::layout::{self, Section};
use super::session::{Viewer, WebError, WebForm, see_other};
use super::workspaces::{Tab, header, workspace_id};
use crate::AppState;

#[derive(Debug, Deserialize)]
pub struct UpdatesQuery {
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct UpdateForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub category: String,
    /// A checkbox: present when ticked.
    pub pinned: Option<String>,
    /// The save nudge's form (R-UPD-2): the collection the update is about…
    pub related_collection: Option<String>,
    /// …and the element changes it announces, as JSON.
    pub element_changes: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub body: String,
    /// The comment this one replies to.
    pub parent: Option<i64>,
}

const PAGE: u32 = 20;

const PIN: &str = "<span class=\"badge pin\"><svg class=\"icon\" viewBox=\"0 0 16 16\" aria-hidden=\"true\" focusable=\"false\">\
    <path d=\"M5 1h6l-1 5 3 3H9l-1 6-1-6H3l3-3z\" fill=\"currentColor\"/></svg>Pinned</span>";

pub fn category_label(c: &str) -> &'static str {
    match c {
        "improvement" => "Improvement",
        "new_feature" => "New feature",
        "bug_fix" => "Bug fix",
        "breaking_change" => "Breaking change",
        _ => "Announcement",
    }
}

/// The post form, or (with `editing`) the edit form of one update, prefilled.
/// Field ids carry a prefix so several forms live on one page.
fn update_form(ws: &str, csrf: &str, editing: Option<&UpdateRecord>) -> String {
    let (prefix, action, button) = match editing {
        Some(u) => (
            format!("edit-{}-", u.id),
            format!("/workspaces/{ws}/updates/{}/edit", u.id),
            "Save update",
        ),
        None => (String::new(), format!("/workspaces/{ws}/updates"), "Post update"),
    };
    let category = editing.map_or("", |u| u.category.as_str());
    let options: String = CATEGORIES
        .iter()
        .map(|c| {
            let selected = if *c == category { " selected" } else { "" };
            format!("<option value=\"{c}\"{selected}>{}</option>", category_label(c))
        })
        .collect();
    format!(
        "<form method=\"post\" action=\"{action}\" class=\"stack\">{csrf}\
         <div class=\"field\"><label for=\"{prefix}topic\">Topic</label>\
         <input id=\"{prefix}topic\" name=\"topic\" required maxlength=\"200\" value=\"{topic}\"></div>\
         <div class=\"field\"><label for=\"{prefix}description\">Description</label>\
         <textarea id=\"{prefix}description\" name=\"description\" rows=\"5\" maxlength=\"10000\" aria-describedby=\"{prefix}description-hint\">{description}</textarea>\
         <p class=\"hint\" id=\"{prefix}description-hint\">Markdown: **bold**, `code`, [links](https://example.com), lists.</p>\
         {preview}</div>\
         <div class=\"field-row\"><div class=\"field\"><label for=\"{prefix}category\">Category</label>\
         <select id=\"{prefix}category\" name=\"category\">{options}</select></div>\
         <div class=\"field check\"><input id=\"{prefix}pinned\" name=\"pinned\" type=\"checkbox\" value=\"on\"{checked}>\
         <label for=\"{prefix}pinned\">Pin to the top</label></div></div>\
         <div><button type=\"submit\" class=\"button\">{button}</button></div></form>",
        csrf = csrf_field(csrf),
        topic = escape(editing.map_or("", |u| u.topic.as_str())),
        description = escape(editing.map_or("", |u| u.description.as_str())),
        preview = preview_controls(&format!("{prefix}description")),
        checked = if editing.is_some_and(|u| u.is_pinned) {
            " checked"
        } else {
            ""
        },
    )
}

/// A Preview button for a markdown text box and the place its rendering
/// goes. The script shows the button and fills the place from
/// `POST /preview`, which renders with the same sanitiser as the pages.
pub fn preview_controls(textarea: &str) -> String {
    format!(
        "<button type=\"button\" class=\"link-button preview-button\" data-preview=\"{textarea}\" hidden>Preview</button>\
         <div class=\"prose preview\" id=\"{textarea}-preview\" aria-live=\"polite\" aria-label=\"Preview\" hidden></div>"
    )
}

fn post_form(ws: &str, csrf: &str) -> String {
    format!(
        "<details class=\"card composer\"><summary>Post an update</summary>{}</details>",
        update_form(ws, csrf, None)
    )
}

/// Edit and Delete for those who may post updates.
fn update_tools(ws: &str, u: &UpdateRecord, csrf: &str) -> String {
    format!(
        "<div class=\"tools\"><details class=\"edit\"><summary>Edit</summary>{form}</details>\
         <form method=\"post\" action=\"/workspaces/{ws}/updates/{id}/delete\" class=\"inline\" \
         data-confirm=\"Delete this update and its comments?\">{csrf}\
         <button type=\"submit\" class=\"link-button danger\">Delete</button></form></div>",
        form = update_form(ws, csrf, Some(u)),
        id = u.id,
        csrf = csrf_field(csrf),
    )
}

/// What the viewer may do to a comment: edit it (their own, while comments
/// are open) and delete it (their own, or anyone's for workspace admins).
#[derive(Clone, Copy)]
struct CommentRights {
    edit: bool,
    delete: bool,
}

fn comment_html(ws: &str, c: &CommentRecord, rights: CommentRights, csrf: &str) -> String {
    let mut tools = String::new();
    if rights.edit {
        let field = format!("edit-comment-{}", c.id);
        tools.push_str(&format!(
            "<details class=\"edit\"><summary>Edit</summary>\
             <form method=\"post\" action=\"/workspaces/{ws}/updates/{u}/comments/{id}/edit\" class=\"comment-form\">{csrf}\
             <label for=\"{field}\">Your comment</label>\
             <textarea id=\"{field}\" name=\"body\" rows=\"2\" required maxlength=\"10000\">{body}</textarea>\
             <button type=\"submit\" class=\"button secondary\">Save</button></form></details>",
            u = c.update_id,
            id = c.id,
            csrf = csrf_field(csrf),
            body = escape(&c.body),
        ));
    }
    if rights.delete {
        tools.push_str(&format!(
            "<form method=\"post\" action=\"/workspaces/{ws}/updates/{u}/comments/{id}/delete\" class=\"inline\" \
             data-confirm=\"Delete this comment{replies}?\">{csrf}\
             <button type=\"submit\" class=\"link-button danger\">Delete</button></form>",
            u = c.update_id,
            id = c.id,
            csrf = csrf_field(csrf),
            replies = if c.parent_id.is_none() { " and its replies" } else { "" },
        ));
    }
    let tools = if tools.is_empty() {
        tools
    } else {
        format!("<div class=\"tools\">{tools}</div>")
    };
    let edited = if c.updated_at > c.created_at {
        " <span class=\"muted small\">(edited)</span>"
    } else {
        ""
    };
    format!(
        "<div class=\"comment\" id=\"comment-{id}\">{avatar}<div class=\"comment-body\">\
         <p class=\"comment-meta\"><strong>{name}</strong> <span class=\"muted small\">{at}</span>{edited}</p>\
         <div class=\"prose\">{body}</div>{tools}</div></div>",
        id = c.id,
        avatar = avatar(&c.author_name, c.partner_team_id.is_some()),
        name = escape(&c.author_name),
        at = when(c.created_at),
        body = portico_app::markdown::render(&c.body),
    )
}

fn comment_form(ws: &str, update: i64, parent: Option<i64>, csrf: &str) -> String {
    let (label, field_id, parent_field, button) = match parent {
        Some(p) => (
            "Your reply",
            format!("reply-{p}"),
            format!("<input type=\"hidden\" name=\"parent\" value=\"{p}\">"),
            "Reply",
        ),
        None => (
            "Add a comment",
            format!("comment-on-{update}"),
            String::new(),
            "Comment",
        ),
    };
    format!(
        "<form method=\"post\" action=\"/workspaces/{ws}/updates/{update}/comments\" class=\"comment-form\">{csrf}{parent_field}\
         <label for=\"{field_id}\">{label}</label>\
         <textarea id=\"{field_id}\" name=\"body\" rows=\"2\" required maxlength=\"10000\"></textarea>\
         <button type=\"submit\" class=\"button secondary\">{button}</button></form>",
        csrf = csrf_field(csrf),
    )
}

fn update_html(
    ws: &WorkspaceView,
    who: &Principal,
    u: &UpdateRecord,
    comments: &[CommentRecord],
    csrf: &str,
) -> String {
    let ws_id = escape(&ws.access.workspace.id.to_string());
    let open = ws.comments_open();
    let moderates = ws.allows(who, Action::ModerateComments);
    let rights = |c: &CommentRecord| {
        let own = c.author_id == who.id();
        CommentRights {
            edit: own && open,
            delete: own || moderates,
        }
    };
    let mut thread = String::new();
    for c in comments.iter().filter(|c| c.parent_id.is_none()) {
        thread.push_str("<li>");
        thread.push_str(&comment_html(&ws_id, c, rights(c), csrf));
        let replies: String = comments
            .iter()
            .filter(|r| r.parent_id == Some(c.id))
            .map(|r| format!("<li>{}</li>", comment_html(&ws_id, r, rights(r), csrf)))
            .collect();
        if !replies.is_empty() {
            thread.push_str(&format!("<ul class=\"replies\">{replies}</ul>"));
        }
        if open {
            thread.push_str(&format!(
                "<details class=\"reply\"><summary>Reply</summary>{}</details>",
                comment_form(&ws_id, u.id, Some(c.id), csrf)
            ));
        }
        thread.push_str("</li>");
    }
    let thread = if thread.is_empty() {
        String::new()
    } else {
        format!("<ul class=\"comments\">{thread}</ul>")
    };
    let box_or_note = if open {
        comment_form(&ws_id, u.id, None, csrf)
    } else {
        "<p class=\"note\" data-comments-off>Comments are off in multi-partner workspaces, so that partners never see one another.</p>"
            .to_string()
    };
    format!(
        "<article class=\"card update{pinned_class}\" id=\"update-{id}\" aria-labelledby=\"update-{id}-topic\">\
         <header class=\"update-head\"><p class=\"badges\">{pin}<span class=\"badge cat-{cat}\">{cat_label}</span></p>\
         <h2 id=\"update-{id}-topic\">{topic}</h2>\
         <p class=\"muted small\">{author} · {at}{edited}</p></header>\
         <div class=\"prose\">{description}</div>{tools}\
         <section class=\"discussion\" aria-label=\"Comments\">{thread}{box_or_note}</section></article>",
        id = u.id,
        pinned_class = if u.is_pinned { " pinned" } else { "" },
        pin = if u.is_pinned { PIN } else { "" },
        cat = escape(&u.category),
        cat_label = category_label(&u.category),
        topic = escape(&u.topic),
        author = escape(&u.author_name),
        at = when(u.created_at),
        description = portico_app::markdown::render(&u.description),
        edited = if u.updated_at > u.created_at { " · edited" } else { "" },
        tools = if ws.allows(who, Action::PostUpdate) {
            update_tools(&ws_id, u, csrf)
        } else {
            String::new()
        },
    )
}

pub async fn tab(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Query(q): Query<UpdatesQuery>,
) -> Result<Response, WebError> {
    let id = workspace_id(&id)?;
    let ws = s.app.workspace(&v.who, id).await?;
    s.app.mark_updates_seen(&v.who, id).await?;
    let page = s
        .app
        .list_updates(&v.who, id, None, q.cursor.as_deref(), Some(PAGE))
        .await?;
    let mut body = header(&ws, &v.who, Tab::Updates, 0);
    if ws.allows(&v.who, Action::PostUpdate) {
        body.push_str(&post_form(&escape(&id.to_string()), v.csrf()));
    }
    if page.items.is_empty() {
        body.push_str(
            "<div class=\"card empty\"><p>No updates yet.</p><p class=\"muted\">Announcements about changes to \
             this workspace's APIs appear here.</p></div>",
        );
    }
    for u in &page.items {
        let comments = s.app.list_comments(&v.who, id, u.id).await?;
        body.push_str(&update_html(&ws, &v.who, u, &comments, v.csrf()));
    }
    if let Some(c) = page.next_cursor {
        body.push_str(&format!(
            "<p><a class=\"button secondary\" href=\"/workspaces/{}/updates?cursor={}\">Older updates</a></p>",
            escape(&id.to_string()),
            escape(&url_encode(&c))
        ));
    }
    let title = format!("Updates · {}", ws.access.workspace.name);
    Ok(layout::page(&s, &v, &title, Section::Workspaces, &body).await)
}

pub async fn post_update(
    State(s): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    WebForm(f): WebForm<UpdateForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let id = workspace_id(&id)?;
    let element_changes = match f.element_changes.as_deref() {
        None | Some("") => None,
        Some(json) => Some(serde_json::from_str(json).map_err(|_| {
            WebError::Refused(
                axum::http::StatusCode::BAD_REQUEST,
                "The list of changes could not be read.".into(),
            )
        })?),
    };
    let draft = UpdateDraft {
        topic: Some(f.topic),
        description: Some(f.description),
        category: Some(f.category),
        is_pinned: Some(f.pinned.is_some()),
        related: f.related_collection.map(|c| vec![("collection".to_string(), c)]),
        element_changes,
    };
    let u = s.app.post_update(&v.who, id, draft).await?;
    Ok(see_other(&format!("/workspaces/{id}/updates#update-{}", u.id)))
}

pub async fn post_comment(
    State(s): State<AppState>,
    v: Viewer,
    Path((id, update)): Path<(String, String)>,
    WebForm(f): WebForm<CommentForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let id = workspace_id(&id)?;
    let update: i64 = update.parse().map_err(|_| WebError::NotFound)?;
    let c = s
        .app
        .post_comment(&v.who, id, update, &f.body, f.parent, Vec::new())
        .await?;
    Ok(see_other(&format!("/workspaces/{id}/updates#comment-{}", c.id)))
}

fn update_number(s: &str) -> Result<i64, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

pub async fn edit_update(
    State(s): State<AppState>,
    v: Viewer,
    Path((id, update)): Path<(String, String)>,
    WebForm(f): WebForm<UpdateForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let id = workspace_id(&id)?;
    let update = update_number(&update)?;
    let draft = UpdateDraft {
        topic: Some(f.topic),
        description: Some(f.description),
        category: Some(f.category),
        is_pinned: Some(f.pinned.is_some()),
        related: None,
        element_changes: None,
    };
    let u = s.app.edit_update(&v.who, id, update, draft).await?;
    Ok(see_other(&format!("/workspaces/{id}/updates#update-{}", u.id)))
}

pub async fn delete_update(
    State(s): State<AppState>,
    v: Viewer,
    Path((id, update)): Path<(String, String)>,
    WebForm(f): WebForm<super::notifications::CsrfForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let id = workspace_id(&id)?;
    s.app.delete_update(&v.who, id, update_number(&update)?).await?;
    Ok(see_other(&format!("/workspaces/{id}/updates")))
}

pub async fn edit_comment(
    State(s): State<AppState>,
    v: Viewer,
    Path((id, update, comment)): Path<(String, String, String)>,
    WebForm(f): WebForm<CommentForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let id = workspace_id(&id)?;
    let c = s
        .app
        .edit_comment(&v.who, id, update_number(&update)?, update_number(&comment)?, &f.body)
        .await?;
    Ok(see_other(&format!("/workspaces/{id}/updates#comment-{}", c.id)))
}

pub async fn delete_comment(
    State(s): State<AppState>,
    v: Viewer,
    Path((id, update, comment)): Path<(String, String, String)>,
    WebForm(f): WebForm<super::notifications::CsrfForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    let id = workspace_id(&id)?;
    let update = update_number(&update)?;
    s.app
        .delete_comment(&v.who, id, update, update_number(&comment)?)
        .await?;
    Ok(see_other(&format!("/workspaces/{id}/updates#update-{update}")))
}

#[derive(Debug, Deserialize)]
pub struct PreviewForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub text: String,
}

/// The markdown preview of a text box: the HTML the page will show,
/// through the same sanitiser (R-UPD-4). A fragment, for the script.
pub async fn preview(v: Viewer, WebForm(f): WebForm<PreviewForm>) -> Result<Response, WebError> {
    v.check_csrf(&f.csrf)?;
    if f.text.chars().count() > 10_000 {
        return Err(WebError::Refused(
            axum::http::StatusCode::BAD_REQUEST,
            "The text is longer than 10,000 characters.".into(),
        ));
    }
    Ok(axum::response::Html(portico_app::markdown::render(&f.text)).into_response())
}
