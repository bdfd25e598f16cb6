//! The files of the report being replaced that hold exactly the bytes the
//! new report would write are linked into the new report instead of being
//! written again.
//!
//! Why: rendering a scenario again into its folder (the usual edit–render
//! loop, `--watch`, a build that renders every time) rewrites every file,
//! and for the kernel each new file is an inode to allocate, pages of
//! page cache to fill with a copy of the bytes, blocks to allocate, and,
//! when the old report is removed, blocks to free and discard. A link to
//! the old file is one directory entry; the old report's removal then only
//! drops a link.
//!
//! A file is taken only when it is, for the kernel, the file this render
//! would have written: a regular file with a single link (a file the user
//! also linked elsewhere is written anew, as before, so the user's link
//! never becomes part of the new report), with the owner and permission
//! bits of a file this render creates, the same length and the same bytes.
//! It is opened once without following links (its folders too), and the
//! open file, not its name, is compared and linked (`/proc/self/fd`), so
//! what was compared is what is linked. Its access and modification times
//! are set to now, as a written file's would be. Anything else (another
//! system, no `/proc`, an error on the way) writes the file as before.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::Path;

/// What a file must look like to be reused, and where the old files are.
pub(super) struct OldReport {
    #[cfg(target_os = "linux")]
    dir: std::os::fd::OwnedFd,
    /// Its sub-folders opened so far, by name.
    #[cfg(target_os = "linux")]
    folders: Vec<(String, std::os::fd::OwnedFd)>,
    #[cfg(target_os = "linux")]
    like: fs::Metadata,
    /// The comparison's block of the old file, kept from file to file.
    block: Vec<u8>,
}

/// Bytes of the old file read and compared at a time.
const BLOCK: usize = 64 << 10;

impl OldReport {
    /// The report at `old` as a source of files for the report being
    /// written, whose files are to look like `made` (a file the new report
    /// just created); None where files cannot be reused.
    pub(super) fn open(old: &Path, made: &Path) -> Option<OldReport> {
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{open, Mode};
            let dir = open(old, folder_flags(), Mode::empty()).ok()?;
            let like = fs::symlink_metadata(made).ok()?;
            Some(OldReport {
                dir,
                folders: Vec::new(),
                like,
                block: Vec::new(),
            })
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = (old, made);
            None
        }
    }

    /// Link the old report's `relative` file (`folder/name` or `name`) to
    /// `new` if it holds exactly `len` bytes, those `content` writes;
    /// whether it did (if not, nothing was created at `new`).
    pub(super) fn link_if_same(
        &mut self,
        relative: &str,
        new: &Path,
        len: usize,
        content: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> bool {
        #[cfg(target_os = "linux")]
        {
            self.try_link(relative, new, len, content).unwrap_or(false)
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = (relative, new, len, content);
            false
        }
    }

    #[cfg(target_os = "linux")]
    fn try_link(
        &mut self,
        relative: &str,
        new: &Path,
        len: usize,
        content: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<bool> {
        use rustix::fs::{linkat, openat, AtFlags, Mode, OFlags, CWD};
        use std::os::fd::AsRawFd;
        use std::os::unix::fs::MetadataExt;
        let file_flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let file: File = match relative.split_once('/') {
            Some((folder, name)) => {
                let known = self.folders.iter().position(|(f, _)| f == folder);
                let index = match known {
                    Some(index) => index,
                    None => {
                        let fd = openat(&self.dir, folder, folder_flags(), Mode::empty())?;
                        self.folders.push((folder.to_string(), fd));
                        self.folders.len() - 1
                    }
                };
                openat(&self.folders[index].1, name, file_flags, Mode::empty())?
            }
            None => openat(&self.dir, relative, file_flags, Mode::empty())?,
        }
        .into();
        let meta = file.metadata()?;
        let like = &self.like;
        let looks_written = meta.is_file()
            && meta.nlink() == 1
            && meta.len() == len as u64
            && (meta.uid(), meta.gid()) == (like.uid(), like.gid())
            && meta.mode() & 0o7777 == like.mode() & 0o7777;
        if !looks_written {
            return Ok(false);
        }
        self.block.resize(BLOCK, 0);
        let mut compare = Compare {
            file: &file,
            block: &mut self.block,
            start: 0,
            end: 0,
            compared: 0,
        };
        if content(&mut compare).is_err() || compare.compared != len {
            return Ok(false);
        }
        let now = std::time::SystemTime::now();
        file.set_times(fs::FileTimes::new().set_accessed(now).set_modified(now))?;
        let open_file = format!("/proc/self/fd/{}", file.as_raw_fd());
        linkat(CWD, open_file, CWD, new, AtFlags::SYMLINK_FOLLOW)?;
        Ok(true)
    }
}

/// A report's folder (or one of its sub-folders), never through a link.
#[cfg(target_os = "linux")]
fn folder_flags() -> rustix::fs::OFlags {
    use rustix::fs::OFlags;
    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC
}

/// A writer that compares what it is given with the old file, block by
/// block, and fails at the first difference or past the file's end.
struct Compare<'a> {
    file: &'a File,
    block: &'a mut [u8],
    /// The block's bytes not yet compared.
    start: usize,
    end: usize,
    /// Bytes found equal so far.
    compared: usize,
}

