//! The buyers' pages.

mod account;
mod cart;
mod catalog;
mod checkout;
mod types;

use actix_web::web;

pub(crate) fn routes(config: &mut web::ServiceConfig) {
    catalog::routes(config);
    cart::routes(config);
    checkout::routes(config);
    account::routes(config);
}
