//! What the console prints: `tend forecast backtest`'s table and its summary.

use app::domain::forecast::{record, Errors, Method, Trial, LEADS};
use std::fmt::Write;

/// Amounts in whole units of their currency, for a table people read.
fn major(minor: i64, digits: u32) -> i64 {
    minor / 10i64.pow(digits)
}

/// Each trial (period, currency, weeks before) as a row, then per lead and over all:
/// how many trials, each method's mean absolute percentage error, and how often the
/// actual fell inside P10–P90.
pub fn backtest(pipeline: &str, period: &str, trials: &[Trial]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Backtest of {pipeline:?} by {period}: the log replayed as of 1, 4 and 8 weeks before each closed {period} began."
    );
    if trials.is_empty() {
        let _ = writeln!(out, "No closed {period} has anything won in it yet.");
        return out;
    }
    let _ = writeln!(
        out,
        "{:<9} {:<8} {:>5} {:>12} {:>12} {:>12} {:>12} {:>12}  method",
        "period", "currency", "weeks", "actual", "weighted", "expected", "P10", "P90"
    );
    for t in trials {
        let d = t.currency.minor_digits();
        let _ = writeln!(
            out,
            "{:<9} {:<8} {:>5} {:>12} {:>12} {:>12} {:>12} {:>12}  {}",
            t.period,
            t.currency.code(),
            t.weeks_before,
            major(t.actual, d),
            major(t.weighted, d),
            major(t.expected, d),
            major(t.p10, d),
            major(t.p90, d),
            match t.method {
                Method::Empirical => "empirical",
                Method::StageProbability => "stage probability (too little history)",
            }
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Errors in percent of what was won. MAPE: mean absolute percentage error; WAPE: \
         Σ|forecast − actual| ÷ Σ actual; bias: Σ(forecast − actual) ÷ Σ actual."
    );
    let _ = writeln!(
        out,
        "{:<6} {:>6} | {:>23} | {:>23} | {:>23} | {:>9}",
        "weeks",
        "trials",
        "weighted: MAPE WAPE bias",
        "expected: MAPE WAPE bias",
        "P50: MAPE WAPE bias",
        "P10–P90"
    );
    let mut line = |label: String, of: Vec<Trial>| {
        let r = record(&of);
        let e = |e: Errors| format!("{:>7.1} {:>7.1} {:>7.1}", e.mape, e.wape, e.bias);
        let _ = writeln!(
            out,
            "{:<6} {:>6} | {:>23} | {:>23} | {:>23} | {:>8.1}%",
            label,
            r.trials,
            e(r.weighted),
            e(r.expected),
            e(r.median),
            r.inside_range
        );
    };
    for weeks in LEADS {
        line(
            weeks.to_string(),
            trials
                .iter()
                .filter(|t| t.weeks_before == weeks)
                .cloned()
                .collect(),
        );
    }
    line("all".into(), trials.to_vec());
    out
}
