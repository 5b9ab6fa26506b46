//! The buyers' pages.

mod catalog;
mod types;

use actix_web::web;

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    catalog::routes(config);
}
