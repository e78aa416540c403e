//! Where a live log file may be kept. SQLite's write-ahead log needs a local
//! disk: on a network filesystem (NFS, SMB/CIFS, FUSE mounts; Windows UNC paths
//! and mapped network drives)
//! or in a folder a cloud service synchronises (OneDrive, Dropbox, Google Drive,
//! iCloud, Box, Nextcloud, pCloud, MEGA, macOS's CloudStorage) a live log can be
//! corrupted; in memory (tmpfs, /dev/shm) it vanishes at the next restart. A
//! log file that is itself a link is judged where it leads. Such a place is refused when the log is
//! opened, with what to do instead; IT can override it with [`OVERRIDE_VAR`],
//! and the override is recorded in the audit trail.

use std::path::{Component, Path, PathBuf};

/// Set to `1` to open a live log where [`check`] refuses it (IT only; audited).
pub const OVERRIDE_VAR: &str = "CUTOVER_LOG_ALLOW_UNSAFE_PLACE";

/// Why a live log may not be kept at a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnsafePlace {
    /// On a network filesystem of this type (`nfs4`, `cifs`, `fuse.sshfs`…).
    NetworkFilesystem(String),
    /// A Windows network path (`\\server\share\…`).
    NetworkPath,
    /// Inside a folder this cloud service synchronises.
    SyncedFolder(&'static str),
    /// On a filesystem held in memory (`tmpfs`, `ramfs`): gone at a restart.
    InMemory(String),
}

impl UnsafePlace {
    /// Why, and what to do, in words for the person opening the log.
    pub fn describe(&self) -> String {
        let why = match self {
            UnsafePlace::NetworkFilesystem(fs) => format!("on a network drive ({fs})"),
            UnsafePlace::NetworkPath => "on a network share".to_string(),
            UnsafePlace::SyncedFolder(service) => format!("in a folder {service} synchronises"),
            UnsafePlace::InMemory(fs) => {
                return format!(
                    "this log is on a disk held in memory ({fs}): it vanishes, with everything logged, when the computer restarts. Keep the live log on this PC's own disk (the default place). IT can override this with {OVERRIDE_VAR}=1 (recorded in the audit trail)."
                );
            }
        };
        format!(
            "this log is {why}, where the database can be corrupted while it is in use. Keep the live log on this PC's own disk (the default place) and put its backups on the share; for several desks use the practice server. IT can override this with {OVERRIDE_VAR}=1 (recorded in the audit trail)."
        )
    }
}

/// Network filesystem types, as `/proc/self/mountinfo` names them.
fn is_network_fs(fs: &str) -> bool {
    matches!(
        fs,
        "nfs" | "nfs4" | "cifs" | "smb3" | "smbfs" | "afs" | "ceph" | "glusterfs" | "davfs"
    ) || fs.starts_with("fuse")
}

/// Folder names the cloud services synchronise, and the service.
fn synced_by(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    if lower == "onedrive" || lower.starts_with("onedrive - ") {
        Some("OneDrive")
    } else if lower == "dropbox" || lower.starts_with("dropbox (") {
        Some("Dropbox")
    } else if lower == "google drive" || lower == "googledrive" || lower == "my drive" {
        Some("Google Drive")
    } else if lower == "icloud drive" || lower == "iclouddrive" || lower == "mobile documents" {
        Some("iCloud")
    } else if lower == "cloudstorage" {
        // macOS keeps every provider's folders here (OneDrive-…, Dropbox, Box…).
        Some("a cloud storage service")
    } else if lower == "box" || lower == "box sync" {
        Some("Box")
    } else if lower == "nextcloud" {
        Some("Nextcloud")
    } else if lower == "pcloud drive" || lower == "pclouddrive" {
        Some("pCloud")
    } else if lower == "mega" || lower == "megasync" {
        Some("MEGA")
    } else {
        None
    }
}

/// A Windows network path: `\\server\share`, `//server/share` or `\\?\UNC\…`
/// (a local `\\?\C:\…` is not).
pub fn is_network_path(text: &str) -> bool {
    let t = text.replace('/', "\\");
    if let Some(rest) = t.strip_prefix("\\\\?\\") {
        return rest.to_ascii_uppercase().starts_with("UNC\\");
    }
    t.starts_with("\\\\")
}

