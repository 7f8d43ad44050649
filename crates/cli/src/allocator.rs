//! Process-level tuning of glibc's allocator, applied by re-executing this binary once with
//! `GLIBC_TUNABLES` set (glibc reads its tunables only at start-up, and setting them from
//! inside the process would need `unsafe` FFI, which this project does not use).
//!
//! Why (docs/PERFORMANCE.md, "Peak RSS"): by default glibc gives each thread that allocates
//! concurrently its own arena (up to 8 per core), and raises its mmap threshold to the size of
//! the largest block freed so far (up to 32 MiB), after which freed memory stays in the arenas
//! instead of going back to the system. An import or verify of a large ledger allocates on
//! five to a dozen threads (the pipeline's, rayon's, sled's): measured on the 643k-vote import
//! of the 1M benchmark, 401 MB peak RSS with the defaults, 257 MB with one arena per core
//! (at least two) and the threshold fixed at glibc's own default of 128 KiB, at the same speed.
//!
//! Nothing is changed when `GLIBC_TUNABLES` is already set (the user's choice wins), when
//! `ACTLEDGER_MALLOC=default`, on other platforms, or if the re-execution fails (the command
//! then runs untuned). The process keeps its pid, arguments, environment and open files.

/// Set in the re-executed process, so it does not re-execute again.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TUNED: &str = "ACTLEDGER_MALLOC_TUNED";

/// glibc's own default mmap threshold, fixed (see above).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: usize = 128 * 1024;

/// `monitor`'s: 1 MiB. Its mirror writes every event through sled's log, whose buffers are
/// one 512 KiB segment each, allocated afresh per segment (about 1,300 for a 1M catch-up),
/// and each batch of signatures checked allocates ~0.9 MB: above 128 KiB each of them is
/// mapped and zeroed by the kernel, page by page, then unmapped (measured on the 1M
/// catch-up: ~11% of the monitor's CPU in page faults; with 1 MiB, 1-2 s less CPU, mostly
/// system time, and ~90 MB more peak RSS, docs/PERFORMANCE.md "Monitor lane (2026-12-08)").
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MONITOR_MMAP_THRESHOLD: usize = 1024 * 1024;

/// The subcommand `args` (without the program's name) name: the first word that is not an
/// option or the value of a global option (`--ledger DIR`, `--wait SECS`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn subcommand(args: impl Iterator<Item = std::ffi::OsString>) -> Option<std::ffi::OsString> {
    let mut args = args;
    while let Some(a) = args.next() {
        if a == "--ledger" || a == "--wait" {
            args.next();
        } else if !a.to_string_lossy().starts_with('-') {
            return Some(a);
        }
    }
    None
}

/// Re-executes this binary with the tunables, unless it is already tuned or should not be.
/// Returns only if nothing was done (or the re-execution failed).
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::os::unix::process::CommandExt;
        let skip = std::env::var_os(TUNED).is_some()
            || std::env::var_os("GLIBC_TUNABLES").is_some()
            || std::env::var("ACTLEDGER_MALLOC").is_ok_and(|v| v == "default");
        if skip {
            return;
        }
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        let arenas = std::thread::available_parallelism().map_or(2, |n| n.get().max(2));
        let threshold = if subcommand(std::env::args_os().skip(1)).is_some_and(|c| c == "monitor") {
            MONITOR_MMAP_THRESHOLD
        } else {
            MMAP_THRESHOLD
        };
        let mut args = std::env::args_os();
        let mut cmd = std::process::Command::new(exe);
        if let Some(arg0) = args.next() {
            cmd.arg0(arg0);
        }
        // `exec` returns only if it failed; the command then runs as it is.
        let _failed = cmd
            .args(args)
            .env(
                "GLIBC_TUNABLES",
                format!("glibc.malloc.arena_max={arenas}:glibc.malloc.mmap_threshold={threshold}"),
            )
            .env(TUNED, "1")
            .exec();
    }
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::subcommand;

    fn sub(args: &[&str]) -> Option<String> {
        subcommand(args.iter().map(std::ffi::OsString::from))
            .map(|s| s.to_string_lossy().into_owned())
    }

    #[test]
    fn the_subcommand_is_found_past_the_global_options() {
        assert_eq!(sub(&["monitor", "http://x"]).as_deref(), Some("monitor"));
        assert_eq!(
            sub(&["--ledger", "monitor", "verify"]).as_deref(),
            Some("verify")
        );
        assert_eq!(
            sub(&["--wait", "5", "--ledger=d", "monitor"]).as_deref(),
            Some("monitor")
        );
        assert_eq!(sub(&["--help"]), None);
    }
}
