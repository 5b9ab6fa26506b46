//! An HSN code per product, overriding its category's default (blankets, 6301, listed
//! in a woollens category whose default is a shawl's 6214), and each cooperative's
//! aggregate turnover band, which sets how many HSN digits its documents must carry
//! (Notif. 78/2020-CT). Existing products keep their category's code (no override);
//! existing cooperatives are in the lower band (up to Rs 5 crore: 4 digits), the
//! documented default.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Products {
    Table,
    HsnCode,
}

#[derive(DeriveIden)]
enum Cooperatives {
    Table,
    TurnoverBand,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Products::Table)
                    .add_column(ColumnDef::new(Products::HsnCode).string().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Cooperatives::Table)
                    .add_column(
                        ColumnDef::new(Cooperatives::TurnoverBand)
                            .string()
                            .not_null()
                            .default("UP_TO_5_CRORE"),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Cooperatives::Table)
                    .drop_column(Cooperatives::TurnoverBand)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Products::Table)
                    .drop_column(Products::HsnCode)
                    .to_owned(),
            )
            .await
    }
}
