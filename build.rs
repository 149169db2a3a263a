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

/// The dashboard's static files: every file of `ui/`, gzipped once here (best compression)
/// into OUT_DIR, so the server sends the precompressed copy to browsers that accept gzip, and
/// listed in OUT_DIR/ui_assets.rs (name, plain and gzipped bytes) for `server/ui/assets.rs`.
fn gzip_ui_assets() -> Result<(), Box<dyn std::error::Error>> {
    use std::io::Write;
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    let root = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("ui");
    println!("cargo:rerun-if-changed=ui");
    let mut names: Vec<String> = std::fs::read_dir(&root)?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    let mut table = String::from("&[\n");
    for name in &names {
        let src = root.join(name);
        println!("cargo:rerun-if-changed={}", src.display());
        let bytes = std::fs::read(&src)?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&bytes)?;
        let gz_path = out.join(format!("{name}.gz"));
        std::fs::write(&gz_path, gz.finish()?)?;
        table.push_str(&format!(
            "    ({name:?}, include_bytes!({:?}), include_bytes!({:?})),\n",
            src.display().to_string(),
            gz_path.display().to_string()
        ));
    }
    table.push_str("]\n");
    std::fs::write(out.join("ui_assets.rs"), table)?;
    Ok(())
}
