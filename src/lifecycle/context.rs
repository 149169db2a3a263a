//! A service's build context: the files under its directory that `.dockerignore` keeps, their
//! digest (the build hash) and the tar the engine builds from. Bounded by
//! `docker.max_build_context_bytes`.
//!
//! `.dockerignore` is honoured for the common patterns: comments, `*`, `?`, `**`, a leading `/`
//! or `./`, and `!` exceptions (the last matching line wins). Character classes (`[a-z]`) are
//! matched literally.

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::catalog::Build;
use crate::error::{Error, Result};

/// One file, directory or symlink of a context.
pub(super) struct Entry {
    /// Path inside the context, `/`-separated.
    rel: String,
    abs: PathBuf,
    kind: Kind,
    mode: u32,
    mtime: u64,
}

enum Kind {
    File { size: u64 },
    Dir,
    Link { target: PathBuf },
}

/// The files of a context, scanned once, in a fixed order.
pub(super) struct Context {
    entries: Vec<Entry>,
    max: u64,
}

impl Context {
    /// Walk `build.context`, keeping what `.dockerignore` keeps (the Dockerfile and
    /// `.dockerignore` always); more than `max` bytes of file contents is an error naming the
    /// service and the setting.
    pub(super) fn scan(service: &str, build: &Build, max: u64) -> Result<Context> {
        let ignore = match std::fs::read_to_string(build.context.join(".dockerignore")) {
            Ok(text) => Ignore::parse(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ignore::default(),
            Err(e) => return Err(unreadable(service, &build.context.join(".dockerignore"), e)),
        };
        let mut walk = Walk {
            service,
            ignore,
            keep: [build.dockerfile.clone(), ".dockerignore".into()],
            entries: Vec::new(),
            bytes: 0,
            max,
            root: &build.context,
        };
        walk.dir(&build.context, "")?;
        Ok(Context {
            entries: walk.entries,
            max,
        })
    }

    /// The build hash: the context's paths, types, modes and contents, then the Dockerfile's
    /// path, the args and the target. Modification times are left out.
    pub(super) fn digest(&self, build: &Build) -> Result<String> {
        let mut h = Sha256::new();
        for e in &self.entries {
            h.update(e.rel.as_bytes());
            h.update(format!("\0{:o}\0", e.mode).as_bytes());
            match &e.kind {
                Kind::Dir => h.update(b"d"),
                Kind::Link { target } => {
                    h.update(b"l");
                    h.update(target.as_os_str().as_encoded_bytes());
                }
                Kind::File { size } => {
                    h.update(format!("f{size}\0").as_bytes());
                    let mut f = std::fs::File::open(&e.abs).map_err(|err| {
                        Error::runtime(format!("cannot read {}: {err}", e.abs.display()))
                    })?;
                    let mut buf = vec![0u8; 64 * 1024];
                    loop {
                        let n = f.read(&mut buf).map_err(|err| {
                            Error::runtime(format!("cannot read {}: {err}", e.abs.display()))
                        })?;
                        if n == 0 {
                            break;
                        }
                        h.update(&buf[..n]);
                    }
                }
            }
            h.update(b"\n");
        }
        h.update(format!("dockerfile\0{}\n", build.dockerfile).as_bytes());
        for (k, v) in &build.args {
            h.update(format!("arg\0{k}\0{v}\n").as_bytes());
        }
        if let Some(t) = &build.target {
            h.update(format!("target\0{t}\n").as_bytes());
        }
        Ok(hex::encode(&h.finalize()[..8]))
    }

    /// The context as an uncompressed tar, modes and modification times kept, owner root.
    /// Files that grew past the bound since the scan are an error too.
    pub(super) fn tar(&self) -> Result<Vec<u8>> {
        let mut b = tar::Builder::new(Vec::new());
        let mut bytes = 0u64;
        let fail = |e: &Entry, err: std::io::Error| {
            Error::runtime(format!(
                "cannot add {} to the build context: {err}",
                e.abs.display()
            ))
        };
        for e in &self.entries {
            let mut header = tar::Header::new_gnu();
            header.set_mode(e.mode);
            header.set_mtime(e.mtime);
            header.set_uid(0);
            header.set_gid(0);
            match &e.kind {
                Kind::Dir => {
                    header.set_entry_type(tar::EntryType::Directory);
                    header.set_size(0);
                    b.append_data(&mut header, &e.rel, std::io::empty())
                        .map_err(|err| fail(e, err))?;
                }
                Kind::Link { target } => {
                    header.set_entry_type(tar::EntryType::Symlink);
                    header.set_size(0);
                    b.append_link(&mut header, &e.rel, target)
                        .map_err(|err| fail(e, err))?;
                }
                Kind::File { .. } => {
                    let f = std::fs::File::open(&e.abs).map_err(|err| fail(e, err))?;
                    let size = f.metadata().map_err(|err| fail(e, err))?.len();
                    bytes += size;
                    if bytes > self.max {
                        return Err(too_large(&e.abs, self.max));
                    }
                    header.set_entry_type(tar::EntryType::Regular);
                    header.set_size(size);
                    // Exactly `size` bytes, even if the file grows while it is read.
                    b.append_data(&mut header, &e.rel, f.take(size))
                        .map_err(|err| fail(e, err))?;
                }
            }
        }
        b.into_inner()
            .map_err(|err| Error::runtime(format!("cannot write the build context: {err}")))
    }
}

struct Walk<'a> {
    service: &'a str,
    ignore: Ignore,
    keep: [String; 2],
    entries: Vec<Entry>,
    bytes: u64,
    max: u64,
    root: &'a Path,
}

