//! The background work of a server process as one set of named tasks.
//!
//! A task does one round of work and says how much it did: a queue consumer claims and
//! processes a batch, a periodic job (the reservation sweeper, the channel order poller)
//! does its sweep. [`WorkerSet::start`] runs each task in a loop of its own, at once again
//! while it finds work and at its interval while idle, until [`Running::stop`].
//! [`WorkerSet::drain`] runs every task round after round until a whole round finds
//! nothing, so that tests can wait for the background work without sleeping.

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use tokio::{sync::watch, task::JoinHandle, time::Instant};

use crate::queue::Due;

/// What a task may fail with; the runtime only logs it.
pub type TaskError = Box<dyn std::error::Error + Send + Sync>;

/// How one round is to be run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// Which queue rows the round may claim.
    pub due: Due,
}

/// One kind of background work.
#[async_trait::async_trait]
pub trait Task: Send + Sync {
    /// Does one round of work; returns how much it did (zero when there was none).
    async fn run_once(&self, round: Round) -> Result<usize, TaskError>;
}

struct Registered {
    name: String,
    every: Duration,
    task: Box<dyn Task>,
    /// Held while a round runs, so that a drain and the background loop never run the
    /// same task at once and a drain waits for a round in flight to finish.
    turn: tokio::sync::Mutex<()>,
}

impl Registered {
    async fn round(&self, round: Round) -> Result<usize, TaskError> {
        let _turn = self.turn.lock().await;
        self.task.run_once(round).await
    }
}

/// The tasks of a process. Cheap to clone; clones share the tasks.
#[derive(Clone, Default)]
pub struct WorkerSet {
    tasks: Vec<Arc<Registered>>,
}

impl std::fmt::Debug for WorkerSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.tasks.iter().map(|t| (&t.name, t.every)))
            .finish()
    }
}

/// What a drain did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct DrainReport {
    /// Rounds run, the last one included.
    pub rounds: usize,
    /// True when the last round found no work; false when the round limit was reached.
    pub settled: bool,
    /// Work done, by task name.
    pub done: BTreeMap<String, usize>,
    /// Failed rounds, as "task: error".
    pub errors: Vec<String>,
}

impl WorkerSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a task that, while idle, looks for work every `every`.
    pub fn add(&mut self, name: impl Into<String>, every: Duration, task: impl Task + 'static) {
        self.tasks.push(Arc::new(Registered {
            name: name.into(),
            every,
            task: Box::new(task),
            turn: tokio::sync::Mutex::new(()),
        }));
    }

    pub fn names(&self) -> Vec<&str> {
        self.tasks.iter().map(|t| t.name.as_str()).collect()
    }

    /// Runs every task in the background until [`Running::stop`].
    pub fn start(&self) -> Running {
        let (stop, stopped) = watch::channel(false);
        let handles = self
            .tasks
            .iter()
            .map(|task| {
                (
                    task.name.clone(),
                    tokio::spawn(run_loop(Arc::clone(task), stopped.clone())),
                )
            })
            .collect();
        Running { stop, handles }
    }

    /// Runs every task, in the order they were added, round after round until a whole
    /// round does no work or `max_rounds` rounds have run.
    pub async fn drain(&self, due: Due, max_rounds: usize) -> DrainReport {
        let mut report = DrainReport {
            done: self.tasks.iter().map(|t| (t.name.clone(), 0)).collect(),
            ..DrainReport::default()
        };
        while report.rounds < max_rounds {
            report.rounds += 1;
            let mut work = 0_usize;
            for task in &self.tasks {
                match task.round(Round { due }).await {
                    Ok(done) => {
                        work = work.saturating_add(done);
                        if let Some(total) = report.done.get_mut(&task.name) {
                            *total = total.saturating_add(done);
                        }
                    }
                    Err(error) => report.errors.push(format!("{}: {error}", task.name)),
                }
            }
            if work == 0 {
                report.settled = true;
                break;
            }
        }
        report
    }
}

async fn run_loop(task: Arc<Registered>, mut stopped: watch::Receiver<bool>) {
    loop {
        if *stopped.borrow() {
            return;
        }
        let busy = match task.round(Round::default()).await {
            Ok(done) => done > 0,
            Err(error) => {
                tracing::warn!(task = %task.name, error = %error, "background task failed; retrying after its interval");
                false
            }
        };
        if busy {
            // Let the other tasks on this thread have a turn between busy rounds.
            tokio::task::yield_now().await;
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(task.every) => {}
            _ = stopped.changed() => return,
        }
    }
}

