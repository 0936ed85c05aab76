//! Background work shared by several processes on one database (R-OPS-1):
//! two processes passing over the email outbox at the same moment never
//! take the same message, so no email goes out twice.

use std::sync::mpsc;
use std::time::Duration;

use portico_store::{Mode, StoreError};

#[test]
fn r_ops_1_two_processes_claiming_the_outbox_at_once_never_take_the_same_email() {
    let Some((first, guard)) = portico_store_postgres::testing::fresh_store_or_skip() else {
        return;
    };
    let second = guard.open_again()().expect("second store");
    first
        .run_blocking(Mode::Write, |tx| {
            for i in 0..20 {
                tx.insert_outbox(&format!("p{i}@partner.example"), "Hello", "Body", 1_000)?;
            }
            Ok::<_, StoreError>(())
        })
        .expect("outbox");
    let (claimed, go) = mpsc::channel::<()>();
    // The first process claims and holds its transaction open a while; the
    // second claims meanwhile.
    let a = std::thread::spawn(move || {
        first
            .run_blocking(Mode::Write, |tx| {
                let got = tx.claim_outbox(2_000, 62_000, 10)?;
                claimed.send(()).expect("signal");
                std::thread::sleep(Duration::from_millis(300));
                Ok::<_, StoreError>(got.into_iter().map(|m| m.id).collect::<Vec<_>>())
            })
            .expect("first claim")
    });
    go.recv().expect("first claimed");
    let b = second
        .run_blocking(Mode::Write, |tx| {
            Ok::<_, StoreError>(
                tx.claim_outbox(2_000, 62_000, 10)?
                    .into_iter()
                    .map(|m| m.id)
                    .collect::<Vec<_>>(),
            )
        })
        .expect("second claim");
    let a = a.join().expect("first thread");
    assert_eq!(a.len(), 10);
    assert_eq!(b.len(), 10, "the second process found nothing to send: {b:?}");
    assert!(a.iter().all(|id| !b.contains(id)), "both took {a:?} / {b:?}");
}
