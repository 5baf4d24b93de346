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
//! metadata and the walk applies exactly those (see [`walk`]); ignore files
//! are not read here: whoever builds the LLB turns them into exclude
//! patterns, so that they are part of the source's cache key.

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

use crate::client::patterns::{MatchInfo, PatternSet};
use crate::client::task::AbortOnDrop;

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
    /// What is sent about it.
    pub stat: Stat,
    /// Device and inode seen by the walk: a file is sent only if the one
    /// opened later is the same (not something swapped in since).
    pub dev: u64,
    /// See `dev`.
    pub ino: u64,
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

/// With this environment variable set (to anything), each transfer ends
/// with one line on stderr: `filesync: DIR: N entries listed, M files
/// requested, B bytes sent`. The daemon requests only the files it lacks,
/// so a repeated transfer of a directory shows what changed.
pub const DEBUG_ENV: &str = "DAGGER_DEBUG_FILESYNC";

/// What one transfer sent.
#[derive(Debug, Default)]
struct Sent {
    entries: usize,
    requests: usize,
    bytes: u64,
    /// What the daemon said when it gave up on the transfer.
    error: Option<String>,
}

/// Runs the sender side of one transfer.
async fn send_dir(
    root: PathBuf,
    entries: Vec<Entry>,
    inbound: Streaming<Packet>,
    tx: mpsc::Sender<Result<Packet, Status>>,
) {
    let mut sent = Sent {
        entries: entries.len(),
        ..Sent::default()
    };
    let debug = std::env::var_os(DEBUG_ENV).is_some();
    let shown = root.display().to_string();
    send_entries(root, entries, inbound, tx, &mut sent).await;
    if debug {
        eprintln!(
            "filesync: {shown}: {} entries listed, {} files requested, {} bytes sent{}",
            sent.entries,
            sent.requests,
            sent.bytes,
            match &sent.error {
                Some(e) => format!("; the daemon stopped it: {e}"),
                None => String::new(),
            }
        );
    }
}

