//! The HTML report of the bundled PoC example, rendered by headless Chromium: the screenshot is
//! decoded and must show a real page (many colours, the severity colours, not blank).
//!
//! Chromium comes from `scripts/test.d/20-report-tools.sh` (`PLIMSOLL_CHROMIUM`). Without it
//! the test fails when `CI` is set and is skipped otherwise. `PLIMSOLL_UPDATE_SCREENSHOT=1`
//! copies the picture to `docs/img/report.png`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use plimsoll_ingest::{ScanOptions, discover, scan};
use plimsoll_report::{Evidence, ReportInput, Summary};
use plimsoll_rules::{Engine, Settings, registry};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Chromium, or `None` (skip) when it is missing outside CI.
fn chromium() -> Option<PathBuf> {
    let candidates = std::env::var_os("PLIMSOLL_CHROMIUM")
        .map(PathBuf::from)
        .into_iter()
        .chain(["/usr/bin/chromium", "/usr/bin/chromium-browser"].map(PathBuf::from));
    for c in candidates {
        if c.is_file() {
            return Some(c);
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "Chromium is missing and CI is set: scripts/test.d/20-report-tools.sh installs it"
    );
    println!("SKIPPED: Chromium is not installed (scripts/test.d/20-report-tools.sh installs it)");
    None
}

fn html_of_poc() -> String {
    let rules = registry::all();
    let engine = Engine::new(rules, Settings::default());
    let (inputs, errors) = discover(&[root().join("examples/poc")]);
    assert!(errors.is_empty(), "{errors:?}");
    let mut result = scan(&engine, &inputs, &ScanOptions::default());
    assert!(result.errors.is_empty());
    // paths as `plimsoll report examples/poc` shows them from the repository root
    let prefix = format!("{}/", root().display());
    for f in &mut result.files {
        if let Some(rel) = f.path.strip_prefix(&prefix) {
            f.path = rel.to_string();
        }
    }
    let summary = Summary::compute(
        &result.findings,
        result.files.len(),
        result.documents,
        result.objects,
        Evidence::from_index(&result.index),
    );
    let metas: Vec<_> = engine.rules().iter().map(|r| r.meta()).collect();
    plimsoll_report::html::render(&ReportInput {
        scan: &result,
        summary: &summary,
        rules: &metas,
        tool_version: env!("CARGO_PKG_VERSION"),
    })
}

/// Decoded pixels as RGB triples, width and height.
fn decode(png_bytes: Vec<u8>) -> (Vec<[u8; 3]>, u32, u32) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    buf.truncate(info.buffer_size());
    let pixels = match info.color_type {
        png::ColorType::Rgba => buf.chunks_exact(4).map(|p| [p[0], p[1], p[2]]).collect(),
        png::ColorType::Rgb => buf.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect(),
        other => panic!("unexpected screenshot colour type {other:?}"),
    };
    (pixels, info.width, info.height)
}

fn near(px: &[u8; 3], rgb: (u8, u8, u8)) -> bool {
    let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).abs();
    d(px[0], rgb.0) <= 12 && d(px[1], rgb.1) <= 12 && d(px[2], rgb.2) <= 12
}

#[test]
fn html_report_of_the_poc_screenshots_as_a_real_page() {
    let Some(chromium) = chromium() else { return };
    let dir = std::env::temp_dir().join(format!("plimsoll-screenshot-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join("report.html");
    std::fs::write(&page, html_of_poc()).unwrap();
    let shot = dir.join("report.png");
    let out = Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--window-size=1280,2000",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success() && shot.is_file(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&shot).unwrap();
    if std::env::var_os("PLIMSOLL_UPDATE_SCREENSHOT").is_some() {
        let to = root().join("docs/img/report.png");
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(&to, &bytes).unwrap();
    }
    let (pixels, w, h) = decode(bytes);
    assert_eq!((w, h), (1280, 2000));
    let non_white = pixels
        .iter()
        .filter(|p| p[0] < 235 || p[1] < 235 || p[2] < 235)
        .count();
    let share = non_white as f64 / pixels.len() as f64;
    assert!(
        share > 0.08,
        "the page is almost blank: {:.1}% non-white",
        share * 100.0
    );
    let colours: HashSet<(u8, u8, u8)> = pixels
        .iter()
        .map(|p| (p[0] >> 3, p[1] >> 3, p[2] >> 3))
        .collect();
    assert!(
        colours.len() > 200,
        "only {} distinct colours",
        colours.len()
    );
    // the PoC has critical findings: the stage badge and the critical bar are the critical red,
    // and its medium findings paint the amber bar
    let red = pixels
        .iter()
        .filter(|p| near(p, (0xb4, 0x23, 0x18)))
        .count();
    let amber = pixels
        .iter()
        .filter(|p| near(p, (0xc9, 0x9a, 0x06)))
        .count();
    assert!(red > 2_000, "critical red covers {red} pixels");
    assert!(amber > 1_000, "medium amber covers {amber} pixels");
    let _ = std::fs::remove_dir_all(&dir);
}
