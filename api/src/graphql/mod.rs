//! The GraphQL schema: roots merged from one module per domain, limits on depth and
//! complexity, and the per-request context (viewer and DataLoaders).

mod accounts;
mod catalog;
mod catalog_mutations;
mod channels;
mod errors;
pub(crate) mod loaders;
mod money;
mod orders;
mod pagination;
mod provenance;
mod search;
mod user_errors;

use async_graphql::{EmptySubscription, MergedObject, Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

pub(crate) use accounts::actor_of as accounts_actor_of;
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
    channels::ChannelsQuery,
);

/// The mutation root.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    accounts::AccountsMutation,
    accounts::StaffMutation,
    catalog_mutations::CatalogMutation,
    provenance::ProvenanceMutation,
    orders::OrdersMutation,
    channels::ChannelsMutation,
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
    .limit_depth(limits.max_depth)
    .limit_complexity(limits.max_complexity)
    .limit_recursive_depth(32)
    .limit_directives(16);
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
) -> AppSchema {
    schema_builder(settings.graphql)
        .data(orders)
        .data(connectors)
        .data(db)
        .data(search_index)
        .data(tokens)
        .data(settings.graphql)
        .finish()
}

/// The schema in SDL, as committed in `api/schema.graphql`.
pub fn sdl() -> String {
    schema_builder(GraphqlSettings::default()).finish().sdl()
}

#[cfg(test)]
mod tests {
    #[test]
    fn committed_schema_matches_the_code() {
        let committed = include_str!("../../schema.graphql");
        assert!(
            committed == super::sdl(),
            "api/schema.graphql is stale: run `cargo run -- schema > api/schema.graphql` and review the diff"
        );
    }
}
