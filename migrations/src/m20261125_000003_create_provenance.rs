//! Catalog depth and provenance: districts as data, the stock ledger, the GI register and its authorised users, production batches with
//! hash-chained provenance events, products' GI claims, and staff invitations.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Districts {
    Table,
    Id,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Cooperatives {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ProductVariants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum StockMovements {
    Table,
    Id,
    VariantId,
    BatchId,
    Delta,
    Reason,
    Note,
    ActorUserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum GiTags {
    Table,
    Id,
    Slug,
    Name,
    ApplicationNumber,
    ClassOfGoods,
    GoodsDescription,
    RegisteredProprietor,
    AreaDistricts,
    AreaDescription,
    RegistrationDate,
    ExpiryDate,
    FactsConfirmed,
    SourceNote,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GiAuthorisedUsers {
    Table,
    Id,
    GiTagId,
    CooperativeId,
    AuNumber,
    ValidFrom,
    ValidUntil,
    Status,
    VerifiedBy,
    VerifiedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Batches {
    Table,
    Id,
    Code,
    ProductId,
    VariantId,
    CooperativeId,
    OriginVillage,
    OriginDistrict,
    ProducedOn,
    Quantity,
    Certificates,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ProvenanceEvents {
    Table,
    Id,
    BatchId,
    Sequence,
    Kind,
    OccurredAt,
    Location,
    Notes,
    Data,
    RecordedBy,
    RecordedAt,
    PreviousHash,
    ContentHash,
}

#[derive(DeriveIden)]
enum ProductGiClaims {
    Table,
    Id,
    ProductId,
    GiTagId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum StaffInvitations {
    Table,
    Id,
    CooperativeId,
    Email,
    Name,
    CooperativeRole,
    TokenHash,
    InvitedBy,
    ExpiresAt,
    AcceptedAt,
    CreatedAt,
}

fn fk(name: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(name).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Districts::Table)
                    .col(pk_uuid(Districts::Id))
                    .col(string_uniq(Districts::Name))
                    .col(timestamp_with_time_zone(Districts::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(GiTags::Table)
                    .col(pk_uuid(GiTags::Id))
                    .col(string_uniq(GiTags::Slug))
                    .col(string(GiTags::Name))
                    .col(string_null(GiTags::ApplicationNumber))
                    .col(string_null(GiTags::ClassOfGoods))
                    .col(text(GiTags::GoodsDescription))
                    .col(string_null(GiTags::RegisteredProprietor))
                    .col(json(GiTags::AreaDistricts))
                    .col(text(GiTags::AreaDescription))
                    .col(date_null(GiTags::RegistrationDate))
                    .col(date_null(GiTags::ExpiryDate))
                    .col(boolean(GiTags::FactsConfirmed))
                    .col(text(GiTags::SourceNote))
                    .col(timestamp_with_time_zone(GiTags::CreatedAt))
                    .col(timestamp_with_time_zone(GiTags::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(GiAuthorisedUsers::Table)
                    .col(pk_uuid(GiAuthorisedUsers::Id))
                    .col(uuid(GiAuthorisedUsers::GiTagId))
                    .col(uuid(GiAuthorisedUsers::CooperativeId))
                    .col(string(GiAuthorisedUsers::AuNumber))
                    .col(date(GiAuthorisedUsers::ValidFrom))
                    .col(date(GiAuthorisedUsers::ValidUntil))
                    .col(string(GiAuthorisedUsers::Status))
                    .col(uuid_null(GiAuthorisedUsers::VerifiedBy))
                    .col(timestamp_with_time_zone_null(GiAuthorisedUsers::VerifiedAt))
                    .col(timestamp_with_time_zone(GiAuthorisedUsers::CreatedAt))
                    .foreign_key(
                        &mut fk("fk_gi_au_tag")
                            .from(GiAuthorisedUsers::Table, GiAuthorisedUsers::GiTagId)
                            .to(GiTags::Table, GiTags::Id)
                            .to_owned(),
                    )
                    .foreign_key(
                        &mut fk("fk_gi_au_cooperative")
                            .from(GiAuthorisedUsers::Table, GiAuthorisedUsers::CooperativeId)
                            .to(Cooperatives::Table, Cooperatives::Id)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_gi_au_number")
                    .table(GiAuthorisedUsers::Table)
                    .col(GiAuthorisedUsers::GiTagId)
                    .col(GiAuthorisedUsers::AuNumber)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Batches::Table)
                    .col(pk_uuid(Batches::Id))
                    .col(string_uniq(Batches::Code))
                    .col(uuid(Batches::ProductId))
                    .col(uuid(Batches::VariantId))
                    .col(uuid(Batches::CooperativeId))
                    .col(string(Batches::OriginVillage))
                    .col(string(Batches::OriginDistrict))
                    .col(date(Batches::ProducedOn))
                    .col(integer(Batches::Quantity))
                    .col(json(Batches::Certificates))
                    .col(timestamp_with_time_zone(Batches::CreatedAt))
                    .check(Expr::col(Batches::Quantity).gt(0))
                    .foreign_key(
                        &mut fk("fk_batches_product")
                            .from(Batches::Table, Batches::ProductId)
                            .to(Products::Table, Products::Id)
                            .to_owned(),
                    )
                    .foreign_key(
                        &mut fk("fk_batches_variant")
                            .from(Batches::Table, Batches::VariantId)
                            .to(ProductVariants::Table, ProductVariants::Id)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_batches_product")
                    .table(Batches::Table)
                    .col(Batches::ProductId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StockMovements::Table)
                    .col(pk_uuid(StockMovements::Id))
                    .col(uuid(StockMovements::VariantId))
                    .col(uuid_null(StockMovements::BatchId))
                    .col(integer(StockMovements::Delta))
                    .col(string(StockMovements::Reason))
                    .col(text_null(StockMovements::Note))
                    .col(uuid_null(StockMovements::ActorUserId))
                    .col(timestamp_with_time_zone(StockMovements::CreatedAt))
                    .foreign_key(
                        &mut fk("fk_stock_movements_variant")
                            .from(StockMovements::Table, StockMovements::VariantId)
                            .to(ProductVariants::Table, ProductVariants::Id)
                            .on_delete(ForeignKeyAction::Cascade)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_stock_movements_variant")
                    .table(StockMovements::Table)
                    .col(StockMovements::VariantId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProvenanceEvents::Table)
                    .col(pk_uuid(ProvenanceEvents::Id))
                    .col(uuid(ProvenanceEvents::BatchId))
                    .col(integer(ProvenanceEvents::Sequence))
                    .col(string(ProvenanceEvents::Kind))
                    .col(timestamp_with_time_zone(ProvenanceEvents::OccurredAt))
                    .col(string(ProvenanceEvents::Location))
                    .col(text(ProvenanceEvents::Notes))
                    .col(json(ProvenanceEvents::Data))
                    .col(uuid_null(ProvenanceEvents::RecordedBy))
                    .col(timestamp_with_time_zone(ProvenanceEvents::RecordedAt))
                    .col(string_len(ProvenanceEvents::PreviousHash, 64))
                    .col(string_len(ProvenanceEvents::ContentHash, 64))
                    .foreign_key(
                        &mut fk("fk_provenance_events_batch")
                            .from(ProvenanceEvents::Table, ProvenanceEvents::BatchId)
                            .to(Batches::Table, Batches::Id)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_provenance_events_batch_sequence")
                    .table(ProvenanceEvents::Table)
                    .col(ProvenanceEvents::BatchId)
                    .col(ProvenanceEvents::Sequence)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProductGiClaims::Table)
                    .col(pk_uuid(ProductGiClaims::Id))
                    .col(uuid(ProductGiClaims::ProductId))
                    .col(uuid(ProductGiClaims::GiTagId))
                    .col(timestamp_with_time_zone(ProductGiClaims::CreatedAt))
                    .foreign_key(
                        &mut fk("fk_gi_claims_product")
                            .from(ProductGiClaims::Table, ProductGiClaims::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade)
                            .to_owned(),
                    )
                    .foreign_key(
                        &mut fk("fk_gi_claims_tag")
                            .from(ProductGiClaims::Table, ProductGiClaims::GiTagId)
                            .to(GiTags::Table, GiTags::Id)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_gi_claims_product_tag")
                    .table(ProductGiClaims::Table)
                    .col(ProductGiClaims::ProductId)
                    .col(ProductGiClaims::GiTagId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StaffInvitations::Table)
                    .col(pk_uuid(StaffInvitations::Id))
                    .col(uuid(StaffInvitations::CooperativeId))
                    .col(string(StaffInvitations::Email))
                    .col(string(StaffInvitations::Name))
                    .col(string(StaffInvitations::CooperativeRole))
                    .col(string_uniq(StaffInvitations::TokenHash))
                    .col(uuid(StaffInvitations::InvitedBy))
                    .col(timestamp_with_time_zone(StaffInvitations::ExpiresAt))
                    .col(timestamp_with_time_zone_null(StaffInvitations::AcceptedAt))
                    .col(timestamp_with_time_zone(StaffInvitations::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            StaffInvitations::Table.into_iden(),
            ProductGiClaims::Table.into_iden(),
            ProvenanceEvents::Table.into_iden(),
            StockMovements::Table.into_iden(),
            Batches::Table.into_iden(),
            GiAuthorisedUsers::Table.into_iden(),
            GiTags::Table.into_iden(),
            Districts::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
