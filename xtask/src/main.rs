//! Build tasks. `cargo run -p xtask -- web [OUT_DIR]` builds the web frontend to WebAssembly
//! (release profile `web`) twice, the member build and the staff build, runs wasm-bindgen as a
//! library (so its version always matches the `wasm-bindgen` crate in Cargo.lock) and writes
//! `index.html` and a start script that loads one of the builds, with content-hashed assets,
//! each beside its brotli (`.br`) and gzip (`.gz`) twin for the server to send as they are.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use sha2::{Digest, Sha256};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The most the member build's WebAssembly may weigh as browsers download it (its brotli twin),
/// in KiB: what applicants and members load.
const MEMBER_BUDGET_KIB: usize = 320;
/// The same for the staff build, loaded by people who hold a role.
const STAFF_BUDGET_KIB: usize = 500;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("web") => web(args.get(1).map(PathBuf::from)),
        _ => {
            eprintln!("usage: cargo run -p xtask -- web [OUT_DIR]");
            eprintln!("  optimises with wasm-opt when it is on PATH or named by WASM_OPT,");
            eprintln!(
                "  and fails when a build's WebAssembly exceeds its budget as downloaded (brotli):"
            );
            eprintln!("  member build {MEMBER_BUDGET_KIB} KiB, staff build {STAFF_BUDGET_KIB} KiB");
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

fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes)?;
    Ok(enc.finish()?)
}

fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out)
}

/// Writes a file of the bundle with its precompressed twins, each only where it is smaller
/// than the file itself.
fn write_with_twins(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    std::fs::write(dir.join(name), bytes)?;
    for (suffix, packed) in [("gz", gzip(bytes)?), ("br", brotli(bytes)?)] {
        if packed.len() < bytes.len() {
            std::fs::write(dir.join(format!("{name}.{suffix}")), packed)?;
        }
    }
    Ok(())
}

/// One of the two builds of the app: the member build every visitor loads first, and the staff
/// build (feature `staff`) with every page, loaded for people who hold a role.
struct Build {
    /// The name its files carry.
    name: &'static str,
    features: &'static [&'static str],
    /// The most its WebAssembly may weigh as browsers download it (the brotli twin), in KiB.
    budget_kib: usize,
}

const BUILDS: [Build; 2] = [
    Build {
        name: "b2mms",
        features: &[],
        budget_kib: MEMBER_BUDGET_KIB,
    },
    Build {
        name: "staff",
        features: &["staff"],
        budget_kib: STAFF_BUDGET_KIB,
    },
];

/// A build's files, named by content hash, as the loader imports them.
struct Built {
    js_name: String,
    wasm_name: String,
}

fn web(out: Option<PathBuf>) -> Result<()> {
    let root = workspace_root();
    let out = out.unwrap_or_else(|| root.join("frontend/dist"));
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { root.join(p) })
        .unwrap_or_else(|| root.join("target"));
    if out.exists() {
        std::fs::remove_dir_all(&out)?;
    }
    std::fs::create_dir_all(&out)?;

    let member = build(&root, &target_dir, &out, &BUILDS[0])?;
    let staff = build(&root, &target_dir, &out, &BUILDS[1])?;

    let css = std::fs::read(root.join("frontend/style.css"))?;
    let favicon = std::fs::read(root.join("frontend/favicon.svg"))?;
    let css_name = format!("style-{}.css", short_hash(&css));
    let favicon_name = format!("favicon-{}.svg", short_hash(&favicon));
    let loader = loader(&member, &staff);
    let loader_name = format!("start-{}.js", short_hash(loader.as_bytes()));
    let index = std::fs::read_to_string(root.join("frontend/index.html"))?
        .replace("{{style}}", &css_name)
        .replace("{{favicon}}", &favicon_name)
        .replace("{{loader}}", &loader_name);
    write_with_twins(&out, &css_name, &css)?;
    write_with_twins(&out, &favicon_name, &favicon)?;
    write_with_twins(&out, &loader_name, loader.as_bytes())?;
    write_with_twins(&out, "index.html", index.as_bytes())?;
    println!("web frontend written to {}", out.display());
    Ok(())
}

