//! GeM's provisional receipt (PRC) and consignee receipt and acceptance certificate
//! (CRAC): when the consignee received a fulfilment and who recorded it, and per
//! consignee and line the ordered, accepted and rejected quantities with what became
//! of the rejected units (back to stock, or not).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Fulfilments {
    Table,
    Id,
    ReceivedAt,
    ReceivedBy,
    AcceptedBy,
}

#[derive(DeriveIden)]
enum AcceptanceLines {
    Table,
    Id,
    FulfilmentId,
    OrderLineId,
    ConsigneeId,
    Ordered,
    Accepted,
    Rejected,
    Disposition,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            timestamp_with_time_zone_null(Fulfilments::ReceivedAt),
            uuid_null(Fulfilments::ReceivedBy),
            uuid_null(Fulfilments::AcceptedBy),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Fulfilments::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(AcceptanceLines::Table)
                    .col(pk_uuid(AcceptanceLines::Id))
                    .col(uuid(AcceptanceLines::FulfilmentId))
                    .col(uuid(AcceptanceLines::OrderLineId))
                    .col(uuid_null(AcceptanceLines::ConsigneeId))
                    .col(integer(AcceptanceLines::Ordered))
                    .col(integer(AcceptanceLines::Accepted))
                    .col(integer(AcceptanceLines::Rejected))
                    .col(string_null(AcceptanceLines::Disposition))
                    .col(timestamp_with_time_zone(AcceptanceLines::CreatedAt))
                    .check(Expr::col(AcceptanceLines::Accepted).gte(0))
                    .check(Expr::col(AcceptanceLines::Rejected).gte(0))
                    .foreign_key(
                        &mut ForeignKey::create()
                            .name("fk_acceptance_lines_fulfilment")
                            .from(AcceptanceLines::Table, AcceptanceLines::FulfilmentId)
                            .to(Fulfilments::Table, Fulfilments::Id)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        // One acceptance per line: a CRAC is recorded once.
        manager
            .create_index(
                Index::create()
                    .name("ux_acceptance_lines_line")
                    .table(AcceptanceLines::Table)
                    .col(AcceptanceLines::OrderLineId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AcceptanceLines::Table).to_owned())
            .await?;
        for column in [
            Fulfilments::AcceptedBy,
            Fulfilments::ReceivedBy,
            Fulfilments::ReceivedAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Fulfilments::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
