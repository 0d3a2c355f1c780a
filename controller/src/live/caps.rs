//! How many status sockets may be open: per ticket (a link shared around cannot tie up the
//! server) and in all. A socket holds a [`Permit`] for as long as it is open.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Which cap a refused socket met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Full {
    /// The ticket has its most sockets open.
    Ticket,
    /// The controller has its most sockets open.
    Hall,
}

/// The caps and the sockets open now.
pub struct Caps {
    per_ticket: usize,
    total: usize,
    /// Ticket token → its open sockets; the sum is at most `total`.
    open: Mutex<(HashMap<String, usize>, usize)>,
}

/// One open socket's place; dropping it frees the place.
pub struct Permit {
    caps: Arc<Caps>,
    token: String,
}

impl Caps {
    /// At most `per_ticket` sockets per ticket and `total` in all.
    pub fn new(per_ticket: usize, total: usize) -> Self {
        Self {
            per_ticket,
            total,
            open: Mutex::default(),
        }
    }

    fn open(&self) -> std::sync::MutexGuard<'_, (HashMap<String, usize>, usize)> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A place for one more socket of the ticket `token`.
    ///
    /// # Errors
    /// Which cap is met.
    pub fn admit(self: &Arc<Self>, token: &str) -> Result<Permit, Full> {
        let mut g = self.open();
        let (per_ticket, total) = &mut *g;
        if *total >= self.total {
            return Err(Full::Hall);
        }
        let n = per_ticket.entry(token.to_string()).or_default();
        if *n >= self.per_ticket {
            return Err(Full::Ticket);
        }
        *n += 1;
        *total += 1;
        Ok(Permit {
            caps: self.clone(),
            token: token.to_string(),
        })
    }

    /// Sockets open now.
    pub fn open_now(&self) -> usize {
        self.open().1
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut g = self.caps.open();
        let (per_ticket, total) = &mut *g;
        *total = total.saturating_sub(1);
        if let Some(n) = per_ticket.get_mut(&self.token) {
            *n -= 1;
            if *n == 0 {
                per_ticket.remove(&self.token);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_ticket_and_total_caps_hold_and_places_come_back() {
        let caps = Arc::new(Caps::new(2, 3));
        let a1 = caps.admit("a").unwrap();
        let _a2 = caps.admit("a").unwrap();
        assert_eq!(caps.admit("a").err(), Some(Full::Ticket));
        let _b1 = caps.admit("b").unwrap();
        assert_eq!(caps.admit("c").err(), Some(Full::Hall));
        drop(a1);
        assert_eq!(caps.open_now(), 2);
        let _c1 = caps.admit("c").unwrap();
        assert_eq!(caps.admit("a").err(), Some(Full::Hall));
    }
}
