//! The command line: migrations up → down → up, the production start-up guards, the
//! development secret, and the committed schema.

use serde_json::json;

use crate::{
    auth::{PASSWORD, login, register},
    both_backends,
    support::{Backend, ServerOptions, TestServer, server::TestDatabase},
};

async fn migrations_go_up_down_and_up_again(backend: Backend) -> anyhow::Result<()> {
    let database = TestDatabase::fresh(backend).await?;
    let status = database.run_cli(&["migrate", "status"], &[], None).await?;
    assert!(status.success, "{}", status.stderr);
    let pending = status
        .stdout
        .lines()
        .filter(|l| l.starts_with("pending"))
        .count();
    assert!(pending >= 2, "{}", status.stdout);

    let up = database.run_cli(&["migrate", "up"], &[], None).await?;
    assert!(up.success, "{}", up.stderr);
    let status = database.run_cli(&["migrate", "status"], &[], None).await?;
    assert_eq!(
        status
            .stdout
            .lines()
            .filter(|l| l.starts_with("applied"))
            .count(),
        pending
    );

    let down = database
        .run_cli(
            &["migrate", "down", "--steps", &pending.to_string()],
            &[],
            None,
        )
        .await?;
    assert!(down.success, "{}", down.stderr);
    let status = database.run_cli(&["migrate", "status"], &[], None).await?;
    assert_eq!(
        status
            .stdout
            .lines()
            .filter(|l| l.starts_with("pending"))
            .count(),
        pending,
        "{}",
        status.stdout
    );

    let up_again = database.run_cli(&["migrate", "up"], &[], None).await?;
    assert!(up_again.success, "{}", up_again.stderr);

    // The schema is complete again: a production server starts without --migrate.
    let server = TestServer::spawn_on(
        database,
        ServerOptions::default()
            .env("APP_ENV", "production")
            .env("MAIL_DROP", "1"),
    )
    .await?;
    register(&server, "after-migrations@example.org").await;
    login(&server, "after-migrations@example.org", PASSWORD).await;
    Ok(())
}

async fn production_refuses_pending_migrations_unless_told(backend: Backend) -> anyhow::Result<()> {
    let database = TestDatabase::fresh(backend).await?;
    let refused = database
        .run_cli(
            &["serve", "--bind", "127.0.0.1:0"],
            &[("APP_ENV", "production"), ("MAIL_DROP", "1")],
            None,
        )
        .await?;
    assert!(!refused.success);
    assert!(
        refused.stderr.contains("pending migration"),
        "{}",
        refused.stderr
    );

    let server = TestServer::spawn_on(
        database,
        ServerOptions::default()
            .env("APP_ENV", "production")
            .env("MAIL_DROP", "1")
            .arg("--migrate"),
    )
    .await?;
    let body = server
        .graphql("{ products(first: 1) { totalCount } }", json!({}))
        .await;
    assert_eq!(
        body["data"]["products"]["totalCount"], 0,
        "production never loads demo data"
    );
    // Introspection is off in production unless configured.
    let introspection = server
        .graphql("{ __schema { queryType { name } } }", json!({}))
        .await;
    assert!(
        introspection["data"]["__schema"].is_null(),
        "{introspection}"
    );
    // Production has no drain endpoint, and refuses to start with one.
    let drain = server
        .client
        .post(server.url("/internal/drain"))
        .send()
        .await?;
    assert_eq!(drain.status(), 404);
    let refused = server
        .database
        .run_cli(
            &["serve", "--bind", "127.0.0.1:0"],
            &[
                ("APP_ENV", "production"),
                ("MAIL_DROP", "1"),
                ("ENABLE_DRAIN_ENDPOINT", "1"),
            ],
            None,
        )
        .await?;
    assert!(!refused.success, "production refuses the drain endpoint");
    assert!(
        refused.stderr.contains("ENABLE_DRAIN_ENDPOINT"),
        "{}",
        refused.stderr
    );
    Ok(())
}

