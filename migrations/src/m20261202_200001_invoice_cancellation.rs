//! Invoice cancellation before the return is filed. `cancelled_invoices` keeps each
//! cancelled number (it stays in the series and is counted as cancelled in GSTR-1's
//! table 13) with its date, the reason and the number issued in its place for the same
//! supply. `gstr1_filings` is the marker an admin sets when a cooperative's GSTR-1 for a
//! month has been filed on the portal: from then on that month's invoices can only be
//! corrected by credit and debit notes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CancelledInvoices {
    Table,
    Id,
    CooperativeId,
    OrderId,
    FulfilmentId,
    Number,
    InvoiceDate,
    Reason,
    ReplacedBy,
    ActorUserId,
    CancelledAt,
}

#[derive(DeriveIden)]
enum Gstr1Filings {
    Table,
    Id,
    CooperativeId,
    /// The first day of the return's month.
    PeriodStart,
    Arn,
    ActorUserId,
    FiledAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CancelledInvoices::Table)
                    .col(pk_uuid(CancelledInvoices::Id))
                    .col(uuid(CancelledInvoices::CooperativeId))
                    .col(uuid(CancelledInvoices::OrderId))
                    .col(uuid(CancelledInvoices::FulfilmentId))
                    .col(string_uniq(CancelledInvoices::Number))
                    .col(date(CancelledInvoices::InvoiceDate))
                    .col(text(CancelledInvoices::Reason))
                    .col(string(CancelledInvoices::ReplacedBy))
                    .col(uuid_null(CancelledInvoices::ActorUserId))
                    .col(timestamp_with_time_zone(CancelledInvoices::CancelledAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cancelled_invoices_cooperative_date")
                    .table(CancelledInvoices::Table)
                    .col(CancelledInvoices::CooperativeId)
                    .col(CancelledInvoices::InvoiceDate)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cancelled_invoices_fulfilment")
                    .table(CancelledInvoices::Table)
                    .col(CancelledInvoices::FulfilmentId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Gstr1Filings::Table)
                    .col(pk_uuid(Gstr1Filings::Id))
                    .col(uuid(Gstr1Filings::CooperativeId))
                    .col(date(Gstr1Filings::PeriodStart))
                    .col(string_null(Gstr1Filings::Arn))
                    .col(uuid_null(Gstr1Filings::ActorUserId))
                    .col(timestamp_with_time_zone(Gstr1Filings::FiledAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_gstr1_filings_cooperative_period")
                    .table(Gstr1Filings::Table)
                    .col(Gstr1Filings::CooperativeId)
                    .col(Gstr1Filings::PeriodStart)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Gstr1Filings::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(CancelledInvoices::Table).to_owned())
            .await
    }
}
