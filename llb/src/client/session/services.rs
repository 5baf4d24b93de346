//! The small session services: health checks and secrets (registry
//! credentials are in `auth`).

use std::collections::BTreeMap;
use std::sync::Arc;

use bollard_buildkit_proto::health::health_server::Health;
use bollard_buildkit_proto::health::{
    health_check_response::ServingStatus, HealthCheckRequest, HealthCheckResponse,
    HealthListRequest, HealthListResponse,
};
use bollard_buildkit_proto::moby::buildkit::secrets::v1::secrets_server::Secrets;
use bollard_buildkit_proto::moby::buildkit::secrets::v1::{GetSecretRequest, GetSecretResponse};
use tonic::{Request, Response, Status};

/// Answers BuildKit's periodic session health checks.
#[derive(Debug, Default, Clone)]
pub struct HealthService;

#[tonic::async_trait]
impl Health for HealthService {
    async fn check(
        &self,
        _r: Request<HealthCheckRequest>,
    ) -> Result<Response<HealthCheckResponse>, Status> {
        Ok(Response::new(HealthCheckResponse {
            status: ServingStatus::Serving as i32,
        }))
    }

    async fn list(
        &self,
        _r: Request<HealthListRequest>,
    ) -> Result<Response<HealthListResponse>, Status> {
        Err(Status::unimplemented("list"))
    }

    type WatchStream = tokio_stream::Once<Result<HealthCheckResponse, Status>>;

    async fn watch(
        &self,
        _r: Request<HealthCheckRequest>,
    ) -> Result<Response<Self::WatchStream>, Status> {
        Ok(Response::new(tokio_stream::once(Ok(HealthCheckResponse {
            status: ServingStatus::Serving as i32,
        }))))
    }
}

/// Serves secret values by id; values never leave this process otherwise.
#[derive(Clone, Default)]
pub struct SecretStore {
    secrets: Arc<BTreeMap<String, Vec<u8>>>,
}

impl std::fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Names only: a secret's value must not reach a log.
        f.debug_list().entries(self.secrets.keys()).finish()
    }
}

impl SecretStore {
    pub fn new(secrets: BTreeMap<String, Vec<u8>>) -> Self {
        SecretStore {
            secrets: Arc::new(secrets),
        }
    }
}

#[tonic::async_trait]
impl Secrets for SecretStore {
    async fn get_secret(
        &self,
        r: Request<GetSecretRequest>,
    ) -> Result<Response<GetSecretResponse>, Status> {
        let id = &r.get_ref().id;
        match self.secrets.get(id) {
            Some(v) => Ok(Response::new(GetSecretResponse { data: v.clone() })),
            None => Err(Status::not_found(format!("secret {id} not found"))),
        }
    }
}
