//! Host ports: a port is free when nothing on the host can bind it and Docker does not already
//! publish it. A busy port moves to the next free one, up to +100.

use std::collections::HashSet;
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// One published port of a container: what `ps`, `ports` and state.json report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortBinding {
    pub container_port: u16,
    pub host_ip: String,
    pub host_port: u16,
}

/// How far past the requested port to look.
pub const REMAP_RANGE: u16 = 100;

/// Hands out host ports for one `up`, so two services of the same run never get the same one.
#[derive(Debug)]
pub struct PortAllocator {
    /// Ports published by containers, plus ports this run has already handed out.
    taken: Mutex<HashSet<u16>>,
}

impl PortAllocator {
    pub fn new(published_by_docker: HashSet<u16>) -> Self {
        PortAllocator {
            taken: Mutex::new(published_by_docker),
        }
    }

    /// The requested port if free, else the next free one within +100; None if all are busy.
    pub fn allocate(&self, requested: u16) -> Option<u16> {
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        let last = requested.saturating_add(REMAP_RANGE);
        let port = (requested..=last).find(|p| !taken.contains(p) && bindable(*p))?;
        taken.insert(port);
        Some(port)
    }

    /// Give back a port this run allocated but did not use.
    pub fn release(&self, port: u16) {
        self.taken
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&port);
    }
}

/// Can a listener bind this port on the loopback address right now? (A listener on 0.0.0.0
/// also makes this fail, which is what we want.)
fn bindable(port: u16) -> bool {
    TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_port_moves_to_next_free_one() {
        let holder = TcpListener::bind("127.0.0.1:0").unwrap();
        let busy = holder.local_addr().unwrap().port();
        let alloc = PortAllocator::new(HashSet::new());
        let got = alloc.allocate(busy).unwrap();
        assert!(got > busy && got <= busy + REMAP_RANGE);
        // The same run never hands the same port out twice.
        let again = alloc.allocate(busy).unwrap();
        assert_ne!(again, got);
    }

    #[test]
    fn docker_published_ports_count_as_taken() {
        let alloc = PortAllocator::new(HashSet::from([45_001]));
        assert_ne!(alloc.allocate(45_001), Some(45_001));
    }
}
