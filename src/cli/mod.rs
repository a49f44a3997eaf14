//! The `settlebridge` command line. Each subcommand is a thin edge: parse
//! arguments, call the library, print for people (or JSON for machines).

mod demo;
mod entry_cmd;
mod import_cmd;
mod ledger_cmd;
mod mappings_cmd;
mod netsuite_cmd;
mod reconcile_cmd;
mod report_cmd;
mod table;
mod web_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::export::JournalFormat;
use crate::store::{self, LedgerStore, DEFAULT_DATABASE_URL};

#[derive(Parser)]
#[command(
    name = "settlebridge",
    version,
    about = "Channel settlements to a double-entry ledger and NetSuite"
)]
pub struct Cli {
    /// Database URL: sqlite://FILE (the default, in the working directory) or postgres://…
    #[arg(long, global = true, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, hide_env_values = true)]
    pub db: String,

    /// Directory with accounts.toml and the mapping files.
    #[arg(
        long,
        global = true,
        env = "SETTLEBRIDGE_MAPPINGS",
        default_value = "gl-mappings"
    )]
    pub mappings: PathBuf,

    /// Who is acting, recorded on every entry and period change.
    #[arg(long, global = true, env = "SETTLEBRIDGE_ACTOR")]
    pub actor: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create or migrate the database and load the chart of accounts.
    Init,
    /// Re-check the hash chain, every entry's balance, the global balance and period seals.
    Verify {
        #[arg(long)]
        json: bool,
    },
    /// Balances per account and currency.
    TrialBalance {
        /// Opening, activity and closing for one month (YYYY-MM).
        #[arg(long, conflicts_with = "as_of")]
        period: Option<String>,
        /// Balances at the end of this day (YYYY-MM-DD).
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
        format: OutputFormat,
    },
    /// Close or reopen an accounting period.
    Period {
        #[command(subcommand)]
        action: PeriodCommand,
    },
    /// Write the journal for other tools.
    Export {
        #[command(subcommand)]
        what: ExportCommand,
    },
    /// Post, reverse or show single journal entries.
    Entry {
        #[command(subcommand)]
        action: EntryCommand,
    },
    /// Import channel files (settlement reports); each file all or nothing.
    Import {
        /// The shop the files belong to (a name from gl-mappings/shops.toml;
        /// without it, the only configured shop of each file's channel).
        #[arg(long)]
        shop: Option<String>,
        /// The bank account (a name from gl-mappings/banks.toml) for bank
        /// statements; camt.053 and OFX files are otherwise routed by the
        /// account they name. A bank CSV always needs it.
        #[arg(long)]
        bank: Option<String>,
        /// The file format, when detection by header is not enough.
        #[arg(long, value_enum)]
        source: Option<crate::importer::SourceKind>,
        /// Book unknown amount types to adjustment.unclassified for review instead of stopping.
        #[arg(long)]
        accept_unclassified: bool,
        /// Only import; do not match and book afterwards (run `reconcile` later).
        #[arg(long)]
        no_reconcile: bool,
        #[arg(long)]
        json: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Match settlement lines to orders and payouts, and book the ledger.
    /// Re-running books nothing new; changed records are reversed and re-booked.
    Reconcile {
        /// Only this shop.
        #[arg(long)]
        shop: Option<String>,
        /// Only entries dated in this month (YYYY-MM).
        #[arg(long)]
        period: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Reports over the books.
    Report {
        #[command(subcommand)]
        what: ReportCommand,
    },
    /// Follow an order or a payout from its source rows to its postings.
    Trail {
        #[command(subcommand)]
        what: TrailCommand,
    },
    /// Check the component → account mapping files (gl-mappings/<channel>.toml).
    Mappings {
        #[command(subcommand)]
        action: MappingsCommand,
    },
    /// Send the books to another system.
    Post {
        #[command(subcommand)]
        to: PostCommand,
    },
    /// Write a fresh demo database (not the one --db names), show its books,
    /// and serve the web app on it with a demo user per role.
    Demo {
        /// The SQLite file to (re)create.
        #[arg(long, default_value = "settlebridge-demo.db")]
        file: PathBuf,
        /// Only write the database and print; do not serve.
        #[arg(long)]
        no_serve: bool,
        /// Address to serve on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
    },
    /// Serve the web app: accountants upload and close, auditors follow trails.
    Serve(web_cmd::ServeArgs),
    /// Web app users: add (password on stdin), list, password, disable, enable.
    User {
        #[command(subcommand)]
        action: web_cmd::UserCommand,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Table,
    Csv,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum PostCommand {
    /// Post pending ledger entries to NetSuite as journal entries, exactly once.
    /// Reads gl-mappings/netsuite.toml and NETSUITE_* variables (secrets only there).
    Netsuite {
        /// Only entries dated in this month (YYYY-MM).
        #[arg(long)]
        period: Option<String>,
        /// Check against NetSuite and print the bodies; queue and post nothing.
        #[arg(long)]
        dry_run: bool,
        /// Requests in flight at once (default: netsuite.toml, else 5 — the smallest NetSuite limit).
        #[arg(long)]
        concurrency: Option<usize>,
        /// Also resend documents NetSuite refused before (after fixing the cause).
        #[arg(long)]
        retry_failed: bool,
        /// The configuration file (default: netsuite.toml in the mappings directory).
        #[arg(long)]
        config: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum MappingsCommand {
    /// Validate the mapping files against the chart and list every component
    /// of the imported data that has no account; exit 1 if there is any.
    Check {
        #[arg(long)]
        json: bool,
    },
    /// Show which entries and amounts a reconcile with the mapping files as
    /// they are now would move (edit a file, diff, then reconcile); writes nothing.
    Diff {
        #[arg(long)]
        shop: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// The month-end close report per shop: sales, fees, payouts, the clearing
    /// roll-forward and its proof, unsettled orders aged, exceptions.
    Close {
        /// The month (YYYY-MM).
        #[arg(long)]
        period: String,
        #[arg(long)]
        shop: Option<String>,
        #[arg(long, value_enum, default_value_t = CloseFormat::Table)]
        format: CloseFormat,
        /// Write to this file (required for xlsx).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// List every orphan line, variance and fee overcharge, not only the
        /// first 200 of each per shop (reads the records again: slower).
        #[arg(long)]
        all_exceptions: bool,
    },
    /// The bank section of the close per bank account (banks.toml): deposits
    /// matched, lines the ledger does not carry, and the bank GL account
    /// tied to the statement's closing balance.
    Bank {
        /// The month (YYYY-MM).
        #[arg(long)]
        period: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CloseFormat {
    Table,
    Csv,
    Json,
    Xlsx,
}

#[derive(Subcommand, Debug)]
pub enum TrailCommand {
    /// An order: export rows, settlement lines, entries, postings, payouts.
    Order {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// A payout: its statements' lines and its entries.
    Payout {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum PeriodCommand {
    /// Close a month: no entry may be dated in it until it is reopened.
    Close { period: String },
    /// Reopen a closed month; the reason is recorded.
    Reopen {
        period: String,
        #[arg(long)]
        reason: String,
    },
    /// Periods that were ever closed, and their state.
    List,
}

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// The ledger's entries: hledger, beancount or CSV.
    Journal {
        #[arg(long, value_enum)]
        format: JournalFormat,
        /// Only entries dated in this month (YYYY-MM).
        #[arg(long)]
        period: Option<String>,
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum EntryCommand {
    /// Post entries from a JSON file (one entry or a list); `-` reads stdin.
    Post { file: PathBuf },
    /// Reverse an entry; the mirror entry links to it.
    Reverse {
        /// The entry's number (its sequence).
        id: i64,
        #[arg(long)]
        reason: String,
        /// Date of the reversal (YYYY-MM-DD); by default the original's, or the
        /// first day of the first open period if the original's is closed.
        #[arg(long)]
        date: Option<String>,
    },
    /// Show an entry with its postings and hashes.
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
}

impl Cli {
    pub fn actor(&self) -> String {
        self.actor.clone().unwrap_or_else(|| {
            let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
            format!("cli:{user}")
        })
    }
}

/// Records what a command did in the audit log the web app shows. A
/// failure to write it is reported, not fatal: the work itself is done.
pub(crate) async fn audit(
    store: &dyn LedgerStore,
    actor: &str,
    action: &str,
    subject: Option<&str>,
    detail: Option<&str>,
) {
    let record = crate::store::NewAudit {
        actor,
        action,
        subject,
        detail,
        remote: Some("cli"),
    };
    if let Err(e) = store.record_audit(record).await {
        eprintln!("warning: could not write the audit log: {e}");
    }
}

/// Runs a parsed command line; errors are printed for people here.
pub async fn run(cli: Cli) -> ExitCode {
    match dispatch(&cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

async fn open(cli: &Cli) -> anyhow::Result<Box<dyn LedgerStore>> {
    store::connect(&cli.db)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", store::redact_url(&cli.db)))
}

async fn dispatch(cli: &Cli) -> anyhow::Result<ExitCode> {
    if let Command::Demo {
        file,
        no_serve,
        listen,
    } = &cli.command
    {
        return demo::run(cli, file, (!*no_serve).then_some(*listen)).await;
    }
    if let Command::Serve(args) = &cli.command {
        let store: std::sync::Arc<dyn LedgerStore> = std::sync::Arc::from(open(cli).await?);
        let config = web_cmd::web_config(cli, args)?;
        let result = web_cmd::serve(store.clone(), config, args.listen).await;
        store.close().await;
        return result;
    }
    let store = open(cli).await?;
    let result = run_command(cli, store.as_ref()).await;
    store.close().await;
    result
}

async fn run_command(cli: &Cli, store: &dyn LedgerStore) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Init => ledger_cmd::init(cli, store).await,
        Command::Verify { json } => ledger_cmd::verify(store, *json).await,
        Command::TrialBalance {
            period,
            as_of,
            format,
        } => ledger_cmd::trial_balance(store, period.as_deref(), as_of.as_deref(), *format).await,
        Command::Period { action } => ledger_cmd::period(cli, store, action).await,
        Command::Export {
            what:
                ExportCommand::Journal {
                    format,
                    period,
                    output,
                },
        } => {
            ledger_cmd::export_journal(cli, store, *format, period.as_deref(), output.as_deref())
                .await
        }
        Command::Entry { action } => entry_cmd::run(cli, store, action).await,
        Command::Import {
            shop,
            bank,
            source,
            accept_unclassified,
            no_reconcile,
            json,
            files,
        } => {
            let args = import_cmd::ImportArgs {
                shop: shop.as_deref(),
                bank: bank.as_deref(),
                source: *source,
                accept_unclassified: *accept_unclassified,
                reconcile: !*no_reconcile,
                json: *json,
                files,
            };
            import_cmd::run(cli, store, args).await
        }
        Command::Report {
            what:
                ReportCommand::Close {
                    period,
                    shop,
                    format,
                    output,
                    all_exceptions,
                },
        } => {
            report_cmd::close(
                cli,
                store,
                period,
                shop.as_deref(),
                *format,
                output.as_deref(),
                *all_exceptions,
            )
            .await
        }
        Command::Report {
            what: ReportCommand::Bank { period, json },
        } => report_cmd::bank(cli, store, period, *json).await,
        Command::Trail {
            what: TrailCommand::Order { id, json },
        } => report_cmd::trail(cli, store, "order", id, *json).await,
        Command::Trail {
            what: TrailCommand::Payout { id, json },
        } => report_cmd::trail(cli, store, "payout", id, *json).await,
        Command::Reconcile { shop, period, json } => {
            reconcile_cmd::run(cli, store, shop.as_deref(), period.as_deref(), *json).await
        }
        Command::Mappings {
            action: MappingsCommand::Check { json },
        } => mappings_cmd::check(cli, store, *json).await,
        Command::Mappings {
            action: MappingsCommand::Diff { shop, json },
        } => mappings_cmd::diff(cli, store, shop.as_deref(), *json).await,
        Command::Post {
            to:
                PostCommand::Netsuite {
                    period,
                    dry_run,
                    concurrency,
                    retry_failed,
                    config,
                    json,
                },
        } => {
            netsuite_cmd::post(
                cli,
                store,
                netsuite_cmd::PostArgs {
                    period: period.as_deref(),
                    dry_run: *dry_run,
                    concurrency: *concurrency,
                    retry_failed: *retry_failed,
                    config: config.as_deref(),
                    json: *json,
                },
            )
            .await
        }
        Command::Demo { .. } | Command::Serve(_) => unreachable!("handled above"),
        Command::User { action } => web_cmd::user(cli, store, action).await,
    }
}
