//! How many attempts a key (an account's e-mail, a client address) gets before it must wait,
//! and how the wait grows. Pure arithmetic over what the store counted: the count of recent
//! attempts and when the last one was made.

use chrono::{DateTime, Duration, Utc};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Attempts allowed before the first lock.
    pub free: i64,
    /// The first lock; each attempt past `free` doubles it.
    pub first_lock: Duration,
    pub longest_lock: Duration,
    /// How long a count lives after its last attempt (quiet that long and it starts over).
    pub window: Duration,
}

/// Wrong passwords for one account: 5 free, then 30 s, 1 min, 2 min … up to 15 min.
pub const FAILED_LOGINS_PER_ACCOUNT: Policy = Policy {
    free: 5,
    first_lock: Duration::seconds(30),
    longest_lock: Duration::minutes(15),
    window: Duration::minutes(15),
};

/// Wrong passwords from one client address, whatever the account (credential stuffing):
/// more room (an office or a campus shares an address), the same growth.
pub const FAILED_LOGINS_PER_ADDRESS: Policy = Policy {
    free: 30,
    first_lock: Duration::seconds(30),
    longest_lock: Duration::minutes(15),
    window: Duration::minutes(15),
};

/// New accounts from one client address: 10 an hour.
pub const REGISTRATIONS_PER_ADDRESS: Policy =
    Policy { free: 10, first_lock: Duration::hours(1), longest_lock: Duration::hours(1), window: Duration::hours(1) };

/// Verification e-mails asked for by one account: 3 free, then a growing wait.
pub const VERIFICATION_EMAILS_PER_ACCOUNT: Policy =
    Policy { free: 3, first_lock: Duration::minutes(1), longest_lock: Duration::hours(1), window: Duration::hours(1) };

/// Password-reset e-mails asked for one address (whether or not it has an account, so that
/// the limit tells nothing): 3 free, then a growing wait.
pub const RESET_EMAILS_PER_ADDRESS: Policy =
    Policy { free: 3, first_lock: Duration::minutes(5), longest_lock: Duration::hours(1), window: Duration::hours(1) };

/// What a store knows of one key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attempts {
    pub count: i64,
    pub last_at: DateTime<Utc>,
}

impl Policy {
    /// The lock after `count` attempts (none while within the free ones).
    pub fn lock_after(&self, count: i64) -> Option<Duration> {
        let over = count - self.free;
        if over < 0 {
            return None;
        }
        let doublings = over.min(20) as u32;
        let lock = self.first_lock * 2_i32.pow(doublings.min(30));
        Some(lock.min(self.longest_lock))
    }

    /// Until when the key must wait, if it must now.
    pub fn locked_until(&self, attempts: Option<Attempts>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let attempts = attempts.filter(|a| now < self.forgets_at(a))?;
        let until = attempts.last_at + self.lock_after(attempts.count)?;
        (now < until).then_some(until)
    }

    /// When a count is forgotten: its window after the last attempt, and never before the
    /// lock it imposes has run out.
    pub fn forgets_at(&self, attempts: &Attempts) -> DateTime<Utc> {
        let lock = self.lock_after(attempts.count).unwrap_or_else(Duration::zero);
        attempts.last_at + self.window.max(lock)
    }
}

/// Whole seconds to wait until `until`, at least 1 (what `Retry-After` says).
pub fn seconds_until(until: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    let ms = (until - now).num_milliseconds().max(0);
    ((ms + 999) / 1000).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).expect("time")
    }

    #[test]
    fn the_free_attempts_are_never_locked_and_the_next_ones_wait_longer_each_time() {
        let p = FAILED_LOGINS_PER_ACCOUNT;
        for count in 0..5 {
            assert_eq!(p.lock_after(count), None, "{count}");
        }
        assert_eq!(p.lock_after(5), Some(Duration::seconds(30)));
        assert_eq!(p.lock_after(6), Some(Duration::seconds(60)));
        assert_eq!(p.lock_after(7), Some(Duration::seconds(120)));
        assert_eq!(p.lock_after(40), Some(Duration::minutes(15)));
    }

    #[test]
    fn a_lock_lifts_when_its_time_has_passed() {
        let p = FAILED_LOGINS_PER_ACCOUNT;
        let attempts = Some(Attempts { count: 5, last_at: at(0) });
        assert_eq!(p.locked_until(attempts, at(10)), Some(at(30)));
        assert_eq!(p.locked_until(attempts, at(30)), None);
        assert_eq!(seconds_until(at(30), at(10)), 20);
    }

    #[test]
    fn a_count_quiet_for_its_window_is_forgotten() {
        let p = FAILED_LOGINS_PER_ACCOUNT;
        let attempts = Attempts { count: 40, last_at: at(0) };
        assert_eq!(p.forgets_at(&attempts), at(15 * 60));
        assert_eq!(p.locked_until(Some(attempts), at(15 * 60)), None);
    }
}
