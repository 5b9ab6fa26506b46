//! The buyers' storefront: server-rendered HTML pages that read and write only through
//! the public GraphQL schema, executed in process. The crate knows nothing of the domain
//! crates nor of `api`: it is handed an [`async_graphql::Executor`] and a [`Caller`] is
//! attached to every request it runs, from which the host application derives the
//! viewer (so the authentication and rate-limit rules have one home, in `api`).
//!
//! Layout: `foundation` (layout, i18n, sessions, CSRF, assets, errors) is shared;
//! `storefront` holds the buyers' pages; `console` the cooperatives' and admins' pages at
//! `/console`, reusing the foundation without touching the storefront.

mod assets;
mod console;
mod dates;
mod foundation;
mod graphql;
mod i18n;
mod money;
mod session;
mod storefront;

use std::net::SocketAddr;

use actix_web::web;

pub use foundation::RequestId;
pub use graphql::Caller;
pub use session::ACCESS as ACCESS_COOKIE;
pub use session::csrf_token_ok;

/// The storefront's public origin (`https://shop.example.org`), for absolute links
/// printed on paper (the QR codes of batch labels); None: the origin the page was
/// asked for. Registered by the host application as `web::Data<PublicUrl>`.
#[derive(Debug, Clone, Default)]
pub struct PublicUrl(pub Option<String>);

/// The executor the pages run their documents with, type-erased once here so that the
/// handlers are not generic.
#[derive(Clone)]
pub(crate) struct Executor(std::sync::Arc<dyn graphql::Run>);

/// Registers the storefront's routes, its assets, and the 404 page for every path no
/// other route claims.
pub fn configure<E>(config: &mut web::ServiceConfig, executor: E)
where
    E: async_graphql::Executor + Clone + 'static,
{
    let executor = Executor(std::sync::Arc::new(graphql::Erased(executor)));
    config.app_data(web::Data::new(executor));
    assets::routes(config);
    foundation::routes(config);
    storefront::routes(config);
    console::routes(config);
    config.default_service(web::to(foundation::not_found));
}

/// The client's address as the host application sees it, handed through to the
/// executor for the rate limits.
pub(crate) fn peer(request: &actix_web::HttpRequest) -> Option<SocketAddr> {
    request.peer_addr()
}
