//! Code generated from `proto/` by build.rs (messages, tonic clients and servers).

#[allow(clippy::all, clippy::pedantic)]
pub mod orchestrator {
    tonic::include_proto!("orchestrator.v1");
}

#[allow(clippy::all, clippy::pedantic)]
pub mod env_manager {
    tonic::include_proto!("env_manager.v1");
}
