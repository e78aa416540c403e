//! Which practice server this computer's app uses, remembered between runs in a
//! small text file beside the default database: the address only, never a
//! password. A desk that was connected to the server starts connected to it
//! again, rather than on an empty log of its own where items would be missed.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::store::postgres::address::without_password;

/// The file's name, in the local app data folder.
pub const FILE_NAME: &str = "practice-server.txt";

/// Where the remembered address is kept for this user (beside the default database).
pub fn default_file() -> Option<PathBuf> {
    crate::store::default_database_path().and_then(|db| db.parent().map(|dir| dir.join(FILE_NAME)))
}

/// The address remembered in `file`, if any.
pub fn remembered_in(file: &Path) -> Option<String> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        // None remembered: this computer uses its own log.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            eprintln!(
                "Cutover Log could not read the remembered server address in {}: {e}. Using this computer's own log.",
                file.display()
            );
            return None;
        }
    };
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
}

/// Remembers `address` (any password in it removed) in `file`, whole or not at all.
pub fn remember_in(file: &Path, address: &str) -> std::io::Result<()> {
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let address = without_password(address.trim());
    crate::reports::atomic::write_atomically(file, |w| {
        writeln!(
            w,
            "# Cutover Log on this computer uses this practice server (address only, never a password)."
        )?;
        writeln!(
            w,
            "# Delete this file to use this computer's own log again (or start with --db FILE)."
        )?;
        writeln!(w, "{address}")
    })
}

/// The address remembered for this user, if any.
pub fn remembered() -> Option<String> {
    remembered_in(&default_file()?)
}

/// Remembers `address` for this user; a failure is said on stderr and otherwise
/// ignored (the connection itself is unaffected).
pub fn remember(address: &str) {
    let Some(file) = default_file() else { return };
    if let Err(e) = remember_in(&file, address) {
        eprintln!(
            "Cutover Log could not remember the server address in {}: {e}",
            file.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_is_remembered_without_its_password() {
        let dir = match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        };
        let file = dir.path().join("new folder").join(FILE_NAME);
        assert_eq!(remembered_in(&file), None);
        if let Err(e) = remember_in(&file, " postgres://desk:s3cret@server/cutover ") {
            panic!("{e}");
        }
        assert_eq!(
            remembered_in(&file).as_deref(),
            Some("postgres://desk@server/cutover")
        );
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        assert!(!text.contains("s3cret"), "{text}");
        if let Err(e) = remember_in(&file, "host=server password=s3cret dbname=cutover") {
            panic!("{e}");
        }
        assert_eq!(
            remembered_in(&file).as_deref(),
            Some("host=server dbname=cutover")
        );
    }
}
