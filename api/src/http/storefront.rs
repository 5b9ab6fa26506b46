//! The storefront's way into the schema: an [`async_graphql::Executor`] that reads the
//! [`web::Caller`] a page attaches to its request and runs it exactly as `POST
//! /graphql` would for that caller: the access token verified and its session checked
//! (`viewer::viewer_from_token`, the same rule as a bearer header), the per-client rate
//! limits, the request's DataLoaders, the error codes, and writes clearing the
//! catalogue cache.

use std::{any::TypeId, sync::Arc};

use async_graphql::{Request, Response, ServerError};

use crate::{
    graphql::{RequestContext, loaders::Loaders},
    http::{
        catalog_cache::{DocumentKind, classify},
        graphql_endpoint,
        rate_limit::{Gate, RateLimits},
        state::AppState,
        viewer,
    },
};

/// Runs the storefront's documents in process.
#[derive(Clone)]
pub struct StorefrontExecutor {
    state: AppState,
    limits: Arc<RateLimits>,
}

impl StorefrontExecutor {
    pub(crate) fn new(state: AppState, limits: Arc<RateLimits>) -> Self {
        Self { state, limits }
    }

    async fn execute_for(&self, mut request: Request) -> Response {
        let caller = request
            .data
            .get(&TypeId::of::<web::Caller>())
            .and_then(|data| data.downcast_ref::<web::Caller>())
            .cloned();
        let Some(caller) = caller else {
            tracing::error!("a storefront request without its caller");
            return Response::from_errors(vec![coded("internal error", "INTERNAL")]);
        };
        let viewer = match caller.access_token.as_deref() {
            None => None,
            Some(token) => match viewer::viewer_from_token(&self.state, token).await {
                Ok(viewer) => viewer,
                Err(refusal) => {
                    return Response::from_errors(vec![coded(&refusal.message, refusal.code)]);
                }
            },
        };
        let client = self.limits.client_from(&caller.headers, caller.peer);
        let gate = Arc::new(Gate::for_client(Arc::clone(&self.limits), client));
        let write = classify(&request.query) == DocumentKind::Write;
        request = request
            .data(RequestContext {
                viewer,
                request_id: caller.request_id,
            })
            .data(Arc::new(Loaders::new(self.state.db.clone())))
            .data(gate);
        let outcome = graphql_endpoint::run(&self.state.schema, request).await;
        if write {
            self.state.catalog_cache.invalidate();
        }
        outcome.response
    }
}

fn coded(message: &str, code: &'static str) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", code);
    error.extensions = Some(extensions);
    error
}

impl async_graphql::Executor for StorefrontExecutor {
    fn execute(&self, request: Request) -> impl std::future::Future<Output = Response> + Send {
        self.execute_for(request)
    }

    fn execute_stream(
        &self,
        request: Request,
        _session_data: Option<Arc<async_graphql::Data>>,
    ) -> futures_util::stream::BoxStream<'static, Response> {
        let this = self.clone();
        Box::pin(futures_util::stream::once(async move {
            this.execute_for(request).await
        }))
    }
}
