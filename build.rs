//! Protos -> Rust at build time, with no system protoc: protox parses the .proto files into a
//! descriptor set and tonic-prost-build generates messages, clients and servers from it.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protos = ["proto/orchestrator.v1.proto", "proto/env_manager.v1.proto"];
    for p in protos {
        println!("cargo:rerun-if-changed={p}");
    }
    let fds = protox::compile(protos, ["proto"])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(fds)?;
    Ok(())
}