impl Walk<'_> {
    fn dir(&mut self, dir: &Path, prefix: &str) -> Result<()> {
        let read = std::fs::read_dir(dir).map_err(|e| unreadable(self.service, dir, e))?;
        let mut names = Vec::new();
        for item in read {
            let item = item.map_err(|e| unreadable(self.service, dir, e))?;
            names.push(item.file_name());
        }
        names.sort();
        for name in names {
            let Some(name) = name.to_str().map(String::from) else {
                return Err(Error::usage(format!(
                    "service `{}`: build context file {} has a name that is not UTF-8",
                    self.service,
                    dir.join(&name).display()
                )));
            };
            let rel = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}/{name}")
            };
            let abs = dir.join(&name);
            let meta =
                std::fs::symlink_metadata(&abs).map_err(|e| unreadable(self.service, &abs, e))?;
            let excluded = self.ignore.excludes(&rel) && !self.keep.contains(&rel);
            let mode = meta.permissions().mode() & 0o7777;
            let mtime = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_secs());
            let ft = meta.file_type();
            let kind = if ft.is_dir() {
                Kind::Dir
            } else if ft.is_symlink() {
                let target =
                    std::fs::read_link(&abs).map_err(|e| unreadable(self.service, &abs, e))?;
                Kind::Link { target }
            } else if ft.is_file() {
                Kind::File { size: meta.len() }
            } else {
                // Sockets, FIFOs and devices are not sent, as the docker CLI does not.
                continue;
            };
            let is_dir = matches!(kind, Kind::Dir);
            if !excluded {
                if let Kind::File { size } = kind {
                    self.bytes += size;
                    if self.bytes > self.max {
                        return Err(too_large(self.root, self.max)
                            .context(format!("service `{}`", self.service)));
                    }
                }
                self.entries.push(Entry {
                    rel: rel.clone(),
                    abs: abs.clone(),
                    kind,
                    mode,
                    mtime,
                });
            }
            // An excluded directory is skipped whole unless an exception may re-include
            // something below it, or the Dockerfile is below it.
            let holds_kept = self.keep.iter().any(|k| k.starts_with(&format!("{rel}/")));
            if is_dir && (!excluded || self.ignore.has_exceptions || holds_kept) {
                self.dir(&abs, &rel)?;
            }
        }
        Ok(())
    }
}

fn unreadable(service: &str, path: &Path, e: std::io::Error) -> Error {
    Error::usage(format!(
        "service `{service}`: cannot read {} in the build context: {e}",
        path.display()
    ))
}

fn too_large(at: &Path, max: u64) -> Error {
    Error::usage(format!(
        "the build context {} holds more than {max} bytes (docker.max_build_context_bytes)\n\
         hint: leave files out with a .dockerignore, or raise docker.max_build_context_bytes",
        at.display()
    ))
}

/// `.dockerignore`'s patterns, in order; `!` marks an exception.
#[derive(Default)]
struct Ignore {
    rules: Vec<(bool, Vec<String>)>,
    has_exceptions: bool,
}

impl Ignore {
    fn parse(text: &str) -> Ignore {
        let mut ig = Ignore::default();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (exception, pat) = match line.strip_prefix('!') {
                Some(p) => (true, p.trim()),
                None => (false, line),
            };
            let segs: Vec<String> = pat
                .split('/')
                .filter(|s| !s.is_empty() && *s != ".")
                .map(String::from)
                .collect();
            if segs.is_empty() {
                continue;
            }
            ig.has_exceptions |= exception;
            ig.rules.push((exception, segs));
        }
        ig
    }

    /// Whether the last rule matching `rel` (or a directory above it) excludes it.
    fn excludes(&self, rel: &str) -> bool {
        let path: Vec<&str> = rel.split('/').collect();
        let mut excluded = false;
        for (exception, pat) in &self.rules {
            let hit = (1..=path.len()).any(|n| glob(pat, &path[..n]));
            if hit {
                excluded = !exception;
            }
        }
        excluded
    }
}

