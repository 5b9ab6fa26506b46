//! A real S3-compatible server for the media tests: s3s (the S3 protocol, signatures
//! checked) over s3s-fs (objects as files under a temporary directory), served with
//! hyper on a free loopback port.

use std::path::{Path, PathBuf};

use anyhow::Context;

pub const ACCESS_KEY: &str = "AKIALADAKHMEDIATEST";
pub const SECRET_KEY: &str = "ladakh-media-test-secret-key-0123456789";

pub struct S3Server {
    pub endpoint: String,
    root: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl S3Server {
    /// Starts a server with one (empty) bucket.
    pub async fn start(bucket: &str) -> anyhow::Result<Self> {
        let root = tempfile::tempdir()?;
        std::fs::create_dir(root.path().join(bucket))?;
        let fs =
            s3s_fs::FileSystem::new(root.path()).map_err(|e| anyhow::anyhow!("s3s-fs: {e:?}"))?;
        let mut builder = s3s::service::S3ServiceBuilder::new(fs);
        builder.set_auth(s3s::auth::SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
        let service = builder.build();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("binding the S3 server")?;
        let address = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let http =
                hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
            while let Ok((socket, _)) = listener.accept().await {
                let connection = http
                    .serve_connection(hyper_util::rt::TokioIo::new(socket), service.clone())
                    .into_owned();
                tokio::spawn(async move {
                    let _ = connection.await;
                });
            }
        });
        Ok(Self {
            endpoint: format!("http://{address}"),
            root,
            task,
        })
    }

    /// The files under a bucket (its objects, and s3s-fs's own metadata files).
    pub fn files(&self, bucket: &str) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push(path);
                }
            }
        }
        let mut files = Vec::new();
        walk(&self.root.path().join(bucket), &mut files);
        files
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}
