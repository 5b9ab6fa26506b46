//! The notifications outbox: every message is a row of `notifications`, written in the
//! transaction of the change that causes it, with a unique idempotency key per event
//! and recipient (so an event recorded twice is one message), and a row of
//! `notification_outbox`, the work-queue entry the sender claims (`kernel::queue`), which
//! is deleted once the message is sent. The message row stays as the record of what was
//! sent and when. Users gain the language their messages are written in.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    IdempotencyKey,
    Kind,
    Recipient,
    UserId,
    Language,
    Subject,
    HtmlBody,
    TextBody,
    Attachments,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum NotificationOutbox {
    Table,
    Id,
    NotificationId,
    Attempts,
    AvailableAt,
    LockedBy,
    LockedUntil,
    LastError,
    DeadAt,
    EnqueuedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Language,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .col(pk_uuid(Notifications::Id))
                    .col(string_uniq(Notifications::IdempotencyKey))
                    .col(string(Notifications::Kind))
                    .col(string(Notifications::Recipient))
                    .col(uuid_null(Notifications::UserId))
                    .col(string(Notifications::Language))
                    .col(text(Notifications::Subject))
                    .col(text(Notifications::HtmlBody))
                    .col(text(Notifications::TextBody))
                    .col(json(Notifications::Attachments))
                    .col(timestamp_with_time_zone(Notifications::CreatedAt))
                    .col(timestamp_with_time_zone_null(Notifications::SentAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_notifications_recipient")
                    .table(Notifications::Table)
                    .col(Notifications::Recipient)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NotificationOutbox::Table)
                    .col(big_pk_auto(NotificationOutbox::Id))
                    .col(uuid(NotificationOutbox::NotificationId))
                    .col(integer(NotificationOutbox::Attempts).default(0))
                    .col(timestamp_with_time_zone(NotificationOutbox::AvailableAt))
                    .col(string_null(NotificationOutbox::LockedBy))
                    .col(timestamp_with_time_zone_null(
                        NotificationOutbox::LockedUntil,
                    ))
                    .col(text_null(NotificationOutbox::LastError))
                    .col(timestamp_with_time_zone_null(NotificationOutbox::DeadAt))
                    .col(timestamp_with_time_zone(NotificationOutbox::EnqueuedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notification_outbox_notification")
                            .from(
                                NotificationOutbox::Table,
                                NotificationOutbox::NotificationId,
                            )
                            .to(Notifications::Table, Notifications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(string(Users::Language).default("en"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::Language)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(NotificationOutbox::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Notifications::Table).to_owned())
            .await
    }
}
