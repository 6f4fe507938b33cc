//! Money is an integer count of minor units in one ISO-4217 currency; never a float.
//! One amount is at most `MAX_MINOR` (10^15 minor units: ten trillion kronor), checked
//! wherever an amount comes in. Sums are kept per currency (adding kronor to euros is a
//! bug, not a total) and in `i128`, which no sum of `i64` amounts can overflow, so no
//! stored amount, however large, can break a page that adds amounts up.

use super::validation::RuleError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Currencies Tend accepts, with their number of minor-unit digits.
const CURRENCIES: &[(&str, u32)] = &[
    ("SEK", 2),
    ("EUR", 2),
    ("USD", 2),
    ("GBP", 2),
    ("NOK", 2),
    ("DKK", 2),
    ("CHF", 2),
    ("PLN", 2),
    ("JPY", 0),
    ("CAD", 2),
    ("AUD", 2),
];

/// An ISO-4217 code Tend knows. Only `parse` makes one, deserializing included.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
#[serde(into = "String", try_from = "String")]
pub struct Currency(String);

impl TryFrom<String> for Currency {
    type Error = RuleError;

    fn try_from(code: String) -> Result<Self, RuleError> {
        Currency::parse(&code)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.0
    }
}

#[cfg(feature = "ssr")]
impl utoipa::PartialSchema for Currency {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        super::validation::schema::currency().into()
    }
}

#[cfg(feature = "ssr")]
impl utoipa::ToSchema for Currency {}

impl Currency {
    pub fn parse(code: &str) -> Result<Self, RuleError> {
        let code = code.trim().to_ascii_uppercase();
        if CURRENCIES.iter().any(|(c, _)| *c == code) {
            Ok(Self(code))
        } else {
            Err(RuleError::invalid(
                "currency",
                format!(
                    "must be one of {}",
                    // Strings, not `&str`s: the board joins `String`s, and one copy
                    // of `join` in the browser's code serves both (1.2 KB).
                    CURRENCIES
                        .iter()
                        .map(|(c, _)| c.to_string())
                        .collect::<Vec<String>>()
                        .join(", ")
                ),
            ))
        }
    }

    pub fn code(&self) -> &str {
        &self.0
    }

    pub fn all() -> impl Iterator<Item = Currency> {
        CURRENCIES.iter().map(|(c, _)| Currency(c.to_string()))
    }

    pub fn minor_digits(&self) -> u32 {
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == self.0)
            .map(|(_, d)| *d)
            .unwrap_or(2)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Locale {
    #[default]
    En,
    Sv,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

/// The largest amount Tend accepts, in minor units.
pub const MAX_MINOR: i64 = 1_000_000_000_000_000;

impl Money {
    /// An amount from 0 to `MAX_MINOR` minor units.
    pub fn new(minor: i64, currency: Currency) -> Result<Self, RuleError> {
        if minor < 0 {
            return Err(RuleError::invalid("value", "must not be negative"));
        }
        if minor > MAX_MINOR {
            return Err(RuleError::invalid(
                "value",
                format!(
                    "must be at most {}",
                    format_minor(MAX_MINOR, &currency, Locale::En)
                ),
            ));
        }
        Ok(Self { minor, currency })
    }

    /// Reads what a person typed ("12 500", "12,500.50", "1999.9") as a major-unit amount.
    pub fn parse_major(text: &str, currency: Currency) -> Result<Self, RuleError> {
        let invalid = || RuleError::invalid("value", "must be an amount such as 12500 or 12500.50");
        let cleaned: String = text
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
            .collect();
        if cleaned.is_empty() {
            return Ok(Self { minor: 0, currency });
        }
        // A comma followed by exactly 1-2 digits at the end is a decimal comma (Swedish).
        let normalised = match cleaned.rfind(',') {
            Some(i) if !cleaned.contains('.') && cleaned.len() - i - 1 <= 2 => {
                format!("{}.{}", &cleaned[..i].replace(',', ""), &cleaned[i + 1..])
            }
            _ => cleaned.replace(',', ""),
        };
        let (whole, frac) = match normalised.split_once('.') {
            Some((w, f)) => (w, f),
            None => (normalised.as_str(), ""),
        };
        let digits = currency.minor_digits() as usize;
        if whole.is_empty()
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
            || frac.len() > digits
        {
            return Err(invalid());
        }
        let scale = 10i64.pow(digits as u32);
        let whole: i64 = whole.parse().map_err(|_| invalid())?;
        let frac_value: i64 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<digits$}").parse().map_err(|_| invalid())?
        };
        match whole
            .checked_mul(scale)
            .and_then(|m| m.checked_add(frac_value))
        {
            Some(minor) => Self::new(minor, currency),
            None => Self::new(i64::MAX, currency),
        }
    }