async fn send_entries(
    root: PathBuf,
    entries: Vec<Entry>,
    mut inbound: Streaming<Packet>,
    tx: mpsc::Sender<Result<Packet, Status>>,
    sent: &mut Sent,
) {
    let mut files: HashMap<u32, (String, u64, u64)> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        if e.stat.mode & MODE_TYPE == 0 {
            files.insert(i as u32, (e.rel.clone(), e.dev, e.ino));
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
    // What the daemon sends is read as it arrives, whatever the loop below
    // is busy with. Its requests are tiny DATA frames, and h2 ends a
    // connection on which too many small frames wait unread (GOAWAY
    // ENHANCE_YOUR_CALM "too_many_data_frames"): that ended the whole
    // session in the middle of a transfer of a few thousand files.
    let (in_tx, mut in_rx) = mpsc::unbounded_channel();
    let _reader = AbortOnDrop(tokio::spawn(async move {
        while let Ok(Some(m)) = inbound.message().await {
            if in_tx.send(m).is_err() {
                return;
            }
        }
    }));
    while let Some(msg) = in_rx.recv().await {
        match PacketType::try_from(msg.r#type) {
            Ok(PacketType::PacketReq) => {
                let Some((rel, dev, ino)) = files.remove(&msg.id) else {
                    let _ = tx
                        .send(Err(Status::invalid_argument(format!(
                            "invalid file id {}",
                            msg.id
                        ))))
                        .await;
                    break;
                };
                sent.requests += 1;
                if let Err(e) =
                    send_file(&root.join(&rel), (dev, ino), msg.id, &tx, &mut sent.bytes).await
                {
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
            Ok(PacketType::PacketErr) => {
                sent.error = Some(String::from_utf8_lossy(&msg.data).into_owned());
                break;
            }
            _ => {}
        }
    }
}

/// Sends the contents of the regular file the walk saw as `(dev, ino)`.
/// Opening follows symlinks, so the file opened is checked to be that same
/// one: a path swapped for a symlink since the walk is refused.
async fn send_file(
    path: &Path,
    (dev, ino): (u64, u64),
    id: u32,
    tx: &mpsc::Sender<Result<Packet, Status>>,
    bytes: &mut u64,
) -> std::io::Result<()> {
    let mut f = tokio::fs::File::open(path).await?;
    let md = f.metadata().await?;
    if md.dev() != dev || md.ino() != ino || !md.is_file() {
        return Err(std::io::Error::other(
            "the file changed since the directory was listed",
        ));
    }
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
        *bytes += n as u64;
    }
    let _ = tx
        .send(Ok(Packet {
            id,
            ..packet(PacketType::PacketData)
        }))
        .await;
    Ok(())
}

/// Lists what a transfer of `root` sends for the include/exclude patterns
/// the daemon asked for, in the order it is sent: fsutil's filtered walk
/// (what BuildKit's own client sends, checked by `llb/tests/local_patterns.rs`).
///
/// Nothing outside `root` is read: entries are stat'ed without following
/// symlinks, a symlink is sent as a symlink (its target is only text), and a
/// directory is entered only when it is one. Owners are sent as 0:0, as
/// BuildKit's client does. An empty `includes` list selects everything.
pub fn walk(root: &Path, includes: &[String], excludes: &[String]) -> Result<Vec<Entry>, String> {
    let meta = std::fs::metadata(root)
        .map_err(|e| format!("cannot read directory {}: {e}", root.display()))?;
    if !meta.is_dir() {
        return Err(format!("{} is not a directory", root.display()));
    }
    // fsutil filters only with a non-empty list (an empty pattern in it still
    // makes a filter that selects nothing).
    let includes = if includes.is_empty() {
        None
    } else {
        Some(PatternSet::new(includes).map_err(|e| format!("include patterns: {e}"))?)
    };
    let excludes = if excludes.is_empty() {
        None
    } else {
        Some(PatternSet::new(excludes).map_err(|e| format!("exclude patterns: {e}"))?)
    };
    let mut walker = Walker {
        includes,
        excludes,
        pending: Vec::new(),
        out: Vec::new(),
    };
    let none = MatchInfo::default();
    walker.dir(root, "", &none, &none)?;
    Ok(walker.out)
}

/// A directory on the way to the current entry, sent only once something
/// in it is (unless it was selected itself).
struct Pending {
    entry: Entry,
    sent: bool,
}

struct Walker {
    includes: Option<PatternSet>,
    excludes: Option<PatternSet>,
    pending: Vec<Pending>,
    out: Vec<Entry>,
}

impl Walker {
    /// Walks the entries of `dir` (relative `prefix`), whose own match
    /// results are `inc_parent`/`exc_parent`.
    fn dir(
        &mut self,
        dir: &Path,
        prefix: &str,
        inc_parent: &MatchInfo,
        exc_parent: &MatchInfo,
    ) -> Result<(), String> {
        let mut names: Vec<(Vec<u8>, PathBuf)> = Vec::new();
        for ent in
            std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        {
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
            let is_dir = ft.is_dir();
            let mut skip = false;
            let mut inc_info = MatchInfo::default();
            if let Some(inc) = &self.includes {
                let (hit, info) = inc.matches_below(&rel, inc_parent);
                inc_info = info;
                if !hit {
                    if is_dir && (!inc.may_select_below(&rel, false) || inc.nothing_below(&rel)) {
                        continue;
                    }
                    skip = true;
                }
            }
            let mut exc_info = MatchInfo::default();
            if let Some(exc) = &self.excludes {
                let (hit, info) = exc.matches_below(&rel, exc_parent);
                exc_info = info;
                if hit {
                    if is_dir && !exc.may_select_below(&rel, true) {
                        continue;
                    }
                    skip = true;
                }
            }
            let link = if ft.is_symlink() {
                let target = std::fs::read_link(&path)
                    .map_err(|e| format!("cannot read link {}: {e}", path.display()))?;
                Some(target.to_string_lossy().into_owned())
            } else {
                None
            };
            let entry = Entry {
                stat: stat_of(&rel, &md, link),
                rel: rel.clone(),
                dev: md.dev(),
                ino: md.ino(),
            };
            if !skip {
                self.send_pending();
                self.out.push(entry.clone());
            }
            if is_dir {
                self.pending.push(Pending { entry, sent: !skip });
                let walked = self.dir(&path, &rel, &inc_info, &exc_info);
                self.pending.pop();
                match walked {
                    Ok(()) => {}
                    // fsutil passes over an unreadable directory it does not send.
                    Err(_)
                        if skip
                            && std::fs::read_dir(&path).is_err_and(|e| {
                                e.kind() == std::io::ErrorKind::PermissionDenied
                            }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }

    /// Sends the directories above the current entry that were held back.
    fn send_pending(&mut self) {
        for p in &mut self.pending {
            if !p.sent {
                p.sent = true;
                self.out.push(p.entry.clone());
            }
        }
    }
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
        // BuildKit's client sends every owner as root (its `resetUIDAndGID`);
        // the host's ids mean nothing in the container.
        uid: 0,
        gid: 0,
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
    fn only_the_daemons_patterns_filter_not_ignore_files() {
        let d = tree(&[
            "keep.txt",
            "skip.log",
            "logs/x.log",
            "src/main.rs",
            "src/notes.md",
        ]);
        std::fs::write(d.path().join(".daggerignore"), "*.log\nlogs\n").unwrap();
        let e = walk(d.path(), &[], &[]).unwrap();
        assert_eq!(e.len(), 8, "{:?}", rels(&e));
        let e = walk(d.path(), &[], &["*.log".into(), "logs".into()]).unwrap();
        assert_eq!(
            rels(&e),
            vec![
                ".daggerignore",
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
    fn owners_are_sent_as_root() {
        use std::os::unix::fs::PermissionsExt;
        let d = tree(&["a/b.txt"]);
        // Only root can give files away; any user can check its own ids are not sent.
        let p = d.path().join("a/b.txt");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        if running_as_root() {
            std::os::unix::fs::lchown(&p, Some(1234), Some(5678)).unwrap();
        }
        let e = walk(d.path(), &[], &[]).unwrap();
        assert_eq!(rels(&e), vec!["a", "a/b.txt"]);
        for entry in &e {
            assert_eq!((entry.stat.uid, entry.stat.gid), (0, 0), "{}", entry.rel);
        }
        assert_eq!(e[1].stat.mode, 0o640);
    }

    /// Whether the tests run as root (then they can chown).
    fn running_as_root() -> bool {
        std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
    }

    #[test]
    fn symlinks_are_sent_as_links_never_followed() {
        let outside = tree(&["secret/bait.txt"]);
        let d = tree(&["in.txt"]);
        std::os::unix::fs::symlink(outside.path().join("secret"), d.path().join("dirlink"))
            .unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret/bait.txt"),
            d.path().join("filelink"),
        )
        .unwrap();
        let e = walk(d.path(), &[], &[]).unwrap();
        assert_eq!(rels(&e), vec!["dirlink", "filelink", "in.txt"]);
        for link in &e[..2] {
            assert_eq!(link.stat.mode & MODE_TYPE, MODE_SYMLINK, "{}", link.rel);
            assert!(link
                .stat
                .linkname
                .starts_with(&*outside.path().to_string_lossy()));
        }
        // Patterns naming what is behind a link select nothing there.
        let e = walk(d.path(), &["dirlink/bait.txt".into()], &[]).unwrap();
        assert!(e.is_empty(), "{:?}", rels(&e));
    }

    #[tokio::test]
    async fn a_file_swapped_after_the_walk_is_not_sent() {
        let outside = tree(&["bait.txt"]);
        let d = tree(&["a.txt"]);
        let e = walk(d.path(), &[], &[]).unwrap();
        let a = d.path().join("a.txt");
        std::fs::remove_file(&a).unwrap();
        std::os::unix::fs::symlink(outside.path().join("bait.txt"), &a).unwrap();
        let (tx, mut rx) = mpsc::channel(8);
        let mut bytes = 0;
        let err = send_file(&a, (e[0].dev, e[0].ino), 0, &tx, &mut bytes)
            .await
            .unwrap_err();
        assert_eq!(bytes, 0);
        assert!(err.to_string().contains("changed"), "{err}");
        drop(tx);
        assert!(rx.recv().await.is_none(), "nothing was sent");
    }

    #[test]
    fn url_encoded_metadata_is_decoded() {
        assert_eq!(url_unescape("a%2Fb+c"), "a/b c");
        assert_eq!(url_unescape("100%"), "100%");
    }
}
