//! Black-box tests of the marketplace: each spawns the real server binary on a random
//! port against a fresh SQLite file or a fresh PostgreSQL database (a throwaway cluster
//! started by `support::postgres`), and talks to it over HTTP.

mod support;

mod address_book;
mod admin_lists;
mod api_contract;
mod auth;
mod authorization;
mod browser;
mod catalog;
mod catalog_admin;
mod catalog_cache;
mod channels;
mod checkout_quote;
mod cli;
mod console;
mod console_admin;
mod console_batches;
mod console_browser;
mod console_ops;
mod console_products;
mod gem_acceptance;
mod graphql_over_http;
mod gst_returns;
mod guest_checkout;
mod http_surface;
mod import;
mod leaks;
mod listing_rules;
mod listings;
mod mail;
mod media;
mod order_mail;
mod orders;
mod payment_states;
mod provenance;
mod razorpay;
mod razorpay_route;
mod readme;
mod readme_claims;
mod registration;
mod reliability;
mod search;
mod sessions;
mod signatures;
mod staff;
mod storefront;
mod tax_documents;
mod tax_notes;
mod tcs_settlement;
mod upi_qr;
