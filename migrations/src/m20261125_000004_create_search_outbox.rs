//! The search outbox: one row per product whose search document must be rebuilt,
//! written in the same transaction as the catalog change. The integer id orders
//! entries; it never leaves the database.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SearchOutbox {
    Table,
    Id,
    ProductId,
    EnqueuedAt,
    Attempts,
    AvailableAt,
    LockedBy,
    LockedUntil,
    LastError,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SearchOutbox::Table)
                    .col(big_pk_auto(SearchOutbox::Id))
                    .col(uuid(SearchOutbox::ProductId))
                    .col(timestamp_with_time_zone(SearchOutbox::EnqueuedAt))
                    .col(integer(SearchOutbox::Attempts).default(0))
                    .col(timestamp_with_time_zone(SearchOutbox::AvailableAt))
                    .col(string_null(SearchOutbox::LockedBy))
                    .col(timestamp_with_time_zone_null(SearchOutbox::LockedUntil))
                    .col(text_null(SearchOutbox::LastError))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_search_outbox_available")
                    .table(SearchOutbox::Table)
                    .col(SearchOutbox::AvailableAt)
                    .col(SearchOutbox::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_search_outbox_locked_by")
                    .table(SearchOutbox::Table)
                    .col(SearchOutbox::LockedBy)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SearchOutbox::Table).to_owned())
            .await
    }
}
