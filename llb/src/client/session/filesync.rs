//! Sending local directories to BuildKit (`moby.filesync.v1.FileSync/DiffCopy`).
//!
//! The wire protocol (fsutil's): the client, here the sender, streams one
//! `STAT` packet per entry in walk order (depth first, siblings sorted
//! byte-wise, paths relative with `/`), then an empty `STAT`. Entries are
//! numbered from 0 in that order; the daemon asks for the contents of the
//! regular files it lacks with `REQ id`, and each is answered with `DATA id`
//! chunks ending in an empty `DATA id`. The daemon ends with `FIN`, answered
//! with `FIN`. Modes are Go `os.FileMode` bits, not Unix `st_mode`.
//!
//! The daemon sends the source's include/exclude patterns as request
//! metadata; a `.daggerignore` at the directory's root adds its patterns to
//! the excludes.

use std::collections::{BTreeMap, HashMap};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bollard_buildkit_proto::fsutil::types::{packet::PacketType, Packet, Stat};
use bollard_buildkit_proto::moby::filesync::v1::file_sync_server::FileSync;
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

use crate::client::patterns::{parse_ignore_file, PatternSet};

/// Name of the per-directory ignore file honoured when sending a directory.
pub const IGNORE_FILE: &str = ".daggerignore";

const CHUNK: usize = 256 * 1024;

// Go os.FileMode type bits.
const MODE_DIR: u32 = 1 << 31;
const MODE_SYMLINK: u32 = 1 << 27;
const MODE_DEVICE: u32 = 1 << 26;
const MODE_NAMED_PIPE: u32 = 1 << 25;
const MODE_SETUID: u32 = 1 << 23;
const MODE_SETGID: u32 = 1 << 22;
const MODE_CHAR_DEVICE: u32 = 1 << 21;
const MODE_STICKY: u32 = 1 << 20;
/// The Go mode bits that mark anything but a regular file.
pub(crate) const MODE_TYPE: u32 = MODE_DIR
    | MODE_SYMLINK
    | MODE_DEVICE
    | MODE_NAMED_PIPE
    | MODE_CHAR_DEVICE
    | (1 << 24)
    | (1 << 19);

/// One entry to send.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Path relative to the root, `/`-separated.
    pub rel: String,
    pub stat: Stat,
}

/// Serves the local directories of one session, by name.
#[derive(Debug, Clone, Default)]
pub struct LocalDirs {
    dirs: Arc<BTreeMap<String, PathBuf>>,
}

impl LocalDirs {
    pub fn new(dirs: BTreeMap<String, PathBuf>) -> Self {
        LocalDirs {
            dirs: Arc::new(dirs),
        }
    }
}

/// Reads the metadata values of `key`, decoding them when the sender marked
/// them URL-encoded (`KEY-encoded: 1`).
fn metadata_values(md: &tonic::metadata::MetadataMap, key: &str) -> Vec<String> {
    let encoded = md
        .get(format!("{key}-encoded").as_str())
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
    md.get_all(key)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| {
            if encoded {
                url_unescape(v)
            } else {
                v.to_string()
            }
        })
        .collect()
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

fn url_unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[tonic::async_trait]
impl FileSync for LocalDirs {
    type DiffCopyStream = ReceiverStream<Result<Packet, Status>>;
    type TarStreamStream = ReceiverStream<Result<Packet, Status>>;

    async fn diff_copy(
        &self,
        request: Request<Streaming<Packet>>,
    ) -> Result<Response<Self::DiffCopyStream>, Status> {
        let md = request.metadata();
        let name = metadata_values(md, "dir-name")
            .into_iter()
            .next()
            .unwrap_or_default();
        let includes = metadata_values(md, "include-patterns");
        let excludes = metadata_values(md, "exclude-patterns");
        let Some(root) = self.dirs.get(&name).cloned() else {
            return Err(Status::not_found(format!(
                "no access allowed to dir {name:?}"
            )));
        };
        let entries = tokio::task::spawn_blocking(move || {
            walk(&root, &includes, &excludes).map(|e| (root, e))
        })
        .await
        .map_err(|e| Status::internal(e.to_string()))?
        .map_err(Status::failed_precondition)?;
        let (root, entries) = entries;
        let (tx, rx) = mpsc::channel(64);
        tokio::spawn(send_dir(root, entries, request.into_inner(), tx));
        Ok(Response::new(ReceiverStream::new(rx)))
    }

