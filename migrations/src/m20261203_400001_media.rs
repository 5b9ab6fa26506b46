//! Uploaded images: `media` (one row per upload, its stored original and renditions as
//! JSON, the cooperative that owns it) and `media_jobs`, the work-queue entries of
//! renditions still to make (`kernel::queue`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Media {
    Table,
    Id,
    CooperativeId,
    UploadedBy,
    Alt,
    SourceFormat,
    Width,
    Height,
    Original,
    Renditions,
    RenditionsReady,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MediaJobs {
    Table,
    Id,
    MediaId,
    Attempts,
    AvailableAt,
    LockedBy,
    LockedUntil,
    LastError,
    DeadAt,
    EnqueuedAt,
}

#[derive(DeriveIden)]
enum Cooperatives {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Media::Table)
                    .col(pk_uuid(Media::Id))
                    .col(uuid(Media::CooperativeId))
                    .col(uuid_null(Media::UploadedBy))
                    .col(text(Media::Alt))
                    .col(string(Media::SourceFormat))
                    .col(integer(Media::Width))
                    .col(integer(Media::Height))
                    .col(json(Media::Original))
                    .col(json(Media::Renditions))
                    .col(boolean(Media::RenditionsReady).default(false))
                    .col(timestamp_with_time_zone(Media::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_media_cooperative")
                            .from(Media::Table, Media::CooperativeId)
                            .to(Cooperatives::Table, Cooperatives::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_media_cooperative")
                    .table(Media::Table)
                    .col(Media::CooperativeId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_media_created_at")
                    .table(Media::Table)
                    .col(Media::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MediaJobs::Table)
                    .col(big_pk_auto(MediaJobs::Id))
                    .col(uuid(MediaJobs::MediaId))
                    .col(integer(MediaJobs::Attempts).default(0))
                    .col(timestamp_with_time_zone(MediaJobs::AvailableAt))
                    .col(string_null(MediaJobs::LockedBy))
                    .col(timestamp_with_time_zone_null(MediaJobs::LockedUntil))
                    .col(text_null(MediaJobs::LastError))
                    .col(timestamp_with_time_zone_null(MediaJobs::DeadAt))
                    .col(timestamp_with_time_zone(MediaJobs::EnqueuedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_media_jobs_media")
                            .from(MediaJobs::Table, MediaJobs::MediaId)
                            .to(Media::Table, Media::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MediaJobs::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Media::Table).to_owned())
            .await
    }
}
