//! Build tasks. `cargo run -p xtask -- web [OUT_DIR]` builds the web frontend to WebAssembly
//! (release profile `web`), runs wasm-bindgen as a library (so its version always matches the
//! `wasm-bindgen` crate in Cargo.lock) and writes `index.html` with content-hashed assets.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use sha2::{Digest, Sha256};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The most the gzipped WebAssembly may weigh.
const BUDGET_KIB: usize = 400;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("web") => web(args.get(1).map(PathBuf::from)),
        _ => {
            eprintln!("usage: cargo run -p xtask -- web [OUT_DIR]");
            eprintln!("  optimises with wasm-opt when it is on PATH or named by WASM_OPT,");
            eprintln!("  and fails when the gzipped WebAssembly exceeds {BUDGET_KIB} KiB");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The checkout this xtask runs for. `cargo run` says so at run time; the path compiled in is
/// only a fallback, since a build cache shared between checkouts may reuse this binary.
fn workspace_root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    Path::new(&manifest)
        .parent()
        .expect("xtask lives in the workspace")
        .to_owned()
}

fn short_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn gzipped_len(bytes: &[u8]) -> Result<usize> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes)?;
    Ok(enc.finish()?.len())
}

fn web(out: Option<PathBuf>) -> Result<()> {
    let root = workspace_root();
    let out = out.unwrap_or_else(|| root.join("frontend/dist"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .current_dir(&root)
        .args([
            "build",
            "-p",
            "b2mms-frontend",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            "web",
        ])
        .status()?;
    if !status.success() {
        return Err("building the frontend for wasm32 failed (is the wasm32-unknown-unknown target installed? `rustup target add wasm32-unknown-unknown`)".into());
    }
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { root.join(p) })
        .unwrap_or_else(|| root.join("target"));
    let wasm_in = target_dir.join("wasm32-unknown-unknown/web/b2mms-frontend.wasm");

    let staging = tempdir(&target_dir)?;
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm_in)
        .web(true)?
        .typescript(false)
        .out_name("b2mms")
        .generate(&staging)?;
    optimise(&staging.join("b2mms_bg.wasm"))?;
    let wasm = std::fs::read(staging.join("b2mms_bg.wasm"))?;
    let js = std::fs::read(staging.join("b2mms.js"))?;
    let css = std::fs::read(root.join("frontend/style.css"))?;

    let wasm_name = format!("b2mms_bg-{}.wasm", short_hash(&wasm));
    let js_name = format!("b2mms-{}.js", short_hash(&js));
    let css_name = format!("style-{}.css", short_hash(&css));
    let loader = format!(
        "import init from './{js_name}';\ninit({{ module_or_path: new URL('./{wasm_name}', import.meta.url) }});\n"
    );
    let loader_name = format!("start-{}.js", short_hash(loader.as_bytes()));
    let index = std::fs::read_to_string(root.join("frontend/index.html"))?
        .replace("{{style}}", &css_name)
        .replace("{{wasm}}", &wasm_name)
        .replace("{{loader}}", &loader_name);

    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join(&wasm_name), &wasm)?;
    std::fs::write(out.join(&js_name), &js)?;
    std::fs::write(out.join(&css_name), &css)?;
    std::fs::write(out.join(&loader_name), loader)?;
    std::fs::write(out.join("index.html"), index)?;
    std::fs::remove_dir_all(&staging)?;

    let gzipped = gzipped_len(&wasm)? / 1024;
    println!(
        "web frontend written to {}: wasm {} KiB ({gzipped} KiB gzipped, budget {BUDGET_KIB} KiB)",
        out.display(),
        wasm.len() / 1024,
    );
    if gzipped > BUDGET_KIB {
        return Err(format!(
            "the WebAssembly is {gzipped} KiB gzipped, over the budget of {BUDGET_KIB} KiB"
        )
        .into());
    }
    Ok(())
}

/// Shrinks the module with binaryen's `wasm-opt -Oz`, when it is available.
fn optimise(wasm: &Path) -> Result<()> {
    let program = std::env::var_os("WASM_OPT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("wasm-opt"));
    let optimised = wasm.with_extension("opt.wasm");
    let status = Command::new(&program)
        .arg("-Oz")
        .args([
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
            "--enable-mutable-globals",
            "--enable-reference-types",
            "--enable-multivalue",
        ])
        .arg(wasm)
        .arg("-o")
        .arg(&optimised)
        .status();
    match status {
        Ok(s) if s.success() => {
            std::fs::rename(&optimised, wasm)?;
            Ok(())
        }
        Ok(s) => Err(format!("wasm-opt failed ({s})").into()),
        Err(_) => {
            eprintln!(
                "xtask: wasm-opt not found (set WASM_OPT or install binaryen); the bundle is not optimised"
            );
            Ok(())
        }
    }
}

fn tempdir(base: &Path) -> Result<PathBuf> {
    let dir = base.join(format!("xtask-web-{}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
