//! Notifications, their settings, and the live event stream.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use portico_api_types::*;
use portico_domain::Error;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiResult;
use crate::extract::{Caller, Json, Query};
use crate::{AppState, views};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationParams {
    pub limit: Option<u32>,
}

/// The caller's notifications, unread first.
#[utoipa::path(get, path = "/api/notifications", tag = "users", params(NotificationParams),
    responses((status = 200, body = NotificationList), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    Caller(who): Caller,
    Query(q): Query<NotificationParams>,
) -> ApiResult<axum::Json<NotificationList>> {
    let (list, unread_count) = s.app.notifications(&who, q.limit).await?;
    Ok(axum::Json(NotificationList {
        notifications: list.iter().map(views::notification).collect(),
        unread_count,
    }))
}

/// Marks one notification read.
#[utoipa::path(post, path = "/api/notifications/{notificationId}/read", tag = "users",
    params(("notificationId" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn mark_read(
    State(s): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id: i64 = id.parse().map_err(|_| Error::not_found("notification"))?;
    s.app.mark_notifications_read(&who, Some(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks every notification read.
#[utoipa::path(post, path = "/api/notifications/read-all", tag = "users",
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn mark_all_read(State(s): State<AppState>, Caller(who): Caller) -> ApiResult<StatusCode> {
    s.app.mark_notifications_read(&who, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn settings(email: Vec<String>) -> NotificationSettings {
    NotificationSettings {
        email,
        kinds: portico_app::notifications::KINDS
            .iter()
            .map(|k| (*k).to_string())
            .collect(),
    }
}

/// Which notifications the caller also gets by email.
#[utoipa::path(get, path = "/api/me/notification-settings", tag = "users",
    responses((status = 200, body = NotificationSettings), (status = 401, body = ErrorBody)))]
pub async fn get_settings(
    State(s): State<AppState>,
    Caller(who): Caller,
) -> ApiResult<axum::Json<NotificationSettings>> {
    Ok(axum::Json(settings(s.app.email_kinds(&who).await?)))
}

/// Chooses which notifications the caller also gets by email.
#[utoipa::path(put, path = "/api/me/notification-settings", tag = "users", request_body = NotificationSettingsRequest,
    responses((status = 200, body = NotificationSettings), (status = 400, body = ErrorBody)))]
pub async fn put_settings(
    State(s): State<AppState>,
    Caller(who): Caller,
    Json(req): Json<NotificationSettingsRequest>,
) -> ApiResult<axum::Json<NotificationSettings>> {
    Ok(axum::Json(settings(s.app.set_email_kinds(&who, req.email).await?)))
}

/// Server-sent events: every new notification of the caller, as it happens
/// (event name = notification kind, id = notification id, data = the
/// notification as JSON). Reconnect with `Last-Event-ID` to resume; a
/// comment line every 15 s keeps proxies from closing the stream.
#[utoipa::path(get, path = "/api/events", tag = "users",
    responses((status = 200, description = "An event stream", content_type = "text/event-stream"), (status = 401, body = ErrorBody)))]
pub async fn events(
    State(s): State<AppState>,
    Caller(who): Caller,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let resume: Option<i64> = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let app = s.app.clone();
    // Without a resume point, start after the newest existing notification.
    let start = match resume {
        Some(id) => id,
        None => app
            .notifications(&who, Some(1))
            .await?
            .0
            .iter()
            .map(|n| n.id)
            .max()
            .unwrap_or(0),
    };
    // Subscribe before the first read, so that nothing published in
    // between is missed.
    let me = who.id();
    let mut newest = app.bus.subscribe(me);
    let counted = s.metrics.event_stream();
    let mut stopping = s.stopping.clone();
    let stream = async_stream(move |tx| async move {
        let _counted = counted;
        let mut last = start;
        let closed = tx.closed();
        tokio::pin!(closed);
        loop {
            match app.notifications_after(&who, last).await {
                Ok(list) => {
                    for n in list {
                        last = n.id;
                        let data = serde_json::to_string(&views::notification(&n)).unwrap_or_default();
                        let ev = Event::default().id(n.id.to_string()).event(n.kind.clone()).data(data);
                        if tx.send(Ok(ev)).await.is_err() {
                            return;
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "event stream read failed");
                }
            }
            // Sleep until the bus says there is something newer for this
            // user; it wakes this stream for this user's events only.
            loop {
                tokio::select! {
                    changed = newest.changed() => match changed {
                        Ok(()) if *newest.borrow_and_update() > last => break,
                        Ok(()) => {}
                        Err(_) => return,
                    },
                    () = &mut closed => return,
                    // The process is shutting down: tell the client to come
                    // back in a second (to another process, behind a
                    // proxy) and resume from the last event it has.
                    changed = stopping.changed() => {
                        let stop = changed.is_err() || *stopping.borrow_and_update();
                        if stop {
                            let hint = Event::default().retry(Duration::from_secs(1)).comment("server stopping");
                            let _ = tx.send(Ok(hint)).await;
                            return;
                        }
                    }
                }
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)).text("keep-alive")))
}

/// A stream fed by a task through a small channel.
fn async_stream<F, Fut>(produce: F) -> impl Stream<Item = Result<Event, Infallible>>
where
    F: FnOnce(tokio::sync::mpsc::Sender<Result<Event, Infallible>>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    tokio::spawn(produce(tx));
    futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|e| (e, rx)) })
}
