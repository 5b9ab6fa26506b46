//! Helpers shared by the integration tests.

pub mod browser;
pub mod channel_sim;
pub mod documents;
pub mod flows;
pub mod meili;
pub mod multipart;
pub mod postgres;
pub mod razorpay_fake;
pub mod s3;
pub mod server;
pub mod smtp_sink;
pub mod stripe_fake;

pub use server::{Backend, ServerOptions, TestServer, error_code};

/// Defines one test per backend from an `async fn(Backend) -> anyhow::Result<()>`:
/// `name::sqlite` and `name::postgres`. The PostgreSQL variant fails without
/// PostgreSQL binaries; built with `SKIP_POSTGRES=1` it is ignored instead, and the
/// runner counts it as ignored, never as passed.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() -> anyhow::Result<()> {
                    super::$name($crate::support::Backend::Sqlite).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(skip_postgres, ignore = "SKIP_POSTGRES=1: PostgreSQL variant skipped")]
                async fn postgres() -> anyhow::Result<()> {
                    super::$name($crate::support::Backend::Postgres).await
                }
            }
        )+
    };
}