/// Path segments against pattern segments; `**` spans any number of segments.
fn glob(pat: &[String], path: &[&str]) -> bool {
    match pat.split_first() {
        None => path.is_empty(),
        Some((first, rest)) if first == "**" => {
            (0..=path.len()).any(|skip| glob(rest, &path[skip..]))
        }
        Some((first, rest)) => match path.split_first() {
            Some((name, tail)) => segment(first.as_bytes(), name.as_bytes()) && glob(rest, tail),
            None => false,
        },
    }
}

/// One name against one pattern segment: `*` any run, `?` any one character.
fn segment(pat: &[u8], name: &[u8]) -> bool {
    match pat.split_first() {
        None => name.is_empty(),
        Some((b'*', rest)) => (0..=name.len()).any(|skip| segment(rest, &name[skip..])),
        Some((b'?', rest)) => !name.is_empty() && segment(rest, &name[1..]),
        Some((b'\\', rest)) if !rest.is_empty() => {
            name.first() == Some(&rest[0]) && segment(&rest[1..], &name[1..])
        }
        Some((c, rest)) => name.first() == Some(c) && segment(rest, &name[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerignore_patterns() {
        let ig = Ignore::parse("# comment\n*.log\n/build\nnode_modules/\n**/*.tmp\n!keep.log\n");
        assert!(ig.excludes("a.log"));
        assert!(!ig.excludes("keep.log"));
        assert!(!ig.excludes("sub/a.log"), "`*.log` is anchored at the root");
        assert!(ig.excludes("build"));
        assert!(ig.excludes("build/x/y"));
        assert!(ig.excludes("node_modules/pkg/index.js"));
        assert!(ig.excludes("deep/er/x.tmp"));
        assert!(ig.excludes("x.tmp"));
        assert!(!ig.excludes("src/main.rs"));
        assert!(ig.has_exceptions);
    }

    #[test]
    fn hash_follows_contents_not_times_and_ignore_drops_files() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::write(ctx.join("Dockerfile"), "FROM x\nCOPY . /app\n").unwrap();
        std::fs::write(ctx.join("a.txt"), "one").unwrap();
        std::fs::write(ctx.join(".dockerignore"), "*.log\nDockerfile\n").unwrap();
        std::fs::write(ctx.join("noise.log"), "x").unwrap();
        let build = Build {
            context: ctx.clone(),
            dockerfile: "Dockerfile".into(),
            args: Default::default(),
            target: None,
        };
        let scan = |max| Context::scan("app", &build, max);
        let c = scan(1 << 20).unwrap();
        let names: Vec<&str> = c.entries.iter().map(|e| e.rel.as_str()).collect();
        assert_eq!(names, [".dockerignore", "Dockerfile", "a.txt"]);
        let h1 = c.digest(&build).unwrap();
        std::fs::write(ctx.join("noise.log"), "changed").unwrap();
        assert_eq!(scan(1 << 20).unwrap().digest(&build).unwrap(), h1);
        std::fs::write(ctx.join("a.txt"), "two").unwrap();
        let h2 = scan(1 << 20).unwrap().digest(&build).unwrap();
        assert_ne!(h1, h2);
        let mut with_arg = build.clone();
        with_arg.args.insert("K".into(), "v".into());
        assert_ne!(scan(1 << 20).unwrap().digest(&with_arg).unwrap(), h2);

        let tar = scan(1 << 20).unwrap().tar().unwrap();
        let mut archive = tar::Archive::new(tar.as_slice());
        let paths: Vec<String> = archive
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect();
        assert_eq!(paths, [".dockerignore", "Dockerfile", "a.txt"]);

        // A Dockerfile inside an excluded directory is still sent, and nothing else from there.
        std::fs::create_dir(ctx.join("docker")).unwrap();
        std::fs::write(ctx.join("docker/Dockerfile.dev"), "FROM x\n").unwrap();
        std::fs::write(ctx.join("docker/other"), "x").unwrap();
        std::fs::write(ctx.join(".dockerignore"), "docker\n").unwrap();
        let dev = Build {
            dockerfile: "docker/Dockerfile.dev".into(),
            ..build.clone()
        };
        let c = Context::scan("app", &dev, 1 << 20).unwrap();
        let names: Vec<&str> = c.entries.iter().map(|e| e.rel.as_str()).collect();
        assert_eq!(
            names,
            [
                ".dockerignore",
                "Dockerfile",
                "a.txt",
                "docker/Dockerfile.dev",
                "noise.log"
            ]
        );

        let err = scan(10).err().unwrap();
        assert_eq!(err.code, crate::error::Code::Usage);
        assert!(
            err.message.contains("docker.max_build_context_bytes") && err.message.contains("app"),
            "{}",
            err.message
        );
    }
}
