//! Bank transfers and UPI payments to an account: each cooperative's payout account
//! (set by its manager), and the payee's instructions an order carries from the
//! moment it is placed, so a later change of account does not rewrite what the buyer
//! was told.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PayoutAccounts {
    Table,
    CooperativeId,
    AccountName,
    AccountNumber,
    Ifsc,
    UpiVpa,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    PaymentInstructions,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PayoutAccounts::Table)
                    .col(uuid(PayoutAccounts::CooperativeId).primary_key())
                    .col(string(PayoutAccounts::AccountName))
                    .col(string(PayoutAccounts::AccountNumber))
                    .col(string(PayoutAccounts::Ifsc))
                    .col(string_null(PayoutAccounts::UpiVpa))
                    .col(uuid_null(PayoutAccounts::UpdatedBy))
                    .col(timestamp_with_time_zone(PayoutAccounts::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Orders::Table)
                    .add_column(json_null(Orders::PaymentInstructions))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Orders::Table)
                    .drop_column(Orders::PaymentInstructions)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(PayoutAccounts::Table).to_owned())
            .await
    }
}
