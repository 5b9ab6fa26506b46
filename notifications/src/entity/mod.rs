pub mod notification;
pub mod notification_opt_out;
pub mod notification_outbox;
