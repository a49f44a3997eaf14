//! `settlebridge serve` and `settlebridge user add|list|disable|enable|password`.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{anyhow, Context};

use super::Cli;
use crate::domain::access::{check_password_rules, Role, UserName};
use crate::store::LedgerStore;
use crate::web;

#[derive(clap::Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "SETTLEBRIDGE_LISTEN")]
    pub listen: SocketAddr,
    /// Send cookies without the Secure flag (plain HTTP beyond localhost;
    /// behind a TLS proxy leave it off).
    #[arg(long)]
    pub insecure_cookies: bool,
    /// Largest upload, in MiB (all files of one request).
    #[arg(long, default_value_t = 256)]
    pub max_upload_mib: usize,
    /// Hours a login lasts.
    #[arg(long, default_value_t = 8)]
    pub session_hours: i64,
    /// NetSuite configuration for the "post" button (default: netsuite.toml
    /// in the mappings directory, when present).
    #[arg(long)]
    pub netsuite_config: Option<PathBuf>,
}

#[derive(clap::Subcommand, Debug)]
pub enum UserCommand {
    /// Add a user; the password is read from standard input (one line).
    Add {
        name: String,
        #[arg(long)]
        role: String,
    },
    List,
    /// A new password from standard input; the user's sessions end.
    Password {
        name: String,
    },
    /// The user can no longer log in; their sessions end.
    Disable {
        name: String,
    },
    Enable {
        name: String,
    },
}

/// The web configuration a `serve` (or the demo) runs with.
pub fn web_config(cli: &Cli, args: &ServeArgs) -> anyhow::Result<web::WebConfig> {
    let mut config = web::WebConfig::new(cli.mappings.clone());
    config.secure_cookies = !args.insecure_cookies;
    config.max_upload_bytes = args.max_upload_mib.max(1) * 1024 * 1024;
    config.session_hours = args.session_hours.max(1);
    let netsuite_path = args
        .netsuite_config
        .clone()
        .unwrap_or_else(|| cli.mappings.join("netsuite.toml"));
    if netsuite_path.exists() || std::env::var_os("NETSUITE_ACCOUNT_ID").is_some() {
        match crate::netsuite::NetSuiteConfig::load(&netsuite_path) {
            Ok(c) => config.netsuite = Some(c),
            // The app is still useful without posting: say why the button is missing.
            Err(e) => eprintln!("posting to NetSuite is off in the web app: {e}"),
        }
    }
    Ok(config)
}

pub async fn serve(
    store: Arc<dyn LedgerStore>,
    config: web::WebConfig,
    listen: SocketAddr,
) -> anyhow::Result<ExitCode> {
    crate::workflow::stored_chart(store.as_ref()).await?;
    if store.users().await?.is_empty() {
        eprintln!(
            "no users yet: add one with `settlebridge user add NAME --role admin` (password on stdin)"
        );
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    println!("settlebridge is serving on http://{addr}/");
    let state = web::AppState::new(store, config);
    tokio::select! {
        r = web::serve(listener, state) => r?,
        _ = tokio::signal::ctrl_c() => println!("stopping"),
    }
    Ok(ExitCode::SUCCESS)
}

fn read_password() -> anyhow::Result<String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .context("cannot read the password from standard input")?;
    let password = text.lines().next().unwrap_or_default().to_string();
    check_password_rules(&password)?;
    Ok(password)
}

pub async fn user(
    cli: &Cli,
    store: &dyn LedgerStore,
    action: &UserCommand,
) -> anyhow::Result<ExitCode> {
    let actor = cli.actor();
    match action {
        UserCommand::Add { name, role } => {
            let name = UserName::parse(name)?;
            let role: Role = role.parse()?;
            let password = read_password()?;
            let hash = web::hash_password(&password).map_err(|e| anyhow!("{e}"))?;
            store.create_user(name.as_str(), role, &hash).await?;
            super::audit(
                store,
                &actor,
                "user.add",
                Some(name.as_str()),
                Some(role.as_str()),
            )
            .await;
            println!("user {name} added as {role}");
        }
        UserCommand::List => {
            for u in store.users().await? {
                println!(
                    "{}\t{}\t{}",
                    u.name,
                    u.role,
                    if u.disabled_at.is_some() {
                        "disabled"
                    } else {
                        "active"
                    }
                );
            }
        }
        UserCommand::Password { name } => {
            let password = read_password()?;
            let hash = web::hash_password(&password).map_err(|e| anyhow!("{e}"))?;
            store.set_user_password(name, &hash).await?;
            super::audit(
                store,
                &actor,
                "user.change",
                Some(name),
                Some("password reset"),
            )
            .await;
            println!("password of {name} changed; their sessions ended");
        }
        UserCommand::Disable { name } | UserCommand::Enable { name } => {
            let disable = matches!(action, UserCommand::Disable { .. });
            store.set_user_disabled(name, disable).await?;
            let what = if disable { "disabled" } else { "enabled" };
            super::audit(store, &actor, "user.change", Some(name), Some(what)).await;
            println!("user {name} {what}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
