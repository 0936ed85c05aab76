//! Issue 11 part 1: TLS settings — a self-signed certificate is refused,
//! and accepted with `insecure` (`--insecure`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use portico_runner::{Quiet, RunOptions, Runner};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls;

/// A TLS server on 127.0.0.1 with a self-signed certificate (tests/tls/,
/// for 127.0.0.1 and localhost) that answers every request 200 "ok". The
/// key is a test-only P-256 key made with `openssl req -x509 -newkey ec
/// -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 -subj /CN=localhost
/// -addext subjectAltName=IP:127.0.0.1,DNS:localhost`, then DER-encoded.
fn start_tls() -> u16 {
    let cert = rustls::pki_types::CertificateDer::from(include_bytes!("tls/cert.der").to_vec());
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(rustls::pki_types::PrivatePkcs8KeyDer::from(
        include_bytes!("tls/key.der").to_vec(),
    ));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap().port()).unwrap();
            loop {
                let (tcp, _) = listener.accept().await.unwrap();
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 1024];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let _ = tls
                        .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                        .await;
                    let _ = tls.shutdown().await;
                });
            }
        });
    });
    rx.recv().unwrap()
}

/// Issue 11 part 1: `--insecure` accepts a certificate no CA signed; without it the request fails.
#[test]
fn self_signed_certificates_need_insecure() {
    let port = start_tls();
    let c = json!({"info": {"name": "tls"}, "item": [
        {"name": "https", "request": {"method": "GET", "url": format!("https://127.0.0.1:{port}/")}}
    ]});
    let s = Runner::new(RunOptions::default()).unwrap().run(&c, &mut Quiet).unwrap();
    let err = s.executions[0].error.clone().unwrap_or_default();
    assert!(err.to_lowercase().contains("certificate"), "{err}");

    let options = RunOptions {
        insecure: true,
        ..RunOptions::default()
    };
    let s = Runner::new(options).unwrap().run(&c, &mut Quiet).unwrap();
    assert_eq!(
        s.executions[0].response.as_ref().map(|r| r.code),
        Some(200),
        "{:?}",
        s.executions[0].error
    );
    assert!(s.passed());
}
