//! The `tongbao` binary: parse the command line, call the library, map the error to a
//! documented exit code.

use clap::Parser;

fn main() {
    let cli = tongbao::cli::Cli::parse();
    if let Err(e) = tongbao::app::execute(cli) {
        for w in e.warnings() {
            tongbao::progress::log(&format!("tongbao: warning: {w}"));
        }
        for line in e.to_string().lines() {
            tongbao::progress::log(&format!("tongbao: error: {line}"));
        }
        std::process::exit(e.exit_code());
    }
}
