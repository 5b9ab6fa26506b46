//! Catalog core: cooperatives, the category tree, products and their variants.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cooperatives {
    Table,
    Id,
    Slug,
    Name,
    RegistrationNumber,
    Registrar,
    District,
    Village,
    AddressLine,
    PinCode,
    ContactEmail,
    ContactPhone,
    Gstin,
    FssaiLicence,
    VerificationStatus,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Categories {
    Table,
    Id,
    Slug,
    Name,
    ParentId,
    HsnCode,
    GstRateBp,
    AttributeSchema,
    Position,
    IsFood,
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
    Slug,
    Title,
    Description,
    CooperativeId,
    CategoryId,
    Status,
    Attributes,
    Images,
    Declarations,
    MinPricePaise,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ProductVariants {
    Table,
    Id,
    ProductId,
    CooperativeId,
    Sku,
    Title,
    PricePaise,
    MrpPaise,
    Currency,
    WeightGrams,
    StockOnHand,
    MinOrderQuantity,
    TierPrices,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    CooperativeId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Cooperatives::Table)
                    .col(pk_uuid(Cooperatives::Id))
                    .col(string_uniq(Cooperatives::Slug))
                    .col(string(Cooperatives::Name))
                    .col(string(Cooperatives::RegistrationNumber))
                    .col(string(Cooperatives::Registrar))
                    .col(string(Cooperatives::District))
                    .col(string(Cooperatives::Village))
                    .col(string(Cooperatives::AddressLine))
                    .col(string_len(Cooperatives::PinCode, 6))
                    .col(string(Cooperatives::ContactEmail))
                    .col(string(Cooperatives::ContactPhone))
                    .col(string_len_null(Cooperatives::Gstin, 15))
                    .col(string_len_null(Cooperatives::FssaiLicence, 14))
                    .col(string(Cooperatives::VerificationStatus))
                    .col(timestamp_with_time_zone(Cooperatives::CreatedAt))
                    .col(timestamp_with_time_zone(Cooperatives::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Categories::Table)
                    .col(pk_uuid(Categories::Id))
                    .col(string_uniq(Categories::Slug))
                    .col(string(Categories::Name))
                    .col(uuid_null(Categories::ParentId))
                    .col(string_len(Categories::HsnCode, 8))
                    .col(integer(Categories::GstRateBp))
                    .col(json(Categories::AttributeSchema))
                    .col(integer(Categories::Position))
                    .col(boolean(Categories::IsFood))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_categories_parent")
                            .from(Categories::Table, Categories::ParentId)
                            .to(Categories::Table, Categories::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Products::Table)
                    .col(pk_uuid(Products::Id))
                    .col(string_uniq(Products::Slug))
                    .col(string(Products::Title))
                    .col(text(Products::Description))
                    .col(uuid(Products::CooperativeId))
                    .col(uuid(Products::CategoryId))
                    .col(string(Products::Status))
                    .col(json(Products::Attributes))
                    .col(json(Products::Images))
                    .col(json(Products::Declarations))
                    .col(big_integer(Products::MinPricePaise).default(0))
                    .col(timestamp_with_time_zone(Products::CreatedAt))
                    .col(timestamp_with_time_zone(Products::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_products_cooperative")
                            .from(Products::Table, Products::CooperativeId)
                            .to(Cooperatives::Table, Cooperatives::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_products_category")
                            .from(Products::Table, Products::CategoryId)
                            .to(Categories::Table, Categories::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_products_cooperative")
                    .table(Products::Table)
                    .col(Products::CooperativeId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_products_status_price")
                    .table(Products::Table)
                    .col(Products::Status)
                    .col(Products::MinPricePaise)
                    .col(Products::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_products_status_id")
                    .table(Products::Table)
                    .col(Products::Status)
                    .col(Products::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProductVariants::Table)
                    .col(pk_uuid(ProductVariants::Id))
                    .col(uuid(ProductVariants::ProductId))
                    .col(uuid(ProductVariants::CooperativeId))
                    .col(string(ProductVariants::Sku))
                    .col(string(ProductVariants::Title))
                    .col(big_integer(ProductVariants::PricePaise))
                    .col(big_integer(ProductVariants::MrpPaise))
                    .col(string_len(ProductVariants::Currency, 3))
                    .col(integer(ProductVariants::WeightGrams))
                    .col(integer(ProductVariants::StockOnHand))
                    .col(integer(ProductVariants::MinOrderQuantity))
                    .col(json(ProductVariants::TierPrices))
                    .col(timestamp_with_time_zone(ProductVariants::CreatedAt))
                    .col(timestamp_with_time_zone(ProductVariants::UpdatedAt))
                    .check(
                        Expr::col(ProductVariants::PricePaise)
                            .lte(Expr::col(ProductVariants::MrpPaise)),
                    )
                    .check(Expr::col(ProductVariants::StockOnHand).gte(0))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_variants_product")
                            .from(ProductVariants::Table, ProductVariants::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_variants_cooperative_sku")
                    .table(ProductVariants::Table)
                    .col(ProductVariants::CooperativeId)
                    .col(ProductVariants::Sku)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_variants_product")
                    .table(ProductVariants::Table)
                    .col(ProductVariants::ProductId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_users_cooperative")
                    .table(Users::Table)
                    .col(Users::CooperativeId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_users_cooperative")
                    .table(Users::Table)
                    .to_owned(),
            )
            .await?;
        for table in [
            ProductVariants::Table.into_iden(),
            Products::Table.into_iden(),
            Categories::Table.into_iden(),
            Cooperatives::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
