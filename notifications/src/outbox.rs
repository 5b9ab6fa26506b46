//! Recording messages, and the queue their sender claims them from.

use chrono::Utc;
use kernel::queue::{Queue, QueueColumns};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, sea_query::OnConflict};
use uuid::Uuid;

use crate::{
    Envelope, NotificationError,
    entity::{notification, notification_outbox},
    preferences::opted_out,
    render::render,
};

/// The notification outbox as a [`kernel::queue::Queue`].
pub(crate) const QUEUE: Queue<notification_outbox::Entity> = Queue::new(
    notification_outbox::Entity,
    QueueColumns {
        id: notification_outbox::Column::Id,
        locked_by: notification_outbox::Column::LockedBy,
        locked_until: notification_outbox::Column::LockedUntil,
        available_at: Some(notification_outbox::Column::AvailableAt),
        attempts: Some(notification_outbox::Column::Attempts),
        last_error: Some(notification_outbox::Column::LastError),
        dead_at: Some(notification_outbox::Column::DeadAt),
    },
);

/// Records a message for sending, on `db` (the transaction of the change that causes
/// it, so that the message exists if and only if the change does). Returns false when
/// a message with this key was recorded before: that event's message is already on its
/// way (or sent), and is not sent again; or when the recipient switched this optional
/// kind off.
pub async fn record(
    db: &impl ConnectionTrait,
    envelope: Envelope,
) -> Result<bool, NotificationError> {
    if let Some(user_id) = envelope.user_id
        && opted_out(db, user_id, envelope.message.kind()).await?
    {
        tracing::debug!(key = %envelope.key, kind = ?envelope.message.kind(), "not recorded: the recipient switched this kind off");
        return Ok(false);
    }
    let rendered = render(&envelope.message, envelope.language)?;
    let attachments = serde_json::to_value(&envelope.attachments)
        .map_err(|e| NotificationError::Build(e.to_string()))?;
    let id = Uuid::now_v7();
    let now = Utc::now();
    // ON CONFLICT DO NOTHING rather than catching the unique violation: on PostgreSQL a
    // failed statement would abort the caller's whole transaction.
    let inserted = notification::Entity::insert(notification::ActiveModel {
        id: Set(id),
        idempotency_key: Set(envelope.key),
        kind: Set(envelope.message.kind()),
        recipient: Set(envelope.to),
        user_id: Set(envelope.user_id),
        language: Set(envelope.language),
        subject: Set(rendered.subject),
        html_body: Set(rendered.html),
        text_body: Set(rendered.text),
        attachments: Set(attachments),
        created_at: Set(now),
        sent_at: Set(None),
    })
    .on_conflict(
        OnConflict::column(notification::Column::IdempotencyKey)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if inserted == 0 {
        return Ok(false);
    }
    notification_outbox::Entity::insert(notification_outbox::ActiveModel {
        notification_id: Set(id),
        attempts: Set(0),
        available_at: Set(now),
        locked_by: Set(None),
        locked_until: Set(None),
        last_error: Set(None),
        dead_at: Set(None),
        enqueued_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(true)
}
