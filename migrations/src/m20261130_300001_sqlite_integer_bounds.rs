//! 32-bit integer columns hold only 32-bit values on SQLite too.
//!
//! The code reads these columns as `i32`, and PostgreSQL's `integer` is exactly that,
//! but a SQLite `INTEGER` holds 64 bits: a stock of 2,147,483,647 plus a batch was
//! stored, and every later read of the variant (the public product, category and
//! search pages) failed. SQLite cannot add a CHECK constraint to an existing table, so
//! a trigger per column refuses, before any insert or update, a value that is not an
//! integer within `i32`'s range. PostgreSQL needs nothing: its types already agree.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every `integer` column read as `i32` (or `Option<i32>`), by table. (Not
/// `users.failed_login_count`, which the login-throttle migration drops: SQLite will
/// not drop a column a trigger names. The failure counters that replace it only ever
/// grow by one.)
const COLUMNS: &[(&str, &str)] = &[
    ("categories", "gst_rate_bp"),
    ("categories", "position"),
    ("product_variants", "weight_grams"),
    ("product_variants", "stock_on_hand"),
    ("product_variants", "min_order_quantity"),
    ("batches", "quantity"),
    ("stock_movements", "delta"),
    ("provenance_events", "sequence"),
    ("search_outbox", "attempts"),
    ("orders", "payment_terms_days"),
    ("cart_items", "quantity"),
    ("consignees", "position"),
    ("order_lines", "position"),
    ("order_lines", "quantity"),
    ("order_lines", "rate_bp"),
    ("stock_reservations", "quantity"),
    ("invoice_sequences", "last_number"),
    ("channel_outbox", "attempts"),
];

/// The events a trigger guards: every insert, and updates of the column.
const EVENTS: &[(&str, &str)] = &[("insert", "INSERT"), ("update", "UPDATE OF")];

fn trigger_name(table: &str, column: &str, event: &str) -> String {
    format!("{table}_{column}_i32_{event}")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Sqlite {
            return Ok(());
        }
        let db = manager.get_connection();
        for (table, column) in COLUMNS {
            for (event, clause) in EVENTS {
                let column_list = if *event == "update" { *column } else { "" };
                let name = trigger_name(table, column, event);
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER {name} BEFORE {clause} {column_list} ON {table} \
                     FOR EACH ROW WHEN NEW.{column} IS NOT NULL AND \
                     (typeof(NEW.{column}) <> 'integer' \
                      OR NEW.{column} NOT BETWEEN -2147483648 AND 2147483647) \
                     BEGIN SELECT RAISE(ABORT, '{table}.{column} out of range'); END"
                ))
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DatabaseBackend::Sqlite {
            return Ok(());
        }
        let db = manager.get_connection();
        for (table, column) in COLUMNS {
            for (event, _) in EVENTS {
                let name = trigger_name(table, column, event);
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}"))
                    .await?;
            }
        }
        Ok(())
    }
}
