//! The words of each message in each language. Values are put in as they are: the
//! templates escape every one of them.

use chrono::{DateTime, NaiveDate, Utc};
use kernel::Money;

use crate::{Language, Message, OrderSummary};

/// A labelled value shown on its own line (a token, a date).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub label: String,
    pub value: String,
}

/// Rows under a heading (an order's lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A message's words, before a template lays them out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    pub subject: String,
    pub greeting: String,
    pub paragraphs: Vec<String>,
    pub table: Option<Table>,
    pub fields: Vec<Field>,
    pub closing: String,
}

const MARKETPLACE_EN: &str = "Ladakh Cooperative Marketplace";
const MARKETPLACE_HI: &str = "लद्दाख सहकारी बाज़ार";

fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn field(label: &str, value: impl Into<String>) -> Field {
    Field {
        label: label.to_owned(),
        value: value.into(),
    }
}

fn rupees(paise: i64) -> String {
    Money::inr(paise).for_people()
}

fn day(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// An order's lines as a table.
fn lines(order: &OrderSummary, language: Language) -> Table {
    let head = match language {
        Language::English => ["Item", "Quantity", "Unit price", "Amount"],
        Language::Hindi => ["वस्तु", "मात्रा", "इकाई मूल्य", "राशि"],
    };
    Table {
        head: head.iter().map(|h| (*h).to_owned()).collect(),
        rows: order
            .lines
            .iter()
            .map(|line| {
                vec![
                    line.description.clone(),
                    line.quantity.to_string(),
                    rupees(line.unit_price_paise),
                    rupees(line.total_paise),
                ]
            })
            .collect(),
    }
}

/// An order's number, GST split (only the taxes it bears) and delivery address.
fn order_fields(order: &OrderSummary, language: Language) -> Vec<Field> {
    let labels = match language {
        Language::English => [
            "Order",
            "Taxable value",
            "CGST",
            "SGST",
            "UTGST",
            "IGST",
            "Total",
            "Deliver to",
        ],
        Language::Hindi => [
            "ऑर्डर",
            "कर योग्य मूल्य",
            "CGST",
            "SGST",
            "UTGST",
            "IGST",
            "कुल",
            "डिलीवरी पता",
        ],
    };
    let [number, taxable, cgst, sgst, utgst, igst, total, address] = labels;
    let mut fields = vec![
        field(number, order.number.clone()),
        field(taxable, rupees(order.taxable_paise)),
    ];
    for (label, paise) in [
        (cgst, order.cgst_paise),
        (sgst, order.sgst_paise),
        (utgst, order.utgst_paise),
        (igst, order.igst_paise),
    ] {
        if paise != 0 {
            fields.push(field(label, rupees(paise)));
        }
    }
    fields.push(field(total, rupees(order.total_paise)));
    fields.push(field(address, order.address.join(", ")));
    fields
}

pub fn copy(message: &Message, language: Language) -> Copy {
    let (greeting, closing) = match language {
        Language::English => ("Hello,".to_owned(), format!("— {MARKETPLACE_EN}")),
        Language::Hindi => ("नमस्ते,".to_owned(), format!("— {MARKETPLACE_HI}")),
    };
    let table = match message {
        Message::OrderConfirmation { order } | Message::NewOrder { order, .. } => {
            Some(lines(order, language))
        }
        _ => None,
    };
    let (subject, paragraphs, fields) = match (message, language) {
        (Message::RegistrationAttempt, Language::English) => (
            "Someone tried to register with your address".to_owned(),
            vec![
                "Someone tried to create an account on the marketplace with this email address, which already has an account. No new account was created.".to_owned(),
                "If it was you, sign in with your password, or reset it if you have forgotten it. If it was not you, you can ignore this message.".to_owned(),
            ],
            vec![],
        ),
        (Message::RegistrationAttempt, Language::Hindi) => (
            "किसी ने आपके पते से पंजीकरण का प्रयास किया".to_owned(),
            vec![
                "किसी ने इस ईमेल पते से बाज़ार पर खाता बनाने का प्रयास किया, जिसका खाता पहले से है। कोई नया खाता नहीं बनाया गया।".to_owned(),
                "यदि यह आप थे, तो अपने पासवर्ड से साइन इन करें, या भूल गए हों तो उसे रीसेट करें। यदि यह आप नहीं थे, तो इस संदेश को अनदेखा करें।".to_owned(),
            ],
            vec![],
        ),
        (Message::PasswordReset { token, valid_minutes }, Language::English) => (
            "Reset your password".to_owned(),
            vec![
                "Someone asked to reset the password of your account. Use this code to choose a new one; it works once.".to_owned(),
                "After the reset, every device signed in to your account is signed out. If you did not ask for this, ignore this message: your password stays as it is.".to_owned(),
            ],
            vec![
                field("Reset code", token.clone()),
                field("Valid for", format!("{valid_minutes} minutes")),
            ],
        ),
        (Message::PasswordReset { token, valid_minutes }, Language::Hindi) => (
            "अपना पासवर्ड रीसेट करें".to_owned(),
            vec![
                "किसी ने आपके खाते का पासवर्ड रीसेट करने का अनुरोध किया। नया पासवर्ड चुनने के लिए इस कोड का उपयोग करें; यह एक बार ही काम करता है।".to_owned(),
                "रीसेट के बाद आपके खाते में साइन इन हर डिवाइस साइन आउट हो जाएगा। यदि आपने यह अनुरोध नहीं किया, तो इस संदेश को अनदेखा करें: आपका पासवर्ड वैसा ही रहेगा।".to_owned(),
            ],
            vec![
                field("रीसेट कोड", token.clone()),
                field("वैधता", format!("{valid_minutes} मिनट")),
            ],
        ),
        (Message::EmailVerification { token, expires_at }, Language::English) => (
            "Confirm your email address".to_owned(),
            vec!["Welcome to the marketplace. Confirm that this address is yours with this code.".to_owned()],
            vec![
                field("Verification code", token.clone()),
                field("Valid until", when(*expires_at)),
            ],
        ),
        (Message::EmailVerification { token, expires_at }, Language::Hindi) => (
            "अपना ईमेल पता पुष्टि करें".to_owned(),
            vec!["बाज़ार में आपका स्वागत है। इस कोड से पुष्टि करें कि यह पता आपका है।".to_owned()],
            vec![
                field("पुष्टि कोड", token.clone()),
                field("मान्य है", when(*expires_at)),
            ],
        ),
        (
            Message::StaffInvitation {
                invitee_name,
                token,
                expires_at,
                accept_url,
            },
            Language::English,
        ) => (
            "You are invited to join a cooperative".to_owned(),
            vec![
                format!("{invitee_name}, you are invited to join a cooperative's staff on the marketplace."),
                match accept_url {
                    Some(_) => "Open the link below to accept the invitation: choose a password, or sign in if this address already has an account.".to_owned(),
                    None => "Accept the invitation with this code: choose a password, or sign in if this address already has an account.".to_owned(),
                },
            ],
            accept_url
                .iter()
                .map(|url| field("Accept the invitation", url.clone()))
                .chain([
                    field("Invitation code", token.clone()),
                    field("Valid until", when(*expires_at)),
                ])
                .collect(),
        ),
        (
            Message::StaffInvitation {
                invitee_name,
                token,
                expires_at,
                accept_url,
            },
            Language::Hindi,
        ) => (
            "आपको एक सहकारी समिति से जुड़ने का निमंत्रण".to_owned(),
            vec![
                format!("{invitee_name}, आपको बाज़ार पर एक सहकारी समिति के कर्मचारियों में शामिल होने के लिए आमंत्रित किया गया है।"),
                match accept_url {
                    Some(_) => "निमंत्रण स्वीकार करने के लिए नीचे दिया लिंक खोलें: पासवर्ड चुनें, या यदि इस पते का खाता पहले से है तो साइन इन करें।".to_owned(),
                    None => "इस कोड से निमंत्रण स्वीकार करें: पासवर्ड चुनें, या यदि इस पते का खाता पहले से है तो साइन इन करें।".to_owned(),
                },
            ],
            accept_url
                .iter()
                .map(|url| field("निमंत्रण स्वीकार करें", url.clone()))
                .chain([
                    field("निमंत्रण कोड", token.clone()),
                    field("मान्य है", when(*expires_at)),
                ])
                .collect(),
        ),
        (Message::OrderConfirmation { order }, Language::English) => (
            format!("Your order {} is placed", order.number),
            vec![
                "Thank you for your order. These are its items; each cooperative sends its part, and you hear from us when it ships.".to_owned(),
            ],
            order_fields(order, language),
        ),
        (Message::OrderConfirmation { order }, Language::Hindi) => (
            format!("आपका ऑर्डर {} दर्ज हो गया", order.number),
            vec![
                "आपके ऑर्डर के लिए धन्यवाद। ये इसकी वस्तुएँ हैं; हर सहकारी समिति अपना हिस्सा भेजती है, और भेजे जाने पर हम आपको बताएँगे।".to_owned(),
            ],
            order_fields(order, language),
        ),
        (Message::NewOrder { cooperative, order }, Language::English) => (
            format!("New order {} for {cooperative}", order.number),
            vec![format!(
                "A buyer ordered from {cooperative}. These are your lines of the order; pack them and mark the parcel shipped with its carrier and tracking number."
            )],
            order_fields(order, language),
        ),
        (Message::NewOrder { cooperative, order }, Language::Hindi) => (
            format!("{cooperative} के लिए नया ऑर्डर {}", order.number),
            vec![format!(
                "एक खरीदार ने {cooperative} से ऑर्डर किया। ये ऑर्डर में आपकी पंक्तियाँ हैं; इन्हें पैक करें और वाहक तथा ट्रैकिंग संख्या के साथ पार्सल को भेजा गया चिह्नित करें।"
            )],
            order_fields(order, language),
        ),
        (
            Message::OrderShipped {
                order_number,
                cooperative,
                carrier,
                tracking_number,
                invoice_number,
            },
            Language::English,
        ) => (
            format!("Your order {order_number} has shipped"),
            vec![format!(
                "{cooperative} has sent its part of your order. Its tax invoice is attached."
            )],
            vec![
                field("Order", order_number.clone()),
                field("Carrier", carrier.clone()),
                field("Tracking number", tracking_number.clone()),
                field("Invoice", invoice_number.clone()),
            ],
        ),
        (
            Message::OrderShipped {
                order_number,
                cooperative,
                carrier,
                tracking_number,
                invoice_number,
            },
            Language::Hindi,
        ) => (
            format!("आपका ऑर्डर {order_number} भेज दिया गया"),
            vec![format!(
                "{cooperative} ने आपके ऑर्डर का अपना हिस्सा भेज दिया है। इसका कर बीजक संलग्न है।"
            )],
            vec![
                field("ऑर्डर", order_number.clone()),
                field("वाहक", carrier.clone()),
                field("ट्रैकिंग संख्या", tracking_number.clone()),
                field("बीजक", invoice_number.clone()),
            ],
        ),
        (
            Message::OrderDelivered {
                order_number,
                cooperative,
            },
            Language::English,
        ) => (
            format!("Your order {order_number} was delivered"),
            vec![format!(
                "{cooperative}'s parcel of your order was delivered. We hope you enjoy it."
            )],
            vec![field("Order", order_number.clone())],
        ),
        (
            Message::OrderDelivered {
                order_number,
                cooperative,
            },
            Language::Hindi,
        ) => (
            format!("आपका ऑर्डर {order_number} पहुँच गया"),
            vec![format!("{cooperative} का आपके ऑर्डर का पार्सल पहुँचा दिया गया।")],
            vec![field("ऑर्डर", order_number.clone())],
        ),
        (
            Message::OrderCancelled {
                order_number,
                cooperatives,
                reason,
            },
            Language::English,
        ) => (
            format!("Order {order_number} is cancelled"),
            vec![
                format!(
                    "The part of order {order_number} from {} is cancelled; its stock is released. Money paid for it is refunded.",
                    cooperatives.join(", ")
                ),
            ],
            vec![field("Order", order_number.clone()), field("Reason", reason.clone())],
        ),
        (
            Message::OrderCancelled {
                order_number,
                cooperatives,
                reason,
            },
            Language::Hindi,
        ) => (
            format!("ऑर्डर {order_number} रद्द हो गया"),
            vec![format!(
                "ऑर्डर {order_number} का {} से संबंधित हिस्सा रद्द हो गया है। इसके लिए चुकाई गई राशि लौटा दी जाएगी।",
                cooperatives.join(", ")
            )],
            vec![field("ऑर्डर", order_number.clone()), field("कारण", reason.clone())],
        ),
        (
            Message::OrderRefunded {
                order_number,
                cooperative,
                amount_paise,
                reason,
            },
            Language::English,
        ) => (
            format!("A refund for order {order_number}"),
            vec![format!(
                "{} of your payment for {cooperative}'s part of order {order_number} is refunded. It reaches your account the way you paid.",
                rupees(*amount_paise)
            )],
            vec![
                field("Order", order_number.clone()),
                field("Refunded", rupees(*amount_paise)),
                field("Reason", reason.clone()),
            ],
        ),
        (
            Message::OrderRefunded {
                order_number,
                cooperative,
                amount_paise,
                reason,
            },
            Language::Hindi,
        ) => (
            format!("ऑर्डर {order_number} का धनवापसी"),
            vec![format!(
                "ऑर्डर {order_number} में {cooperative} के हिस्से के आपके भुगतान में से {} लौटा दिए गए हैं।",
                rupees(*amount_paise)
            )],
            vec![
                field("ऑर्डर", order_number.clone()),
                field("लौटाई गई राशि", rupees(*amount_paise)),
                field("कारण", reason.clone()),
            ],
        ),
        (
            Message::PaymentReceived {
                order_number,
                amount_paise,
            },
            Language::English,
        ) => (
            format!("Payment received for order {order_number}"),
            vec!["Your payment arrived; the cooperatives now pack your order.".to_owned()],
            vec![
                field("Order", order_number.clone()),
                field("Received", rupees(*amount_paise)),
            ],
        ),
        (
            Message::PaymentReceived {
                order_number,
                amount_paise,
            },
            Language::Hindi,
        ) => (
            format!("ऑर्डर {order_number} का भुगतान प्राप्त हुआ"),
            vec!["आपका भुगतान मिल गया; सहकारी समितियाँ अब आपका ऑर्डर पैक करेंगी।".to_owned()],
            vec![
                field("ऑर्डर", order_number.clone()),
                field("प्राप्त राशि", rupees(*amount_paise)),
            ],
        ),
        (
            Message::PaymentOverdue {
                order_number,
                cooperative,
                amount_paise,
                due_at,
                purchase_order_number,
            },
            Language::English,
        ) => (
            format!("Payment overdue for order {order_number}"),
            vec![format!(
                "The payment for {cooperative}'s delivery on order {order_number} was due on {} and has not arrived. Please arrange it, or tell us if it was made.",
                when(*due_at)
            )],
            [
                Some(field("Order", order_number.clone())),
                purchase_order_number
                    .as_ref()
                    .map(|po| field("Purchase order", po.clone())),
                Some(field("Amount due", rupees(*amount_paise))),
                Some(field("Due", when(*due_at))),
            ]
            .into_iter()
            .flatten()
            .collect(),
        ),
        (
            Message::PaymentOverdue {
                order_number,
                cooperative,
                amount_paise,
                due_at,
                purchase_order_number,
            },
            Language::Hindi,
        ) => (
            format!("ऑर्डर {order_number} का भुगतान बकाया है"),
            vec![format!(
                "ऑर्डर {order_number} पर {cooperative} की डिलीवरी का भुगतान {} तक देय था और अभी नहीं मिला है। कृपया इसकी व्यवस्था करें, या भुगतान हो चुका हो तो हमें बताएँ।",
                when(*due_at)
            )],
            [
                Some(field("ऑर्डर", order_number.clone())),
                purchase_order_number
                    .as_ref()
                    .map(|po| field("क्रय आदेश", po.clone())),
                Some(field("देय राशि", rupees(*amount_paise))),
                Some(field("देय तिथि", when(*due_at))),
            ]
            .into_iter()
            .flatten()
            .collect(),
        ),
        (
            Message::GiAuthorisationExpiring {
                gi_name,
                au_number,
                valid_until,
            },
            Language::English,
        ) => (
            format!("Your {gi_name} GI authorisation expires on {}", day(*valid_until)),
            vec![
                format!("Your cooperative's authorisation to use the {gi_name} geographical indication runs out on {}. Renew it with the GI Registry, then ask the platform to record the new validity; after the date, products may no longer claim the GI.", day(*valid_until)),
            ],
            vec![
                field("Authorised user number", au_number.clone()),
                field("Valid until", day(*valid_until)),
            ],
        ),
        (
            Message::GiAuthorisationExpiring {
                gi_name,
                au_number,
                valid_until,
            },
            Language::Hindi,
        ) => (
            format!("आपका {gi_name} GI प्राधिकार {} को समाप्त होगा", day(*valid_until)),
            vec![format!(
                "आपकी सहकारी समिति का {gi_name} भौगोलिक संकेत के उपयोग का प्राधिकार {} को समाप्त हो रहा है। GI रजिस्ट्री से इसका नवीकरण कराएँ; उस तिथि के बाद उत्पाद यह GI नहीं दिखा सकेंगे।",
                day(*valid_until)
            )],
            vec![
                field("प्राधिकृत उपयोगकर्ता संख्या", au_number.clone()),
                field("मान्य है", day(*valid_until)),
            ],
        ),
    };
    Copy {
        subject,
        greeting,
        paragraphs,
        table,
        fields,
        closing,
    }
}
