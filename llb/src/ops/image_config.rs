//! The part of an OCI image config that later execs inherit.

use serde::Deserialize;

/// Process defaults from an image config (`config.Env`, `config.WorkingDir`,
/// `config.User`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageConfig {
    /// `NAME=value` entries, in the image's order.
    pub env: Vec<String>,
    /// Working directory; empty means `/`.
    pub working_dir: String,
    /// User; empty means root.
    pub user: String,
}

#[derive(Deserialize)]
struct OciImage {
    #[serde(default)]
    config: Option<OciConfig>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OciConfig {
    #[serde(default)]
    env: Option<Vec<String>>,
    #[serde(default)]
    working_dir: Option<String>,
    #[serde(default)]
    user: Option<String>,
}

impl ImageConfig {
    /// Reads the JSON image config a registry (or BuildKit's
    /// `ResolveImageConfig`) returns.
    pub fn from_json(bytes: &[u8]) -> Result<ImageConfig, serde_json::Error> {
        let image: OciImage = serde_json::from_slice(bytes)?;
        let config = image.config.unwrap_or(OciConfig {
            env: None,
            working_dir: None,
            user: None,
        });
        Ok(ImageConfig {
            env: config.env.unwrap_or_default(),
            working_dir: config.working_dir.unwrap_or_default(),
            user: config.user.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_env_workdir_and_user() {
        let json = br#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/bin:/bin","A=b=c"],"WorkingDir":"/app","User":"1000"}}"#;
        let c = ImageConfig::from_json(json).unwrap();
        assert_eq!(c.env, ["PATH=/usr/bin:/bin", "A=b=c"]);
        assert_eq!(c.working_dir, "/app");
        assert_eq!(c.user, "1000");
    }

    #[test]
    fn missing_config_and_nulls_are_empty() {
        assert_eq!(
            ImageConfig::from_json(b"{}").unwrap(),
            ImageConfig::default()
        );
        let c = ImageConfig::from_json(br#"{"config":{"Env":null}}"#).unwrap();
        assert_eq!(c, ImageConfig::default());
        assert!(ImageConfig::from_json(b"[").is_err());
    }
}