    /// The amount as a person reads it in `locale`: "SEK 12,500" / "12 500 kr".
    pub fn format(&self, locale: Locale) -> String {
        format_minor(self.minor, &self.currency, locale)
    }
}

/// An amount as a person types it in a form, in major units without grouping
/// ("12500", "12500.50"): what `Money::parse_major` reads back.
pub fn major_text(minor: i64, currency: &Currency) -> String {
    let digits = currency.minor_digits();
    let scale = 10i64.pow(digits);
    let sign = if minor < 0 { "-" } else { "" };
    let (whole, frac) = (
        (minor / scale).unsigned_abs(),
        (minor % scale).unsigned_abs(),
    );
    if frac == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac:0width$}", width = digits as usize)
    }
}

/// An amount rounded to whole units of its currency (half away from zero), for
/// figures that are averages or rates and would show spurious cents.
pub fn whole_units(minor: i64, currency: &Currency) -> i64 {
    let unit = 10i64.pow(currency.minor_digits());
    let rounded = (i128::from(minor) + i128::from(minor.signum() * unit / 2)) / i128::from(unit)
        * i128::from(unit);
    i64::try_from(rounded).unwrap_or(minor)
}

/// An amount, or a sum of amounts, as a person reads it in `locale`.
pub fn format_minor(minor: impl Into<i128>, currency: &Currency, locale: Locale) -> String {
    format_wide(minor.into(), currency, locale)
}

/// `format_minor`'s work, in one copy whatever integer its caller has. The digits are
/// written out here: core's formatting of 128-bit numbers, which nothing else on the
/// board needs, would add 1.5 KB to the board's first load.
fn format_wide(minor: i128, currency: &Currency, locale: Locale) -> String {
    let digits = currency.minor_digits() as usize;
    // The digits, the last first, with at least one before the decimal sign.
    let mut abs = minor.unsigned_abs();
    let mut reversed = Vec::new();
    while abs > 0 || reversed.len() <= digits {
        reversed.push(b'0' + (abs % 10) as u8);
        abs /= 10;
    }
    let (frac, whole) = reversed.split_at(digits);
    let (group, decimal) = match locale {
        Locale::En => (",", "."),
        Locale::Sv => ("\u{a0}", ","),
    };
    let mut number = String::new();
    for (i, digit) in whole.iter().rev().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            number.push_str(group);
        }
        number.push(char::from(*digit));
    }
    if frac.iter().any(|d| *d != b'0') {
        number.push_str(decimal);
        number.extend(frac.iter().rev().map(|d| char::from(*d)));
    }
    let sign = if minor < 0 { "-" } else { "" };
    match (locale, currency.code()) {
        (Locale::Sv, "SEK") => format!("{sign}{number}\u{a0}kr"),
        (Locale::En, "USD") => format!("{sign}${number}"),
        (Locale::En, "EUR") => format!("{sign}€{number}"),
        (Locale::En, "GBP") => format!("{sign}£{number}"),
        (Locale::Sv, "EUR") => format!("{sign}{number}\u{a0}€"),
        (_, code) => format!("{sign}{code}\u{a0}{number}"),
    }
}

