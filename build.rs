//! Protos -> Rust at build time, with no system protoc: protox parses the .proto files into a
//! descriptor set and tonic-prost-build generates messages, clients and servers from it.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protos = ["proto/orchestrator.v1.proto", "proto/env_manager.v1.proto"];
    for p in protos {
        println!("cargo:rerun-if-changed={p}");
    }
    gzip_ui_assets()?;
    let fds = protox::compile(protos, ["proto"])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(fds)?;
    Ok(())
}

/// The dashboard's static files, gzipped once here (best compression) into OUT_DIR, so the
/// server sends the precompressed copy to browsers that accept gzip.
fn gzip_ui_assets() -> Result<(), Box<dyn std::error::Error>> {
    use std::io::Write;
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    for name in ["app.css", "app.js"] {
        let src = format!("ui/{name}");
        println!("cargo:rerun-if-changed={src}");
        let bytes = std::fs::read(&src)?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&bytes)?;
        std::fs::write(out.join(format!("{name}.gz")), gz.finish()?)?;
    }
    Ok(())
}
