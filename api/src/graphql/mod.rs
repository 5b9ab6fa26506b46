//! The GraphQL schema: roots merged from one module per domain, limits on depth and
//! complexity, and the per-request context (viewer and DataLoaders).

//!
//! Layout: one folder per domain (`accounts`, `catalog`, `provenance`, `channels`,
//! `search`), each with `types.rs` (what clients see), `queries.rs`, `mutations.rs` and
//! further files by feature; shared pieces beside them: `context` (what a resolver reads
//! from the request: `ctx.db()`, `ctx.viewer()`, `ctx.actor()`, `ctx.loaders()`,
//! `ctx.limits()`, the services), `ids` (the one id parser), `pagination` (the one
//! connection builder and its complexity), `errors` and `user_errors` (the one error
//! mapping), `loaders` and `money`.

mod accounts;
mod catalog;
mod channels;
pub(crate) mod coercion;
mod context;
pub(crate) mod cost;
mod errors;
mod ids;
pub(crate) mod loaders;
pub(crate) mod media;
mod money;
mod orders;
mod pagination;
pub(crate) mod phases;
mod provenance;
mod returns;
mod search;
mod text_inputs;
mod user_errors;

use async_graphql::{EmptySubscription, MergedObject, Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

pub(crate) use context::actor_of as accounts_actor_of;
pub use errors::{ApiError, Failure};
pub use user_errors::{UserError, UserErrorCode};

use crate::{
    auth::{TokenService, Viewer},
    settings::{GraphqlSettings, Settings},
};

/// The query root.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    accounts::AccountsQuery,
    catalog::CatalogQuery,
    provenance::ProvenanceQuery,
    search::SearchQuery,
    orders::OrdersQuery,
    orders::CheckoutQuoteQuery,
    orders::AddressBookQuery,
    channels::ChannelsQuery,
    returns::ReturnsQuery,
    media::MediaQuery,
);

/// The mutation root.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    accounts::AccountsMutation,
    accounts::StaffMutation,
    accounts::RecoveryMutation,
    catalog::CatalogMutation,
    provenance::ProvenanceMutation,
    orders::OrdersMutation,
    channels::ChannelsMutation,
    returns::ReturnsMutation,
    media::MediaMutation,
);

/// The executable schema.
pub type AppSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Per-request data: who is asking, and the id that ties logs to the request.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub viewer: Option<Viewer>,
    pub request_id: String,
}

fn schema_builder(
    limits: GraphqlSettings,
) -> SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription> {
    let builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    // Outermost, so it sees (and labels) every parse and validation error, the cost
    // guard's included.
    .extension(phases::Phases)
    // The shape check first: async-graphql's own limits below walk every fragment
    // spread inlined, which a fragment ladder makes exponential (see `cost`).
    // It is also the only depth limit: async-graphql's would count introspection's
    // `ofType` chain, and GraphiQL's schema query (nine `ofType`s) would be refused.
    .extension(cost::CostGuard {
        max_depth: limits.max_depth,
    })
    // NUL and control characters, refused in every text input at once.
    .extension(text_inputs::TextInputGuard)
    .limit_complexity(limits.max_complexity)
    .limit_recursive_depth(32)
    .limit_directives(16);
    let builder = if limits.suggestions {
        builder
    } else {
        builder.disable_suggestions()
    };
    if limits.introspection {
        builder
    } else {
        builder.disable_introspection()
    }
}

/// Builds the schema with the services its resolvers use.
pub fn build_schema(
    settings: &Settings,
    db: DatabaseConnection,
    tokens: TokenService,
    search_index: std::sync::Arc<dyn ::search::SearchIndex>,
    orders: ::orders::OrderService,
    connectors: ::connectors::ConnectorService,
    media_storage: std::sync::Arc<dyn ::media::MediaStorage>,
) -> AppSchema {
    schema_builder(settings.graphql)
        .data(media::MediaStore(media_storage))
        .data(orders)
        .data(connectors)
        .data(db)
        .data(search_index)
        .data(tokens)
        .data(settings.graphql)
        .data(self::orders::StripePublishableKey(
            settings.orders.stripe_publishable_key.clone(),
        ))
        .data(accounts::PasswordResetLifetime(
            settings.mail.password_reset_ttl,
        ))
        .data(accounts::PublicUrl(settings.public_url.clone()))
        .finish()
}

/// The schema in SDL, as committed in `api/schema.graphql`.
pub fn sdl() -> String {
    schema_builder(GraphqlSettings::default()).finish().sdl()
}

#[cfg(test)]
mod tests {
    use async_graphql::registry::{MetaType, Registry};

    /// Every field of the SDL returning a connection, as `Type.field`, and whether the
    /// complexity limit counts it (`#[graphql(complexity = …)]`).
    fn connection_fields() -> Vec<(String, bool)> {
        let mut registry = Registry::default();
        <super::QueryRoot as async_graphql::OutputType>::create_type_info(&mut registry);
        <super::MutationRoot as async_graphql::OutputType>::create_type_info(&mut registry);
        // Building the roots' type info directly also registers the pieces that
        // `MergedObject` stitches together; only the object types of the SDL count.
        let sdl = super::sdl();
        let published: std::collections::HashSet<&str> = sdl
            .lines()
            .filter_map(|line| line.strip_prefix("type "))
            .filter_map(|rest| rest.split_whitespace().next())
            .collect();
        let mut connections = Vec::new();
        for (type_name, meta) in &registry.types {
            if !published.contains(type_name.as_str()) {
                continue;
            }
            let MetaType::Object { fields, .. } = meta else {
                continue;
            };
            for field in fields.values() {
                let base = field.ty.trim_matches(|c| matches!(c, '[' | ']' | '!'));
                if base.ends_with("Connection") {
                    connections.push((
                        format!("{type_name}.{}", field.name),
                        field.compute_complexity.is_some(),
                    ));
                }
            }
        }
        connections
    }

    #[test]
    fn every_connection_carries_a_complexity_cost() {
        let connections = connection_fields();
        assert!(
            connections.len() >= 5,
            "expected the product, cooperative, search, listing and order connections: {connections:?}"
        );
        let offenders: Vec<&str> = connections
            .iter()
            .filter(|(_, counted)| !counted)
            .map(|(field, _)| field.as_str())
            .collect();
        assert!(
            offenders.is_empty(),
            "connections the complexity limit does not count (give each \
             `#[graphql(complexity = \"connection_complexity(child_complexity, first, …)\")]`): \
             {offenders:?}"
        );
    }

    #[test]
    fn committed_schema_matches_the_code() {
        let committed = include_str!("../../schema.graphql");
        assert!(
            committed == super::sdl(),
            "api/schema.graphql is stale: run `cargo run -- schema > api/schema.graphql` and review the diff"
        );
    }
}
