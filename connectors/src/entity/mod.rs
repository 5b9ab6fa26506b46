pub(crate) mod channel_cursor;
pub(crate) mod channel_listing;
pub(crate) mod channel_outbox;

#[cfg(test)]
mod tests {
    use sea_orm::{ActiveEnum, Iterable};

    use crate::{Desired, ListingState};

    #[test]
    fn listing_states_are_stored_by_their_names() {
        for state in ListingState::iter() {
            assert_eq!(state.to_value(), state.as_str());
        }
        assert_eq!(Desired::Listed.to_value(), "LISTED");
        assert_eq!(Desired::Delisted.to_value(), "DELISTED");
    }

    #[test]
    fn an_unknown_stored_state_is_an_error_not_a_default() {
        assert!(ListingState::try_from_value(&"LIVE".to_owned()).is_err());
        assert!(Desired::try_from_value(&"MAYBE".to_owned()).is_err());
    }
}
