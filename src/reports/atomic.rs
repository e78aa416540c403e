//! Writing a file whole or not at all: into a temporary file beside the target,
//! flushed to disk, then renamed over it.

use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes `path` through `write`; on any error the target is left as it was.
pub fn write_atomically<E>(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<&mut std::fs::File>) -> Result<(), E>,
) -> Result<(), E>
where
    E: From<std::io::Error>,
{
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".cutover-log-")
        .suffix(".partial")
        .tempfile_in(&dir)?;
    {
        let mut w = BufWriter::new(tmp.as_file_mut());
        write(&mut w)?;
        w.flush()?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
