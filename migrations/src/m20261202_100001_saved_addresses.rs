//! Signed-in buyers' address books: saved addresses, each in one of a bounded number of
//! slots per user (so the bound holds however many requests race to add one), and at
//! most one default shipping and one default billing address per user, both kept by
//! partial unique indexes rather than by the code alone.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SavedAddresses {
    Table,
    Id,
    UserId,
    Slot,
    Label,
    Name,
    Phone,
    Line1,
    Line2,
    City,
    PinCode,
    StateCode,
    Gstin,
    DefaultShipping,
    DefaultBilling,
    CreatedAt,
    UpdatedAt,
}

const SLOT_INDEX: &str = "idx_saved_addresses_user_slot";
/// Partial indexes: the same statement on SQLite and PostgreSQL.
const DEFAULT_INDEXES: [(&str, &str); 2] = [
    ("idx_saved_addresses_default_shipping", "default_shipping"),
    ("idx_saved_addresses_default_billing", "default_billing"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SavedAddresses::Table)
                    .col(pk_uuid(SavedAddresses::Id))
                    .col(uuid(SavedAddresses::UserId))
                    .col(small_integer(SavedAddresses::Slot))
                    .col(string_null(SavedAddresses::Label))
                    .col(string(SavedAddresses::Name))
                    .col(string(SavedAddresses::Phone))
                    .col(string(SavedAddresses::Line1))
                    .col(string_null(SavedAddresses::Line2))
                    .col(string(SavedAddresses::City))
                    .col(string(SavedAddresses::PinCode))
                    .col(string(SavedAddresses::StateCode))
                    .col(string_null(SavedAddresses::Gstin))
                    .col(boolean(SavedAddresses::DefaultShipping).default(false))
                    .col(boolean(SavedAddresses::DefaultBilling).default(false))
                    .col(timestamp_with_time_zone(SavedAddresses::CreatedAt))
                    .col(timestamp_with_time_zone(SavedAddresses::UpdatedAt))
                    .check(Expr::col(SavedAddresses::Slot).gte(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(SLOT_INDEX)
                    .table(SavedAddresses::Table)
                    .col(SavedAddresses::UserId)
                    .col(SavedAddresses::Slot)
                    .unique()
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for (name, column) in DEFAULT_INDEXES {
            db.execute_unprepared(&format!(
                "CREATE UNIQUE INDEX {name} ON saved_addresses (user_id) WHERE {column}"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _) in DEFAULT_INDEXES {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
        }
        manager
            .drop_table(Table::drop().table(SavedAddresses::Table).to_owned())
            .await
    }
}
