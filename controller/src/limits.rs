//! Rate limits per client address (`[limits]`): a keyed limiter ([`Keyed`]) for each kind
//! of request that a flood or a guesser would repeat — failed sign-ins, lookups by booking
//! code or ID number, bookings, development identities — and the caps on phones' status
//! sockets ([`crate::live::Caps`]).
//!
//! Each limiter is the generic cell rate algorithm (a token bucket kept as one number per
//! address: the time its bucket is full again), written here rather than taken from a
//! crate for two things the guards need: a charge can be given back (a sign-in is charged
//! before the password check, which runs at most `max` at once, and given back when it
//! succeeds), and the map of addresses is bounded: past `tracked_addresses`, addresses
//! whose bucket is full again are forgotten, and if none is, addresses not yet seen share
//! one bucket — a flood from many addresses neither grows memory nor resets anyone's
//! count. IPv6 addresses count per /64 (what one household or phone gets).

use hallq_config::limits::Rate;
use hallq_config::Settings;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Shards of a limiter's map (addresses spread by hash; one lock each).
const SHARDS: usize = 16;

/// The bucket shared by addresses not yet seen when the map is full.
const OVERFLOW: IpAddr = IpAddr::V6(Ipv6Addr::UNSPECIFIED);

/// The bucket an address counts in: IPv4 as is (also when mapped into IPv6), IPv6 by its
/// /64 prefix.
pub fn bucket_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut s = v6.segments();
                s[4..].fill(0);
                IpAddr::V6(Ipv6Addr::from(s))
            }
        },
    }
}

/// A charge taken from an address's bucket (to give back with [`Keyed::give_back`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Charge(IpAddr);

/// One rate limit, keyed by client address.
pub struct Keyed {
    /// Time one request adds to a bucket (the window over `max`), ns.
    step: u64,
    /// How far ahead of now a bucket may run (the window minus one step), ns.
    slack: u64,
    /// Addresses each shard keeps at most.
    per_shard: usize,
    /// Address → when its bucket is full again (ns since `base`).
    shards: Box<[Mutex<HashMap<IpAddr, u64>>]>,
    base: Instant,
}

impl Keyed {
    /// A limiter of `rate` that remembers about `addresses` addresses at most.
    pub fn new(rate: Rate, addresses: usize) -> Self {
        let window = rate.per_secs.get().saturating_mul(1_000_000_000);
        let step = (window / u64::from(rate.max.get())).max(1);
        Self {
            step,
            slack: window.saturating_sub(step),
            per_shard: addresses.div_ceil(SHARDS).max(1),
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            base: Instant::now(),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    fn shard(&self, key: IpAddr) -> std::sync::MutexGuard<'_, HashMap<IpAddr, u64>> {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let h = BuildHasherDefault::<DefaultHasher>::default().hash_one(key);
        self.shards[(h as usize) % SHARDS]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Charges one request to `ip`'s bucket; when it is empty, how long until it is not.
    ///
    /// # Errors
    /// The wait, when the address is over its limit.
    pub fn take(&self, ip: IpAddr) -> Result<Charge, Duration> {
        self.take_at(bucket_of(ip), self.now())
    }

    fn take_at(&self, key: IpAddr, now: u64) -> Result<Charge, Duration> {
        let mut map = self.shard(key);
        if !map.contains_key(&key) && key != OVERFLOW && map.len() >= self.per_shard {
            // Full buckets are the same as none: forget them, and if that frees no room,
            // this address shares the overflow bucket.
            map.retain(|_, full_at| *full_at > now);
            if map.len() >= self.per_shard {
                drop(map);
                return self.take_at(OVERFLOW, now);
            }
        }
        let full_at = map.get(&key).copied().unwrap_or(0).max(now);
        if full_at - now > self.slack {
            return Err(Duration::from_nanos(full_at - now - self.slack));
        }
        map.insert(key, full_at + self.step);
        Ok(Charge(key))
    }

    /// Gives a charge back (the request turned out not to count).
    pub fn give_back(&self, charge: Charge) {
        let now = self.now();
        let mut map = self.shard(charge.0);
        if let Some(full_at) = map.get_mut(&charge.0) {
            *full_at = full_at.saturating_sub(self.step);
            if *full_at <= now {
                map.remove(&charge.0);
            }
        }
    }

    /// Addresses remembered now (for tests and metrics).
    pub fn tracked(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).len())
            .sum()
    }
}

