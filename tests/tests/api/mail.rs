//! Mail over HTTP against a real SMTP server the tests start (`support::smtp_sink`):
//! the messages the marketplace sends, an SMTP outage, a server killed while sending,
//! development without SMTP (files under DATA_DIR/mail/) and production's refusal to
//! start without SMTP.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::{
    both_backends,
    support::{
        Backend, ServerOptions, TestServer,
        flows::{PASSWORD, admin_token, cooperative_id},
        server::{TestDatabase, clock_passes},
        smtp_sink::SmtpSink,
    },
};

const REGISTER: &str = "mutation($input: RegisterInput!) { register(input: $input) { user { email } errors { field code message } } }";
const INVITE: &str = "mutation($input: StaffInviteInput!) { staffInvite(input: $input) { invitation { token } errors { field code message } } }";

/// A server that sends its mail to `sink`.
fn mailing(sink: &SmtpSink) -> ServerOptions {
    ServerOptions::seeded()
        .env("SMTP_URL", &sink.url())
        .env("SMTP_TIMEOUT_SECS", "2")
}

async fn register(server: &TestServer, email: &str, password: &str, name: &str) -> Value {
    server
        .graphql(
            REGISTER,
            json!({ "input": { "email": email, "password": password, "name": name } }),
        )
        .await
}

