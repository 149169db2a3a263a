//! What /proc says about processes and file locks (Linux). Every reader returns "nothing"
//! rather than an error when /proc or the process is not there: a process can end between
//! listing it and reading it.

use std::fs::File;

/// State letter and process group of `pid`, from /proc/PID/stat.
fn stat(pid: u32) -> Option<(char, u32)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces or ')': split after the last one.
    // Then: state, ppid, pgrp, ...
    let (_, rest) = text.rsplit_once(')')?;
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let pgrp = fields.nth(1)?.parse().ok()?;
    Some((state, pgrp))
}

/// Exited but not yet reaped (or dying): no longer running.
pub fn is_zombie(pid: u32) -> bool {
    stat(pid).is_some_and(|(state, _)| matches!(state, 'Z' | 'X'))
}

/// Every pid under /proc.
fn all_pids() -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return vec![];
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse().ok()))
        .collect()
}

/// Pids in process group `pgid`.
pub fn pids_in_group(pgid: u32) -> Vec<u32> {
    all_pids()
        .into_iter()
        .filter(|pid| stat(*pid).is_some_and(|(_, g)| g == pgid))
        .collect()
}

/// Pids whose environment holds `marker` (`NAME=value`), optionally only those in process
/// group `pgid`. Only processes of this user can be read, which are the only ones this tool
/// starts.
pub fn pids_with_env(marker: &str, pgid: Option<u32>) -> Vec<u32> {
    all_pids()
        .into_iter()
        .filter(|pid| pgid.is_none_or(|g| stat(*pid).is_some_and(|(_, pg)| pg == g)))
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ")).is_ok_and(|env| {
                env.split(|b| *b == 0)
                    .any(|entry| entry == marker.as_bytes())
            })
        })
        .collect()
}

/// The value of `name` in `pid`'s environment (None when unset or unreadable).
pub fn env_value(pid: u32, name: &str) -> Option<String> {
    let env = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
    value_in(&env, name)
}

fn value_in(env: &[u8], name: &str) -> Option<String> {
    env.split(|b| *b == 0).find_map(|entry| {
        let rest = entry.strip_prefix(name.as_bytes())?.strip_prefix(b"=")?;
        Some(String::from_utf8_lossy(rest).into_owned())
    })
}

/// Every live process (of this user) with `name` in its environment, with the value.
pub fn env_values(name: &str) -> Vec<(u32, String)> {
    all_pids()
        .into_iter()
        .filter(|pid| !is_zombie(*pid))
        .filter_map(|pid| Some((pid, env_value(pid, name)?)))
        .collect()
}

/// The Docker container `pid` runs in, from the 64-hex id in /proc/PID/cgroup (None when it
/// runs in none).
pub fn container_id(pid: u32) -> Option<String> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
    text.lines().find_map(|line| {
        line.split(['/', '-', '.', ':'])
            .find(|part| part.len() == 64 && part.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(str::to_string)
    })
}

/// Resident memory of `pid` in kB (0 when unknown).
pub fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// CPU time `pid` has used so far (user plus system), in seconds; 0 when unknown.
pub fn cpu_seconds(pid: u32) -> f64 {
    let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    let Some((_, rest)) = text.rsplit_once(')') else {
        return 0.0;
    };
    // After the name: state is field 3 of the line, utime 14 and stime 15.
    let mut fields = rest.split_whitespace().skip(11);
    let mut ticks = || {
        fields
            .next()
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let total = ticks() + ticks();
    // /proc counts in USER_HZ, which the kernel's ABI fixes at 100 on Linux.
    total as f64 / 100.0
}

/// The pids holding a flock(2) lock on `file` (readers and writers; not those waiting), from
/// /proc/locks. None when /proc/locks cannot be read.
///
/// The pid is the process that took the lock. Locks taken by std's `File::lock` are on
/// close-on-exec descriptors, so no exec'd child inherits one and keeps it alive.
pub fn flock_holders(file: &File) -> Option<Vec<u32>> {
    use std::os::unix::fs::MetadataExt;
    let meta = file.metadata().ok()?;
    let dev = meta.dev();
    let (major, minor) = (rustix::fs::major(dev), rustix::fs::minor(dev));
    let locks = std::fs::read_to_string("/proc/locks").ok()?;
    Some(
        locks
            .lines()
            .filter_map(|line| {
                // "1: FLOCK  ADVISORY  WRITE 12345 fd:01:1234567 0 EOF"; waiters have "->"
                // after the number, so their second field is not FLOCK.
                let fields: Vec<&str> = line.split_whitespace().collect();
                if fields.get(1) != Some(&"FLOCK") {
                    return None;
                }
                let pid = fields.get(4)?.parse::<u32>().ok()?;
                let mut id = fields.get(5)?.split(':');
                let maj = u32::from_str_radix(id.next()?, 16).ok()?;
                let min = u32::from_str_radix(id.next()?, 16).ok()?;
                let ino = id.next()?.parse::<u64>().ok()?;
                (maj == major && min == minor && ino == meta.ino()).then_some(pid)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_process_is_read() {
        let me = std::process::id();
        assert!(!is_zombie(me));
        assert!(rss_kb(me) > 0);
        let (_, pgrp) = stat(me).unwrap();
        assert!(pids_in_group(pgrp).contains(&me));
        assert!(pids_with_env("DSPY_AGENT_NO_SUCH_MARKER=1", None).is_empty());
    }

    #[test]
    fn flock_holders_names_the_holder_only_while_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock");
        let file = File::create(&path).unwrap();
        assert_eq!(flock_holders(&file), Some(vec![]));
        file.lock().unwrap();
        let other = File::open(&path).unwrap();
        assert_eq!(flock_holders(&other), Some(vec![std::process::id()]));
        file.unlock().unwrap();
        assert_eq!(flock_holders(&other), Some(vec![]));
    }
}
