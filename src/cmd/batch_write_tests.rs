use super::*;

fn files(tag: &str) -> LandingFiles {
    LandingFiles {
        index_html: format!("<html>{tag}</html>"),
        summary_csv: format!("report\n{tag}\n"),
        summary_json: format!("{{\"tag\": \"{tag}\"}}\n"),
    }
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn writes_then_replaces_its_own_files() {
    let out = tempfile::tempdir().unwrap();
    write_landing(out.path(), &files("one")).unwrap();
    write_landing(out.path(), &files("two")).unwrap();
    assert_eq!(
        fs::read_to_string(out.path().join("index.html")).unwrap(),
        "<html>two</html>"
    );
    assert_eq!(
        listing(out.path()),
        vec![LANDING_MARKER, "index.html", "summary.csv", "summary.json"]
    );
    // The marker lists the new content only, once the write is complete.
    let marker = fs::read_to_string(out.path().join(LANDING_MARKER)).unwrap();
    assert_eq!(marker.lines().count(), 4, "{marker}");
}

#[test]
fn a_users_file_is_never_overwritten() {
    for name in ["index.html", "summary.csv", "summary.json"] {
        let out = tempfile::tempdir().unwrap();
        fs::write(out.path().join(name), "mine").unwrap();
        let err = format!("{:#}", write_landing(out.path(), &files("x")).unwrap_err());
        assert!(err.contains("was not written by losslab"), "{err}");
        assert!(err.contains(name), "{err}");
        assert_eq!(fs::read_to_string(out.path().join(name)).unwrap(), "mine");
        // Refused before anything was written.
        assert_eq!(listing(out.path()), vec![name]);
    }
}

#[test]
fn a_file_edited_after_losslab_wrote_it_is_kept() {
    let out = tempfile::tempdir().unwrap();
    write_landing(out.path(), &files("one")).unwrap();
    fs::write(out.path().join("summary.csv"), "my notes\n").unwrap();
    assert!(write_landing(out.path(), &files("two")).is_err());
    assert_eq!(
        fs::read_to_string(out.path().join("summary.csv")).unwrap(),
        "my notes\n"
    );
    assert_eq!(
        fs::read_to_string(out.path().join("index.html")).unwrap(),
        "<html>one</html>"
    );
}

#[test]
fn a_foreign_marker_or_a_folder_in_the_way_is_refused() {
    let out = tempfile::tempdir().unwrap();
    fs::write(out.path().join(LANDING_MARKER), "index.html 4 00000000\n").unwrap();
    fs::write(out.path().join("index.html"), "mine").unwrap();
    assert!(write_landing(out.path(), &files("x")).is_err());
    assert_eq!(
        fs::read_to_string(out.path().join("index.html")).unwrap(),
        "mine"
    );

    let out = tempfile::tempdir().unwrap();
    fs::create_dir(out.path().join("summary.json")).unwrap();
    assert!(write_landing(out.path(), &files("x")).is_err());
    assert_eq!(listing(out.path()), vec!["summary.json"]);
}

#[cfg(unix)]
#[test]
fn a_link_is_not_followed_or_replaced() {
    let out = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("page.html");
    fs::write(&target, "theirs").unwrap();
    std::os::unix::fs::symlink(&target, out.path().join("index.html")).unwrap();
    assert!(write_landing(out.path(), &files("x")).is_err());
    assert_eq!(fs::read_to_string(&target).unwrap(), "theirs");
}

/// A crash between renaming the files and rewriting the marker leaves a
/// marker that lists both contents: the next render proceeds.
#[test]
fn a_crash_midway_does_not_lock_the_folder() {
    let out = tempfile::tempdir().unwrap();
    write_landing(out.path(), &files("one")).unwrap();
    let one = files("one");
    let two = files("two");
    let mut both: BTreeMap<String, BTreeSet<Fingerprint>> = BTreeMap::new();
    for (name, a, b) in [
        ("index.html", &one.index_html, &two.index_html),
        ("summary.csv", &one.summary_csv, &two.summary_csv),
        ("summary.json", &one.summary_json, &two.summary_json),
    ] {
        both.insert(
            name.into(),
            BTreeSet::from([fingerprint(a.as_bytes()), fingerprint(b.as_bytes())]),
        );
    }
    fs::write(out.path().join(LANDING_MARKER), marker_text(&both)).unwrap();
    // Only index.html had been renamed when the process died.
    fs::write(out.path().join("index.html"), &two.index_html).unwrap();
    write_landing(out.path(), &files("three")).unwrap();
    assert_eq!(
        fs::read_to_string(out.path().join("summary.csv")).unwrap(),
        "report\nthree\n"
    );
}
