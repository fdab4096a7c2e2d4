//! Cancellation: one flag that SIGINT/SIGTERM (or a caller) sets, polled by every long step.
//!
//! The signal registration uses `signal-hook` flags, which compose with other handlers in the
//! process instead of taking the single process-wide handler (as the `ctrlc` crate does), so a
//! host program can still install its own. Child processes run in their own process group, so a
//! terminal's Ctrl-C reaches only the drill, which then stops its children and cleans up in
//! order (children first, then the scratch database, then the scratch server).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// A cheap, clonable cancellation flag. A [`Cancel::child`] is cancelled with its parent,
/// and can also be cancelled alone.
#[derive(Clone, Debug)]
pub struct Cancel {
    /// Our own flag first, then the ancestors'.
    flags: Vec<Arc<AtomicBool>>,
}

impl Default for Cancel {
    fn default() -> Self {
        Cancel {
            flags: vec![Arc::new(AtomicBool::new(false))],
        }
    }
}

impl Cancel {
    pub fn new() -> Self {
        Self::default()
    }

    /// A flag that is set when this one is, or on its own.
    pub fn child(&self) -> Cancel {
        let mut flags = vec![Arc::new(AtomicBool::new(false))];
        flags.extend(self.flags.iter().cloned());
        Cancel { flags }
    }

    /// Requests cancellation (of this flag and its children).
    pub fn cancel(&self) {
        self.flags[0].store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.flags.iter().any(|f| f.load(Ordering::SeqCst))
    }

    /// Sleeps up to `d`, returning early (true) when cancelled.
    pub fn sleep(&self, d: Duration) -> bool {
        let step = Duration::from_millis(20);
        let mut left = d;
        while !left.is_zero() {
            if self.is_cancelled() {
                return true;
            }
            let s = left.min(step);
            std::thread::sleep(s);
            left -= s;
        }
        self.is_cancelled()
    }

    /// Sets the flag on SIGINT and SIGTERM until the guard is dropped.
    pub fn on_signals(&self) -> SignalGuard {
        let mut ids = Vec::new();
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            if let Ok(id) = signal_hook::flag::register(sig, Arc::clone(&self.flags[0])) {
                ids.push(id);
            }
        }
        SignalGuard { ids }
    }
}

/// Unregisters the signal flags when dropped.
pub struct SignalGuard {
    ids: Vec<signal_hook::SigId>,
}

impl Drop for SignalGuard {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_follow_parents() {
        let parent = Cancel::new();
        let child = parent.child();
        child.cancel();
        assert!(child.is_cancelled() && !parent.is_cancelled());
        let child = parent.child();
        parent.cancel();
        assert!(child.is_cancelled());
    }
}
