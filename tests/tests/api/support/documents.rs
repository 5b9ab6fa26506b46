//! Checks every GST document the tests fetch: on each line and on the document,
//! taxable value + every tax printed = the total, to the paisa, and the footer is the
//! sum of the lines. The renderer marks its money cells (`data-col` on lines,
//! `data-sum` in the footer) for this.

use std::collections::BTreeMap;

/// The figures of one rendered document, in paise.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DocumentFigures {
    pub kind: String,
    pub total: i64,
    pub taxable: i64,
    /// Printed tax per head (CGST, SGST, UTGST, IGST); a head not printed is absent.
    pub taxes: BTreeMap<String, i64>,
    pub lines: usize,
}

fn paise(text: &str) -> i64 {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text),
    };
    let (rupees, paise) = digits
        .split_once('.')
        .unwrap_or_else(|| panic!("not an amount: {text}"));
    assert_eq!(paise.len(), 2, "amounts have two decimals: {text}");
    sign * (rupees.parse::<i64>().unwrap() * 100 + paise.parse::<i64>().unwrap())
}

/// The cells marked `attr="value"` in `html`: (value, data-head if any, amount).
fn cells<'a>(html: &'a str, attr: &str) -> Vec<(&'a str, Option<&'a str>, i64)> {
    let needle = format!("{attr}=\"");
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&needle) {
        rest = &rest[at + needle.len()..];
        let (value, after) = rest.split_once('"').unwrap();
        let tag_end = after.find('>').unwrap();
        let head = after[..tag_end]
            .split_once("data-head=\"")
            .map(|(_, h)| h.split_once('"').unwrap().0);
        let amount = &after[tag_end + 1..after.find('<').unwrap()];
        found.push((value, head, paise(amount)));
        rest = &after[tag_end..];
    }
    found
}

/// Asserts that the document adds up and returns its figures.
pub fn assert_document_adds_up(html: &str) -> DocumentFigures {
    let kind = html
        .split_once("data-kind=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(kind, _)| kind.to_owned())
        .unwrap_or_else(|| panic!("the document names no kind: {html}"));
    let body = html.split_once("<tbody>").unwrap().1;
    let (body, footer) = body.split_once("<tfoot>").unwrap();
    let mut figures = DocumentFigures {
        kind,
        ..DocumentFigures::default()
    };
    let mut line_sums = DocumentFigures::default();
    for row in body.split("</tr>").filter(|r| r.contains("data-line=")) {
        let row_cells = cells(row, "data-col");
        let amount = |col: &str| -> i64 {
            row_cells
                .iter()
                .filter(|(c, _, _)| *c == col)
                .map(|(_, _, a)| a)
                .sum()
        };
        let (total, taxable, tax) = (amount("total"), amount("taxable"), amount("tax"));
        assert_eq!(taxable + tax, total, "a line does not add up: {row}");
        line_sums.total += total;
        line_sums.taxable += taxable;
        for (_, head, amount) in row_cells.iter().filter(|(c, _, _)| *c == "tax") {
            *line_sums.taxes.entry(head.unwrap().to_owned()).or_default() += amount;
        }
        figures.lines += 1;
    }
    assert!(figures.lines > 0, "a document without lines: {html}");
    for (sum, head, amount) in cells(footer, "data-sum") {
        match sum {
            "total" => figures.total = amount,
            "taxable" => figures.taxable = amount,
            "tax" => {
                figures.taxes.insert(head.unwrap().to_owned(), amount);
            }
            other => panic!("unknown footer sum {other}"),
        }
    }
    let tax: i64 = figures.taxes.values().sum();
    assert_eq!(
        figures.taxable + tax,
        figures.total,
        "taxable value + every tax printed must be the document total: {html}"
    );
    assert_eq!(
        line_sums.total, figures.total,
        "the lines add up to the total: {html}"
    );
    assert_eq!(line_sums.taxable, figures.taxable, "{html}");
    assert_eq!(
        line_sums.taxes, figures.taxes,
        "each head is the sum of its lines: {html}"
    );
    figures
}

/// Fetches the document of a fulfilment as `token` and checks that it adds up.
pub async fn fetch_document(
    server: &super::TestServer,
    token: &str,
    fulfilment_id: &serde_json::Value,
) -> (String, DocumentFigures) {
    let id = fulfilment_id.as_str().unwrap();
    let response = server
        .client
        .get(server.url(&format!("/invoices/{id}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "the document of {id}");
    let html = response.text().await.unwrap();
    let figures = assert_document_adds_up(&html);
    (html, figures)
}

/// Fetches a credit or debit note at `url` as `token` and checks that it adds up.
pub async fn fetch_note(
    server: &super::TestServer,
    token: &str,
    url: &str,
) -> (String, DocumentFigures) {
    let response = server
        .client
        .get(server.url(url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "the note at {url}");
    let html = response.text().await.unwrap();
    let figures = assert_document_adds_up(&html);
    (html, figures)
}
