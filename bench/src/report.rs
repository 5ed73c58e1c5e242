//! The results table: each figure with the ceiling it is measured against, as markdown with
//! the machine's description, written to `bench/results/`.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Result;

use crate::load::Figures;

/// One line of the table.
pub struct Row {
    database: String,
    scenario: String,
    figure: String,
    ceiling: String,
    ratio: String,
}

fn number(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

impl Row {
    /// A figure without a ceiling (times, memory).
    pub fn plain(database: &str, scenario: &str, value: f64, unit: &str) -> Self {
        Self {
            database: database.to_owned(),
            scenario: scenario.to_owned(),
            figure: format!("{} {unit}", number(value)),
            ceiling: "—".into(),
            ratio: "—".into(),
        }
    }

    /// A duration against a target duration.
    pub fn time(database: &str, scenario: &str, seconds: f64, target_s: f64) -> Self {
        let mut row = Self::plain(database, scenario, seconds, "s");
        row.ceiling = format!("target: under {} s", number(target_s));
        row.ratio = format!("{:.2}", seconds / target_s);
        row
    }

    /// A rate and its latencies against a target latency rather than a ceiling.
    pub fn latency(database: &str, scenario: &str, figures: &Figures, p99_target_ms: f64) -> Self {
        let mut row = Self::against(database, scenario, figures, 0.0, "");
        row.ceiling = format!("target: p99 under {} ms", number(p99_target_ms));
        row.ratio = format!("{:.2}", figures.p99_ms / p99_target_ms);
        row
    }

    /// A rate next to its ceiling.
    pub fn against(
        database: &str,
        scenario: &str,
        figures: &Figures,
        ceiling: f64,
        ceiling_name: &str,
    ) -> Self {
        let failed = if figures.failed > 0 {
            format!(", {} failed", figures.failed)
        } else {
            String::new()
        };
        Self {
            database: database.to_owned(),
            scenario: scenario.to_owned(),
            figure: format!(
                "{}/s, p50 {} ms, p99 {} ms{failed}",
                number(figures.rate),
                number(figures.p50_ms),
                number(figures.p99_ms)
            ),
            ceiling: format!("{ceiling_name}: {}/s", number(ceiling)),
            ratio: if ceiling > 0.0 {
                format!("{:.2}", figures.rate / ceiling)
            } else {
                "—".into()
            },
        }
    }
}

/// The whole run.
pub struct Report {
    settings: String,
    ceilings: Vec<(String, f64, String)>,
    rows: Vec<Row>,
}

impl Report {
    pub fn new(settings: &str) -> Self {
        Self {
            settings: settings.to_owned(),
            ceilings: Vec::new(),
            rows: Vec::new(),
        }
    }

    pub fn ceiling(&mut self, name: &str, value: f64, unit: &str) {
        self.ceilings
            .push((name.to_owned(), value, unit.to_owned()));
    }

    pub fn row(&mut self, row: Row) {
        self.rows.push(row);
    }

    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Machine: {}  \nRun: {}\n", machine(), self.settings);
        let _ = writeln!(out, "| ceiling | measured |\n|---|---|");
        for (name, value, unit) in &self.ceilings {
            let _ = writeln!(out, "| {name} | {} {unit} |", number(*value));
        }
        let _ = writeln!(
            out,
            "\n| database | scenario | b2mms | ceiling in the same run | ratio |\n|---|---|---|---|---|"
        );
        for r in &self.rows {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                r.database, r.scenario, r.figure, r.ceiling, r.ratio
            );
        }
        out
    }

    /// Writes the table to `dir/<time>-<mode>.md`; its path.
    pub fn write(&self, dir: &str, mode: &str) -> Result<PathBuf> {
        std::fs::create_dir_all(dir)?;
        let path = PathBuf::from(dir).join(format!(
            "{}-{mode}.md",
            chrono::Utc::now().format("%Y-%m-%dT%H%M%SZ")
        ));
        std::fs::write(&path, self.markdown())?;
        Ok(path)
    }
}

/// Cores, processor and memory of this machine, from `/proc`.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown processor".into());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or_else(
            || "unknown memory".into(),
            |kib| format!("{:.1} GiB", kib / 1048576.0),
        );
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cores} cores, {model}, {memory}")
}
