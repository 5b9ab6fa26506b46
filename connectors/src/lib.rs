//! Connectors: listing the same items on NCUI Haat and GeM, the channel feeds, push sync
//! and inbound channel orders.
//!
//! Not built yet: the crate holds its place in the workspace so that the layering check
//! covers it from the start. Its open issue describes what it will own.
