use std::process::ExitCode;

use clap::Parser;
use settlebridge::cli::{self, Cli};

/// Imports allocate on the parser's thread and free on the writer's; glibc's
/// allocator spends a third of an import's time on that, mimalloc does not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    restore_default_sigpipe();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SETTLEBRIDGE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    cli::run(Cli::parse()).await
}

/// Rust ignores SIGPIPE, so `settlebridge import … | head` would panic on the
/// closed pipe. A command-line tool should end quietly instead, as `cat`
/// does. Every write to the books is one transaction, so ending at any
/// point leaves them consistent.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
