pub(crate) mod batch;
pub(crate) mod catalog_change;
pub(crate) mod category;
pub(crate) mod cooperative;
pub(crate) mod cooperative_verification;
pub(crate) mod district;
pub(crate) mod gi_authorised_user;
pub(crate) mod gi_tag;
pub(crate) mod product;
pub(crate) mod product_gi_claim;
pub(crate) mod product_variant;
pub(crate) mod provenance_event;
pub(crate) mod stock_movement;

#[cfg(test)]
mod tests {
    use sea_orm::{ActiveEnum, Iterable};

    use crate::{
        AuthorisedUserStatus, Currency, EventKind, ProductStatus, StockReason, VerificationStatus,
    };

    #[test]
    fn stored_values_are_the_names_the_code_uses() {
        for status in ProductStatus::iter() {
            assert_eq!(status.to_value(), status.as_str());
            assert_eq!(status.as_str().parse::<ProductStatus>(), Ok(status));
        }
        for status in VerificationStatus::iter() {
            assert_eq!(status.to_value(), status.as_str());
            assert_eq!(status.as_str().parse::<VerificationStatus>(), Ok(status));
        }
        for status in AuthorisedUserStatus::iter() {
            assert_eq!(status.to_value(), status.as_str());
        }
        for kind in EventKind::iter() {
            assert_eq!(kind.to_value(), kind.as_str());
            assert_eq!(kind.as_str().parse::<EventKind>(), Ok(kind));
        }
        for reason in StockReason::iter() {
            assert_eq!(reason.to_value(), reason.as_str());
        }
        for currency in Currency::iter() {
            assert_eq!(currency.to_value(), currency.code());
            assert_eq!(Currency::from_code(currency.code()), Some(currency));
        }
    }

    #[test]
    fn an_unknown_stored_value_is_an_error_not_a_default() {
        let unknown = |text: &str| text.to_owned();
        assert!(ProductStatus::try_from_value(&unknown("PUBLISHED")).is_err());
        assert!(VerificationStatus::try_from_value(&unknown("APPROVED")).is_err());
        assert!(AuthorisedUserStatus::try_from_value(&unknown("EXPIRED")).is_err());
        assert!(EventKind::try_from_value(&unknown("harvested")).is_err());
        assert!(StockReason::try_from_value(&unknown("THEFT")).is_err());
        assert!(Currency::try_from_value(&unknown("USD")).is_err());
        assert!("active".parse::<ProductStatus>().is_err());
    }
}
