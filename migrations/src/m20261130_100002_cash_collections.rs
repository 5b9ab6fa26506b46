//! Cash on delivery across several cooperatives: each fulfilment's cash is recorded
//! when its carrier or the cooperative collects it, so the order is paid when every
//! part is, and a part cancelled before it shipped has nothing to refund.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Fulfilments {
    Table,
    CashCollectedPaise,
    CashCollectedAt,
    CashReference,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            big_integer(Fulfilments::CashCollectedPaise)
                .default(0)
                .to_owned(),
            timestamp_with_time_zone_null(Fulfilments::CashCollectedAt),
            string_null(Fulfilments::CashReference),
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
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Fulfilments::CashReference,
            Fulfilments::CashCollectedAt,
            Fulfilments::CashCollectedPaise,
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
