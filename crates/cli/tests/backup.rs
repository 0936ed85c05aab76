//! Backups as an operator takes them (R-OPS-1, docs/deployment.md):
//! `portico backup` / `portico restore` for SQLite, and the documented
//! `pg_dump` / `pg_restore` commands for PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};
use support::{pg_url, portico, postgres_available, psql, start};

/// Creates the operator account in the SQLite database of `data_dir`.
fn create_operator(data_dir: &Path) {
    let (ok, out) = portico(&[
        "admin",
        "create-operator",
        "--data-dir",
        data_dir.to_str().unwrap(),
        "--email",
        "root@example.com",
        "--name",
        "Root",
        "--password",
        "a long password",
    ]);
    assert!(ok, "{out}");
}

/// Signs in with the demo password.
async fn login(base: &str, email: &str) -> (reqwest::Client, String) {
    let (c, csrf, status) = support::login(base, email, "portico-demo").await;
    assert_eq!(status, 200, "login of {email}");
    (c, csrf)
}

async fn get(c: &reqwest::Client, url: String) -> Value {
    let res = c.get(&url).send().await.unwrap();
    assert_eq!(res.status(), 200, "GET {url}");
    res.json().await.unwrap()
}

/// The names of alice's teams, as `GET /api/me` lists them.
async fn teams_of_alice(base: &str) -> Vec<String> {
    let (alice, _) = login(base, "alice@acme.example").await;
    let me = get(&alice, format!("{base}/api/me")).await;
    me["user"]["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

/// What the demo put there is visible through the API: Acme's workspaces,
/// and the Payments API collection (second revision) shared with Globex.
async fn assert_demo_data(base: &str) {
    let (alice, _) = login(base, "alice@acme.example").await;
    let list = get(&alice, format!("{base}/api/workspaces")).await;
    let names: Vec<&str> = list["workspaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    for name in ["Acme Platform (internal)", "Payments API for Globex"] {
        assert!(names.contains(&name), "{name} missing from {list}");
    }
    let (gina, _) = login(base, "gina@globex.example").await;
    let list = get(&gina, format!("{base}/api/collections")).await;
    assert_eq!(list["collections"][0]["name"], "Acme Payments API", "{list}");
    assert_eq!(list["collections"][0]["revision"], 2, "{list}");
    let id = list["collections"][0]["id"].as_str().unwrap();
    let doc = get(&gina, format!("{base}/api/collections/{id}")).await;
    assert_eq!(doc["collection"]["item"][0]["name"], "Payments", "{doc}");
}

/// The restored server still keeps the partner out of the publisher's
/// internal work (R-ISO-2, R-ISO-3) and shows her Partner Workspace as
/// external (R-ISO-5).
async fn assert_partners_kept_apart(base: &str) {
    let (alice, _) = login(base, "alice@acme.example").await;
    let list = get(&alice, format!("{base}/api/workspaces")).await;
    let internal = list["workspaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == "Acme Platform (internal)")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (gina, _) = login(base, "gina@globex.example").await;
    let res = gina
        .get(format!("{base}/api/workspaces/{internal}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let mine = get(&gina, format!("{base}/api/workspaces")).await;
    let names: Vec<&str> = mine["workspaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert!(!names.contains(&"Acme Platform (internal)"), "{mine}");
    let pw = mine["workspaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == "Payments API for Globex")
        .unwrap_or_else(|| panic!("{mine}"));
    assert_eq!(pw["external"], true, "{pw}");
}

#[tokio::test]
async fn r_ops_1_a_sqlite_backup_taken_while_the_server_writes_restores_to_a_working_server() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    let dst = dir.path().join("dst");
    let file = dir.path().join("portico-backup.db");
    let server = start(&["--demo", "--data-dir", src.to_str().unwrap()]);
    let (alice, csrf) = login(&server.base, "alice@acme.example").await;
    let created = alice
        .post(format!("{}/api/teams", server.base))
        .header("x-csrf-token", &csrf)
        .json(&json!({ "name": "Written before the backup" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);

    // Teams keep being created, one after the other, while the backup runs.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (stop, base) = (stop.clone(), server.base.clone());
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) && n < 500 {
                let res = alice
                    .post(format!("{base}/api/teams"))
                    .header("x-csrf-token", &csrf)
                    .json(&json!({ "name": format!("During the backup {n}") }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
                n += 1;
            }
            n
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let args: Vec<String> = [
        "backup",
        "--data-dir",
        src.to_str().unwrap(),
        "--to",
        file.to_str().unwrap(),
    ]
    .map(String::from)
    .to_vec();
    let (ok, out) = tokio::task::spawn_blocking(move || portico(&args.iter().map(String::as_str).collect::<Vec<_>>()))
        .await
        .unwrap();
    stop.store(true, Ordering::Relaxed);
    let written = writer.await.unwrap();
    assert!(ok, "{out}");
    assert!(out.contains("Backed up"), "{out}");
    assert!(written > 0, "no write ran during the backup");
    assert!(file.is_file());

    let (ok, out) = portico(&[
        "restore",
        "--from",
        file.to_str().unwrap(),
        "--data-dir",
        dst.to_str().unwrap(),
    ]);
    assert!(ok, "{out}");
    assert!(out.contains("Restored"), "{out}");
    drop(server);

    let restored = start(&["--data-dir", dst.to_str().unwrap()]);
    assert_demo_data(&restored.base).await;
    assert_partners_kept_apart(&restored.base).await;
    // The copy is one moment of the database: everything written before
    // the backup, and of the writes during it an unbroken first run.
    let teams = teams_of_alice(&restored.base).await;
    assert!(teams.contains(&"Acme Payments".to_string()), "{teams:?}");
    assert!(teams.contains(&"Written before the backup".to_string()), "{teams:?}");
    let during: Vec<&String> = teams.iter().filter(|t| t.starts_with("During the backup ")).collect();
    let expected: Vec<String> = (0..during.len()).map(|n| format!("During the backup {n}")).collect();
    let mut during: Vec<String> = during.into_iter().cloned().collect();
    during.sort_by_key(|t| t["During the backup ".len()..].parse::<u32>().unwrap());
    assert_eq!(during, expected, "the backup holds a gap in the writes made during it");
    assert!(during.len() <= written, "{} > {written}", during.len());
}

fn files_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn r_ops_1_restore_refuses_a_file_that_is_not_a_portico_backup_and_leaves_the_target_alone() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target");
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "not a database\n".repeat(100)).unwrap();
    let (ok, out) = portico(&[
        "restore",
        "--from",
        notes.to_str().unwrap(),
        "--data-dir",
        target.to_str().unwrap(),
    ]);
    assert!(!ok, "{out}");
    assert!(out.contains("is not a Portico database"), "{out}");
    assert!(!target.exists(), "a refused restore created {}", target.display());

    // An SQLite database without Portico's migrations table (an empty file
    // is an empty SQLite database), even with --force over an existing one.
    let (ok, out) = portico(&["migrate", "--data-dir", target.to_str().unwrap()]);
    assert!(ok, "{out}");
    let before = files_of(&target);
    let other = dir.path().join("other.db");
    std::fs::write(&other, b"").unwrap();
    let (ok, out) = portico(&[
        "restore",
        "--force",
        "--from",
        other.to_str().unwrap(),
        "--data-dir",
        target.to_str().unwrap(),
    ]);
    assert!(!ok, "{out}");
    assert!(out.contains("no portico_migrations table"), "{out}");
    assert_eq!(files_of(&target), before, "a refused restore changed the target");
}

#[test]
fn r_ops_1_restore_will_not_replace_an_existing_database_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let (src, target) = (dir.path().join("src"), dir.path().join("target"));
    let file = dir.path().join("backup.db");
    for d in [&src, &target] {
        let (ok, out) = portico(&["migrate", "--data-dir", d.to_str().unwrap()]);
        assert!(ok, "{out}");
    }
    create_operator(&src);
    let (ok, out) = portico(&[
        "backup",
        "--data-dir",
        src.to_str().unwrap(),
        "--to",
        file.to_str().unwrap(),
    ]);
    assert!(ok, "{out}");
    let before = files_of(&target);
    let restore = |force: bool| {
        let mut args = vec![
            "restore",
            "--from",
            file.to_str().unwrap(),
            "--data-dir",
            target.to_str().unwrap(),
        ];
        if force {
            args.push("--force");
        }
        portico(&args)
    };
    let (ok, out) = restore(false);
    assert!(!ok, "{out}");
    assert!(out.contains("already exists") && out.contains("--force"), "{out}");
    assert_eq!(files_of(&target), before, "a refused restore changed the target");

    // With --force it is replaced, and no old WAL is replayed onto it.
    std::fs::write(target.join("portico.db-wal"), b"stale").unwrap();
    let (ok, out) = restore(true);
    assert!(ok, "{out}");
    assert!(!target.join("portico.db-wal").exists());
    create_operator(&target);
    let leftovers: Vec<String> = [dir.path(), target.as_path()]
        .iter()
        .flat_map(|d| std::fs::read_dir(d).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn r_ops_1_portico_backup_on_postgresql_points_to_pg_dump() {
    for cmd in [["backup", "--to", "x.dump"], ["restore", "--from", "x.dump"]] {
        let (ok, out) = portico(&[
            cmd[0],
            cmd[1],
            cmd[2],
            "--database",
            "postgres://portico:secret@db.invalid/portico",
        ]);
        assert!(!ok, "{out}");
        assert!(out.contains("pg_dump") && out.contains("docs/deployment.md"), "{out}");
        assert!(!out.contains("secret"), "{out}");
    }
}

// PostgreSQL: the commands of docs/deployment.md, "Backup and restore".

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn r_ops_1_a_postgresql_database_dumped_with_pg_dump_and_restored_with_pg_restore_serves_the_same_data() {
    if !postgres_available() {
        return;
    }
    let (src_db, dst_db) = ("portico_backup_src", "portico_backup_dst");
    for db in [src_db, dst_db] {
        psql(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
    }
    psql(&format!("CREATE DATABASE {src_db}"));
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("portico.dump");
    let dump_path = dump.to_str().unwrap();

    let server = start(&["--demo", "--database", &pg_url(src_db)]);
    let (alice, csrf) = login(&server.base, "alice@acme.example").await;
    let created = alice
        .post(format!("{}/api/teams", server.base))
        .header("x-csrf-token", &csrf)
        .json(&json!({ "name": "Written before the dump" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    // pg_dump reads one snapshot, so it runs beside the server.
    run("pg_dump", &["-Fc", "-d", &pg_url(src_db), "-f", dump_path]);
    drop(server);

    psql(&format!("CREATE DATABASE {dst_db}"));
    run(
        "pg_restore",
        &[
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            "-d",
            &pg_url(dst_db),
            dump_path,
        ],
    );
    let restored = start(&["--database", &pg_url(dst_db)]);
    assert_demo_data(&restored.base).await;
    assert_partners_kept_apart(&restored.base).await;
    let teams = teams_of_alice(&restored.base).await;
    assert!(teams.contains(&"Written before the dump".to_string()), "{teams:?}");
    drop(restored);

    for db in [src_db, dst_db] {
        psql(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
    }
}
