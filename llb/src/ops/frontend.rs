//! The Dockerfile frontend request behind `docker-build`. The frontend runs
//! inside BuildKit (`dockerfile.v0`, solved through the gateway), reading the
//! build context and the Dockerfile from input definitions and its options
//! from string attributes. This module only describes the request; the
//! client sends it.

use std::collections::BTreeMap;

use bollard_buildkit_proto::pb;

use super::error::BuildError;
use super::file::FileAction;
use super::platform::Platform;
use super::state::{OpMeta, State};
use crate::marshal::MarshalOptions;

/// BuildKit's built-in Dockerfile frontend.
pub const DOCKERFILE_FRONTEND: &str = "dockerfile.v0";
/// Input holding the build context.
pub const INPUT_CONTEXT: &str = "context";
/// Input holding the Dockerfile.
pub const INPUT_DOCKERFILE: &str = "dockerfile";
/// Name of a Dockerfile given as text.
pub const DEFAULT_DOCKERFILE_NAME: &str = "Dockerfile";

/// A request for a gateway frontend: its name, options and input definitions.
#[derive(Clone, Debug, PartialEq)]
pub struct FrontendRequest {
    /// Frontend name (`dockerfile.v0`).
    pub frontend: String,
    /// Frontend options (`filename`, `build-arg:NAME`, `label:NAME`, `platform`).
    pub attrs: BTreeMap<String, String>,
    /// Input definitions by name (`context`, `dockerfile`).
    pub inputs: BTreeMap<String, pb::Definition>,
}

/// `docker-build`: an image built from a context and/or a Dockerfile.
#[derive(Clone, Debug, Default)]
pub struct DockerBuild {
    context: Option<State>,
    dockerfile: Option<String>,
    dockerfile_path: Option<String>,
    build_args: Vec<(String, String)>,
    labels: Vec<(String, String)>,
    platforms: Vec<Platform>,
    meta: OpMeta,
}

impl DockerBuild {
    /// An empty request; give it a context, a Dockerfile or both.
    pub fn new() -> DockerBuild {
        DockerBuild::default()
    }

    /// The build context (and, without [`DockerBuild::dockerfile`], the
    /// place the Dockerfile is read from).
    pub fn context(mut self, context: &State) -> DockerBuild {
        self.context = Some(context.clone());
        self
    }

    /// The Dockerfile's text.
    pub fn dockerfile(mut self, text: impl Into<String>) -> DockerBuild {
        self.dockerfile = Some(text.into());
        self
    }

    /// Path of the Dockerfile inside the context (default `Dockerfile`).
    /// Ignored when the Dockerfile is given as text.
    pub fn dockerfile_path(mut self, path: impl Into<String>) -> DockerBuild {
        self.dockerfile_path = Some(path.into());
        self
    }

    /// A `--build-arg NAME=VALUE`.
    pub fn build_arg(mut self, name: impl Into<String>, value: impl Into<String>) -> DockerBuild {
        self.build_args.push((name.into(), value.into()));
        self
    }

    /// A `--label NAME=VALUE` on the image.
    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> DockerBuild {
        self.labels.push((name.into(), value.into()));
        self
    }

    /// Target platforms (default: the daemon's).
    pub fn platforms(mut self, platforms: Vec<Platform>) -> DockerBuild {
        self.platforms = platforms;
        self
    }

    /// Display name of the op that writes an inline Dockerfile.
    pub fn meta(mut self, meta: OpMeta) -> DockerBuild {
        self.meta = meta;
        self
    }

    /// The request to send. An inline Dockerfile becomes a definition of a
    /// single file `Dockerfile`; without a context, that definition is the
    /// context too. Without an inline Dockerfile, the context is also the
    /// `dockerfile` input, read at `dockerfile_path`.
    pub fn to_request(&self, opts: &MarshalOptions) -> Result<FrontendRequest, BuildError> {
        let dockerfile_state = self.dockerfile.as_ref().map(|text| {
            let mut op = super::file::FileOpBuilder::new(FileAction::mkfile(
                DEFAULT_DOCKERFILE_NAME,
                0o644,
                text.as_bytes().to_vec(),
            ));
            if let Some(name) = &self.meta.custom_name {
                op = op.custom_name(name.clone());
            }
            State::scratch().file(op)
        });
        let context = match (&self.context, &dockerfile_state) {
            (Some(c), _) => c.clone(),
            (None, Some(d)) => d.clone(),
            (None, None) => return Err(BuildError::DockerBuildWithoutInput),
        };

        let mut attrs = BTreeMap::new();
        let filename = match (&dockerfile_state, &self.dockerfile_path) {
            (None, Some(path)) => path.clone(),
            _ => DEFAULT_DOCKERFILE_NAME.to_string(),
        };
        attrs.insert("filename".to_string(), filename);
        for (k, v) in &self.build_args {
            attrs.insert(format!("build-arg:{k}"), v.clone());
        }
        for (k, v) in &self.labels {
            attrs.insert(format!("label:{k}"), v.clone());
        }
        if !self.platforms.is_empty() {
            let list: Vec<String> = self.platforms.iter().map(|p| p.to_string()).collect();
            attrs.insert("platform".to_string(), list.join(","));
        }

        let mut inputs = BTreeMap::new();
        let context = context.marshal(opts);
        // The frontend reads the Dockerfile from its own input, never from
        // the context: without an inline text, the context is offered there.
        let dockerfile = match &dockerfile_state {
            Some(d) => d.marshal(opts),
            None => context.clone(),
        };
        inputs.insert(INPUT_CONTEXT.to_string(), context);
        inputs.insert(INPUT_DOCKERFILE.to_string(), dockerfile);
        Ok(FrontendRequest {
            frontend: DOCKERFILE_FRONTEND.to_string(),
            attrs,
            inputs,
        })
    }
}
