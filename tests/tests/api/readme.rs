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
    // The guest-checkout and address-book blocks name values earlier answers gave; a
    // block that starts `# as a visitor` is sent without the signed-in token.
    let mut values: Vec<(&str, String)> = Vec::new();
    for block in blocks {
        let mut block = block;
        for (placeholder, value) in &values {
            block = block.replace(placeholder, value);
        }
        let visitor = block.starts_with("# as a visitor");
        let caller = if visitor { None } else { token.as_deref() };
        let body = server.graphql_as(caller, &block, json!({})).await;
        let data = &body["data"];
        for (placeholder, value) in [
            ("VARIANT_ID", &data["product"]["variants"][0]["id"]),
            ("CART_TOKEN", &data["cartAddItem"]["cartToken"]),
            ("ORDER_ID", &data["placeOrder"]["order"]["id"]),
            ("ACCESS_TOKEN", &data["placeOrder"]["accessToken"]),
        ] {
            if let (true, Some(value)) = (visitor, value.as_str()) {
                values.push((placeholder, value.to_owned()));
            }
        }
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
        // The signed-in buyer's saved address, for the blocks that name it.
        if let Some(id) = body["data"]["addressCreate"]["savedAddress"]["id"].as_str() {
            values.push(("ADDRESS_ID", id.to_owned()));
        }
    }
    Ok(())
}

both_backends!(readme_examples_run_against_the_demo_data);
