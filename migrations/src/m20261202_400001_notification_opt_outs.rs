//! The optional messages (reminders) each user switched off: one row per user and kind.
//! Stored as opt-outs so that a new optional kind reaches everyone until they choose.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum NotificationOptOuts {
    Table,
    UserId,
    Kind,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(NotificationOptOuts::Table)
                    .col(uuid(NotificationOptOuts::UserId))
                    .col(string(NotificationOptOuts::Kind))
                    .col(timestamp_with_time_zone(NotificationOptOuts::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(NotificationOptOuts::UserId)
                            .col(NotificationOptOuts::Kind),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notification_opt_outs_user")
                            .from(NotificationOptOuts::Table, NotificationOptOuts::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(NotificationOptOuts::Table).to_owned())
            .await
    }
}
