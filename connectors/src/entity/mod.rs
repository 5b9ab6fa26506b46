pub mod channel_cursor;
pub mod channel_listing;
pub mod channel_outbox;
