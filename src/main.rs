//! `iam-atlas`: dispatch only.

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;
use iam_atlas::cli::Cli;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        #[cfg(feature = "gui")]
        None => iam_atlas::app::run(Vec::new()),
        #[cfg(feature = "gui")]
        Some(iam_atlas::cli::Command::Open { files }) => iam_atlas::app::run(files),
        #[cfg(not(feature = "gui"))]
        None => {
            eprintln!("error: the GUI is not built into this binary; try `iam-atlas --help`");
            2
        }
        Some(command) => {
            iam_atlas::cli::run(command, &mut std::io::stdout(), &mut std::io::stderr())
        }
    };
    std::process::ExitCode::from(code.clamp(0, 255) as u8)
}
