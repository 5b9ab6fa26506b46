//! What each reminder was last sent for, kept beside the fact it reminds of: the
//! payment due date a fulfilment's overdue reminder was sent for, and the expiry date
//! a GI authorisation's reminder was sent for. A sweep marks the row and records the
//! message in one transaction, so each due date or expiry is reminded of once, and a
//! new due date or a renewed authorisation is reminded of again.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Fulfilments {
    Table,
    OverdueRemindedFor,
}

#[derive(DeriveIden)]
enum GiAuthorisedUsers {
    Table,
    ExpiryRemindedFor,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Fulfilments::Table)
                    .add_column(timestamp_with_time_zone_null(
                        Fulfilments::OverdueRemindedFor,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(GiAuthorisedUsers::Table)
                    .add_column(date_null(GiAuthorisedUsers::ExpiryRemindedFor))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(GiAuthorisedUsers::Table)
                    .drop_column(GiAuthorisedUsers::ExpiryRemindedFor)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Fulfilments::Table)
                    .drop_column(Fulfilments::OverdueRemindedFor)
                    .to_owned(),
            )
            .await
    }
}
