//! The account concurrency limit and seeded fault injection.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::config::Faults;

/// Counts admitted in-flight requests; a request beyond the limit is refused, not queued.
#[derive(Debug)]
pub(crate) struct Gate {
    limit: usize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// Holds one slot until dropped (also when the client disconnects mid-request).
#[derive(Debug)]
pub(crate) struct Permit {
    gate: Arc<Gate>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.gate.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Gate {
    pub fn new(limit: usize) -> Arc<Gate> {
        Arc::new(Gate {
            limit,
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        })
    }

    pub fn try_admit(self: &Arc<Self>) -> Option<Permit> {
        let mut current = self.in_flight.load(Ordering::SeqCst);
        loop {
            if current >= self.limit {
                return None;
            }
            match self.in_flight.compare_exchange(
                current,
                current + 1,
                Ordering::SeqCst,
                Ordering::SeqCst,
            ) {
                Ok(_) => break,
                Err(actual) => current = actual,
            }
        }
        self.max_in_flight.fetch_max(current + 1, Ordering::SeqCst);
        Some(Permit { gate: self.clone() })
    }

    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }
}

/// What happens to one record write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    None,
    /// Answer 500 UNEXPECTED_ERROR before doing anything.
    ServerError,
    /// Do the write, then drop the connection without a response.
    DropAfterCommit,
}

#[derive(Debug)]
pub(crate) struct FaultState {
    pub faults: Faults,
    rng: StdRng,
}

impl FaultState {
    pub fn new(faults: Faults) -> FaultState {
        let rng = StdRng::seed_from_u64(faults.seed);
        FaultState { faults, rng }
    }

    /// Two draws per write request, always, so the sequence depends only on the seed and the
    /// number of writes.
    pub fn draw(&mut self) -> Fault {
        let a: f64 = self.rng.gen();
        let b: f64 = self.rng.gen();
        if a < self.faults.server_error_rate {
            Fault::ServerError
        } else if b < self.faults.drop_after_commit_rate {
            Fault::DropAfterCommit
        } else {
            Fault::None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_refuses_beyond_limit_and_frees_on_drop() {
        let g = Gate::new(2);
        let a = g.try_admit().unwrap();
        let b = g.try_admit().unwrap();
        assert!(g.try_admit().is_none());
        drop(a);
        let c = g.try_admit().unwrap();
        assert_eq!(g.max_in_flight(), 2);
        drop((b, c));
        assert_eq!(g.in_flight.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn faults_are_deterministic_per_seed() {
        let f = Faults {
            server_error_rate: 0.3,
            drop_after_commit_rate: 0.3,
            seed: 7,
            ..Faults::default()
        };
        let seq = |f: &Faults| {
            let mut s = FaultState::new(f.clone());
            (0..50).map(|_| s.draw()).collect::<Vec<_>>()
        };
        assert_eq!(seq(&f), seq(&f));
        assert!(seq(&f).contains(&Fault::ServerError));
        assert!(seq(&f).contains(&Fault::DropAfterCommit));
        let always = Faults {
            server_error_rate: 1.0,
            ..Faults::default()
        };
        assert!(seq(&always).iter().all(|x| *x == Fault::ServerError));
        assert!(seq(&Faults::default()).iter().all(|x| *x == Fault::None));
    }
}
