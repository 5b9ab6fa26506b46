//! What the Invoice Registration Portal returns for a registered e-invoice: the IRN,
//! the acknowledgement number and date, and the signed QR code the invoice must carry
//! (CGST Rule 48(4)). One row per fulfilment, recorded by an admin, for the invoice
//! number it was registered under (a cancelled and reissued invoice is registered
//! again).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EinvoiceRegistrations {
    Table,
    FulfilmentId,
    InvoiceNumber,
    Irn,
    AckNo,
    AckDate,
    SignedQr,
    ActorUserId,
    RecordedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EinvoiceRegistrations::Table)
                    .col(pk_uuid(EinvoiceRegistrations::FulfilmentId))
                    .col(string(EinvoiceRegistrations::InvoiceNumber))
                    .col(string_uniq(EinvoiceRegistrations::Irn))
                    .col(string(EinvoiceRegistrations::AckNo))
                    .col(timestamp_with_time_zone(EinvoiceRegistrations::AckDate))
                    .col(text(EinvoiceRegistrations::SignedQr))
                    .col(uuid_null(EinvoiceRegistrations::ActorUserId))
                    .col(timestamp_with_time_zone(EinvoiceRegistrations::RecordedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EinvoiceRegistrations::Table).to_owned())
            .await
    }
}
