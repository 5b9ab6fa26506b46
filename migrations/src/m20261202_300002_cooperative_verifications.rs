//! Verification records of cooperatives: each verification, suspension or
//! reinstatement with who made it, what was checked (the GSTIN or enrolment, the
//! FSSAI licence) and why; and a registration change of a verified cooperative held
//! as pending until an admin verifies it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cooperatives {
    Table,
    Id,
    PendingRegistration,
}

#[derive(DeriveIden)]
enum CooperativeVerifications {
    Table,
    Id,
    CooperativeId,
    FromStatus,
    ToStatus,
    Gstin,
    GstRegime,
    StateCode,
    FssaiLicence,
    AppliedChange,
    Reason,
    ActorUserId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Cooperatives::Table)
                    .add_column(json_null(Cooperatives::PendingRegistration))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CooperativeVerifications::Table)
                    .col(pk_uuid(CooperativeVerifications::Id))
                    .col(uuid(CooperativeVerifications::CooperativeId))
                    .col(string(CooperativeVerifications::FromStatus))
                    .col(string(CooperativeVerifications::ToStatus))
                    .col(string_null(CooperativeVerifications::Gstin))
                    .col(string(CooperativeVerifications::GstRegime))
                    .col(string(CooperativeVerifications::StateCode))
                    .col(string_null(CooperativeVerifications::FssaiLicence))
                    .col(boolean(CooperativeVerifications::AppliedChange).default(false))
                    .col(text(CooperativeVerifications::Reason))
                    .col(uuid_null(CooperativeVerifications::ActorUserId))
                    .col(timestamp_with_time_zone(
                        CooperativeVerifications::CreatedAt,
                    ))
                    .foreign_key(
                        &mut ForeignKey::create()
                            .name("fk_cooperative_verifications_cooperative")
                            .from(
                                CooperativeVerifications::Table,
                                CooperativeVerifications::CooperativeId,
                            )
                            .to(Cooperatives::Table, Cooperatives::Id)
                            .to_owned(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_cooperative_verifications_cooperative")
                    .table(CooperativeVerifications::Table)
                    .col(CooperativeVerifications::CooperativeId)
                    .col(CooperativeVerifications::CreatedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(CooperativeVerifications::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Cooperatives::Table)
                    .drop_column(Cooperatives::PendingRegistration)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
