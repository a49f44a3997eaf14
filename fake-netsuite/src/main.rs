//! `fake-netsuite`: run the fake NetSuite REST server standalone (demo, manual testing).

use std::time::Duration;

use anyhow::{bail, Context};
use clap::Parser;
use fake_netsuite::{serve_until_ctrl_c, Catalog, FakeConfig, Faults, M2mClient, TbaCredentials};

#[derive(Parser, Debug)]
#[command(
    name = "fake-netsuite",
    version,
    about = "A local fake of NetSuite's SuiteTalk REST API"
)]
struct Args {
    /// Address to listen on (port 0 = any free port).
    #[arg(long, default_value = "127.0.0.1:8091")]
    listen: String,
    /// Account id; the OAuth 1.0a realm must equal it exactly (e.g. 123456_SB1).
    #[arg(long, default_value = "123456")]
    account_id: String,
    /// Base URL clients sign against / use as JWT audience prefix (default: http://<listen addr>).
    #[arg(long)]
    public_base_url: Option<String>,
    /// Catalog (accounts, periods, currencies, ...) as TOML; default: a built-in sample.
    #[arg(long, value_name = "FILE.toml")]
    catalog: Option<std::path::PathBuf>,
    /// TBA credentials CONSUMER_KEY:CONSUMER_SECRET:TOKEN_ID:TOKEN_SECRET (repeatable).
    #[arg(long, value_name = "CK:CS:TID:TS")]
    tba: Vec<String>,
    /// OAuth 2.0 M2M client CLIENT_ID:CERT_ID:PUBLIC_KEY_PEM_FILE (repeatable).
    #[arg(long, value_name = "CLIENT_ID:CERT_ID:PEM_FILE")]
    m2m: Vec<String>,
    /// Concurrency limit.
    #[arg(long, default_value_t = 5)]
    limit: usize,
    /// Maximum lines per journal entry.
    #[arg(long, default_value_t = 1000)]
    line_limit: usize,
    /// Access token lifetime, seconds.
    #[arg(long, default_value_t = 3600)]
    token_ttl_secs: u64,
    /// Latency added to every record / SuiteQL request, milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Probability (0..1) of answering a record write 500 UNEXPECTED_ERROR.
    #[arg(long, default_value_t = 0.0)]
    server_error_rate: f64,
    /// Probability (0..1) of committing a record write and then dropping the connection.
    #[arg(long, default_value_t = 0.0)]
    drop_rate: f64,
    /// Seed of the fault RNG.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

fn parse_tba(s: &str) -> anyhow::Result<TbaCredentials> {
    let parts: Vec<&str> = s.split(':').collect();
    let [ck, cs, tid, ts] = parts.as_slice() else {
        bail!("--tba expects CONSUMER_KEY:CONSUMER_SECRET:TOKEN_ID:TOKEN_SECRET");
    };
    Ok(TbaCredentials {
        consumer_key: ck.to_string(),
        consumer_secret: cs.to_string(),
        token_id: tid.to_string(),
        token_secret: ts.to_string(),
    })
}

fn parse_m2m(s: &str) -> anyhow::Result<M2mClient> {
    let mut it = s.splitn(3, ':');
    let (Some(client_id), Some(certificate_id), Some(file)) = (it.next(), it.next(), it.next())
    else {
        bail!("--m2m expects CLIENT_ID:CERT_ID:PUBLIC_KEY_PEM_FILE");
    };
    let public_key_pem =
        std::fs::read_to_string(file).with_context(|| format!("reading public key {file}"))?;
    Ok(M2mClient {
        client_id: client_id.to_string(),
        certificate_id: certificate_id.to_string(),
        public_key_pem,
    })
}

fn check_rate(name: &str, r: f64) -> anyhow::Result<f64> {
    if !(0.0..=1.0).contains(&r) {
        bail!("{name} must be between 0 and 1");
    }
    Ok(r)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let catalog = match &args.catalog {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading catalog {}", path.display()))?;
            toml::from_str::<Catalog>(&text)
                .with_context(|| format!("parsing catalog {}", path.display()))?
        }
        None => Catalog::sample(),
    };
    let config = FakeConfig {
        account_id: args.account_id,
        public_base_url: args.public_base_url,
        concurrency_limit: args.limit,
        line_limit: args.line_limit,
        tba: args
            .tba
            .iter()
            .map(|s| parse_tba(s))
            .collect::<anyhow::Result<_>>()?,
        m2m: args
            .m2m
            .iter()
            .map(|s| parse_m2m(s))
            .collect::<anyhow::Result<_>>()?,
        token_ttl: Duration::from_secs(args.token_ttl_secs),
        catalog,
        faults: Faults {
            latency: Duration::from_millis(args.latency_ms),
            server_error_rate: check_rate("--server-error-rate", args.server_error_rate)?,
            drop_after_commit_rate: check_rate("--drop-rate", args.drop_rate)?,
            seed: args.seed,
        },
    };
    serve_until_ctrl_c(config, &args.listen).await
}
