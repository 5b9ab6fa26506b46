pub(crate) mod account_token;
pub(crate) mod buyer_organisation;
pub(crate) mod known_device;
pub(crate) mod login_attempt;
pub(crate) mod refresh_token;
pub(crate) mod staff_invitation;
pub(crate) mod user;
