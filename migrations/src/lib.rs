//! The one linear migration history for every table of the marketplace.
//!
//! Each migration has a `down`, so `migrate down` can step back one release; a test
//! runs up → down → up on SQLite and PostgreSQL. Shipped migrations are never edited.

use sea_orm_migration::prelude::*;

mod m20261125_000001_create_accounts;
mod m20261125_000002_create_catalog;
mod m20261125_000003_create_provenance;
mod m20261125_000004_create_search_outbox;
mod m20261125_000005_create_orders;
mod m20261125_000006_create_channels;
mod m20261125_000007_index_product_titles;
mod m20261129_100001_cooperative_tax_regime;
mod m20261129_100002_fulfilment_documents;
mod m20261129_200001_gi_covered_goods;
mod m20261130_100001_payment_failures;
mod m20261130_100002_cash_collections;
mod m20261130_100003_payout_accounts;
mod m20261130_300001_sqlite_integer_bounds;
mod m20261130_400001_user_suspension;
mod m20261130_400002_login_throttle;
mod m20261201_100001_guest_orders;
mod m20261201_200001_tax_notes;
mod m20261201_300001_variant_units;
mod m20261201_300002_product_hsn;
mod m20261201_300003_variant_net_quantity;
mod m20261201_400001_notifications;
mod m20261201_400002_account_tokens;
mod m20261202_100001_saved_addresses;
mod m20261202_200001_invoice_cancellation;
mod m20261202_300001_gem_acceptance;
mod m20261202_300002_cooperative_verifications;
mod m20261202_400001_notification_opt_outs;
mod m20261202_400002_reminder_marks;
mod m20261203_100001_einvoice_registrations;
mod m20261203_100002_batch_voids;
mod m20261203_100003_consumer_care;
mod m20261203_400001_media;
mod m20261206_100001_razorpay_route;
mod m20261206_400001_buyer_organisation_kinds;

/// Applies the marketplace's migrations in order.
#[derive(Debug)]
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_accounts::Migration),
            Box::new(m20261125_000002_create_catalog::Migration),
            Box::new(m20261125_000003_create_provenance::Migration),
            Box::new(m20261125_000004_create_search_outbox::Migration),
            Box::new(m20261125_000005_create_orders::Migration),
            Box::new(m20261125_000006_create_channels::Migration),
            Box::new(m20261125_000007_index_product_titles::Migration),
            Box::new(m20261129_100001_cooperative_tax_regime::Migration),
            Box::new(m20261129_100002_fulfilment_documents::Migration),
            Box::new(m20261129_200001_gi_covered_goods::Migration),
            Box::new(m20261130_100001_payment_failures::Migration),
            Box::new(m20261130_100002_cash_collections::Migration),
            Box::new(m20261130_100003_payout_accounts::Migration),
            Box::new(m20261130_300001_sqlite_integer_bounds::Migration),
            Box::new(m20261130_400001_user_suspension::Migration),
            Box::new(m20261130_400002_login_throttle::Migration),
            Box::new(m20261201_100001_guest_orders::Migration),
            Box::new(m20261201_200001_tax_notes::Migration),
            Box::new(m20261201_300001_variant_units::Migration),
            Box::new(m20261201_300002_product_hsn::Migration),
            Box::new(m20261201_300003_variant_net_quantity::Migration),
            Box::new(m20261201_400001_notifications::Migration),
            Box::new(m20261201_400002_account_tokens::Migration),
            Box::new(m20261202_100001_saved_addresses::Migration),
            Box::new(m20261202_200001_invoice_cancellation::Migration),
            Box::new(m20261202_300001_gem_acceptance::Migration),
            Box::new(m20261202_300002_cooperative_verifications::Migration),
            Box::new(m20261202_400001_notification_opt_outs::Migration),
            Box::new(m20261202_400002_reminder_marks::Migration),
            Box::new(m20261203_100001_einvoice_registrations::Migration),
            Box::new(m20261203_100002_batch_voids::Migration),
            Box::new(m20261203_100003_consumer_care::Migration),
            Box::new(m20261203_400001_media::Migration),
            Box::new(m20261206_100001_razorpay_route::Migration),
            Box::new(m20261206_400001_buyer_organisation_kinds::Migration),
        ]
    }
}
