pub mod notification;
pub mod notification_outbox;
