//! Time as the scheduler counts it. A leaf module: every other file of the server may use it,
//! and it uses none of them.

use std::time::Duration;

/// Seconds as a Duration without the panics of `from_secs_f64`: negative or NaN is zero, and
/// anything past a year is a year.
pub fn seconds(s: f64) -> Duration {
    const YEAR: f64 = 365.0 * 24.0 * 3600.0;
    if s.is_nan() || s <= 0.0 {
        Duration::ZERO
    } else {
        Duration::from_secs_f64(s.min(YEAR))
    }
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
