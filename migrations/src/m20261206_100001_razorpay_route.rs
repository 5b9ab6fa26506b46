//! Razorpay Route: each cooperative's linked account and commission
//! (`route_accounts`), the transfer of each fulfilment's share to it
//! (`route_transfers`, at most one per fulfilment), the reversals refunds wait for
//! (`route_reversals`, one per refund), and the durable jobs that talk to Razorpay
//! (`route_jobs`, a `kernel::queue` table).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RouteAccounts {
    Table,
    CooperativeId,
    LinkedAccountId,
    CommissionBps,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RouteTransfers {
    Table,
    Id,
    FulfilmentId,
    OrderId,
    CooperativeId,
    LinkedAccountId,
    AmountPaise,
    CommissionPaise,
    TcsPaise,
    Status,
    TransferReference,
    OnHold,
    ReleasedAt,
    ReversedPaise,
    Failure,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RouteReversals {
    Table,
    RefundId,
    RouteTransferId,
    AmountPaise,
    ReversedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RouteJobs {
    Table,
    Id,
    RouteTransferId,
    Kind,
    RefundId,
    Attempts,
    AvailableAt,
    LockedBy,
    LockedUntil,
    LastError,
    DeadAt,
    EnqueuedAt,
}

#[derive(DeriveIden)]
enum Cooperatives {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Fulfilments {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RouteAccounts::Table)
                    .col(uuid(RouteAccounts::CooperativeId).primary_key())
                    .col(string_null(RouteAccounts::LinkedAccountId))
                    // Basis points; SQLite's INTEGER holds 64 bits, so the range is
                    // checked by the table on both databases.
                    .col(
                        integer_null(RouteAccounts::CommissionBps).check(
                            Expr::col(RouteAccounts::CommissionBps)
                                .between(0, 10_000)
                                .or(Expr::col(RouteAccounts::CommissionBps).is_null()),
                        ),
                    )
                    .col(uuid_null(RouteAccounts::UpdatedBy))
                    .col(timestamp_with_time_zone(RouteAccounts::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_route_accounts_cooperative")
                            .from(RouteAccounts::Table, RouteAccounts::CooperativeId)
                            .to(Cooperatives::Table, Cooperatives::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RouteTransfers::Table)
                    .col(pk_uuid(RouteTransfers::Id))
                    .col(uuid_uniq(RouteTransfers::FulfilmentId))
                    .col(uuid(RouteTransfers::OrderId))
                    .col(uuid(RouteTransfers::CooperativeId))
                    .col(string(RouteTransfers::LinkedAccountId))
                    .col(big_integer(RouteTransfers::AmountPaise))
                    .col(big_integer(RouteTransfers::CommissionPaise))
                    .col(big_integer(RouteTransfers::TcsPaise))
                    .col(string(RouteTransfers::Status))
                    .col(string_null(RouteTransfers::TransferReference))
                    .col(boolean(RouteTransfers::OnHold).default(true))
                    .col(timestamp_with_time_zone_null(RouteTransfers::ReleasedAt))
                    .col(big_integer(RouteTransfers::ReversedPaise).default(0))
                    .col(text_null(RouteTransfers::Failure))
                    .col(timestamp_with_time_zone(RouteTransfers::CreatedAt))
                    .col(timestamp_with_time_zone(RouteTransfers::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_route_transfers_fulfilment")
                            .from(RouteTransfers::Table, RouteTransfers::FulfilmentId)
                            .to(Fulfilments::Table, Fulfilments::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_route_transfers_cooperative")
                    .table(RouteTransfers::Table)
                    .col(RouteTransfers::CooperativeId)
                    .col(RouteTransfers::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RouteReversals::Table)
                    .col(uuid(RouteReversals::RefundId).primary_key())
                    .col(uuid(RouteReversals::RouteTransferId))
                    .col(big_integer(RouteReversals::AmountPaise))
                    .col(timestamp_with_time_zone_null(RouteReversals::ReversedAt))
                    .col(timestamp_with_time_zone(RouteReversals::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_route_reversals_transfer")
                            .from(RouteReversals::Table, RouteReversals::RouteTransferId)
                            .to(RouteTransfers::Table, RouteTransfers::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RouteJobs::Table)
                    .col(big_pk_auto(RouteJobs::Id))
                    .col(uuid(RouteJobs::RouteTransferId))
                    .col(string(RouteJobs::Kind))
                    .col(uuid_null(RouteJobs::RefundId))
                    .col(integer(RouteJobs::Attempts).default(0))
                    .col(timestamp_with_time_zone(RouteJobs::AvailableAt))
                    .col(string_null(RouteJobs::LockedBy))
                    .col(timestamp_with_time_zone_null(RouteJobs::LockedUntil))
                    .col(text_null(RouteJobs::LastError))
                    .col(timestamp_with_time_zone_null(RouteJobs::DeadAt))
                    .col(timestamp_with_time_zone(RouteJobs::EnqueuedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_route_jobs_transfer")
                            .from(RouteJobs::Table, RouteJobs::RouteTransferId)
                            .to(RouteTransfers::Table, RouteTransfers::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            RouteJobs::Table.into_iden(),
            RouteReversals::Table.into_iden(),
            RouteTransfers::Table.into_iden(),
            RouteAccounts::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
