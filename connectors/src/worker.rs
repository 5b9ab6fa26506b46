//! The background worker of a server process: relays catalogue changes to channel jobs,
//! pushes them, and polls the channels' orders. Safe to run in every replica (claims
//! are leases in the database).

use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::{Channel, ConnectorService};

#[derive(Debug)]
pub struct ChannelWorker {
    pub service: ConnectorService,
    pub worker_id: String,
    pub poll_interval: Duration,
    /// Poll the channels' orders this often; never when None.
    pub order_poll_interval: Option<Duration>,
}

impl ChannelWorker {
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut last_order_poll: Option<Instant> = None;
        loop {
            let mut busy = false;
            match self.service.relay_changes(&self.worker_id, 200).await {
                Ok(n) => busy |= n > 0,
                Err(e) => tracing::warn!(error = %e, "channel relay failed"),
            }
            match self.service.push_once(&self.worker_id, 50).await {
                Ok(report) => busy |= report.sent + report.superseded > 0,
                Err(e) => tracing::warn!(error = %e, "channel push failed"),
            }
            if let Some(every) = self.order_poll_interval
                && last_order_poll.is_none_or(|at| at.elapsed() >= every)
            {
                last_order_poll = Some(Instant::now());
                for channel in Channel::ALL {
                    if let Err(e) = self.service.poll_orders(channel).await {
                        tracing::warn!(%channel, error = %e, "channel order poll failed");
                    }
                }
            }
            if busy {
                if *shutdown.borrow() {
                    return;
                }
                continue;
            }
            tokio::select! {
                _ = tokio::time::sleep(self.poll_interval) => {}
                _ = shutdown.changed() => return,
            }
            if *shutdown.borrow() {
                return;
            }
        }
    }
}
