pub(crate) mod buyer_organisation;
pub(crate) mod refresh_token;
pub(crate) mod staff_invitation;
pub(crate) mod user;