    async fn tar_stream(
        &self,
        _request: Request<Streaming<Packet>>,
    ) -> Result<Response<Self::TarStreamStream>, Status> {
        Err(Status::unimplemented(
            "tarstream is not supported; use diffcopy",
        ))
    }
}

fn packet(t: PacketType) -> Packet {
    Packet {
        r#type: t as i32,
        ..Default::default()
    }
}

/// Runs the sender side of one transfer.
async fn send_dir(
    root: PathBuf,
    entries: Vec<Entry>,
    mut inbound: Streaming<Packet>,
    tx: mpsc::Sender<Result<Packet, Status>>,
) {
    let mut files: HashMap<u32, String> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        if e.stat.mode & MODE_TYPE == 0 {
            files.insert(i as u32, e.rel.clone());
        }
    }
    let stats_tx = tx.clone();
    let stats = tokio::spawn(async move {
        for e in entries {
            let p = Packet {
                stat: Some(e.stat),
                ..packet(PacketType::PacketStat)
            };
            if stats_tx.send(Ok(p)).await.is_err() {
                return;
            }
        }
        let _ = stats_tx.send(Ok(packet(PacketType::PacketStat))).await;
    });
    loop {
        let msg = match inbound.message().await {
            Ok(Some(m)) => m,
            Ok(None) | Err(_) => break,
        };
        match PacketType::try_from(msg.r#type) {
            Ok(PacketType::PacketReq) => {
                let Some(rel) = files.remove(&msg.id) else {
                    let _ = tx
                        .send(Err(Status::invalid_argument(format!(
                            "invalid file id {}",
                            msg.id
                        ))))
                        .await;
                    break;
                };
                if let Err(e) = send_file(&root.join(&rel), msg.id, &tx).await {
                    let p = Packet {
                        data: format!("failed to read {rel}: {e}").into_bytes(),
                        ..packet(PacketType::PacketErr)
                    };
                    let _ = tx.send(Ok(p)).await;
                    break;
                }
            }
            Ok(PacketType::PacketFin) => {
                let _ = stats.await;
                let _ = tx.send(Ok(packet(PacketType::PacketFin))).await;
                break;
            }
            Ok(PacketType::PacketErr) => break,
            _ => {}
        }
    }
}

async fn send_file(
    path: &Path,
    id: u32,
    tx: &mpsc::Sender<Result<Packet, Status>>,
) -> std::io::Result<()> {
    let mut f = tokio::fs::File::open(path).await?;
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = f.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        let p = Packet {
            id,
            data: buf[..n].to_vec(),
            ..packet(PacketType::PacketData)
        };
        if tx.send(Ok(p)).await.is_err() {
            return Err(std::io::Error::other("transfer closed"));
        }
    }
    let _ = tx
        .send(Ok(Packet {
            id,
            ..packet(PacketType::PacketData)
        }))
        .await;
    Ok(())
}

/// Lists what a transfer of `root` sends, after include/exclude patterns and
/// the root's `.daggerignore`.
pub fn walk(root: &Path, includes: &[String], excludes: &[String]) -> Result<Vec<Entry>, String> {
    let meta = std::fs::metadata(root)
        .map_err(|e| format!("cannot read directory {}: {e}", root.display()))?;
    if !meta.is_dir() {
        return Err(format!("{} is not a directory", root.display()));
    }
    let mut excludes = excludes.to_vec();
    let ignore = root.join(IGNORE_FILE);
    if let Ok(text) = std::fs::read_to_string(&ignore) {
        excludes.extend(parse_ignore_file(&text));
    }
    let includes = PatternSet::new(includes)?;
    let excludes = PatternSet::new(&excludes)?;
    let mut out = Vec::new();
    walk_dir(root, "", &includes, &excludes, &mut out)?;
    Ok(out)
}