/// Sums kept apart per currency, in `i128` minor units: wide enough for any number of
/// `i64` amounts, so adding up never overflows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals(pub BTreeMap<Currency, i128>);

impl Totals {
    pub fn add(&mut self, currency: &Currency, minor: impl Into<i128>) {
        let sum = self.0.entry(currency.clone()).or_insert(0);
        *sum = sum.saturating_add(minor.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.values().all(|v| *v == 0)
    }

    pub fn format(&self, locale: Locale) -> String {
        if self.0.is_empty() {
            return format_minor(0, &Currency("SEK".into()), locale);
        }
        self.0
            .iter()
            .map(|(c, m)| format_minor(*m, c, locale))
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_amount_typed_back_into_a_form_reads_as_the_same_money() {
        let sek = Currency::parse("SEK").unwrap();
        let jpy = Currency::parse("JPY").unwrap();
        for (minor, c, text) in [
            (1_250_000, &sek, "12500"),
            (1_250_050, &sek, "12500.50"),
            (5, &sek, "0.05"),
            (700, &jpy, "700"),
        ] {
            assert_eq!(major_text(minor, c), text);
            assert_eq!(Money::parse_major(text, c.clone()).unwrap().minor, minor);
        }
    }

    #[test]
    fn averages_and_rates_round_to_whole_units() {
        let sek = Currency::parse("SEK").unwrap();
        assert_eq!(whole_units(2_210_007, &sek), 2_210_000);
        assert_eq!(whole_units(2_210_050, &sek), 2_210_100);
        assert_eq!(whole_units(-150, &sek), -200);
        let yen = Currency::parse("JPY").unwrap();
        assert_eq!(whole_units(1_234, &yen), 1_234, "no minor units to drop");
    }

    fn sek() -> Currency {
        Currency::parse("sek").unwrap()
    }

    #[test]
    fn unknown_currencies_are_refused_naming_the_field() {
        let err = Currency::parse("XXX").unwrap_err();
        assert!(matches!(err, RuleError::Invalid(f) if f.field == "currency"));
    }

    #[test]
    fn typed_amounts_become_minor_units() {
        assert_eq!(
            Money::parse_major("12 500", sek()).unwrap().minor,
            1_250_000
        );
        assert_eq!(
            Money::parse_major("12,500.5", sek()).unwrap().minor,
            1_250_050
        );
        assert_eq!(Money::parse_major("99,95", sek()).unwrap().minor, 9_995);
        assert_eq!(Money::parse_major("", sek()).unwrap().minor, 0);
        let yen = Currency::parse("JPY").unwrap();
        assert_eq!(Money::parse_major("500", yen.clone()).unwrap().minor, 500);
        assert!(Money::parse_major("500.5", yen).is_err());
    }

    #[test]
    fn nonsense_and_negative_amounts_are_refused() {
        assert!(Money::parse_major("abc", sek()).is_err());
        assert!(Money::parse_major("-5", sek()).is_err());
        assert!(Money::parse_major("1.234", sek()).is_err());
        assert!(Money::parse_major("99999999999999999999", sek()).is_err());
    }

    #[test]
    fn an_amount_above_ten_to_the_fifteen_minor_units_is_refused_naming_value() {
        assert_eq!(Money::new(MAX_MINOR, sek()).unwrap().minor, MAX_MINOR);
        let err = Money::new(MAX_MINOR + 1, sek()).unwrap_err();
        assert_eq!(err.field(), Some("value"));
        assert_eq!(
            err.to_string(),
            "Value must be at most SEK\u{a0}10,000,000,000,000"
        );
        assert!(Money::new(1 << 62, sek()).is_err());
        assert!(Money::parse_major("10000000000000.01", sek()).is_err());
        assert_eq!(
            Money::parse_major("99999999999999999999", sek())
                .unwrap_err()
                .field(),
            Some("value")
        );
    }

    #[test]
    fn sums_beyond_i64_are_kept_and_shown_exactly() {
        let mut t = Totals::default();
        t.add(&sek(), i64::MAX);
        t.add(&sek(), i64::MAX);
        assert_eq!(t.0[&sek()], 2 * i64::MAX as i128);
        assert_eq!(t.format(Locale::En), "SEK\u{a0}184,467,440,737,095,516.14");
    }

    #[test]
    fn money_is_formatted_per_locale() {
        let m = Money::new(1_250_050, sek()).unwrap();
        assert_eq!(m.format(Locale::En), "SEK\u{a0}12,500.50");
        assert_eq!(m.format(Locale::Sv), "12\u{a0}500,50\u{a0}kr");
        let usd = Money::new(100_000_000, Currency::parse("USD").unwrap()).unwrap();
        assert_eq!(usd.format(Locale::En), "$1,000,000");
    }

    #[test]
    fn totals_never_mix_currencies() {
        let mut t = Totals::default();
        t.add(&sek(), 100);
        t.add(&Currency::parse("EUR").unwrap(), 50);
        t.add(&sek(), 200);
        assert_eq!(t.0.len(), 2);
        assert_eq!(t.0[&sek()], 300);
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        fn currency() -> impl Strategy<Value = Currency> {
            prop::sample::select(Currency::all().collect::<Vec<_>>())
        }

        fn locale() -> impl Strategy<Value = Locale> {
            prop_oneof![Just(Locale::En), Just(Locale::Sv)]
        }

        proptest! {
            #[test]
            fn any_typed_text_is_an_amount_in_range_or_a_refusal_naming_value(
                text in "\\PC{0,40}|[0-9 ,.]{0,30}",
                c in currency(),
            ) {
                match Money::parse_major(&text, c) {
                    Ok(m) => prop_assert!((0..=MAX_MINOR).contains(&m.minor)),
                    Err(e) => prop_assert_eq!(e.field(), Some("value")),
                }
            }

            #[test]
            fn a_formatted_amount_reads_back_as_itself(
                minor in 0..=MAX_MINOR,
                c in currency(),
                l in locale(),
            ) {
                let shown = format_minor(minor, &c, l);
                // What a person would copy: the number, without the currency's sign or code.
                let typed: String = shown
                    .chars()
                    .filter(|ch| ch.is_ascii_digit() || matches!(ch, ',' | '.' | ' ' | '\u{a0}'))
                    .collect();
                prop_assert_eq!(Money::parse_major(&typed, c).unwrap().minor, minor);
            }

            #[test]
            fn any_sum_is_written_with_all_its_digits_and_its_sign(
                minor in any::<i128>(),
                c in currency(),
            ) {
                let shown = format_minor(minor, &c, Locale::En);
                let digits: String = shown.chars().filter(|ch| ch.is_ascii_digit()).collect();
                let scale = 10u128.pow(c.minor_digits());
                let (whole, frac) = (minor.unsigned_abs() / scale, minor.unsigned_abs() % scale);
                let expected = match frac {
                    0 => whole.to_string(),
                    _ => format!("{whole}{frac:0width$}", width = c.minor_digits() as usize),
                };
                prop_assert_eq!(digits, expected);
                prop_assert_eq!(shown.starts_with('-'), minor < 0);
            }

            #[test]
            fn totals_are_exact_sums_per_currency_whatever_is_added(
                amounts in prop::collection::vec((currency(), 0..=i64::MAX), 0..50),
            ) {
                let mut totals = Totals::default();
                let mut expected: BTreeMap<Currency, i128> = BTreeMap::new();
                for (c, minor) in &amounts {
                    totals.add(c, *minor);
                    *expected.entry(c.clone()).or_default() += i128::from(*minor);
                }
                prop_assert_eq!(totals.0, expected);
            }
        }
    }
}