async fn invite(server: &TestServer, admin: &str, cooperative: &str, email: &str) -> String {
    let body = server
        .graphql_as(
            Some(admin),
            INVITE,
            json!({ "input": { "cooperativeId": cooperative, "email": email, "name": "Tsering <b>Angmo</b>", "cooperativeRole": "STAFF" } }),
        )
        .await;
    assert_eq!(body["data"]["staffInvite"]["errors"], json!([]), "{body}");
    body["data"]["staffInvite"]["invitation"]["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

const TAKEN_SUBJECT: &str = "Someone tried to register with your address";

async fn a_taken_email_registration_mails_the_owner(backend: Backend) -> anyhow::Result<()> {
    let sink = SmtpSink::start(Some(("market", "s3cret-relay"))).await?;
    let server = TestServer::spawn(backend, mailing(&sink)).await?;
    let first = register(&server, "yangchen@example.org", PASSWORD, "Yangchen").await;
    assert_eq!(first["data"]["register"]["errors"], json!([]), "{first}");
    let again = register(
        &server,
        "Yangchen@example.org",
        "another-long-passphrase",
        "Mallory",
    )
    .await;
    // The same answer as a new registration …
    assert_eq!(again["data"]["register"]["errors"], json!([]), "{again}");
    assert_eq!(
        again["data"]["register"]["user"]["email"],
        "yangchen@example.org"
    );
    server.drain().await;
    // … and the owner hears of it, once.
    let told: Vec<_> = sink
        .to("yangchen@example.org")
        .into_iter()
        .filter(|m| m.subject() == TAKEN_SUBJECT)
        .collect();
    assert_eq!(told.len(), 1, "{:?}", sink.received());
    let text = told[0].text();
    assert!(text.contains("sign in with your password"), "{text}");
    assert!(text.contains("reset it"), "{text}");
    assert!(told[0].html().contains("No new account was created."));
    assert_eq!(told[0].from, "no-reply@localhost");
    // A second attempt within the hour does not flood the owner's inbox.
    register(
        &server,
        "yangchen@example.org",
        "yet-another-passphrase",
        "Mallory",
    )
    .await;
    server.drain().await;
    assert_eq!(
        sink.to("yangchen@example.org")
            .iter()
            .filter(|m| m.subject() == TAKEN_SUBJECT)
            .count(),
        1
    );
    // A new address is told nothing of the kind.
    register(&server, "new-person@example.org", PASSWORD, "New").await;
    server.drain().await;
    assert!(
        sink.to("new-person@example.org")
            .iter()
            .all(|m| m.subject() != TAKEN_SUBJECT)
    );
    sink.stop();
    Ok(())
}

async fn a_staff_invitation_is_mailed_with_its_token(backend: Backend) -> anyhow::Result<()> {
    let sink = SmtpSink::start(None).await?;
    let server = TestServer::spawn(backend, mailing(&sink)).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let token = invite(&server, &admin, &sham, "angmo@example.org").await;
    server.drain().await;
    let mails = sink.to("angmo@example.org");
    assert_eq!(mails.len(), 1, "{:?}", sink.received());
    assert_eq!(mails[0].subject(), "You are invited to join a cooperative");
    assert!(
        mails[0].text().contains(&token),
        "the mail carries the token"
    );
    // The invitee's name is escaped in the HTML part, kept as written in the text part.
    let html = mails[0].html();
    assert!(
        html.contains("Tsering &#60;b&#62;Angmo&#60;/b&#62;")
            || html.contains("Tsering &lt;b&gt;Angmo&lt;/b&gt;"),
        "{html}"
    );
    assert!(!html.contains("<b>Angmo"), "{html}");
    assert!(mails[0].text().contains("Tsering <b>Angmo</b>"));
    sink.stop();
    Ok(())
}

async fn an_smtp_outage_delays_mail_and_each_is_delivered_once(
    backend: Backend,
) -> anyhow::Result<()> {
    let sink = SmtpSink::start(None).await?;
    let server = TestServer::spawn(backend, mailing(&sink)).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    // The server is down: every attempt is refused with 451.
    sink.refuse_next(usize::MAX);
    let invitees = ["one@example.org", "two@example.org", "three@example.org"];
    for email in invitees {
        invite(&server, &admin, &sham, email).await;
    }
    server.drain().await;
    assert!(sink.refused() >= invitees.len(), "every message was tried");
    assert!(sink.received().is_empty());
    assert!(server.log().contains("retrying later"), "{}", server.log());
    // Still down: retries that come due are refused again, and nothing is lost.
    server.drain().await;
    assert!(sink.received().is_empty());
    // Back up: every message arrives, once.
    sink.refuse_next(0);
    server.drain_all().await;
    server.drain_all().await;
    for email in invitees {
        assert_eq!(sink.to(email).len(), 1, "{email}: {:?}", sink.received());
    }
    assert_eq!(sink.received().len(), invitees.len());
    sink.stop();
    Ok(())
}

async fn a_server_killed_while_sending_loses_and_doubles_nothing(
    backend: Backend,
) -> anyhow::Result<()> {
    let sink = SmtpSink::start(None).await?;
    let server = TestServer::spawn(backend, mailing(&sink)).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let invitees = [
        "kill-1@example.org",
        "kill-2@example.org",
        "kill-3@example.org",
    ];
    // Delivered before the kill: sent once, never again.
    invite(&server, &admin, &sham, invitees[0]).await;
    server.drain().await;
    assert_eq!(sink.to(invitees[0]).len(), 1);
    // The sink holds its reply to DATA: the server's mail task is in the middle of
    // sending when it is killed.
    sink.hold();
    invite(&server, &admin, &sham, invitees[1]).await;
    invite(&server, &admin, &sham, invitees[2]).await;
    sink.until_held(1).await;
    let database = server.stop().await;
    // The lease the killed server held on its batch (6 × the 2 s SMTP timeout) lapses.
    let lease_lapsed = chrono::Utc::now() + chrono::Duration::seconds(12);
    sink.release();
    assert!(
        sink.to(invitees[1]).is_empty() && sink.to(invitees[2]).is_empty(),
        "no 250 was sent before the kill, so nothing was delivered"
    );
    let server = TestServer::spawn_on(database, mailing(&sink)).await?;
    clock_passes(lease_lapsed).await;
    server.drain().await;
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for message in sink.received() {
        *by_id.entry(message.message_id()).or_default() += 1;
    }
    assert!(
        by_id.values().all(|n| *n == 1),
        "no message doubled: {by_id:?}"
    );
    for email in invitees {
        assert_eq!(sink.to(email).len(), 1, "{email}: {:?}", sink.received());
    }
    assert_eq!(sink.received().len(), invitees.len());
    sink.stop();
    Ok(())
}

async fn development_without_smtp_writes_eml_files(backend: Backend) -> anyhow::Result<()> {
    let server =
        TestServer::spawn(backend, ServerOptions::seeded().env("RUST_LOG", "info")).await?;
    let admin = admin_token(&server).await;
    let sham = cooperative_id(&server, &admin, "sham-apricot-growers-demo").await;
    let token = invite(&server, &admin, &sham, "files@example.org").await;
    server.drain().await;
    let dir = server.database.data_path().join("mail");
    let files: Vec<_> = std::fs::read_dir(&dir)?
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "eml"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let raw = std::fs::read(&files[0])?;
    let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
    assert_eq!(
        message.subject(),
        Some("You are invited to join a cooperative")
    );
    assert!(message.body_text(0).unwrap().contains(&token));
    assert!(
        server.log().contains(&files[0].display().to_string()),
        "the path is logged: {}",
        server.log()
    );
    Ok(())
}

async fn production_refuses_to_start_without_smtp(backend: Backend) -> anyhow::Result<()> {
    let database = TestDatabase::fresh(backend).await?;
    let refused = database
        .run_cli(
            &["serve", "--bind", "127.0.0.1:0", "--migrate"],
            &[("APP_ENV", "production")],
            None,
        )
        .await?;
    assert!(!refused.success);
    assert!(
        refused.stderr.contains("SMTP_URL is not set") && refused.stderr.contains("MAIL_DROP"),
        "{}",
        refused.stderr
    );
    let both = database
        .run_cli(
            &["serve", "--bind", "127.0.0.1:0", "--migrate"],
            &[
                ("APP_ENV", "production"),
                ("MAIL_DROP", "1"),
                ("SMTP_URL", "smtp://127.0.0.1:2525"),
            ],
            None,
        )
        .await?;
    assert!(!both.success);
    assert!(both.stderr.contains("choose one"), "{}", both.stderr);
    // Told to drop mail, it starts, and mail goes nowhere.
    let server = TestServer::spawn_on(
        database,
        ServerOptions::default()
            .env("APP_ENV", "production")
            .env("MAIL_DROP", "1")
            .arg("--migrate"),
    )
    .await?;
    let body = register(&server, "dropped@example.org", PASSWORD, "Dropped").await;
    assert_eq!(body["data"]["register"]["errors"], json!([]), "{body}");
    assert!(!server.database.data_path().join("mail").exists());
    Ok(())
}

both_backends!(
    a_taken_email_registration_mails_the_owner,
    a_staff_invitation_is_mailed_with_its_token,
    an_smtp_outage_delays_mail_and_each_is_delivered_once,
    a_server_killed_while_sending_loses_and_doubles_nothing,
    development_without_smtp_writes_eml_files,
    production_refuses_to_start_without_smtp,
);
