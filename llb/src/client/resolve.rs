//! Resolving an image reference to its digest and config without building:
//! a gateway build that only calls `LLBBridge.ResolveImageConfig` and
//! returns nothing. The plan engine needs the config (env, working dir,
//! user) of `fetch-container` images for the ops that follow.

use bollard_buildkit_proto::moby::buildkit::v1::frontend::{
    ResolveImageConfigRequest, ReturnRequest,
};
use bollard_buildkit_proto::moby::buildkit::v1::SolveRequest as ControlSolveRequest;
use bollard_buildkit_proto::pb::Platform;

use super::error::ClientError;
use super::session::{self, SessionConfig};
use super::solve::{wait_for_build, with_build_id, RETURN_TIMEOUT};
use super::task::{new_id, AbortOnDrop};
use super::SolveContext;

/// An image's manifest digest and config JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageConfigResult {
    /// `sha256:...` of the manifest for the platform.
    pub digest: String,
    /// The OCI image config, as the registry serves it.
    pub config: Vec<u8>,
}

/// How long resolving one image (its manifest and config) may take.
pub(crate) const RESOLVE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

pub(crate) async fn resolve_image_config(
    cx: SolveContext,
    reference: &str,
    platform: Option<Platform>,
) -> Result<ImageConfigResult, ClientError> {
    let mut control = cx.control.clone();
    let mut gateway = cx.gateway.clone();
    let session = session::start(
        control.clone(),
        SessionConfig {
            auth: cx.auth.clone(),
            ..Default::default()
        },
        new_id(),
        cx.shared_key.clone(),
    )?;
    let build_id = new_id();
    let solve_req = ControlSolveRequest {
        r#ref: build_id.clone(),
        session: session.id.clone(),
        ..Default::default()
    };
    // Aborted if this future is dropped, which cancels the build.
    let mut solve = AbortOnDrop(tokio::spawn(async move {
        let _ = control.solve(solve_req).await;
    }));
    let result = async {
        wait_for_build(&mut gateway, &build_id).await?;
        let call = gateway.resolve_image_config(with_build_id(
            ResolveImageConfigRequest {
                r#ref: reference.to_string(),
                platform,
                resolve_mode: "default".into(),
                session_id: session.id.clone(),
                ..Default::default()
            },
            &build_id,
        ));
        // A registry that accepts connections but never answers would
        // otherwise hold the run forever: BuildKit sets no deadline.
        let resp = tokio::time::timeout(RESOLVE_TIMEOUT, call)
            .await
            .map_err(|_| ClientError::Solve {
                message: format!(
                    "cannot resolve image {reference} (registry {}): no answer within {}s",
                    registry_of(reference),
                    RESOLVE_TIMEOUT.as_secs()
                ),
            })?
            .map_err(|s| match ClientError::from(s.clone()) {
                e @ ClientError::Disconnected { .. } => e,
                _ => ClientError::Solve {
                    message: format!(
                        "cannot resolve image {reference} (registry {}): {}",
                        registry_of(reference),
                        s.message()
                    ),
                },
            })?
            .into_inner();
        Ok(ImageConfigResult {
            digest: resp.digest,
            config: resp.config,
        })
    }
    .await;
    // End the build either way (unless the connection is gone); its own
    // outcome adds nothing.
    if !matches!(result, Err(ClientError::Disconnected { .. })) {
        let _ = tokio::time::timeout(
            RETURN_TIMEOUT,
            gateway.r#return(with_build_id(
                ReturnRequest {
                    result: Some(Default::default()),
                    error: None,
                },
                &build_id,
            )),
        )
        .await;
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), &mut solve.0).await;
    }
    drop(session);
    result
}

/// The registry host of a normalized image reference (`docker.io` when the
/// first path element is not a host name).
fn registry_of(reference: &str) -> &str {
    match reference.split_once('/') {
        Some((first, _)) if first.contains('.') || first.contains(':') || first == "localhost" => {
            first
        }
        _ => "docker.io",
    }
}

#[cfg(test)]
mod tests {
    use super::registry_of;

    #[test]
    fn registries_of_references() {
        assert_eq!(
            registry_of("127.0.0.1:5000/library/busybox:latest"),
            "127.0.0.1:5000"
        );
        assert_eq!(registry_of("docker.io/library/alpine:latest"), "docker.io");
        assert_eq!(registry_of("localhost/x:y"), "localhost");
        assert_eq!(registry_of("alpine"), "docker.io");
        assert_eq!(registry_of("library/alpine"), "docker.io");
    }
}
