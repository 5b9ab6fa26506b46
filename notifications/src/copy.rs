//! The words of each message in each language. Values are put in as they are: the
//! templates escape every one of them.

use chrono::{DateTime, Utc};

use crate::{Language, Message};

/// A labelled value shown on its own line (a token, a date).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub label: String,
    pub value: String,
}

/// A message's words, before a template lays them out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    pub subject: String,
    pub greeting: String,
    pub paragraphs: Vec<String>,
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

pub fn copy(message: &Message, language: Language) -> Copy {
    let (greeting, closing) = match language {
        Language::English => ("Hello,".to_owned(), format!("— {MARKETPLACE_EN}")),
        Language::Hindi => ("नमस्ते,".to_owned(), format!("— {MARKETPLACE_HI}")),
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
            },
            Language::English,
        ) => (
            "You are invited to join a cooperative".to_owned(),
            vec![
                format!("{invitee_name}, you are invited to join a cooperative's staff on the marketplace."),
                "Accept the invitation with this code: choose a password, or sign in if this address already has an account.".to_owned(),
            ],
            vec![
                field("Invitation code", token.clone()),
                field("Valid until", when(*expires_at)),
            ],
        ),
        (
            Message::StaffInvitation {
                invitee_name,
                token,
                expires_at,
            },
            Language::Hindi,
        ) => (
            "आपको एक सहकारी समिति से जुड़ने का निमंत्रण".to_owned(),
            vec![
                format!("{invitee_name}, आपको बाज़ार पर एक सहकारी समिति के कर्मचारियों में शामिल होने के लिए आमंत्रित किया गया है।"),
                "इस कोड से निमंत्रण स्वीकार करें: पासवर्ड चुनें, या यदि इस पते का खाता पहले से है तो साइन इन करें।".to_owned(),
            ],
            vec![
                field("निमंत्रण कोड", token.clone()),
                field("मान्य है", when(*expires_at)),
            ],
        ),
    };
    Copy {
        subject,
        greeting,
        paragraphs,
        fields,
        closing,
    }
}
