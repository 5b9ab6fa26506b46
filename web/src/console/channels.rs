//! A product's listings on the sales channels (NCUI Haat, GeM) on its console page:
//! each listing's state, the channel's rejection reasons and last push failure, and the
//! actions (list, delist, retry). The channel's checks name fields of the product
//! (`product.localContentPercent`); they are renamed here to the product form's own
//! fields, so each is shown beside the field that fixes it.

use serde::Deserialize;

use super::forms::Errors;
use crate::i18n::Tr;

/// The channels, as the schema's `SalesChannel` spells them.
pub(crate) const CHANNELS: [&str; 2] = ["NCUI_HAAT", "GEM"];

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Listing {
    pub id: String,
    pub channel: String,
    pub state: String,
    pub wanted: bool,
    pub rejection_reasons: Vec<String>,
    pub last_error: Option<String>,
    pub pending_changes: i64,
    pub dead_lettered: i64,
}

/// One channel as the product page shows it, listed or not.
pub(crate) struct ChannelView {
    pub channel: String,
    pub name: String,
    pub state: String,
    pub state_label: String,
    pub wanted: bool,
    pub rejection_reasons: Vec<String>,
    pub last_error: Option<String>,
    pub pending_changes: i64,
    pub dead_lettered: i64,
    /// Refused, or pushes given up on: the channel can be asked again.
    pub retry: bool,
    /// The channel's errors that name no field of the product form.
    pub errors: Vec<String>,
}

pub(crate) fn views(
    t: &Tr,
    listings: &[Listing],
    sent: Option<(&str, &Errors)>,
    form_fields: &[String],
) -> Vec<ChannelView> {
    CHANNELS
        .iter()
        .map(|channel| {
            let listing = listings.iter().find(|l| l.channel == *channel);
            let state = listing
                .map_or("NOT_LISTED", |l| l.state.as_str())
                .to_owned();
            let errors = match sent {
                Some((to, errors)) if to == *channel => errors.general(form_fields),
                _ => Vec::new(),
            };
            ChannelView {
                channel: (*channel).to_owned(),
                name: t.t(&format!("con-channel-{}", channel.to_lowercase())),
                state_label: t.t(&format!("con-listing-{}", state.to_lowercase())),
                wanted: listing.is_some_and(|l| l.wanted),
                rejection_reasons: listing
                    .map(|l| l.rejection_reasons.clone())
                    .unwrap_or_default(),
                last_error: listing.and_then(|l| l.last_error.clone()),
                pending_changes: listing.map_or(0, |l| l.pending_changes),
                dead_lettered: listing.map_or(0, |l| l.dead_lettered),
                retry: listing.is_some_and(|l| l.state == "REJECTED" || l.dead_lettered > 0),
                errors,
                state,
            }
        })
        .collect()
}

/// The channel's field errors under the names of the product form's fields:
/// `product.declarations.countryOfOrigin` is `declarations.countryOfOrigin`, and the
/// procurement facts GeM asks for live under `procurement.`.
pub(crate) fn on_form_fields(errors: Errors) -> Errors {
    Errors(
        errors
            .0
            .into_iter()
            .map(|(path, message)| {
                let path = match path.strip_prefix("product.") {
                    Some(rest @ ("localContentPercent" | "deliveryLeadTimeDays")) => {
                        format!("procurement.{rest}")
                    }
                    Some(rest) => rest.to_owned(),
                    None => path,
                };
                (path, message)
            })
            .collect(),
    )
}

/// Whether `channel` is one of the schema's channels (a form names it).
pub(crate) fn known(channel: &str) -> bool {
    CHANNELS.contains(&channel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_errors_take_the_product_forms_names() {
        let errors = on_form_fields(Errors(vec![
            ("product.localContentPercent".into(), "needed".into()),
            (
                "product.declarations.countryOfOrigin".into(),
                "needed".into(),
            ),
            ("cooperative.gstin".into(), "needed".into()),
        ]));
        assert_eq!(
            errors.of("procurement.localContentPercent").as_deref(),
            Some("needed")
        );
        assert!(errors.of("declarations.countryOfOrigin").is_some());
        assert!(errors.of("cooperative.gstin").is_some());
    }
}
