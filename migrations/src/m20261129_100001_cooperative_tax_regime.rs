//! A cooperative's GST registration regime (regular, composition, or enrolled without a
//! GSTIN) and the State it is registered in. Existing cooperatives with a GSTIN are
//! regular and registered in their GSTIN's State; those without one are enrolled, in
//! Ladakh (the only State cooperatives were registered in before).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cooperatives {
    Table,
    Gstin,
    GstRegime,
    StateCode,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Cooperatives::Table)
                    .add_column(
                        ColumnDef::new(Cooperatives::GstRegime)
                            .string()
                            .not_null()
                            .default("REGULAR"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Cooperatives::Table)
                    .add_column(
                        ColumnDef::new(Cooperatives::StateCode)
                            .string()
                            .not_null()
                            .default("38"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(Cooperatives::Table)
                    .value(Cooperatives::GstRegime, "ENROLLED")
                    .and_where(Expr::col(Cooperatives::Gstin).is_null())
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table(Cooperatives::Table)
                    .value(
                        Cooperatives::StateCode,
                        Func::cust("SUBSTR").args([
                            Expr::col(Cooperatives::Gstin),
                            Expr::val(1),
                            Expr::val(2),
                        ]),
                    )
                    .and_where(Expr::col(Cooperatives::Gstin).is_not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Cooperatives::StateCode, Cooperatives::GstRegime] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Cooperatives::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