/// The limits of one controller, built from `[limits]`.
pub struct Limits {
    /// Failed staff sign-ins.
    pub sign_in_failures: Keyed,
    /// Lookups by booking code or ID number.
    pub code_lookups: Keyed,
    /// Booking requests.
    pub bookings: Keyed,
    /// Development identity assertions.
    pub dev_identities: Keyed,
    /// Phones' status sockets open per ticket and in all.
    pub sockets: Arc<crate::live::Caps>,
}

impl Limits {
    /// The limits `cfg` sets.
    pub fn new(cfg: &Settings) -> Self {
        let l = &cfg.limits;
        let keyed = |r: Rate| Keyed::new(r, l.tracked_addresses);
        Self {
            sign_in_failures: keyed(l.sign_in_failures),
            code_lookups: keyed(l.code_lookups),
            bookings: keyed(l.bookings),
            dev_identities: keyed(l.dev_identities),
            sockets: Arc::new(crate::live::Caps::new(
                l.status_sockets_per_ticket,
                l.status_sockets,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000_000_000;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_burst_of_max_then_one_per_step_and_the_wait_is_told() {
        let l = Keyed::new(Rate::new(3, 60), 1000);
        let a = ip("10.0.0.1");
        for _ in 0..3 {
            assert!(l.take_at(a, 5 * S).is_ok());
        }
        assert_eq!(l.take_at(a, 5 * S), Err(Duration::from_secs(20)));
        // Another address has its own bucket.
        assert!(l.take_at(ip("10.0.0.2"), 5 * S).is_ok());
        // One step (20 s) later, one more; a quiet window refills all three.
        assert!(l.take_at(a, 25 * S).is_ok());
        assert!(l.take_at(a, 25 * S).is_err());
        for _ in 0..3 {
            assert!(l.take_at(a, 90 * S).is_ok());
        }
        assert!(l.take_at(a, 90 * S).is_err());
    }

    #[test]
    fn a_charge_given_back_does_not_count() {
        let l = Keyed::new(Rate::new(2, 60), 1000);
        let a = ip("10.0.0.1");
        for _ in 0..10 {
            let c = l.take_at(a, 0).unwrap();
            l.give_back(c);
        }
        assert!(l.take_at(a, 0).is_ok());
        assert!(l.take_at(a, 0).is_ok());
        assert!(l.take_at(a, 0).is_err());
    }

    #[test]
    fn a_flood_from_many_addresses_stays_bounded_and_shares_one_bucket() {
        let l = Keyed::new(Rate::new(2, 60), 64);
        let mut refused = 0;
        for i in 0..10_000u32 {
            let a = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            if l.take_at(a, S).is_err() {
                refused += 1;
            }
        }
        assert!(l.tracked() <= 64 + 1, "{}", l.tracked());
        assert!(refused > 9_000, "new addresses share a bucket: {refused}");
        // Once their buckets are full again, new addresses get their own.
        assert!(l.take_at(ip("192.0.2.1"), 200 * S).is_ok());
        assert!(l.take_at(ip("192.0.2.1"), 200 * S).is_ok());
        assert!(l.take_at(ip("192.0.2.2"), 200 * S).is_ok());
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(
            bucket_of(ip("2001:db8:1:2:aaaa::1")),
            bucket_of(ip("2001:db8:1:2:bbbb::9"))
        );
        assert_ne!(
            bucket_of(ip("2001:db8:1:2::1")),
            bucket_of(ip("2001:db8:1:3::1"))
        );
        assert_eq!(bucket_of(ip("::ffff:10.0.0.1")), ip("10.0.0.1"));
    }
}
