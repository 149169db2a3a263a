//! The store's writer and its open: group commit, compaction, failed writes, damage.

use super::*;
use crate::server::task::TaskState;

fn task(id: &str, state: TaskState) -> Task {
    Task {
        max_attempts: 3,
        state,
        submitted_at_ms: 1,
        queued_at_ms: 1,
        payload_hash: "h".into(),
        ..Task::blank(id)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_commit_acknowledges_everything_and_replay_keeps_the_latest() {
    let dir = tempfile::tempdir().unwrap();
    let (store, loaded) = Store::open(dir.path()).unwrap();
    assert!(loaded.is_empty());
    let store = Arc::new(store);
    let mut acks = vec![];
    for i in 0..500 {
        acks.push(store.put_durable(&task(&format!("t{i}"), TaskState::Queued), "{\"a\":1}"));
    }
    for a in acks {
        a.await.unwrap().unwrap();
    }
    // An update without payload keeps the earlier payload; a delete drops the task.
    store.put(&task("t1", TaskState::Running));
    store.delete("t2");
    store.flush().await;
    drop(store);
    // A torn record at the end, as a crash mid-write leaves it.
    let path = dir.path().join(JOURNAL);
    let mut f = OpenOptions::new().append(true).open(&path).unwrap();
    f.write_all(b"{\"op\":\"put\",\"task\":{\"id\":\"tor")
        .unwrap();
    drop(f);

    let (_store, loaded) = Store::open(dir.path()).unwrap();
    assert_eq!(loaded.len(), 499);
    let (t1, p1) = loaded.iter().find(|(t, _)| t.id == "t1").unwrap();
    assert_eq!(t1.state, TaskState::Running);
    assert_eq!(p1.as_deref(), Some("{\"a\":1}"));
    assert!(loaded.iter().all(|(t, _)| t.id != "t2"));
    // Opening compacted the file: one line per live task, no torn tail.
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 499);
    assert!(text.ends_with('\n'));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compaction_replaces_the_journal_and_appends_continue() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(dir.path()).unwrap();
    for i in 0..50 {
        store.put(&task(&format!("t{i}"), TaskState::Queued));
    }
    let keep = task("keep", TaskState::Queued);
    store.compact([(&keep, Some("{}"))].into_iter());
    store.put(&task("after", TaskState::Queued));
    store.flush().await;
    let text = std::fs::read_to_string(dir.path().join(JOURNAL)).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert_eq!(store.journal_bytes(), text.len() as u64);
    drop(store);
    let (_s, loaded) = Store::open(dir.path()).unwrap();
    let ids: Vec<&str> = loaded.iter().map(|(t, _)| t.id.as_str()).collect();
    assert_eq!(ids, ["keep", "after"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_write_is_cut_back_and_not_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(dir.path()).unwrap();
    store
        .put_durable(&task("before", TaskState::Queued), "{}")
        .await
        .unwrap()
        .unwrap();
    // The disk fills part-way through the next record.
    *store.faults.fail_after.lock().unwrap() = Some(10);
    let err = store
        .put_durable(&task("torn", TaskState::Queued), "{}")
        .await
        .unwrap();
    assert!(err.unwrap_err().contains("journal write failed"));
    assert_eq!(store.write_errors(), 1);
    assert!(store.failing().unwrap().contains("journal write failed"));
    store
        .put_durable(&task("after", TaskState::Queued), "{}")
        .await
        .unwrap()
        .unwrap();
    // A write that reached the disk ends the failing state; the count stays.
    assert_eq!(store.failing(), None);
    assert_eq!(store.write_errors(), 1);
    let path = dir.path().join(JOURNAL);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert_eq!(store.journal_bytes(), text.len() as u64);
    drop(store);
    let (_s, loaded) = Store::open(dir.path()).unwrap();
    let ids: Vec<&str> = loaded.iter().map(|(t, _)| t.id.as_str()).collect();
    assert_eq!(ids, ["before", "after"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_journal_is_copied_before_compaction_or_refused_when_strict() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(dir.path()).unwrap();
    for id in ["a", "b"] {
        store
            .put_durable(&task(id, TaskState::Queued), "{}")
            .await
            .unwrap()
            .unwrap();
    }
    drop(store);
    let path = dir.path().join(JOURNAL);
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.insert_str(0, "garbage\n");
    std::fs::write(&path, &text).unwrap();

    let err = Store::open_checked(dir.path(), true).err().unwrap();
    assert!(err.message.contains("line 1"), "{}", err.message);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);

    let (_s, loaded, report) = Store::open_checked(dir.path(), false).unwrap();
    assert_eq!(loaded.len(), 2);
    assert_eq!(report.records_lost(), 1);
    let copy = report.copy.clone().unwrap();
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), text);
    assert!(!std::fs::read_to_string(&path).unwrap().contains("garbage"));
    assert_eq!(start_report(dir.path()).unwrap().copy, Some(copy));
    assert!(check(dir.path()).unwrap().is_clean());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_writer_survives_a_panic_and_keeps_writing() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(dir.path()).unwrap();
    *store.faults.panic_next.lock().unwrap() = true;
    // That group is lost (not acknowledged), but the writer goes on.
    let lost = store
        .put_durable(&task("lost", TaskState::Queued), "{}")
        .await;
    assert!(!matches!(lost, Ok(Ok(()))), "{lost:?}");
    store
        .put_durable(&task("after", TaskState::Queued), "{}")
        .await
        .unwrap()
        .unwrap();
    // Nothing is left counted as waiting (flush answers after the group is counted off).
    store.flush().await;
    assert_eq!(store.backlog(), 0);
    drop(store);
    let (_s, loaded) = Store::open(dir.path()).unwrap();
    let ids: Vec<&str> = loaded.iter().map(|(t, _)| t.id.as_str()).collect();
    assert_eq!(ids, ["after"]);
}
