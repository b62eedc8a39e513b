//! The abscissa application: its configuration is Hermes' own `Config`, read from `<home>/config.toml`.

use std::path::PathBuf;
use std::sync::OnceLock;

use abscissa_core::application::{self, AppCell};
use abscissa_core::config::{self, CfgCell};
use abscissa_core::terminal::component::Terminal;
use abscissa_core::{Application, Component, FrameworkError};
use ibc_relayer::config::Config;

use crate::commands::EntryPoint;
use crate::home::Home;

pub static APP: AppCell<RelayerApp> = AppCell::new();

/// The relayer home chosen on the command line (set once, before any command runs).
static HOME: OnceLock<Home> = OnceLock::new();

#[derive(Debug, Default)]
pub struct RelayerApp {
    config: CfgCell<Config>,
    state: application::State<Self>,
}

impl Application for RelayerApp {
    type Cmd = EntryPoint;
    type Cfg = Config;
    type Paths = abscissa_core::StandardPaths;

    fn config(&self) -> config::Reader<Config> {
        self.config.read()
    }

    fn state(&self) -> &application::State<Self> {
        &self.state
    }

    fn register_components(&mut self, command: &Self::Cmd) -> Result<(), FrameworkError> {
        let _ = HOME.set(Home::new(command.home_dir()));
        // Terminal only: abscissa's tracing component logs to stdout, which would mix logs into `status --json`;
        // logs go to stderr (init_tracing below).
        init_tracing(command.log_level());
        let terminal: Box<dyn Component<Self>> = Box::new(Terminal::new(self.term_colors(command)));
        self.state.components_mut().register(vec![terminal])
    }

    fn after_config(&mut self, config: Self::Cfg) -> Result<(), FrameworkError> {
        // Hermes records metrics into a global registry; initialise it with the configured histogram buckets.
        let b = &config.telemetry.buckets;
        ibc_telemetry::init(
            b.latency_submitted.range.clone(),
            b.latency_submitted.buckets,
            b.latency_confirmed.range.clone(),
            b.latency_confirmed.buckets,
        );
        self.state.components_mut().after_config(&config)?;
        self.config.set_once(config);
        Ok(())
    }
}

/// `RUST_LOG` wins; otherwise the command's default level (see `EntryPoint::log_level`).
fn init_tracing(default: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

/// The relayer home of this invocation.
pub fn home() -> Home {
    HOME.get().cloned().unwrap_or_else(|| Home::new(None))
}

/// Hermes' configuration as loaded from `<home>/config.toml` (empty when there is none yet).
pub fn app_config() -> Config {
    (*APP.config()).clone()
}

/// Where `--home` points, for messages.
pub fn home_dir() -> PathBuf {
    home().dir
}
