//! What a fulfilment is billed on: the supplier's GST regime when the order was placed
//! and the document kind (tax invoice, bill of supply, invoice-cum-bill of supply).
//! Fulfilments before this were all tax invoices of regular suppliers.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Fulfilments {
    Table,
    SupplierRegime,
    DocumentKind,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (column, default) in [
            (Fulfilments::SupplierRegime, "REGULAR"),
            (Fulfilments::DocumentKind, "TAX_INVOICE"),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Fulfilments::Table)
                        .add_column(ColumnDef::new(column).string().not_null().default(default))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Fulfilments::DocumentKind, Fulfilments::SupplierRegime] {
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
