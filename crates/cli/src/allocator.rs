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
                format!("glibc.malloc.arena_max={arenas}:glibc.malloc.mmap_threshold=131072"),
            )
            .env(TUNED, "1")
            .exec();
    }
}
