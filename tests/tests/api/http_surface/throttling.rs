//! Slow bodies and repeated operations (issue 14): a request body that does not arrive
//! within `BODY_READ_TIMEOUT_MS` gets 408 while the server keeps answering others, and
//! the per-client limits answer 429 with `Retry-After` once a client's allowance of
//! logins or searches is spent. The limits are configured small for the test server,
//! so nothing here waits for a window to pass.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use super::hostile::while_healthy;
use crate::{
    both_backends,
    support::{Backend, ServerOptions, TestServer},
};

const LOGIN: &str = "mutation($i: LoginInput!) { login(input: $i) { accessToken } }";

/// Sends headers announcing a body and only the start of it, then waits for the
/// server's whole answer (it closes the connection); `None` if none came in `patience`.
async fn stalled_body(server: &TestServer, path: &str, patience: Duration) -> Option<String> {
    let address = server
        .base_url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let mut stream = TcpStream::connect(&address).await.expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: 1000\r\n\r\n{{\"query\": \"{{ categories"
    );
    stream.write_all(head.as_bytes()).await.expect("send");
    let mut answer = Vec::new();
    let read = tokio::time::timeout(patience, stream.read_to_end(&mut answer)).await;
    read.ok()
        .map(|_| String::from_utf8_lossy(&answer).into_owned())
}

async fn slow_bodies_get_408_while_the_server_keeps_answering(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(
        backend,
        ServerOptions::default().env("BODY_READ_TIMEOUT_MS", "300"),
    )
    .await?;
    // Two at once, while /healthz is probed: neither holds the server.
    let (first, second) = while_healthy(&server, async {
        tokio::join!(
            stalled_body(&server, "/graphql", Duration::from_secs(10)),
            stalled_body(&server, "/graphql", Duration::from_secs(10)),
        )
    })
    .await;
    for answer in [first, second] {
        let answer = answer.expect("the server answered the stalled body (it waited for it)");
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("REQUEST_TIMEOUT"), "{answer}");
    }
    // A body that arrives in time is served as before.
    let body = server.graphql("{ categories { slug } }", json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    Ok(())
}

async fn login(
    server: &TestServer,
    email: &str,
    forwarded_for: Option<&str>,
) -> (StatusCode, Option<String>, Value) {
    let mut request = server.client.post(server.url("/graphql")).json(&json!({
        "query": LOGIN,
        "variables": { "i": { "email": email, "password": "not-the-password-1" } },
    }));
    if let Some(address) = forwarded_for {
        request = request.header("X-Forwarded-For", address);
    }
    let response = request.send().await.expect("login request");
    let status = response.status();
    let retry_after = response
        .headers()
        .get("Retry-After")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (
        status,
        retry_after,
        response.json().await.unwrap_or(Value::Null),
    )
}

fn assert_rate_limited(status: StatusCode, retry_after: Option<&str>, body: &Value) {
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let seconds: u64 = retry_after
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("Retry-After in whole seconds: {retry_after:?}"));
    assert!((1..=60).contains(&seconds), "{seconds}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "RATE_LIMITED",
        "{body}"
    );
}

async fn the_login_after_the_allowance_gets_429_with_retry_after(
    backend: Backend,
) -> anyhow::Result<()> {
    let server = TestServer::spawn(
        backend,
        ServerOptions::default()
            .env("RATE_LIMIT_LOGIN_PER_MIN", "3")
            .env("RATE_LIMIT_SEARCH_PER_MIN", "2"),
    )
    .await?;
    for n in 0..3 {
        let (status, retry_after, body) =
            login(&server, &format!("nobody{n}@example.org"), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(retry_after.is_none());
        assert_ne!(
            body["errors"][0]["extensions"]["code"], "RATE_LIMITED",
            "{body}"
        );
    }
    let (status, retry_after, body) = login(&server, "nobody9@example.org", None).await;
    assert_rate_limited(status, retry_after.as_deref(), &body);
    // Other operations are not limited by it.
    let body = server.graphql("{ categories { slug } }", json!({})).await;
    assert!(body["errors"].is_null(), "{body}");

    // Every occurrence counts: three aliased searches in one request are over two.
    let response = server
        .client
        .post(server.url("/graphql"))
        .json(&json!({ "query": "{ a: search(first: 1) { totalCount } b: search(first: 1) { totalCount } c: search(first: 1) { totalCount } }" }))
        .send()
        .await?;
    let status = response.status();
    let retry_after = response
        .headers()
        .get("Retry-After")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: Value = response.json().await?;
    assert_rate_limited(status, retry_after.as_deref(), &body);
    assert!(body["data"].is_null(), "nothing ran: {body}");
    Ok(())
}

/// Behind a configured proxy each forwarded address has its own allowance.
async fn a_trusted_proxy_header_tells_clients_apart(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(
        backend,
        ServerOptions::default()
            .env("RATE_LIMIT_LOGIN_PER_MIN", "1")
            .env("TRUSTED_PROXY_HEADER", "X-Forwarded-For"),
    )
    .await?;
    let (status, _, body) = login(&server, "a@example.org", Some("198.51.100.1")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, body) = login(&server, "b@example.org", Some("spoofed, 198.51.100.2")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, retry_after, body) = login(&server, "c@example.org", Some("198.51.100.1")).await;
    assert_rate_limited(status, retry_after.as_deref(), &body);
    Ok(())
}

both_backends!(
    slow_bodies_get_408_while_the_server_keeps_answering,
    the_login_after_the_allowance_gets_429_with_retry_after,
    a_trusted_proxy_header_tells_clients_apart,
);
