//! Sales channels (NCUI Haat, GeM): products' procurement details, the catalogue change
//! log the channel relay consumes, listings per product and channel, the channel push
//! outbox with its dead-letter state, inbound-order polling cursors, and the channel an
//! order came from.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Products {
    Table,
    Procurement,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    SourceChannel,
}

#[derive(DeriveIden)]
enum CatalogChanges {
    Table,
    Id,
    ProductId,
    EnqueuedAt,
    LockedBy,
    LockedUntil,
}

#[derive(DeriveIden)]
enum ChannelListings {
    Table,
    Id,
    ProductId,
    CooperativeId,
    Channel,
    Desired,
    State,
    RemoteId,
    RejectionReasons,
    LastSyncedVersion,
    LastSyncedAt,
    LastError,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ChannelOutbox {
    Table,
    Id,
    ListingId,
    ProductId,
    Channel,
    Action,
    Payload,
    Attempts,
    AvailableAt,
    LockedBy,
    LockedUntil,
    LastError,
    DeadAt,
    EnqueuedAt,
}

#[derive(DeriveIden)]
enum ChannelCursors {
    Table,
    Channel,
    Cursor,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Products::Table)
                    .add_column(json_null(Products::Procurement))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Orders::Table)
                    .add_column(string_null(Orders::SourceChannel))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CatalogChanges::Table)
                    .col(big_pk_auto(CatalogChanges::Id))
                    .col(uuid(CatalogChanges::ProductId))
                    .col(timestamp_with_time_zone(CatalogChanges::EnqueuedAt))
                    .col(string_null(CatalogChanges::LockedBy))
                    .col(timestamp_with_time_zone_null(CatalogChanges::LockedUntil))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ChannelListings::Table)
                    .col(pk_uuid(ChannelListings::Id))
                    .col(uuid(ChannelListings::ProductId))
                    .col(uuid(ChannelListings::CooperativeId))
                    .col(string(ChannelListings::Channel))
                    .col(string(ChannelListings::Desired))
                    .col(string(ChannelListings::State))
                    .col(string_null(ChannelListings::RemoteId))
                    .col(json_null(ChannelListings::RejectionReasons))
                    .col(big_integer_null(ChannelListings::LastSyncedVersion))
                    .col(timestamp_with_time_zone_null(ChannelListings::LastSyncedAt))
                    .col(text_null(ChannelListings::LastError))
                    .col(timestamp_with_time_zone(ChannelListings::CreatedAt))
                    .col(timestamp_with_time_zone(ChannelListings::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_channel_listings_product_channel")
                    .table(ChannelListings::Table)
                    .col(ChannelListings::ProductId)
                    .col(ChannelListings::Channel)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ChannelOutbox::Table)
                    .col(big_pk_auto(ChannelOutbox::Id))
                    .col(uuid(ChannelOutbox::ListingId))
                    .col(uuid(ChannelOutbox::ProductId))
                    .col(string(ChannelOutbox::Channel))
                    .col(string(ChannelOutbox::Action))
                    .col(json(ChannelOutbox::Payload))
                    .col(integer(ChannelOutbox::Attempts).default(0))
                    .col(timestamp_with_time_zone(ChannelOutbox::AvailableAt))
                    .col(string_null(ChannelOutbox::LockedBy))
                    .col(timestamp_with_time_zone_null(ChannelOutbox::LockedUntil))
                    .col(text_null(ChannelOutbox::LastError))
                    .col(timestamp_with_time_zone_null(ChannelOutbox::DeadAt))
                    .col(timestamp_with_time_zone(ChannelOutbox::EnqueuedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_channel_outbox_listing")
                    .table(ChannelOutbox::Table)
                    .col(ChannelOutbox::ListingId)
                    .col(ChannelOutbox::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ChannelCursors::Table)
                    .col(string(ChannelCursors::Channel).primary_key())
                    .col(string(ChannelCursors::Cursor))
                    .col(timestamp_with_time_zone(ChannelCursors::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ChannelCursors::Table.into_iden(),
            ChannelOutbox::Table.into_iden(),
            ChannelListings::Table.into_iden(),
            CatalogChanges::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Orders::Table)
                    .drop_column(Orders::SourceChannel)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Products::Table)
                    .drop_column(Products::Procurement)
                    .to_owned(),
            )
            .await
    }
}