impl Write for Compare<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        if self.start == self.end {
            self.start = 0;
            self.end = read_block(self.file, self.block)?;
            if self.end == 0 {
                return Err(io::Error::other("the old file is shorter"));
            }
        }
        let n = data.len().min(self.end - self.start);
        if data[..n] != self.block[self.start..self.start + n] {
            return Err(io::Error::other("the old file differs"));
        }
        self.start += n;
        self.compared += n;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Fill `block` from `file` as far as it goes; the bytes read (fewer only
/// at the file's end).
fn read_block(mut file: &File, block: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < block.len() {
        match file.read(&mut block[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    /// Files are reused only on Linux.
    #[cfg(target_os = "linux")]
    mod on_linux {
        use std::collections::BTreeMap;
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        use std::time::{Duration, SystemTime};

        use super::super::*;
        use crate::cmd::write::{write_report, ReportFiles};

        fn files() -> ReportFiles {
            ReportFiles {
                stem: "r".into(),
                index_html: "<html></html>".into(),
                results_json: r#"{"title": "t"}"#.into(),
                digest: crate::export::ReportDigest::from_results_json(r#"{"title": "t"}"#)
                    .unwrap(),
                svgs: BTreeMap::from([("fig".to_string(), "<svg/>".to_string())]),
                pngs: BTreeMap::from([("fig".to_string(), vec![1; 200_000])]),
                tables: BTreeMap::from([("t".to_string(), "a,b\n".to_string())]),
                per_sample: Vec::new(),
                failed_checks: Vec::new(),
            }
        }

        const NAMES: [&str; 5] = [
            "index.html",
            "results.json",
            "figures/fig.svg",
            "figures/fig.png",
            "tables/t.csv",
        ];

        fn meta(dir: &Path, name: &str) -> fs::Metadata {
            fs::symlink_metadata(dir.join(name)).unwrap()
        }

        /// Every file's bytes are what was asked, whether linked or written.
        fn holds(dir: &Path, files: &ReportFiles) {
            assert_eq!(
                fs::read_to_string(dir.join("index.html")).unwrap(),
                files.index_html
            );
            let json = fs::read_to_string(dir.join("results.json")).unwrap();
            assert_eq!(json, files.results_json.text());
            assert_eq!(
                fs::read(dir.join("figures/fig.png")).unwrap(),
                files.pngs["fig"]
            );
            assert_eq!(
                fs::read_to_string(dir.join("figures/fig.svg")).unwrap(),
                files.svgs["fig"]
            );
        }

        /// A report written again keeps the old inodes of its unchanged files
        /// (one link each once the old report is gone, times set anew) and
        /// writes the changed ones, including one of the same length.
        #[test]
        fn unchanged_files_are_linked_and_changed_ones_written() {
            let out = tempfile::tempdir().unwrap();
            let dir = write_report(out.path(), &files()).unwrap();
            let past = SystemTime::now() - Duration::from_secs(3600);
            for name in NAMES {
                File::open(dir.join(name))
                    .unwrap()
                    .set_modified(past)
                    .unwrap();
            }
            let before: Vec<u64> = NAMES.iter().map(|n| meta(&dir, n).ino()).collect();
            let mut changed = files();
            changed.index_html = "<html>new</html>".into();
            changed.pngs.get_mut("fig").unwrap()[199_999] = 2;
            write_report(out.path(), &changed).unwrap();
            holds(&dir, &changed);
            for (name, ino) in NAMES.iter().zip(before) {
                let now = meta(&dir, name);
                let reused = !matches!(*name, "index.html" | "figures/fig.png");
                assert_eq!(now.ino() == ino, reused, "{name}");
                assert_eq!(now.nlink(), 1, "{name}");
                assert!(now.modified().unwrap() > past, "{name}");
            }
        }

        /// A file the user linked elsewhere, or whose permissions the user
        /// changed, is written anew: the user's link never joins the report.
        #[test]
        fn a_file_linked_elsewhere_or_with_other_permissions_is_written() {
            let out = tempfile::tempdir().unwrap();
            let mine = tempfile::tempdir().unwrap();
            let dir = write_report(out.path(), &files()).unwrap();
            let kept = mine.path().join("fig.png");
            fs::hard_link(dir.join("figures/fig.png"), &kept).unwrap();
            let private = fs::Permissions::from_mode(0o600);
            fs::set_permissions(dir.join("index.html"), private).unwrap();
            let (png, html) = (meta(&dir, "figures/fig.png"), meta(&dir, "index.html"));
            write_report(out.path(), &files()).unwrap();
            holds(&dir, &files());
            assert_ne!(meta(&dir, "figures/fig.png").ino(), png.ino());
            assert_eq!(fs::metadata(&kept).unwrap().nlink(), 1);
            assert_eq!(fs::read(&kept).unwrap(), files().pngs["fig"]);
            assert_ne!(meta(&dir, "index.html").ino(), html.ino());
            assert_ne!(meta(&dir, "index.html").mode() & 0o777, 0o600);
        }

        /// An old report whose `figures` is a link to a folder elsewhere: the
        /// files there, identical as they are, are not linked into the report.
        #[test]
        fn folders_of_the_old_report_are_not_followed_through_links() {
            let out = tempfile::tempdir().unwrap();
            let elsewhere = tempfile::tempdir().unwrap();
            let dir = write_report(out.path(), &files()).unwrap();
            let figures = elsewhere.path().join("figures");
            fs::rename(dir.join("figures"), &figures).unwrap();
            std::os::unix::fs::symlink(&figures, dir.join("figures")).unwrap();
            let outside = meta(&figures, "fig.png");
            write_report(out.path(), &files()).unwrap();
            holds(&dir, &files());
            assert!(meta(&dir, "figures").is_dir());
            assert_ne!(meta(&dir, "figures/fig.png").ino(), outside.ino());
            assert_eq!(meta(&figures, "fig.png").nlink(), 1);
        }
    }
}