async fn production_requires_a_strong_jwt_secret(backend: Backend) -> anyhow::Result<()> {
    let database = TestDatabase::fresh(backend).await?;
    for secret in ["", "too-short-for-production"] {
        let refused = database
            .run_cli(
                &["serve", "--bind", "127.0.0.1:0", "--migrate"],
                &[
                    ("APP_ENV", "production"),
                    ("MAIL_DROP", "1"),
                    ("JWT_SECRET", secret),
                ],
                None,
            )
            .await?;
        assert!(!refused.success, "secret {secret:?} must be refused");
        assert!(refused.stderr.contains("JWT_SECRET"), "{}", refused.stderr);
    }
    Ok(())
}

async fn development_generates_and_keeps_a_jwt_secret(backend: Backend) -> anyhow::Result<()> {
    let options = || ServerOptions::default().env("JWT_SECRET", "");
    let database = TestDatabase::fresh(backend).await?;
    let server = TestServer::spawn_on(database, options()).await?;
    let secret_file = server.database.data_path().join("jwt-secret");
    assert!(secret_file.exists());
    register(&server, "kept@example.org").await;
    let (access, _) = login(&server, "kept@example.org", PASSWORD).await;
    let database = server.stop().await;
    let restarted = TestServer::spawn_on(database, options()).await?;
    let me = restarted
        .graphql_as(Some(&access), "{ me { email } }", json!({}))
        .await;
    assert_eq!(
        me["data"]["me"]["email"], "kept@example.org",
        "tokens survive a restart: {me}"
    );
    Ok(())
}

both_backends!(
    migrations_go_up_down_and_up_again,
    production_refuses_pending_migrations_unless_told,
    production_requires_a_strong_jwt_secret,
    development_generates_and_keeps_a_jwt_secret,
);

#[tokio::test]
async fn schema_command_prints_the_committed_sdl() -> anyhow::Result<()> {
    let output = tokio::process::Command::new(crate::support::server::SERVER_BINARY)
        .arg("schema")
        .output()
        .await?;
    assert!(output.status.success());
    let committed = include_str!("../../../api/schema.graphql");
    assert_eq!(String::from_utf8_lossy(&output.stdout), committed);
    Ok(())
}

/// A setting outside its range stops the server with a message naming it, instead of
/// being clamped to something the operator did not ask for.
#[tokio::test]
async fn out_of_range_settings_are_refused_not_clamped() -> anyhow::Result<()> {
    let database = TestDatabase::fresh(Backend::Sqlite).await?;
    let by_flag = database
        .run_cli(
            &["serve", "--bind", "127.0.0.1:0", "--order-sweep-ms", "1"],
            &[],
            None,
        )
        .await?;
    assert!(!by_flag.success, "a 1 ms sweep must be refused");
    assert!(
        by_flag.stderr.contains("--order-sweep-ms") && by_flag.stderr.contains("50.."),
        "{}",
        by_flag.stderr
    );
    let by_env = database
        .run_cli(
            &["serve", "--bind", "127.0.0.1:0"],
            &[("CHANNEL_MAX_ATTEMPTS", "0")],
            None,
        )
        .await?;
    assert!(!by_env.success, "zero attempts must be refused");
    assert!(
        by_env.stderr.contains("--channel-max-attempts"),
        "{}",
        by_env.stderr
    );
    Ok(())
}

/// Secrets are read by the command line like every other setting, so `--help` lists
/// them, but never shows their values.
#[tokio::test]
async fn help_lists_secrets_without_their_values() -> anyhow::Result<()> {
    let output = tokio::process::Command::new(crate::support::server::SERVER_BINARY)
        .args(["serve", "--help"])
        .env("STRIPE_SECRET_KEY", "sk_test_must_not_show")
        .env("GEM_WEBHOOK_SECRET", "gem_secret_must_not_show")
        .env("JWT_SECRET", "jwt_secret_must_not_show_0123456789abcdef")
        .output()
        .await?;
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for variable in [
        "STRIPE_SECRET_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "JWT_SECRET",
        "GEM_API_KEY",
        "GEM_FEED_API_KEY",
        "GEM_WEBHOOK_SECRET",
        "NCUI_HAAT_API_KEY",
        "NCUI_HAAT_FEED_API_KEY",
        "NCUI_HAAT_WEBHOOK_SECRET",
        "MEILISEARCH_API_KEY",
    ] {
        assert!(help.contains(variable), "--help does not list {variable}");
    }
    assert!(!help.contains("must_not_show"), "{help}");
    Ok(())
}
