//! The goods a GI's registration covers: the category slugs and HSN prefixes a claim
//! must fall under. Null until the reference data (or an admin) fills them, and a GI
//! with no covered goods accepts no claim.

use sea_orm_migration::{prelude::*, schema::json_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum GiTags {
    Table,
    CoveredCategories,
    HsnPrefixes,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite cannot add two columns in one ALTER.
        for column in [GiTags::CoveredCategories, GiTags::HsnPrefixes] {
            manager
                .alter_table(
                    Table::alter()
                        .table(GiTags::Table)
                        .add_column(json_null(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [GiTags::HsnPrefixes, GiTags::CoveredCategories] {
            manager
                .alter_table(
                    Table::alter()
                        .table(GiTags::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
