//! Where media bytes live, behind one trait: the local disk under `DATA_DIR/media` by
//! default, or an S3-compatible object store so that replicas share media. Both are
//! `object_store` backends; the trait is what the rest of the crate (and the tests)
//! see, so that nothing else knows which one is configured.

use std::{path::Path, sync::Arc};

use bytes::Bytes;
use object_store::{ObjectStore, PutPayload, path::Path as ObjectPath};

use crate::MediaError;

/// A stored object's bytes and type.
#[derive(Debug, Clone)]
pub struct StoredObject {
    pub bytes: Bytes,
}

/// Put, get and delete objects by key (`<media id>/<name>`).
#[async_trait::async_trait]
pub trait MediaStorage: Send + Sync + std::fmt::Debug {
    async fn put(&self, key: &str, bytes: Bytes) -> Result<(), MediaError>;
    /// None when there is no such object.
    async fn get(&self, key: &str) -> Result<Option<StoredObject>, MediaError>;
    /// Deleting a missing object is not an error.
    async fn delete(&self, key: &str) -> Result<(), MediaError>;
    /// Where the objects are, for logs.
    fn describe(&self) -> String;
}

/// S3-compatible object storage (AWS S3, MinIO, Ceph, Garage, …).
#[derive(Clone, PartialEq, Eq)]
pub struct S3Settings {
    pub bucket: String,
    /// e.g. `https://s3.ap-south-1.amazonaws.com` or `http://127.0.0.1:9000`; None: AWS.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// `https://endpoint/bucket/key` rather than `https://bucket.endpoint/key` (MinIO and
    /// most self-hosted servers want this).
    pub path_style: bool,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"[redacted]")
            .field("path_style", &self.path_style)
            .finish()
    }
}

/// Any `object_store` backend as [`MediaStorage`].
#[derive(Debug)]
pub struct ObjectStorage {
    store: Arc<dyn ObjectStore>,
    description: String,
}

impl ObjectStorage {
    /// The local disk: objects are files under `dir`, made if missing.
    pub fn local(dir: &Path) -> Result<Self, MediaError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| MediaError::Storage(format!("creating {}: {e}", dir.display())))?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(dir)?;
        Ok(Self {
            store: Arc::new(store),
            description: format!("local disk {}", dir.display()),
        })
    }

    /// An S3-compatible bucket. Nothing is contacted here; [`Self::check`] does that.
    pub fn s3(settings: &S3Settings) -> Result<Self, MediaError> {
        let mut builder = object_store::aws::AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_access_key_id(&settings.access_key_id)
            .with_secret_access_key(&settings.secret_access_key)
            .with_virtual_hosted_style_request(!settings.path_style);
        if let Some(endpoint) = &settings.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        Ok(Self {
            store: Arc::new(builder.build()?),
            description: format!(
                "S3 bucket {} at {}",
                settings.bucket,
                settings.endpoint.as_deref().unwrap_or("AWS")
            ),
        })
    }

    /// Writes, reads back and deletes a probe object, so that a wrong bucket, endpoint
    /// or credential stops the server at start-up rather than failing the first upload.
    pub async fn check(&self) -> Result<(), MediaError> {
        let key = format!("_startup-check/{}", uuid::Uuid::now_v7());
        self.put(&key, Bytes::from_static(b"ok")).await?;
        let read = self.get(&key).await?;
        self.delete(&key).await?;
        match read {
            Some(object) if object.bytes.as_ref() == b"ok" => Ok(()),
            _ => Err(MediaError::Storage(
                "an object written could not be read back".to_owned(),
            )),
        }
    }
}

fn object_path(key: &str) -> Result<ObjectPath, MediaError> {
    ObjectPath::parse(key).map_err(|e| MediaError::Storage(format!("bad key {key}: {e}")))
}

#[async_trait::async_trait]
impl MediaStorage for ObjectStorage {
    async fn put(&self, key: &str, bytes: Bytes) -> Result<(), MediaError> {
        self.store
            .put(&object_path(key)?, PutPayload::from(bytes))
            .await?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<StoredObject>, MediaError> {
        match self.store.get(&object_path(key)?).await {
            Ok(result) => Ok(Some(StoredObject {
                bytes: result.bytes().await?,
            })),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), MediaError> {
        match self.store.delete(&object_path(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_local_disk_stores_reads_and_deletes() {
        let dir = tempfile::tempdir().unwrap();
        let storage = ObjectStorage::local(&dir.path().join("media")).unwrap();
        storage.check().await.unwrap();
        storage
            .put("a/b.jpg", Bytes::from_static(b"jpeg"))
            .await
            .unwrap();
        assert_eq!(
            storage
                .get("a/b.jpg")
                .await
                .unwrap()
                .unwrap()
                .bytes
                .as_ref(),
            b"jpeg"
        );
        storage.delete("a/b.jpg").await.unwrap();
        assert!(storage.get("a/b.jpg").await.unwrap().is_none());
        storage.delete("a/b.jpg").await.unwrap();
    }
}
