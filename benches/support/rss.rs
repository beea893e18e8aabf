//! Peak resident memory of this process, for the benchmarks that measure a load in a child process.

/// VmHWM from `/proc/self/status`, in bytes (0 where the kernel does not say).
pub fn peak_rss_bytes() -> u64 {
    status_bytes("VmHWM:")
}

/// VmRSS (resident now) from `/proc/self/status`, in bytes (0 where the kernel does not say).
#[allow(dead_code)] // not every bench that includes this file reads it
pub fn rss_bytes() -> u64 {
    status_bytes("VmRSS:")
}

fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

/// Run this benchmark's own binary with `args` (its child mode) and return the last line it printed; a failed
/// child fails the benchmark with its stderr.
pub fn run_self(args: &[String]) -> String {
    let exe = std::env::current_exe().expect("current exe");
    let out = std::process::Command::new(exe)
        .args(args)
        .output()
        .expect("spawn child");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or("")
        .to_string()
}