/// Appends the entries of `dir` (relative `prefix`) to `out`; a directory is
/// listed when it is selected itself or holds something selected.
fn walk_dir(
    dir: &Path,
    prefix: &str,
    includes: &PatternSet,
    excludes: &PatternSet,
    out: &mut Vec<Entry>,
) -> Result<(), String> {
    let read = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut names: Vec<(Vec<u8>, PathBuf)> = Vec::new();
    for ent in read {
        let ent = ent.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let name = ent.file_name();
        names.push((
            std::os::unix::ffi::OsStrExt::as_bytes(name.as_os_str()).to_vec(),
            ent.path(),
        ));
    }
    names.sort();
    for (name, path) in names {
        let name = String::from_utf8_lossy(&name).into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let md = std::fs::symlink_metadata(&path)
            .map_err(|e| format!("cannot stat {}: {e}", path.display()))?;
        let ft = md.file_type();
        if ft.is_socket() {
            continue;
        }
        let excluded = excludes.matches(&rel);
        let included = includes.is_empty() || includes.matches(&rel);
        let selected = included && !excluded;
        if ft.is_dir() {
            // An excluded directory is skipped whole unless a `!` pattern
            // could bring back something inside it.
            if excluded && !excludes.has_negations() {
                continue;
            }
            let at = out.len();
            out.push(Entry {
                stat: stat_of(&rel, &md, None),
                rel: rel.clone(),
            });
            walk_dir(&path, &rel, includes, excludes, out)?;
            if !selected && out.len() == at + 1 {
                out.pop();
            }
        } else if selected {
            let link = if ft.is_symlink() {
                std::fs::read_link(&path)
                    .ok()
                    .map(|l| l.to_string_lossy().into_owned())
            } else {
                None
            };
            out.push(Entry {
                stat: stat_of(&rel, &md, link),
                rel,
            });
        }
    }
    Ok(())
}

/// fsutil's `Stat` of one entry.
fn stat_of(rel: &str, md: &std::fs::Metadata, link: Option<String>) -> Stat {
    let ft = md.file_type();
    let raw = md.permissions().mode();
    let mut mode = raw & 0o777;
    if raw & 0o4000 != 0 {
        mode |= MODE_SETUID;
    }
    if raw & 0o2000 != 0 {
        mode |= MODE_SETGID;
    }
    if raw & 0o1000 != 0 {
        mode |= MODE_STICKY;
    }
    let mut stat = Stat {
        path: rel.to_string(),
        uid: md.uid(),
        gid: md.gid(),
        mod_time: md.mtime() * 1_000_000_000 + md.mtime_nsec(),
        ..Default::default()
    };
    if ft.is_dir() {
        mode |= MODE_DIR;
    } else if ft.is_symlink() {
        mode |= MODE_SYMLINK;
        stat.linkname = link.unwrap_or_default();
        stat.size = md.len() as i64;
    } else if ft.is_fifo() {
        mode |= MODE_NAMED_PIPE;
    } else if ft.is_block_device() || ft.is_char_device() {
        mode |= MODE_DEVICE;
        if ft.is_char_device() {
            mode |= MODE_CHAR_DEVICE;
        }
        let rdev = md.rdev();
        stat.devmajor = ((rdev >> 8) & 0xfff) as i64;
        stat.devminor = ((rdev & 0xff) | ((rdev >> 12) & 0xfff00)) as i64;
    } else {
        stat.size = md.len() as i64;
    }
    stat.mode = mode;
    stat
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        for f in files {
            let p = d.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, f.as_bytes()).unwrap();
        }
        d
    }

    fn rels(e: &[Entry]) -> Vec<&str> {
        e.iter().map(|e| e.rel.as_str()).collect()
    }

    #[test]
    fn walk_order_is_depth_first_bytewise() {
        let d = tree(&["a.txt", "a/b", "B", "a/c/d"]);
        let e = walk(d.path(), &[], &[]).unwrap();
        assert_eq!(rels(&e), vec!["B", "a", "a/b", "a/c", "a/c/d", "a.txt"]);
        assert_eq!(e[1].stat.mode & MODE_DIR, MODE_DIR);
        assert_eq!(e[0].stat.size, 1);
    }

    #[test]
    fn daggerignore_and_includes_filter() {
        let d = tree(&[
            "keep.txt",
            "skip.log",
            "logs/x.log",
            "src/main.rs",
            "src/notes.md",
        ]);
        std::fs::write(d.path().join(IGNORE_FILE), "*.log\nlogs\n").unwrap();
        let e = walk(d.path(), &[], &[]).unwrap();
        assert_eq!(
            rels(&e),
            vec![
                IGNORE_FILE,
                "keep.txt",
                "src",
                "src/main.rs",
                "src/notes.md"
            ]
        );
        let e = walk(d.path(), &["src/*.rs".to_string()], &[]).unwrap();
        assert_eq!(rels(&e), vec!["src", "src/main.rs"]);
    }

    #[test]
    fn url_encoded_metadata_is_decoded() {
        assert_eq!(url_unescape("a%2Fb+c"), "a/b c");
        assert_eq!(url_unescape("100%"), "100%");
    }
}