/// The running loops of a [`WorkerSet`].
#[derive(Debug)]
pub struct Running {
    stop: watch::Sender<bool>,
    handles: Vec<(String, JoinHandle<()>)>,
}

impl Running {
    /// Signals every loop to stop after its current round and waits for them, at most
    /// `timeout` in all; loops still running then are left to the runtime's shutdown.
    pub async fn stop(self, timeout: Duration) {
        // Sending fails only when every loop has gone already.
        let _ = self.stop.send(true);
        let deadline = Instant::now() + timeout;
        for (name, handle) in self.handles {
            if tokio::time::timeout_at(deadline, handle).await.is_err() {
                tracing::warn!(task = %name, "the background task did not stop in time");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{
        Mutex,
        atomic::{AtomicUsize, Ordering},
    };

    use super::*;

    /// Has `left` units of work and does at most `batch` a round.
    struct Countdown {
        left: Mutex<usize>,
        batch: usize,
        rounds: Arc<AtomicUsize>,
    }

    #[async_trait::async_trait]
    impl Task for Countdown {
        async fn run_once(&self, _round: Round) -> Result<usize, TaskError> {
            self.rounds.fetch_add(1, Ordering::SeqCst);
            let mut left = self.left.lock().map_err(|e| e.to_string())?;
            let done = (*left).min(self.batch);
            *left -= done;
            Ok(done)
        }
    }

    struct Failing;

    #[async_trait::async_trait]
    impl Task for Failing {
        async fn run_once(&self, _round: Round) -> Result<usize, TaskError> {
            Err("broken".into())
        }
    }

    fn countdown(left: usize, batch: usize) -> (Countdown, Arc<AtomicUsize>) {
        let rounds = Arc::new(AtomicUsize::new(0));
        (
            Countdown {
                left: Mutex::new(left),
                batch,
                rounds: Arc::clone(&rounds),
            },
            rounds,
        )
    }

    #[tokio::test]
    async fn drain_runs_rounds_until_one_finds_nothing() {
        let mut set = WorkerSet::new();
        let (a, _) = countdown(7, 3);
        let (b, _) = countdown(2, 5);
        set.add("a", Duration::from_secs(60), a);
        set.add("b", Duration::from_secs(60), b);
        set.add("broken", Duration::from_secs(60), Failing);
        let report = set.drain(Due::Now, 50).await;
        assert!(report.settled);
        assert_eq!(report.rounds, 4, "3 + 3 + 1, then an empty round");
        assert_eq!(report.done["a"], 7);
        assert_eq!(report.done["b"], 2);
        assert_eq!(report.done["broken"], 0);
        assert_eq!(report.errors.len(), 4);
        assert!(report.errors[0].starts_with("broken: broken"));
    }

    #[tokio::test]
    async fn drain_stops_at_the_round_limit() {
        let mut set = WorkerSet::new();
        let (endless, _) = countdown(usize::MAX, 1);
        set.add("endless", Duration::from_secs(60), endless);
        let report = set.drain(Due::All, 5).await;
        assert!(!report.settled);
        assert_eq!((report.rounds, report.done["endless"]), (5, 5));
    }

    #[tokio::test]
    async fn busy_tasks_loop_at_once_idle_ones_wait_and_all_stop() {
        let mut set = WorkerSet::new();
        let (busy, busy_rounds) = countdown(50, 1);
        let (idle, idle_rounds) = countdown(0, 1);
        set.add("busy", Duration::from_secs(3600), busy);
        set.add("idle", Duration::from_secs(3600), idle);
        let running = set.start();
        let start = Instant::now();
        while busy_rounds.load(Ordering::SeqCst) < 51 {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "busy task stalled"
            );
            tokio::task::yield_now().await;
        }
        assert_eq!(idle_rounds.load(Ordering::SeqCst), 1, "idle waits its hour");
        let stopping = Instant::now();
        running.stop(Duration::from_secs(10)).await;
        assert!(
            stopping.elapsed() < Duration::from_secs(5),
            "stopped promptly"
        );
        // A drain after stopping still runs the tasks.
        let report = set.drain(Due::Now, 3).await;
        assert!(report.settled);
    }
}