/// The start script: the staff build when the app last chose it (a flag in local storage that
/// the app sets when someone with a role signs in), the member build otherwise.
fn loader(member: &Built, staff: &Built) -> String {
    format!(
        "let staff = false;\n\
         try {{ staff = localStorage.getItem('b2mms.build') === 'staff'; }} catch (e) {{}}\n\
         const [js, wasm] = staff ? ['./{}', './{}'] : ['./{}', './{}'];\n\
         const {{ default: init }} = await import(js);\n\
         await init({{ module_or_path: new URL(wasm, import.meta.url) }});\n",
        staff.js_name, staff.wasm_name, member.js_name, member.wasm_name
    )
}

/// Compiles one build to WebAssembly, binds and optimises it, writes its files with their
/// twins, and checks its budget.
fn build(root: &Path, target_dir: &Path, out: &Path, build: &Build) -> Result<Built> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(&cargo);
    command.current_dir(root).args([
        "build",
        "-p",
        "b2mms-frontend",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "web",
    ]);
    if !build.features.is_empty() {
        command.args(["--features", &build.features.join(",")]);
    }
    if !command.status()?.success() {
        return Err("building the frontend for wasm32 failed (is the wasm32-unknown-unknown target installed? `rustup target add wasm32-unknown-unknown`)".into());
    }
    let wasm_in = target_dir.join("wasm32-unknown-unknown/web/b2mms-frontend.wasm");
    let staging = tempdir(target_dir)?;
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&wasm_in)
        .web(true)?
        .typescript(false)
        .out_name(build.name)
        .generate(&staging)?;
    let bg = staging.join(format!("{}_bg.wasm", build.name));
    optimise(&bg)?;
    let wasm = std::fs::read(&bg)?;
    let js = std::fs::read(staging.join(format!("{}.js", build.name)))?;
    std::fs::remove_dir_all(&staging)?;

    let built = Built {
        wasm_name: format!("{}_bg-{}.wasm", build.name, short_hash(&wasm)),
        js_name: format!("{}-{}.js", build.name, short_hash(&js)),
    };
    write_with_twins(out, &built.wasm_name, &wasm)?;
    write_with_twins(out, &built.js_name, &js)?;

    let size = |name: &str| std::fs::metadata(out.join(name)).map(|m| m.len() as usize / 1024);
    let (gzipped, downloaded) = (
        size(&format!("{}.gz", built.wasm_name))?,
        size(&format!("{}.br", built.wasm_name))?,
    );
    println!(
        "{} build: wasm {} KiB, downloaded as {downloaded} KiB with brotli ({gzipped} KiB \
         gzipped), budget {} KiB",
        build.name,
        wasm.len() / 1024,
        build.budget_kib,
    );
    if downloaded > build.budget_kib {
        return Err(format!(
            "the {} build's WebAssembly downloads as {downloaded} KiB (brotli), over its budget of {} KiB",
            build.name, build.budget_kib
        )
        .into());
    }
    Ok(built)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn twins_decode_to_the_file() {
        let dir = tempfile_dir();
        let text = "b2mms ".repeat(500);
        write_with_twins(&dir, "page.html", text.as_bytes()).unwrap();
        let mut from_gzip = String::new();
        flate2::read::GzDecoder::new(&std::fs::read(dir.join("page.html.gz")).unwrap()[..])
            .read_to_string(&mut from_gzip)
            .unwrap();
        let mut from_brotli = String::new();
        brotli::Decompressor::new(&std::fs::read(dir.join("page.html.br")).unwrap()[..], 4096)
            .read_to_string(&mut from_brotli)
            .unwrap();
        assert_eq!(from_gzip, text);
        assert_eq!(from_brotli, text);
        assert!(std::fs::metadata(dir.join("page.html.br")).unwrap().len() < 200);
        // A file too small to gain from compression has no twins.
        write_with_twins(&dir, "tiny.js", b"x").unwrap();
        assert!(!dir.join("tiny.js.gz").exists() && !dir.join("tiny.js.br").exists());
        std::fs::remove_dir_all(dir).unwrap();
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
