//! Guest checkout: an order placed without an account carries the guest's email and
//! phone, and the SHA-256 of the access token its guest views it with. The email also
//! finds the guest's orders when an account with that (verified) email claims them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Orders {
    Table,
    GuestEmail,
    GuestPhone,
    AccessTokenHash,
}

const EMAIL_INDEX: &str = "idx_orders_guest_email";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one column per ALTER TABLE.
        for column in [
            string_null(Orders::GuestEmail),
            string_null(Orders::GuestPhone),
            string_null(Orders::AccessTokenHash),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Orders::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name(EMAIL_INDEX)
                    .table(Orders::Table)
                    .col(Orders::GuestEmail)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(EMAIL_INDEX)
                    .table(Orders::Table)
                    .to_owned(),
            )
            .await?;
        for column in [
            Orders::GuestEmail,
            Orders::GuestPhone,
            Orders::AccessTokenHash,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Orders::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
