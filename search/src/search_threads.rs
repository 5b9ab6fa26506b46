//! Searches run on a fixed set of long-lived threads, one per core, fed from a queue.
//!
//! A search allocates a lot for a moment (typo automata for every word and field, facet
//! buckets) and the allocator keeps freed memory with the thread that used it. On tokio's
//! blocking pool, which starts another thread whenever none is idle at the instant a task
//! arrives, a burst of searches spread that memory over more and more threads; here it is
//! bounded by the number of cores, and so is the number of searches running at once (the
//! others wait in the queue, as they waited on a semaphore before).

use std::{
    panic::AssertUnwindSafe,
    sync::{Arc, LazyLock, Mutex, mpsc},
};

use crate::SearchError;

type Job = Box<dyn FnOnce() + Send>;

static QUEUE: LazyLock<Result<Mutex<mpsc::Sender<Job>>, String>> = LazyLock::new(|| {
    let (sender, receiver) = mpsc::channel::<Job>();
    let receiver = Arc::new(Mutex::new(receiver));
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    for n in 0..threads {
        let receiver = Arc::clone(&receiver);
        std::thread::Builder::new()
            .name(format!("search-{n}"))
            .spawn(move || {
                loop {
                    let job = match receiver.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = job else { return };
                    // A panicking search fails its own request (its answer channel is
                    // dropped), not the thread.
                    let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
                }
            })
            .map_err(|e| format!("starting search thread {n}: {e}"))?;
    }
    Ok(Mutex::new(sender))
});

/// Runs `work` on a search thread and waits for its answer.
pub(crate) async fn run<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SearchError> + Send + 'static,
) -> Result<T, SearchError> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    let queue = QUEUE.as_ref().map_err(|e| SearchError::Index(e.clone()))?;
    queue
        .lock()
        .map_err(|_| SearchError::Index("search queue poisoned".to_owned()))?
        .send(Box::new(move || {
            let _ = answer.send(work());
        }))
        .map_err(|_| SearchError::Index("search threads stopped".to_owned()))?;
    answered
        .await
        .map_err(|_| SearchError::Index("search failed".to_owned()))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_come_back_and_a_panicking_search_does_not_stop_the_threads() {
        let threads = std::thread::available_parallelism().map_or(2, usize::from);
        for _ in 0..threads + 1 {
            let panicked = run(|| {
                let empty: Vec<u32> = Vec::new();
                Ok(empty[std::hint::black_box(3)])
            })
            .await;
            assert!(panicked.is_err());
        }
        let tasks: Vec<_> = (0..32_u32)
            .map(|n| tokio::spawn(run(move || Ok(n * 2))))
            .collect();
        let mut answers = Vec::new();
        for task in tasks {
            answers.push(task.await.ok().and_then(Result::ok));
        }
        assert_eq!(answers, (0..32).map(|n| Some(n * 2)).collect::<Vec<_>>());
    }
}