/// The mount point and filesystem type of each line of `/proc/self/mountinfo`.
pub fn parse_mountinfo(text: &str) -> Vec<(PathBuf, String)> {
    text.lines()
        .filter_map(|line| {
            let (before, after) = line.split_once(" - ")?;
            let mount_point = before.split(' ').nth(4)?;
            let fs = after.split(' ').next()?;
            // Spaces and other characters in paths are written as octal escapes.
            Some((PathBuf::from(unescape(mount_point)), fs.to_string()))
        })
        .collect()
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let code: String = chars.by_ref().take(3).collect();
            match u8::from_str_radix(&code, 8) {
                Ok(b) => out.push(char::from(b)),
                Err(_) => {
                    out.push('\\');
                    out.push_str(&code);
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether a log at `path` would be unsafe, given the mounts (mount point and
/// filesystem type). `path` should be absolute.
pub fn check_with(path: &Path, mounts: &[(PathBuf, String)]) -> Option<UnsafePlace> {
    if is_network_path(&path.to_string_lossy()) {
        return Some(UnsafePlace::NetworkPath);
    }
    let folders = path.parent().unwrap_or(path);
    if let Some(service) = folders.components().find_map(|c| match c {
        Component::Normal(name) => synced_by(&name.to_string_lossy()),
        _ => None,
    }) {
        return Some(UnsafePlace::SyncedFolder(service));
    }
    let (_, fs) = mounts
        .iter()
        .filter(|(point, _)| path.starts_with(point))
        .max_by_key(|(point, _)| point.components().count())?;
    if is_network_fs(fs) {
        Some(UnsafePlace::NetworkFilesystem(fs.clone()))
    } else if matches!(fs.as_str(), "tmpfs" | "ramfs") {
        Some(UnsafePlace::InMemory(fs.clone()))
    } else {
        None
    }
}

/// `path` as the system resolves it: its nearest existing folder canonicalised
/// (links followed), the rest as written. On Windows this is also how a mapped
/// network drive is seen for what it is: canonicalising `Z:\folder` gives
/// `\\?\UNC\server\share\folder` (GetFinalPathNameByHandleW names the
/// share behind the letter), which [`is_network_path`] recognises.
pub fn resolved(path: &Path) -> PathBuf {
    // A log file that is itself a link is where the link leads.
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut rest = Vec::new();
    let mut folder = absolute.as_path();
    loop {
        if let Some(name) = folder.file_name() {
            rest.push(name.to_os_string());
        }
        let Some(parent) = folder.parent() else {
            return absolute;
        };
        if let Ok(real) = parent.canonicalize() {
            return rest.iter().rev().fold(real, |p, name| p.join(name));
        }
        folder = parent;
    }
}

/// Whether a live log at `path` would be unsafe on this computer.
pub fn check(path: &Path) -> Option<UnsafePlace> {
    let resolved = resolved(path);
    let mounts = std::fs::read_to_string("/proc/self/mountinfo")
        .map(|t| parse_mountinfo(&t))
        .unwrap_or_default();
    check_with(&resolved, &mounts)
}

/// Whether IT asked to open a log where [`check`] refuses it.
pub fn overridden() -> bool {
    std::env::var(OVERRIDE_VAR).is_ok_and(|v| v.trim() == "1")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTINFO: &str = "\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
40 22 0:35 / /mnt/practice rw,relatime shared:20 - nfs4 server:/export rw,vers=4.2
41 22 0:36 / /mnt/share\\040drive rw,relatime shared:21 - cifs //server/share rw
42 22 0:37 / /home/it/remote rw,nosuid shared:22 - fuse.sshfs it@host: rw
43 40 8:2 / /mnt/practice/local rw,relatime shared:23 - ext4 /dev/sdb1 rw";

    #[test]
    fn a_network_mount_is_refused_and_a_local_disk_is_not() {
        let mounts = parse_mountinfo(MOUNTINFO);
        let at = |p: &str| check_with(Path::new(p), &mounts);
        assert_eq!(at("/home/pm/cutover/log.sqlite3"), None);
        assert_eq!(
            at("/mnt/practice/log.sqlite3"),
            Some(UnsafePlace::NetworkFilesystem("nfs4".into()))
        );
        assert_eq!(
            at("/mnt/share drive/logs/log.sqlite3"),
            Some(UnsafePlace::NetworkFilesystem("cifs".into()))
        );
        assert_eq!(
            at("/home/it/remote/log.sqlite3"),
            Some(UnsafePlace::NetworkFilesystem("fuse.sshfs".into()))
        );
        assert_eq!(
            at("/mnt/practice/local/log.sqlite3"),
            None,
            "the nearest mount decides"
        );
    }

    #[test]
    fn a_disk_held_in_memory_is_refused() {
        let mounts = parse_mountinfo(
            "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n\
             25 24 0:23 / /dev/shm rw - tmpfs tmpfs rw\n\
             26 22 0:24 / /run/user/1000 rw - tmpfs tmpfs rw",
        );
        let at = |p: &str| check_with(Path::new(p), &mounts);
        assert_eq!(
            at("/dev/shm/log.sqlite3"),
            Some(UnsafePlace::InMemory("tmpfs".into()))
        );
        assert_eq!(
            at("/run/user/1000/log.sqlite3"),
            Some(UnsafePlace::InMemory("tmpfs".into()))
        );
        assert_eq!(at("/home/pm/log.sqlite3"), None);
        assert!(
            UnsafePlace::InMemory("tmpfs".into())
                .describe()
                .contains("when the computer restarts")
        );
    }

    /// A log file that is itself a link into a synchronised folder is judged
    /// where it leads (only folder links were followed).
    #[cfg(unix)]
    #[test]
    fn a_log_file_that_is_a_link_is_judged_where_it_leads() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let synced = dir.path().join("OneDrive");
        std::fs::create_dir(&synced).unwrap_or_else(|e| panic!("{e}"));
        let real = synced.join("log.sqlite3");
        std::fs::write(&real, b"").unwrap_or_else(|e| panic!("{e}"));
        let link = dir.path().join("log.sqlite3");
        std::os::unix::fs::symlink(&real, &link).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(check(&link), Some(UnsafePlace::SyncedFolder("OneDrive")));
    }

    #[test]
    fn a_synchronised_folder_is_refused() {
        let at = |p: &str| check_with(Path::new(p), &[]);
        assert_eq!(
            at("/home/pm/OneDrive - Riverside Practice/Documents/log.sqlite3"),
            Some(UnsafePlace::SyncedFolder("OneDrive"))
        );
        assert_eq!(
            at("/home/pm/Dropbox/log.sqlite3"),
            Some(UnsafePlace::SyncedFolder("Dropbox"))
        );
        assert_eq!(
            at("/home/pm/Google Drive/log.sqlite3"),
            Some(UnsafePlace::SyncedFolder("Google Drive"))
        );
        for (p, service) in [
            (
                "/Users/pm/Library/CloudStorage/OneDrive-Riverside/log.sqlite3",
                "a cloud storage service",
            ),
            ("/home/pm/Box Sync/cutover/log.sqlite3", "Box"),
            ("/home/pm/Nextcloud/log.sqlite3", "Nextcloud"),
            ("/home/pm/pCloud Drive/log.sqlite3", "pCloud"),
            ("/home/pm/MEGA/log.sqlite3", "MEGA"),
        ] {
            assert_eq!(at(p), Some(UnsafePlace::SyncedFolder(service)), "{p}");
        }
        assert_eq!(at("/home/pm/onedrive-notes/log.sqlite3"), None);
        assert_eq!(at("/home/pm/OneDrive.sqlite3"), None, "only folders count");
    }

    #[test]
    fn windows_network_paths_are_refused_and_local_ones_are_not() {
        for p in [
            r"\\server\share\log.sqlite3",
            "//server/share/log.sqlite3",
            r"\\?\UNC\server\share\x",
        ] {
            assert!(is_network_path(p), "{p}");
        }
        for p in [
            r"C:\Users\pm\AppData\Local\log.sqlite3",
            r"\\?\C:\data\log.sqlite3",
            "/home/pm/x",
        ] {
            assert!(!is_network_path(p), "{p}");
        }
        assert_eq!(
            check_with(Path::new(r"\\server\share\log.sqlite3"), &[]),
            Some(UnsafePlace::NetworkPath)
        );
    }

    #[test]
    #[cfg(unix)]
    fn a_link_into_a_synchronised_folder_is_followed_even_to_a_folder_not_made_yet() {
        let Ok(dir) = tempfile::tempdir() else {
            panic!("no temporary folder")
        };
        let synced = dir.path().join("OneDrive").join("Documents");
        let link = dir.path().join("Cutover");
        std::fs::create_dir_all(&synced).unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::symlink(&synced, &link).unwrap_or_else(|e| panic!("{e}"));
        let log = link.join("not-made-yet").join("log.sqlite3");
        assert!(resolved(&log).ends_with("OneDrive/Documents/not-made-yet/log.sqlite3"));
        assert_eq!(check(&log), Some(UnsafePlace::SyncedFolder("OneDrive")));
        assert_eq!(
            check(&dir.path().join("elsewhere").join("log.sqlite3")),
            None
        );
    }

    #[test]
    fn a_mapped_drive_resolved_to_its_share_is_refused() {
        // What canonicalising Z:\Cutover gives on Windows when Z: is mapped.
        assert_eq!(
            check_with(
                Path::new(r"\\?\UNC\fileserver\practice\Cutover\log.sqlite3"),
                &[]
            ),
            Some(UnsafePlace::NetworkPath)
        );
    }

    #[test]
    fn the_message_says_why_and_what_to_do() {
        let words = UnsafePlace::SyncedFolder("OneDrive").describe();
        assert!(words.contains("OneDrive"));
        assert!(words.contains("this PC's own disk"));
        assert!(words.contains(OVERRIDE_VAR));
    }
}
