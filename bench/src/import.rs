//! The bulk import at size: a CSV file of people over the demo's institutions and groups,
//! imported into a fresh database by the command line as an operator runs it — checked,
//! applied, and applied again (nothing left to write) — each run timed whole.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

/// Seconds each run of `b2mms import` took.
pub struct Timings {
    pub check: f64,
    pub apply: f64,
    pub again: f64,
}

const GIVEN: [&str; 8] = [
    "Anna", "Jonas", "Taro", "Hana", "Luca", "Marta", "Ivan", "Mei",
];
const FAMILY: [&str; 8] = [
    "Müller", "Kato", "Rossi", "Schmidt", "Tanaka", "Novak", "García", "Weber",
];
const INSTITUTIONS: [&str; 5] = ["KEK", "DESY", "Nagoya", "INFN Napoli", "Hawaii"];
const CATEGORIES: [&str; 4] = [
    "physicist_permanent",
    "physicist_temporary",
    "phd_student",
    "technical_staff",
];

/// Writes a file of `people` rows: every tenth person also in the NAF group.
fn write_file(path: &Path, people: usize) -> Result<()> {
    let mut file = csv::Writer::from_path(path)?;
    file.write_record(b2mms_shared::api::IMPORT_COLUMNS)?;
    for n in 0..people {
        let (given, family) = (GIVEN[n % GIVEN.len()], FAMILY[(n / 8) % FAMILY.len()]);
        let ascii = family.replace('ü', "ue").replace('í', "i").to_lowercase();
        file.write_record([
            account_name(n).as_str(),
            given,
            "",
            family,
            &format!(
                "{}.{ascii}.{n}@institute{}.example.org",
                given.to_lowercase(),
                n % 300
            ),
            "",
            CATEGORIES[n % CATEGORIES.len()],
            INSTITUTIONS[n % INSTITUTIONS.len()],
            "2024-04-01",
            "",
            if n % 10 == 0 { "NAF" } else { "" },
        ])?;
    }
    file.flush()?;
    Ok(())
}

/// `impaaaaa`, `impaaaab`, …: account names are letters, at most eight.
fn account_name(mut n: usize) -> String {
    let mut letters = [b'a'; 5];
    for letter in letters.iter_mut().rev() {
        *letter = b'a' + (n % 26) as u8;
        n /= 26;
    }
    format!("imp{}", String::from_utf8_lossy(&letters))
}

fn b2mms(binary: &str, url: &str, args: &[&str]) -> Result<f64> {
    let started = Instant::now();
    let out = Command::new(binary)
        .args(args)
        .env("B2MMS_DATABASE_URL", url)
        .env("B2MMS_LOG", "warn")
        .output()
        .with_context(|| format!("running {binary}"))?;
    if !out.status.success() {
        bail!(
            "b2mms {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(started.elapsed().as_secs_f64())
}

/// Loads the demo into the empty database at `url`, then imports `people` people three times.
pub fn run(binary: &str, url: &str, people: usize, dir: &Path) -> Result<Timings> {
    let file = dir.join("import.csv");
    write_file(&file, people)?;
    let file = file.to_str().context("a temporary path in UTF-8")?;
    b2mms(binary, url, &["demo"])?;
    Ok(Timings {
        check: b2mms(binary, url, &["import", file])?,
        apply: b2mms(binary, url, &["import", "--apply", file])?,
        again: b2mms(binary, url, &["import", "--apply", file])?,
    })
}
