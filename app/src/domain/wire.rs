//! How numbers arrive from JSON clients. JSON Schema counts `5.0` as an integer, and so
//! do clients generated from our OpenAPI document: a whole number is taken whether it
//! is written `5` or `5.0`; a fraction is refused. Works with any serde format (the
//! browser's postcard included), since it asks for an `i64` rather than "anything".

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;

/// An `i64` read leniently from `5` or `5.0`.
pub struct Whole(pub i64);

impl<'de> Deserialize<'de> for Whole {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_i64(WholeVisitor).map(Whole)
    }
}

struct WholeVisitor;

impl Visitor<'_> for WholeVisitor {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a whole number")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        // 2^63 is exactly representable; every whole f64 below it fits in an i64.
        if v.fract() == 0.0 && v >= -9.223_372_036_854_776e18 && v < 9.223_372_036_854_776e18 {
            Ok(v as i64)
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }
}

/// For `#[serde(deserialize_with = "whole")]` on an `i64`.
pub fn whole<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Whole::deserialize(d).map(|w| w.0)
}

/// For an `Option<i64>` where `null` and a missing field both mean none.
pub fn optional_whole<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Option::<Whole>::deserialize(d).map(|o| o.map(|w| w.0))
}

/// For an `Option<Option<i64>>` in a partial edit: missing is `None`, `null` is
/// `Some(None)` (clear the field).
pub fn nullable_whole<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    optional_whole(d).map(Some)
}

/// For an `Option<NaiveDate>`: a date as `2027-01-31`; `null`, a missing field or an
/// empty string (what a cleared form field sends) mean none.
pub fn optional_date<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<chrono::NaiveDate>, D::Error> {
    match Option::<String>::deserialize(d)?.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| {
            de::Error::invalid_value(de::Unexpected::Str(text), &"a date such as 2027-01-31")
        }),
    }
}

/// The same in a partial edit: missing is `None`; `null` or `""` clear the date.
pub fn nullable_date<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<chrono::NaiveDate>>, D::Error> {
    optional_date(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Body {
        #[serde(deserialize_with = "whole")]
        n: i64,
    }

    fn n(json: &str) -> Result<i64, serde_json::Error> {
        serde_json::from_str::<Body>(json).map(|b| b.n)
    }

    #[test]
    fn a_whole_number_is_read_with_or_without_a_point_zero_and_a_fraction_is_refused() {
        assert_eq!(n(r#"{"n": 5}"#).unwrap(), 5);
        assert_eq!(n(r#"{"n": 5.0}"#).unwrap(), 5);
        assert_eq!(n(r#"{"n": -3}"#).unwrap(), -3);
        assert!(n(r#"{"n": 5.5}"#).is_err());
        assert!(n(r#"{"n": 1e300}"#).is_err());
        assert!(n(r#"{"n": 18446744073709551615}"#).is_err());
        assert!(n(r#"{"n": "5"}"#).is_err());
    }

    #[derive(Deserialize)]
    struct Dated {
        #[serde(default, deserialize_with = "optional_date")]
        on: Option<chrono::NaiveDate>,
    }

    #[test]
    fn a_date_may_be_given_missing_null_or_empty() {
        let on = |json: &str| serde_json::from_str::<Dated>(json).map(|d| d.on);
        assert_eq!(
            on(r#"{"on": "2027-01-31"}"#).unwrap().unwrap().to_string(),
            "2027-01-31"
        );
        for none in [r#"{}"#, r#"{"on": null}"#, r#"{"on": ""}"#] {
            assert_eq!(on(none).unwrap(), None, "{none}");
        }
        assert!(on(r#"{"on": "2027-02-30"}"#).is_err());
    }
}
