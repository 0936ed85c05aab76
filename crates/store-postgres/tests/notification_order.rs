//! Live readers move a cursor over notification ids (R-UPD-5): ids must
//! become visible in their order, or a reader past a higher id would never
//! see a lower one that committed later.

use std::time::Duration;

use portico_domain::ids::UserId;
use portico_domain::values::Email;
use portico_store::{Mode, StoreError, UserRecord};

#[test]
fn r_upd_5_notification_ids_become_visible_in_their_order() {
    let Some((first, guard)) = portico_store_postgres::testing::fresh_store_or_skip() else {
        return;
    };
    let second = guard.open_again()().expect("second store");
    let user = UserRecord {
        id: UserId::generate(),
        email: Email::parse("reader@partner.example").expect("email"),
        name: "Reader".into(),
        password_hash: None,
        is_server_admin: false,
        created_at: 1,
    };
    let u = user.id;
    first
        .run_blocking(Mode::Write, |tx| tx.insert_user(&user))
        .expect("user");
    // The first writer takes an id and keeps its transaction open; the
    // second writes after it and commits at once.
    let slow = std::thread::spawn(move || {
        first
            .run_blocking(Mode::Write, |tx| {
                tx.insert_notification(u, "update_posted", "first", "{}", 10)?;
                std::thread::sleep(Duration::from_millis(600));
                Ok::<_, StoreError>(())
            })
            .expect("slow writer");
    });
    std::thread::sleep(Duration::from_millis(150));
    let reader = guard.open_again()().expect("reader");
    let fast = std::thread::spawn(move || {
        second
            .run_blocking(Mode::Write, |tx| {
                tx.insert_notification(u, "update_posted", "second", "{}", 20)
            })
            .expect("fast writer");
    });
    // While the first is open, a reader must never see the second's id
    // without the first's (a gap below what it has seen).
    let visible = || -> Vec<String> {
        reader
            .run_blocking(Mode::Read, |tx| tx.notifications_after(u, 0, 10))
            .expect("read")
            .iter()
            .map(|n| n.message.clone())
            .collect()
    };
    for _ in 0..8 {
        let seen = visible();
        assert!(
            seen.is_empty() || seen == ["first"] || seen == ["first", "second"],
            "the later notification showed before the earlier one: {seen:?}"
        );
        std::thread::sleep(Duration::from_millis(75));
    }
    slow.join().expect("slow");
    fast.join().expect("fast");
    assert_eq!(visible(), ["first", "second"]);
}
