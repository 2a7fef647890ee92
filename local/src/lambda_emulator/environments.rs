//! Execution environments: a function's real release binary started as Lambda starts its
//! `bootstrap`, against one emulated Runtime API, with the variables Lambda sets
//! (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime)
//! plus the function's own configuration. Killed when dropped.

use super::RuntimeApi;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use tokio::process::{Child, Command};

/// How the environments of one function are started.
#[derive(Clone, Debug)]
pub struct Shape {
    /// How many execution environments (processes).
    pub environments: usize,
    /// `AWS_LAMBDA_MAX_CONCURRENCY`: `None` on standard Lambda (one request at a time).
    pub max_concurrency: Option<usize>,
    /// The memory setting Lambda reports (`AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, MB).
    pub memory_mb: u32,
}

pub struct Environments {
    children: Vec<Child>,
}

impl Environments {
    /// Starts `shape.environments` processes of `binary`, each with Lambda's variables for
    /// `api` and the function's own `config` (name, value) pairs.
    pub fn start(binary: &Path, api: &RuntimeApi, shape: &Shape, config: &[(String, String)]) -> std::io::Result<Self> {
        let mut children = Vec::with_capacity(shape.environments);
        for index in 0..shape.environments {
            let mut command = Command::new(binary);
            command
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .env("AWS_LAMBDA_RUNTIME_API", api.address())
                .env("AWS_LAMBDA_FUNCTION_NAME", api.function_name())
                .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
                .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", shape.memory_mb.to_string())
                .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{}", api.function_name()))
                .env("AWS_LAMBDA_LOG_STREAM_NAME", format!("2026/12/07/[$LATEST]{index:032x}"))
                .env("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand")
                .env("AWS_REGION", "us-east-1")
                .env("AWS_DEFAULT_REGION", "us-east-1")
                .env("AWS_EXECUTION_ENV", "AWS_Lambda_rapid")
                .env("_HANDLER", "bootstrap")
                .env("LAMBDA_TASK_ROOT", "/var/task")
                .env("LAMBDA_RUNTIME_DIR", "/var/runtime")
                .env("TZ", ":UTC")
                .envs(config.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .kill_on_drop(true);
            if let Some(n) = shape.max_concurrency {
                command.env("AWS_LAMBDA_MAX_CONCURRENCY", n.to_string());
            }
            children.push(command.spawn()?);
        }
        Ok(Environments { children })
    }

    /// Stops every environment now.
    pub async fn stop(mut self) {
        for child in &mut self.children {
            let _ = child.kill().await;
        }
    }
}

/// A function's release binary: `target/release/<name>` (cargo build --release, what
/// `make bench-lambda` builds), else `target/lambda/<name>/bootstrap` (cargo lambda build, when
/// built for this machine's architecture): the same code built the same way.
pub fn release_binary(name: &str) -> Option<PathBuf> {
    let root = std::env::var("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|_| PathBuf::from("target"));
    [root.join("release").join(name), root.join("lambda").join(name).join("bootstrap")]
        .into_iter()
        .find(|p| p.is_file())
}
