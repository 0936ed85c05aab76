//! Invitation emails through the outbox: delivered by SMTP, retried when the
//! mail server fails, never lost (issue: Partner Workspaces, email).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use portico_store::{Mode, OutboxRecord, StoreError};
use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::helpers::{Backend, Client, TestApp};

/// A minimal SMTP server that keeps every message it is given.
async fn fake_smtp() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let inbox = Arc::new(Mutex::new(Vec::new()));
    let keep = inbox.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let keep = keep.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 fake ESMTP\r\n").await.ok();
                let mut in_data = false;
                let mut message = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            keep.lock().unwrap().push(std::mem::take(&mut message));
                            write.write_all(b"250 queued\r\n").await.ok();
                        } else {
                            message.push_str(&line);
                            message.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 fake\r\n",
                        "DATA" => {
                            in_data = true;
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.ok();
                            break;
                        }
                        _ => b"250 OK\r\n",
                    };
                    write.write_all(reply).await.ok();
                }
            });
        }
    });
    (url, inbox)
}

async fn outbox(app: &TestApp) -> Vec<OutboxRecord> {
    let store = app.store.clone();
    tokio::task::spawn_blocking(move || store.run_blocking(Mode::Read, |tx| tx.outbox(10)))
        .await
        .unwrap()
        .unwrap_or_else(|e: StoreError| panic!("{e}"))
}

async fn setup_invite(app: &TestApp) -> (Client, String) {
    let ops = app.user("ops@portico.example", "Olive").await;
    let alice = app.user("alice@acme.example", "Alice").await;
    let acme = app.team(&alice, "Acme").await;
    ops.patch(&format!("/api/teams/{acme}"), json!({ "plan": "professional" }))
        .await;
    let (_, ws) = alice
        .post(
            "/api/workspaces",
            json!({ "workspace": { "name": "PW", "type": "partner", "teamId": acme } }),
        )
        .await;
    let ws = ws["workspace"]["id"].as_str().unwrap().to_string();
    let (status, body) = alice
        .post("/api/invitations", json!({ "action": "invite_partner", "targetEntity": "workspace", "targetEntityId": ws, "roleId": "4", "target": { "emails": ["gina@globex.example"] } }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let link = body["results"][0]["invitationLink"].as_str().unwrap().to_string();
    (alice, link)
}

async fn invitation_emails_go_out_by_smtp(backend: Backend) {
    let (url, inbox) = fake_smtp().await;
    let Some(app) = TestApp::spawn_with(backend, |c| c.mail.smtp_url = Some(url)).await else {
        return;
    };
    let (_, link) = setup_invite(&app).await;
    for _ in 0..100 {
        if !inbox.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mails = inbox.lock().unwrap().clone();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(mails[0].contains("gina@globex.example"), "{}", mails[0]);
    assert!(
        mails[0].contains(&link) || mails[0].replace("=\n", "").contains(&link),
        "the link is not in the mail: {}",
        mails[0]
    );
    // The sender marks the message sent once the mail server has answered,
    // which may be a moment after the message arrived there.
    let mut sent = outbox(&app).await;
    for _ in 0..100 {
        if sent[0].sent_at.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        sent = outbox(&app).await;
    }
    assert_eq!(sent[0].delivery.as_deref(), Some("smtp"));
    assert!(sent[0].sent_at.is_some());
    // Sent, the body (which held the invitation link) is not kept.
    assert_eq!(sent[0].body, "");
}

async fn a_failed_delivery_is_retried_later_and_the_invitation_still_works(backend: Backend) {
    // A mail server that is not there.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", closed.local_addr().unwrap());
    drop(closed);
    let Some(app) = TestApp::spawn_with(backend, |c| c.mail.smtp_url = Some(url)).await else {
        return;
    };
    let (_, link) = setup_invite(&app).await;
    let mut rows = outbox(&app).await;
    for _ in 0..100 {
        if rows[0].attempts > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        rows = outbox(&app).await;
    }
    assert_eq!(rows[0].attempts, 1, "{rows:?}");
    assert_eq!(rows[0].sent_at, None);
    assert!(rows[0].last_error.is_some());
    let gina = app.user("gina@globex.example", "Gina").await;
    let globex = app.team(&gina, "Globex").await;
    let token = link.rsplit('/').next().unwrap();
    let (status, body) = gina
        .post(&format!("/api/invitations/{token}"), json!({ "teamId": globex }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

crate::on_both_backends_with_config!(
    invitation_emails_go_out_by_smtp,
    a_failed_delivery_is_retried_later_and_the_invitation_still_works
);
