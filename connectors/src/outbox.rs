//! The channel outbox: the actions of its jobs and its queue. The relay writes jobs and
//! the pusher claims them; both name them from here rather than from each other.

use kernel::queue::{Queue, QueueColumns};

use crate::entity::channel_outbox;

pub const UPSERT: &str = "UPSERT";
pub const DELETE: &str = "DELETE";

/// The channel outbox as a [`kernel::queue::Queue`].
pub(crate) const QUEUE: Queue<channel_outbox::Entity> = Queue::new(
    channel_outbox::Entity,
    QueueColumns {
        id: channel_outbox::Column::Id,
        locked_by: channel_outbox::Column::LockedBy,
        locked_until: channel_outbox::Column::LockedUntil,
        available_at: Some(channel_outbox::Column::AvailableAt),
        attempts: Some(channel_outbox::Column::Attempts),
        last_error: Some(channel_outbox::Column::LastError),
        dead_at: Some(channel_outbox::Column::DeadAt),
    },
);
