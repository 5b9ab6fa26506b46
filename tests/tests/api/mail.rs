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
pub(crate) fn mailing(sink: &SmtpSink) -> ServerOptions {
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

const RESET_REQUEST: &str = "mutation($input: PasswordResetRequestInput!) { passwordResetRequest(input: $input) { errors { field code message } } }";
const RESET: &str = "mutation($input: PasswordResetInput!) { passwordReset(input: $input) { reset errors { field code message } } }";
const LOGIN: &str =
    "mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken } }";
const REFRESH: &str =
    "mutation($input: RefreshTokenInput!) { refreshToken(input: $input) { accessToken } }";
const ME: &str = "{ me { email emailVerified language } }";

/// The value on the line `label: value` of a message's text part.
pub(crate) fn code_in(text: &str, label: &str) -> String {
    text.lines()
        .find_map(|line| line.trim().strip_prefix(&format!("{label}: ")))
        .unwrap_or_else(|| panic!("no {label} in {text}"))
        .trim()
        .to_owned()
}

async fn login(server: &TestServer, email: &str, password: &str) -> Value {
    server
        .graphql(
            LOGIN,
            json!({ "input": { "email": email, "password": password } }),
        )
        .await
}

async fn reset(server: &TestServer, token: &str, password: &str) -> Value {
    server
        .graphql(
            RESET,
            json!({ "input": { "token": token, "newPassword": password } }),
        )
        .await
}

async fn request_reset(server: &TestServer, email: &str) -> Value {
    server
        .graphql(RESET_REQUEST, json!({ "input": { "email": email } }))
        .await
}

async fn password_reset_end_to_end(backend: Backend) -> anyhow::Result<()> {
    let sink = SmtpSink::start(None).await?;
    let server =
        TestServer::spawn(backend, mailing(&sink).env("PASSWORD_RESET_TTL_SECS", "2")).await?;
    let email = "rigzin@example.org";
    register(&server, email, PASSWORD, "Rigzin").await;
    let signed_in = login(&server, email, PASSWORD).await;
    let access = signed_in["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let refresh = signed_in["data"]["login"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();

    // No enumeration: an unknown address gets the same answer, and no mail.
    let known = request_reset(&server, email).await;
    let unknown = request_reset(&server, "nobody-here@example.org").await;
    assert_eq!(known, unknown);
    assert_eq!(
        known["data"]["passwordResetRequest"]["errors"],
        json!([]),
        "{known}"
    );
    server.drain().await;
    assert!(sink.to("nobody-here@example.org").is_empty());
    let resets: Vec<_> = sink
        .to(email)
        .into_iter()
        .filter(|m| m.subject() == "Reset your password")
        .collect();
    assert_eq!(resets.len(), 1, "{:?}", sink.received());
    let token = code_in(&resets[0].text(), "Reset code");

    // An expired code does not work (a second one, left to expire).
    request_reset(&server, email).await;
    server.drain().await;
    let second: Vec<_> = sink
        .to(email)
        .into_iter()
        .filter(|m| m.subject() == "Reset your password")
        .collect();
    assert_eq!(second.len(), 2);
    let expiring = code_in(&second[1].text(), "Reset code");
    clock_passes(chrono::Utc::now() + chrono::Duration::seconds(2)).await;
    let expired = reset(&server, &expiring, "a-brand-new-passphrase-1").await;
    assert_eq!(
        expired["data"]["passwordReset"]["reset"], false,
        "{expired}"
    );
    assert_eq!(
        expired["data"]["passwordReset"]["errors"][0]["field"],
        json!(["input", "token"])
    );
    assert_eq!(
        expired["data"]["passwordReset"]["errors"][0]["code"],
        "INVALID"
    );

    // The first code has expired as well: ask again, and meanwhile the address is
    // locked by failed logins.
    request_reset(&server, email).await;
    server.drain().await;
    let third: Vec<_> = sink
        .to(email)
        .into_iter()
        .filter(|m| m.subject() == "Reset your password")
        .collect();
    assert_eq!(third.len(), 3);
    let token_now = code_in(&third[2].text(), "Reset code");
    assert_ne!(token, token_now);
    for _ in 0..6 {
        login(&server, email, "wrong-password-guess").await;
    }
    let locked = login(&server, email, PASSWORD).await;
    assert!(
        locked["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("too many failed logins"),
        "{locked}"
    );
    // A password that breaks the rules is refused, and the code still works.
    let weak = reset(&server, &token_now, "short").await;
    assert_eq!(
        weak["data"]["passwordReset"]["errors"][0]["field"],
        json!(["input", "newPassword"]),
        "{weak}"
    );
    let new_password = "juniper-and-barley-2027";
    let done = reset(&server, &token_now, new_password).await;
    assert_eq!(
        done["data"]["passwordReset"],
        json!({ "reset": true, "errors": [] }),
        "{done}"
    );

    // Every earlier session has ended: the access token and the refresh token.
    let me = server.graphql_as(Some(&access), ME, json!({})).await;
    assert_eq!(
        crate::support::error_code(&me),
        Some("UNAUTHENTICATED"),
        "{me}"
    );
    let refreshed = server
        .graphql(REFRESH, json!({ "input": { "refreshToken": refresh } }))
        .await;
    assert!(refreshed["data"]["refreshToken"].is_null(), "{refreshed}");
    // The lock is lifted; the old password is gone, the new one works.
    let old = login(&server, email, PASSWORD).await;
    assert!(old["data"]["login"].is_null(), "{old}");
    let fresh = login(&server, email, new_password).await;
    assert!(fresh["data"]["login"]["accessToken"].is_string(), "{fresh}");
    // A used code does not work again.
    let reused = reset(&server, &token_now, "another-fresh-passphrase-9").await;
    assert_eq!(reused["data"]["passwordReset"]["reset"], false, "{reused}");
    assert_eq!(
        reused["data"]["passwordReset"]["errors"][0]["code"],
        "INVALID"
    );
    let still = login(&server, email, new_password).await;
    assert!(still["data"]["login"]["accessToken"].is_string(), "{still}");
    sink.stop();
    Ok(())
}

async fn registration_sends_a_verification_code(backend: Backend) -> anyhow::Result<()> {
    let sink = SmtpSink::start(None).await?;
    let server = TestServer::spawn(backend, mailing(&sink)).await?;
    let email = "skarma@example.org";
    register(&server, email, PASSWORD, "Skarma").await;
    server.drain().await;
    let mails = sink.to(email);
    assert_eq!(mails.len(), 1, "{:?}", sink.received());
    assert_eq!(mails[0].subject(), "Confirm your email address");
    let token = code_in(&mails[0].text(), "Verification code");
    let access = login(&server, email, PASSWORD).await["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = server.graphql_as(Some(&access), ME, json!({})).await;
    assert_eq!(me["data"]["me"]["emailVerified"], false, "{me}");
    let verify = "mutation($input: EmailVerifyInput!) { emailVerify(input: $input) { user { email emailVerified } errors { field code } } }";
    let wrong = server
        .graphql(verify, json!({ "input": { "token": "not-a-real-code" } }))
        .await;
    assert_eq!(
        wrong["data"]["emailVerify"]["errors"],
        json!([{ "field": ["input", "token"], "code": "INVALID" }])
    );
    let verified = server
        .graphql(verify, json!({ "input": { "token": token } }))
        .await;
    assert_eq!(
        verified["data"]["emailVerify"],
        json!({ "user": { "email": email, "emailVerified": true }, "errors": [] }),
        "{verified}"
    );
    let me = server.graphql_as(Some(&access), ME, json!({})).await;
    assert_eq!(me["data"]["me"]["emailVerified"], true);
    let again = server
        .graphql(verify, json!({ "input": { "token": token } }))
        .await;
    assert_eq!(
        again["data"]["emailVerify"]["errors"][0]["code"], "INVALID",
        "{again}"
    );
    // A verified address is sent no further code.
    let request = server
        .graphql_as(
            Some(&access),
            "mutation { emailVerificationRequest { errors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        request["data"]["emailVerificationRequest"]["errors"],
        json!([]),
        "{request}"
    );
    server.drain().await;
    assert_eq!(sink.to(email).len(), 1);
    sink.stop();
    Ok(())
}

async fn messages_come_in_the_users_language(backend: Backend) -> anyhow::Result<()> {
    let sink = SmtpSink::start(None).await?;
    let server = TestServer::spawn(backend, mailing(&sink)).await?;
    let email = "padma-hi@example.org";
    register(&server, email, PASSWORD, "Padma").await;
    let access = login(&server, email, PASSWORD).await["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let updated = server
        .graphql_as(
            Some(&access),
            "mutation($input: MeUpdateInput!) { meUpdate(input: $input) { user { language } errors { code } } }",
            json!({ "input": { "language": "HINDI" } }),
        )
        .await;
    assert_eq!(
        updated["data"]["meUpdate"]["user"]["language"], "HINDI",
        "{updated}"
    );
    request_reset(&server, email).await;
    server.drain().await;
    let reset_mail = sink
        .to(email)
        .into_iter()
        .find(|m| m.subject() == "अपना पासवर्ड रीसेट करें")
        .unwrap_or_else(|| panic!("no Hindi reset mail: {:?}", sink.received()));
    assert!(reset_mail.text().contains("रीसेट कोड: "));
    assert!(reset_mail.html().contains("lang=\"hi\""));
    sink.stop();
    Ok(())
}

both_backends!(
    password_reset_end_to_end,
    registration_sends_a_verification_code,
    messages_come_in_the_users_language,
);

both_backends!(
    a_taken_email_registration_mails_the_owner,
    a_staff_invitation_is_mailed_with_its_token,
    an_smtp_outage_delays_mail_and_each_is_delivered_once,
    a_server_killed_while_sending_loses_and_doubles_nothing,
    development_without_smtp_writes_eml_files,
    production_refuses_to_start_without_smtp,
);
