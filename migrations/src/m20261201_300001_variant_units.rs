//! Pieces per unit and the GST unit quantity code (UQC) per variant, and both on the
//! order lines that sold them.
//!
//! A variant may be a pack of N pieces (a pack of six stoles): per-piece GST rate
//! thresholds are judged on the price per piece, and documents print the variant's UQC.
//! Existing variants are single pieces counted as `NOS`, which is what every document
//! printed before; existing order lines keep `NOS` and one piece, so documents already
//! issued render as they did.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ProductVariants {
    Table,
    PiecesPerUnit,
    Uqc,
}

#[derive(DeriveIden)]
enum OrderLines {
    Table,
    PiecesPerUnit,
    Uqc,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one column per ALTER TABLE.
        let columns = [
            (
                ProductVariants::Table.into_iden(),
                ColumnDef::new(ProductVariants::PiecesPerUnit)
                    .integer()
                    .not_null()
                    .default(1)
                    .to_owned(),
            ),
            (
                ProductVariants::Table.into_iden(),
                ColumnDef::new(ProductVariants::Uqc)
                    .string()
                    .not_null()
                    .default("NOS")
                    .to_owned(),
            ),
            (
                OrderLines::Table.into_iden(),
                ColumnDef::new(OrderLines::PiecesPerUnit)
                    .integer()
                    .not_null()
                    .default(1)
                    .to_owned(),
            ),
            (
                OrderLines::Table.into_iden(),
                ColumnDef::new(OrderLines::Uqc)
                    .string()
                    .not_null()
                    .default("NOS")
                    .to_owned(),
            ),
        ];
        for (table, mut column) in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [
            (
                ProductVariants::Table.into_iden(),
                ProductVariants::Uqc.into_iden(),
            ),
            (
                ProductVariants::Table.into_iden(),
                ProductVariants::PiecesPerUnit.into_iden(),
            ),
            (OrderLines::Table.into_iden(), OrderLines::Uqc.into_iden()),
            (
                OrderLines::Table.into_iden(),
                OrderLines::PiecesPerUnit.into_iden(),
            ),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
