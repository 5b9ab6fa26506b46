//! The README's GraphQL examples run, in order, against the demo catalogue without errors.

use serde_json::json;

use crate::{
    both_backends,
    support::{Backend, ServerOptions, TestServer},
};

const README: &str = include_str!("../../../README.md");

fn graphql_blocks() -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in README.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```graphql") => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(block), text) => {
                block.push_str(text);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

async fn readme_examples_run_against_the_demo_data(backend: Backend) -> anyhow::Result<()> {
    let server = TestServer::spawn(backend, ServerOptions::seeded()).await?;
    let blocks = graphql_blocks();
    assert!(blocks.len() >= 5, "the README has its examples");
    let mut token: Option<String> = None;
    for block in blocks {
        let body = server.graphql_as(token.as_deref(), &block, json!({})).await;
        assert!(
            body["errors"].is_null(),
            "README example failed:\n{block}\n{body}"
        );
        assert!(!body["data"].is_null());
        for payload in body["data"]
            .as_object()
            .into_iter()
            .flat_map(|data| data.values())
        {
            assert!(
                payload["errors"].as_array().is_none_or(Vec::is_empty),
                "README example returned user errors:\n{block}\n{body}"
            );
        }
        if let Some(access) = body["data"]["login"]["accessToken"].as_str() {
            token = Some(access.to_owned());
        }
    }
    Ok(())
}

both_backends!(readme_examples_run_against_the_demo_data);
