//! The background work of the channels, as tasks of the process's
//! [`kernel::worker::WorkerSet`]: relaying catalogue changes to channel jobs, pushing
//! them, and polling the channels' orders. Safe to run in every replica (claims are
//! leases in the database).

use kernel::worker::{Round, Task, TaskError};

use crate::{Channel, ConnectorService};

/// Relays catalogue changes to channel jobs.
#[derive(Debug)]
pub struct ChannelRelay {
    pub service: ConnectorService,
    pub worker_id: String,
}

#[async_trait::async_trait]
impl Task for ChannelRelay {
    async fn run_once(&self, _round: Round) -> Result<usize, TaskError> {
        Ok(self.service.relay_changes(&self.worker_id, 200).await?)
    }
}

/// Pushes channel jobs.
#[derive(Debug)]
pub struct ChannelPush {
    pub service: ConnectorService,
    pub worker_id: String,
}

#[async_trait::async_trait]
impl Task for ChannelPush {
    /// Every job it took counts as work, a rescheduled one too: a drain that takes jobs
    /// whatever their retry time goes on until each is sent or dead-lettered.
    async fn run_once(&self, round: Round) -> Result<usize, TaskError> {
        let report = self
            .service
            .push_once(&self.worker_id, 50, round.due)
            .await?;
        Ok(report.sent + report.superseded + report.retried + report.dead_lettered)
    }
}

/// Polls every channel for new orders.
#[derive(Debug)]
pub struct ChannelOrderPoll {
    pub service: ConnectorService,
}

#[async_trait::async_trait]
impl Task for ChannelOrderPoll {
    async fn run_once(&self, _round: Round) -> Result<usize, TaskError> {
        let mut handled = 0;
        for channel in Channel::ALL {
            match self.service.poll_orders(channel).await {
                Ok(n) => handled += n,
                Err(e) => tracing::warn!(%channel, error = %e, "channel order poll failed"),
            }
        }
        Ok(handled)
    }
}
