//! Configuration: the TOML file parsed once into a validated, immutable
//! [`Config`]. Pure except [`Config::load`], which reads the file.
//!
//! Two layers, as in ripgrep's low/high args: `Raw*` structs are exactly
//! what the file says (`deny_unknown_fields`, so a typo is an error, not a
//! silently ignored key); [`Config`] holds checked values only. Every error
//! names the key it is about. A file holding only `[paths]` is complete.

use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A configuration error. The daemon exits with status 78 (`EX_CONFIG`)
/// on any of these, so systemd does not restart-loop.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be read. The cause is the error's `source`.
    #[error("cannot read config file {path}")]
    Read {
        /// The config file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown keys or wrong types.
    #[error("config file {path}: {message}")]
    Parse {
        /// The config file.
        path: PathBuf,
        /// The TOML parser's message, which names the key and line.
        message: String,
    },
    /// A value is out of range or inconsistent.
    #[error("config key `{key}`: {reason}")]
    Invalid {
        /// The dotted key, e.g. `intake.max_file_bytes`.
        key: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// No `--config`, no `SHINGLED_CONFIG` and no file at [`DEFAULT_PATH`].
    #[error(
        "no config file: pass --config FILE, set SHINGLED_CONFIG=FILE, or install one at {DEFAULT_PATH}"
    )]
    NotFound,
}

/// The config of an installed system, used when neither `--config` nor
/// `SHINGLED_CONFIG` names one.
pub const DEFAULT_PATH: &str = "/etc/shingled/shingled.toml";

/// Where the config file came from (printed by the commands that write).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `--config FILE`.
    Flag,
    /// The `SHINGLED_CONFIG` environment variable.
    Env,
    /// [`DEFAULT_PATH`].
    Default,
}

impl Origin {
    /// How the origin is named in messages.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Flag => "--config",
            Origin::Env => "SHINGLED_CONFIG",
            Origin::Default => "the default path",
        }
    }
}

/// Picks the config file: `--config`, else `SHINGLED_CONFIG` (when set and
/// not empty), else [`DEFAULT_PATH`] when `default_exists` says it exists.
/// Pure: the caller reads the environment and the filesystem.
///
/// # Errors
/// [`Error::NotFound`] when none applies.
pub fn locate(
    flag: Option<PathBuf>,
    env: Option<std::ffi::OsString>,
    default_exists: impl FnOnce(&Path) -> bool,
) -> Result<(PathBuf, Origin), Error> {
    if let Some(p) = flag {
        return Ok((p, Origin::Flag));
    }
    if let Some(p) = env.filter(|p| !p.is_empty()) {
        return Ok((PathBuf::from(p), Origin::Env));
    }
    let d = Path::new(DEFAULT_PATH);
    if default_exists(d) {
        return Ok((d.to_path_buf(), Origin::Default));
    }
    Err(Error::NotFound)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    paths: RawPaths,
    #[serde(default)]
    intake: RawIntake,
    #[serde(default)]
    commit: RawCommit,
    #[serde(default)]
    store: RawStore,
    #[serde(default)]
    dedup: RawDedup,
    #[serde(default)]
    api: RawApi,
    #[serde(default)]
    log: RawLog,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPaths {
    drop: PathBuf,
    archive: PathBuf,
    quarantine: PathBuf,
    store: PathBuf,
    #[serde(default)]
    create_missing: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawIntake {
    max_file_bytes: u64,
    max_blocks_per_file: usize,
    settle_ms: u64,
    rescan_interval_s: u64,
    queue_capacity: usize,
}

impl Default for RawIntake {
    fn default() -> Self {
        RawIntake {
            max_file_bytes: 16 * 1024 * 1024,
            max_blocks_per_file: DEFAULT_MAX_BLOCKS_PER_FILE,
            settle_ms: 2_000,
            rescan_interval_s: 60,
            queue_capacity: 256,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawCommit {
    group_max_files: usize,
    group_max_wait_ms: u64,
}

impl Default for RawCommit {
    fn default() -> Self {
        RawCommit {
            group_max_files: 128,
            group_max_wait_ms: 5,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawStore {
    cache_capacity_mb: u64,
}

impl Default for RawStore {
    fn default() -> Self {
        RawStore {
            cache_capacity_mb: 128,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawDedup {
    shingle_words: usize,
    window: usize,
    min_fuzzy_words: usize,
    revision_jaccard: f64,
    containment: f64,
    min_containment_shingles: usize,
    quote_max_share: f64,
    numbers_min_words: usize,
    max_postings: usize,
    max_verify: usize,
    payload_cache_mb: usize,
    article_duplicate: f64,
    article_update: f64,
    article_update_same_title: f64,
    article_min_evidence_words: usize,
    boilerplate_min_articles: u32,
    boilerplate_min_articles_long: u32,
}

impl Default for RawDedup {
    fn default() -> Self {
        let d = DedupParams::default();
        RawDedup {
            shingle_words: d.shingle_words,
            window: d.window,
            min_fuzzy_words: d.min_fuzzy_words,
            revision_jaccard: d.revision_jaccard,
            containment: d.containment,
            min_containment_shingles: d.min_containment_shingles,
            quote_max_share: d.quote_max_share,
            numbers_min_words: d.numbers_min_words,
            max_postings: d.max_postings,
            max_verify: d.max_verify,
            payload_cache_mb: d.payload_cache_mb,
            article_duplicate: d.article_duplicate,
            article_update: d.article_update,
            article_update_same_title: d.article_update_same_title,
            article_min_evidence_words: d.article_min_evidence_words,
            boilerplate_min_articles: d.boilerplate_min_articles,
            boilerplate_min_articles_long: d.boilerplate_min_articles_long,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawApi {
    socket: Option<PathBuf>,
    tcp: Option<String>,
    allow_remote: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawLog {
    format: String,
    level: String,
    summary_interval_s: u64,
}

impl Default for RawLog {
    fn default() -> Self {
        RawLog {
            format: "auto".into(),
            level: "info".into(),
            summary_interval_s: 60,
        }
    }
}

/// The four folders and the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// Where producers rename finished files in.
    pub drop: PathBuf,
    /// Where ingested files are moved (date folders).
    pub archive: PathBuf,
    /// Where rejected files are moved, each with a `NAME.error.json`.
    pub quarantine: PathBuf,
    /// The sled store directory.
    pub store: PathBuf,
    /// The API's unix socket (default: `shingled.sock` inside `store`).
    pub socket: PathBuf,
    /// The instance lock file (always `shingled.lock` inside `store`).
    pub lock: PathBuf,
    /// Whether `run` may create missing folders (`paths.create_missing`).
    /// Off by default, so a typo in a path is an error, not a new empty
    /// folder the daemon then watches forever.
    pub create_missing: bool,
}

impl Paths {
    /// The three folders, with their keys.
    fn folders(&self) -> [(&'static str, &Path); 3] {
        [
            ("paths.drop", &self.drop),
            ("paths.archive", &self.archive),
            ("paths.quarantine", &self.quarantine),
        ]
    }

    /// Checks the configured places against the filesystem without
    /// changing it: the drop, archive and quarantine folders exist (or
    /// `create_missing` allows creating them), and the store folder exists
    /// or its parent does (the store is created inside an existing
    /// folder). `check-config` and `run` call this.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the key and the path.
    pub fn check(&self) -> Result<(), Error> {
        for (key, dir) in self.folders() {
            match std::fs::metadata(dir) {
                Ok(m) if m.is_dir() => {}
                Ok(_) => return Err(invalid(key, format!("{} is not a folder", dir.display()))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if !self.create_missing {
                        return Err(invalid(
                            key,
                            format!(
                                "the folder {} does not exist; create it, correct the path, or set                                  `paths.create_missing = true` to have it created",
                                dir.display()
                            ),
                        ));
                    }
                }
                Err(e) => return Err(invalid(key, format!("{}: {e}", dir.display()))),
            }
        }
        match std::fs::metadata(&self.store) {
            // Something is there: opening the store says what is wrong
            // with it (not a folder, damaged, another build's), with the
            // OS cause and the way out.
            Ok(_) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let parent = match self.store.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p,
                    _ => Path::new("."),
                };
                if self.create_missing || parent.is_dir() {
                    Ok(())
                } else {
                    Err(invalid(
                        "paths.store",
                        format!(
                            "the store {} does not exist and neither does its parent folder {};                              correct the path, create the parent, or set                              `paths.create_missing = true`",
                            self.store.display(),
                            parent.display()
                        ),
                    ))
                }
            }
            Err(e) => Err(invalid(
                "paths.store",
                format!("{}: {e}", self.store.display()),
            )),
        }
    }

    /// [`Paths::check`], then creates the missing folders it allows (for
    /// `run`). A folder that cannot be created is a configuration error
    /// too, naming the key.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the key and the path.
    pub fn prepare(&self) -> Result<(), Error> {
        self.check()?;
        for (key, dir) in self.folders() {
            std::fs::create_dir_all(dir)
                .map_err(|e| invalid(key, format!("cannot create {}: {e}", dir.display())))?;
        }
        if std::fs::symlink_metadata(&self.store).is_ok() {
            // there already; opening the store judges it
            return Ok(());
        }
        let create = if self.create_missing {
            std::fs::create_dir_all(&self.store)
        } else {
            std::fs::create_dir(&self.store)
        };
        create.map_err(|e| {
            invalid(
                "paths.store",
                format!("cannot create {}: {e}", self.store.display()),
            )
        })
    }
}

/// The default of `[intake] max_blocks_per_file`. A long news article has
/// a few hundred blocks; commit costs about 5 KiB of memory per block of one
/// file (docs/RELIABILITY.md, F2), so this bounds one file to ~100 MiB there.
pub const DEFAULT_MAX_BLOCKS_PER_FILE: usize = 20_000;

/// How files are taken from the drop folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intake {
    /// Files larger than this are quarantined (`too_large`) unread.
    pub max_file_bytes: u64,
    /// Files that normalize to more blocks than this (all kinds, all
    /// stories) are quarantined (`too_many_blocks`) before commit.
    pub max_blocks_per_file: usize,
    /// A file written in place is taken only once its size and mtime have
    /// been unchanged for this long.
    pub settle: Duration,
    /// Full reconcile scan of the drop folder at this interval; events are
    /// only hints.
    pub rescan_interval: Duration,
    /// Capacity of the bounded queue between intake and commit.
    pub queue_capacity: usize,
}

/// Group commit: how many files may share one sled flush.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// At most this many files per flush.
    pub group_max_files: usize,
    /// How long the writer waits for more files before flushing a group.
    pub group_max_wait: Duration,
}

/// Store tuning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreConfig {
    /// sled page cache in bytes (sled's default of 1 GiB is too much for a
    /// daemon that shares a machine).
    pub cache_capacity: u64,
}

/// Near-duplicate parameters. Those marked *stored* shape the index and are
/// recorded in the store; changing them asks for `shingled reindex`.
#[derive(Debug, Clone, PartialEq)]
pub struct DedupParams {
    /// Words per shingle (stored).
    pub shingle_words: usize,
    /// Winnowing window in shingles (stored).
    pub window: usize,
    /// Blocks with fewer normalized words never fuzzy-match (stored).
    pub min_fuzzy_words: usize,
    /// Jaccard on shingle sets at or above which two blocks are revisions.
    pub revision_jaccard: f64,
    /// Containment at or above which one block extends/truncates/contains
    /// the other.
    pub containment: f64,
    /// The smaller side needs at least this many shingles for containment.
    pub min_containment_shingles: usize,
    /// A contained block smaller than this share of its container is a
    /// quote (`contained`), not an older copy (`truncation`).
    pub quote_max_share: f64,
    /// Blocks that conflict on numbers (each states a number the other
    /// lacks) never fuzzy-match when the smaller has fewer words than this;
    /// longer ones can only be revisions.
    pub numbers_min_words: usize,
    /// Fingerprints held by more blocks than this are skipped when looking
    /// for candidates (too common to discriminate).
    pub max_postings: usize,
    /// At most this many candidates (most shared fingerprints first) are
    /// verified per block.
    pub max_verify: usize,
    /// Memory (MiB) for the writer's cache of decoded shingle payloads, the
    /// near-duplicate tier's verification reads; 0 reads every payload from
    /// the store. Speed only: no decision depends on it.
    pub payload_cache_mb: usize,
    /// Share of a story's content (by words) already in one article, with
    /// nothing revised, at or above which the story is a duplicate of it.
    pub article_duplicate: f64,
    /// Share of a story's content (or of the article's) linked to one
    /// article at or above which the story is a new version of it.
    pub article_update: f64,
    /// The same for a story under the article's own title (a re-edit keeps
    /// its headline; a rewrite elsewhere rarely does).
    pub article_update_same_title: f64,
    /// An update needs linked long blocks of at least this many words, or
    /// the same title (weak links between tiny stories are templates).
    pub article_min_evidence_words: usize,
    /// A short block (fewer than `min_fuzzy_words` words) seen in at least
    /// this many distinct articles becomes known boilerplate.
    pub boilerplate_min_articles: u32,
    /// The same for longer blocks, which are more often a stock paragraph
    /// (content) than chrome.
    pub boilerplate_min_articles_long: u32,
}

impl Default for DedupParams {
    fn default() -> Self {
        DedupParams {
            shingle_words: 3,
            window: 4,
            min_fuzzy_words: 10,
            revision_jaccard: 0.6,
            containment: 0.9,
            min_containment_shingles: 8,
            quote_max_share: 0.5,
            numbers_min_words: 40,
            max_postings: 1000,
            max_verify: 16,
            payload_cache_mb: 64,
            article_duplicate: 0.9,
            article_update: 0.5,
            article_update_same_title: 0.35,
            article_min_evidence_words: 20,
            boilerplate_min_articles: 5,
            boilerplate_min_articles_long: 20,
        }
    }
}

/// The local API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Api {
    /// Optional TCP listener (for Prometheus), e.g. `127.0.0.1:9187`.
    /// Loopback only, unless `allow_remote` is set.
    pub tcp: Option<std::net::SocketAddr>,
    /// The operator's explicit opt-in to a `tcp` address beyond this
    /// machine (`[api] allow_remote = true`).
    pub allow_remote: bool,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// journald under systemd, human text on a terminal, JSON otherwise.
    Auto,
    /// Human-readable text on stderr.
    Text,
    /// JSON lines on stderr.
    Json,
    /// The systemd journal (falls back to stderr text if absent).
    Journald,
}

/// Logging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Log {
    /// Output format.
    pub format: LogFormat,
    /// A tracing filter directive, e.g. `info` or `shingled=debug`.
    pub level: String,
    /// Interval of the periodic summary line.
    pub summary_interval: Duration,
}

/// The validated configuration. Immutable; share it as `Arc<Config>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Folders and the store.
    pub paths: Paths,
    /// Intake.
    pub intake: Intake,
    /// Group commit.
    pub commit: Commit,
    /// Store tuning.
    pub store: StoreConfig,
    /// Near-duplicate parameters.
    pub dedup: DedupParams,
    /// The local API.
    pub api: Api,
    /// Logging.
    pub log: Log,
}

impl Config {
    /// Reads and validates the file at `path`.
    ///
    /// # Errors
    /// [`Error`] naming the file, or the key at fault.
    pub fn load(path: &Path) -> Result<Config, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::from_toml(&text).map_err(|e| match e {
            Error::Parse { message, .. } => Error::Parse {
                path: path.to_path_buf(),
                message,
            },
            other => other,
        })
    }

    /// Parses and validates TOML text. Pure.
    ///
    /// # Errors
    /// [`Error::Parse`] or [`Error::Invalid`].
    pub fn from_toml(text: &str) -> Result<Config, Error> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| Error::Parse {
            path: PathBuf::new(),
            message: e.to_string().trim_end().to_string(),
        })?;
        raw.validate()
    }
}

fn invalid(key: &'static str, reason: impl Into<String>) -> Error {
    Error::Invalid {
        key,
        reason: reason.into(),
    }
}

fn nonempty_path(key: &'static str, p: PathBuf) -> Result<PathBuf, Error> {
    if p.as_os_str().is_empty() {
        return Err(invalid(key, "must not be empty"));
    }
    Ok(p)
}

impl RawConfig {
    fn validate(self) -> Result<Config, Error> {
        let drop = nonempty_path("paths.drop", self.paths.drop)?;
        let archive = nonempty_path("paths.archive", self.paths.archive)?;
        let quarantine = nonempty_path("paths.quarantine", self.paths.quarantine)?;
        let store = nonempty_path("paths.store", self.paths.store)?;
        let named = [
            ("paths.drop", &drop),
            ("paths.archive", &archive),
            ("paths.quarantine", &quarantine),
            ("paths.store", &store),
        ];
        for (i, (ka, a)) in named.iter().enumerate() {
            for (kb, b) in &named[i + 1..] {
                if a == b || a.starts_with(b) || b.starts_with(a) {
                    return Err(invalid(
                        ka,
                        format!("must not be the same as or nested with `{kb}`"),
                    ));
                }
            }
        }
        let socket = match self.api.socket {
            Some(p) => nonempty_path("api.socket", p)?,
            None => store.join("shingled.sock"),
        };
        let lock = store.join("shingled.lock");
        let tcp = match self.api.tcp {
            None => None,
            Some(s) => Some(
                s.parse::<std::net::SocketAddr>()
                    .map_err(|e| invalid("api.tcp", format!("`{s}` is not an address: {e}")))?,
            ),
        };
        if let Some(addr) = tcp
            && !addr.ip().to_canonical().is_loopback()
            && !self.api.allow_remote
        {
            return Err(invalid(
                "api.tcp",
                format!(
                    "`{addr}` is not a loopback address: the API has no authentication, so it \
                     listens beyond this machine only with `api.allow_remote = true` (the systemd \
                     unit also allows only loopback traffic: IPAddressAllow=localhost)"
                ),
            ));
        }
        let i = self.intake;
        if i.max_file_bytes == 0 {
            return Err(invalid("intake.max_file_bytes", "must be at least 1"));
        }
        if i.max_blocks_per_file == 0 {
            return Err(invalid("intake.max_blocks_per_file", "must be at least 1"));
        }
        if i.rescan_interval_s == 0 {
            return Err(invalid("intake.rescan_interval_s", "must be at least 1"));
        }
        if i.queue_capacity == 0 {
            return Err(invalid("intake.queue_capacity", "must be at least 1"));
        }
        if self.commit.group_max_files == 0 {
            return Err(invalid("commit.group_max_files", "must be at least 1"));
        }
        if self.store.cache_capacity_mb == 0 {
            return Err(invalid("store.cache_capacity_mb", "must be at least 1"));
        }
        let dedup = self.dedup.validate()?;
        let format = match self.log.format.as_str() {
            "auto" => LogFormat::Auto,
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            "journald" => LogFormat::Journald,
            other => {
                return Err(invalid(
                    "log.format",
                    format!("`{other}` is not one of auto, text, json, journald"),
                ));
            }
        };
        if tracing_subscriber::EnvFilter::try_new(&self.log.level).is_err() {
            return Err(invalid(
                "log.level",
                format!("`{}` is not a tracing filter", self.log.level),
            ));
        }
        if self.log.summary_interval_s == 0 {
            return Err(invalid("log.summary_interval_s", "must be at least 1"));
        }
        Ok(Config {
            paths: Paths {
                drop,
                archive,
                quarantine,
                store,
                socket,
                lock,
                create_missing: self.paths.create_missing,
            },
            intake: Intake {
                max_file_bytes: i.max_file_bytes,
                max_blocks_per_file: i.max_blocks_per_file,
                settle: Duration::from_millis(i.settle_ms),
                rescan_interval: Duration::from_secs(i.rescan_interval_s),
                queue_capacity: i.queue_capacity,
            },
            commit: Commit {
                group_max_files: self.commit.group_max_files,
                group_max_wait: Duration::from_millis(self.commit.group_max_wait_ms),
            },
            store: StoreConfig {
                cache_capacity: self.store.cache_capacity_mb * 1024 * 1024,
            },
            dedup,
            api: Api {
                tcp,
                allow_remote: self.api.allow_remote,
            },
            log: Log {
                format,
                level: self.log.level,
                summary_interval: Duration::from_secs(self.log.summary_interval_s),
            },
        })
    }
}

fn share(key: &'static str, v: f64) -> Result<f64, Error> {
    if (0.0..=1.0).contains(&v) && v > 0.0 {
        Ok(v)
    } else {
        Err(invalid(key, format!("{v} is not in (0, 1]")))
    }
}

impl RawDedup {
    fn validate(self) -> Result<DedupParams, Error> {
        if !(1..=8).contains(&self.shingle_words) {
            return Err(invalid("dedup.shingle_words", "must be 1 to 8"));
        }
        if !(1..=64).contains(&self.window) {
            return Err(invalid("dedup.window", "must be 1 to 64"));
        }
        if self.min_fuzzy_words < self.shingle_words {
            return Err(invalid(
                "dedup.min_fuzzy_words",
                "must be at least dedup.shingle_words",
            ));
        }
        let cap = crate::commit::MAX_ARTICLES_PER_BLOCK as u32;
        for (key, v) in [
            (
                "dedup.boilerplate_min_articles",
                self.boilerplate_min_articles,
            ),
            (
                "dedup.boilerplate_min_articles_long",
                self.boilerplate_min_articles_long,
            ),
        ] {
            if !(2..=cap).contains(&v) {
                return Err(invalid(key, format!("must be 2 to {cap}")));
            }
        }
        if self.max_postings == 0 {
            return Err(invalid("dedup.max_postings", "must be at least 1"));
        }
        if self.max_verify == 0 {
            return Err(invalid("dedup.max_verify", "must be at least 1"));
        }
        if self.payload_cache_mb > 1 << 20 {
            return Err(invalid("dedup.payload_cache_mb", "must be at most 1048576"));
        }
        let p = DedupParams {
            shingle_words: self.shingle_words,
            window: self.window,
            min_fuzzy_words: self.min_fuzzy_words,
            revision_jaccard: share("dedup.revision_jaccard", self.revision_jaccard)?,
            containment: share("dedup.containment", self.containment)?,
            min_containment_shingles: self.min_containment_shingles,
            quote_max_share: share("dedup.quote_max_share", self.quote_max_share)?,
            numbers_min_words: self.numbers_min_words,
            max_postings: self.max_postings,
            max_verify: self.max_verify,
            payload_cache_mb: self.payload_cache_mb,
            article_duplicate: share("dedup.article_duplicate", self.article_duplicate)?,
            article_update: share("dedup.article_update", self.article_update)?,
            article_update_same_title: share(
                "dedup.article_update_same_title",
                self.article_update_same_title,
            )?,
            article_min_evidence_words: self.article_min_evidence_words,
            boilerplate_min_articles: self.boilerplate_min_articles,
            boilerplate_min_articles_long: self.boilerplate_min_articles_long,
        };
        if p.article_update > p.article_duplicate {
            return Err(invalid(
                "dedup.article_update",
                "must not exceed dedup.article_duplicate",
            ));
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[paths]
drop = "var/drop"
archive = "var/archive"
quarantine = "var/quarantine"
store = "var/store"
"#;

    #[test]
    fn paths_alone_make_a_complete_config() {
        let c = Config::from_toml(MINIMAL).expect("minimal config");
        assert_eq!(c.paths.socket, PathBuf::from("var/store/shingled.sock"));
        assert_eq!(c.paths.lock, PathBuf::from("var/store/shingled.lock"));
        assert_eq!(c.intake.max_file_bytes, 16 * 1024 * 1024);
        assert_eq!(c.intake.max_blocks_per_file, DEFAULT_MAX_BLOCKS_PER_FILE);
        assert!(!c.api.allow_remote);
        assert_eq!(c.dedup, DedupParams::default());
    }

    #[test]
    fn the_block_cap_is_read_and_must_be_positive() {
        let c = Config::from_toml(&format!("{MINIMAL}\n[intake]\nmax_blocks_per_file = 7\n"))
            .expect("cap");
        assert_eq!(c.intake.max_blocks_per_file, 7);
        let e = Config::from_toml(&format!("{MINIMAL}\n[intake]\nmax_blocks_per_file = 0\n"))
            .expect_err("zero cap");
        assert!(e.to_string().contains("intake.max_blocks_per_file"), "{e}");
    }

    #[test]
    fn a_tcp_address_beyond_loopback_needs_allow_remote() {
        for addr in ["0.0.0.0:9187", "192.0.2.7:9187", "[::]:9187"] {
            let text = format!("{MINIMAL}\n[api]\ntcp = \"{addr}\"\n");
            let e = Config::from_toml(&text).expect_err("remote without opt-in");
            let m = e.to_string();
            assert!(m.contains("api.tcp") && m.contains("allow_remote"), "{m}");
            let c = Config::from_toml(&format!("{text}allow_remote = true\n")).expect("opt-in");
            assert!(c.api.allow_remote);
            assert!(!c.api.tcp.expect("tcp").ip().is_loopback());
        }
        for addr in [
            "127.0.0.1:9187",
            "127.3.2.1:0",
            "[::1]:9187",
            "[::ffff:127.0.0.1]:9187",
        ] {
            let c = Config::from_toml(&format!("{MINIMAL}\n[api]\ntcp = \"{addr}\"\n"))
                .unwrap_or_else(|e| panic!("{addr} is loopback: {e}"));
            assert!(!c.api.allow_remote);
        }
    }

    #[test]
    fn the_shipped_config_parses() {
        let text = include_str!("../config/shingled.toml");
        let c = Config::from_toml(text).expect("config/shingled.toml");
        assert_eq!(c.paths.drop, PathBuf::from("var/drop"));
        assert!(
            c.paths.create_missing,
            "the development config creates ./var/"
        );
        assert_eq!(
            c.dedup,
            DedupParams::default(),
            "the [dedup] section shows the defaults"
        );
        let defaults = Config::from_toml(MINIMAL).expect("minimal");
        assert_eq!(c.intake, defaults.intake, "[intake] shows the defaults");
        assert_eq!(c.api, defaults.api, "[api] shows the defaults");
    }

    #[test]
    fn the_production_config_parses_with_the_default_caps() {
        let text = include_str!("../systemd/shingled.toml");
        let c = Config::from_toml(text).expect("systemd/shingled.toml");
        assert_eq!(c.intake.max_blocks_per_file, DEFAULT_MAX_BLOCKS_PER_FILE);
        assert_eq!(c.intake.max_file_bytes, 16 * 1024 * 1024);
        assert!(c.api.tcp.is_none() && !c.api.allow_remote);
    }

    #[test]
    fn unknown_keys_are_errors_that_name_the_key() {
        let e = Config::from_toml(&format!("{MINIMAL}\n[intake]\nmax_file_byte = 3\n"))
            .expect_err("typo must fail");
        assert!(e.to_string().contains("max_file_byte"), "{e}");
        let e = Config::from_toml(&format!("{MINIMAL}\n[nonsense]\n")).expect_err("unknown table");
        assert!(e.to_string().contains("nonsense"), "{e}");
    }

    #[test]
    fn bad_values_name_the_key() {
        let e = Config::from_toml(&format!("{MINIMAL}\n[dedup]\nrevision_jaccard = 1.5\n"))
            .expect_err("out of range");
        assert!(e.to_string().contains("dedup.revision_jaccard"), "{e}");
        let e = Config::from_toml(&format!("{MINIMAL}\n[api]\ntcp = \"nowhere\"\n"))
            .expect_err("bad address");
        assert!(e.to_string().contains("api.tcp"), "{e}");
        let nested = MINIMAL.replace("var/archive", "var/drop/archive");
        let e = Config::from_toml(&nested).expect_err("nested folders");
        assert!(e.to_string().contains("paths.drop"), "{e}");
    }

    #[test]
    fn folders_are_not_created_unless_the_config_says_so() {
        let c = Config::from_toml(MINIMAL).expect("minimal");
        assert!(!c.paths.create_missing);
        let prod = Config::from_toml(include_str!("../systemd/shingled.toml")).expect("prod");
        assert!(
            !prod.paths.create_missing,
            "production folders come from tmpfiles.d, never from a typo"
        );
    }

    #[test]
    fn the_config_is_the_flag_then_the_variable_then_the_default() {
        let flag = Some(PathBuf::from("flag.toml"));
        let var = Some(std::ffi::OsString::from("var.toml"));
        let found = |p: &Path| p == Path::new(DEFAULT_PATH);
        let none = |_: &Path| false;
        let l = |f: Option<PathBuf>, v: Option<std::ffi::OsString>, d: bool| {
            locate(f, v, |p| if d { found(p) } else { none(p) }).map_err(|e| e.to_string())
        };
        assert_eq!(
            l(flag.clone(), var.clone(), true),
            Ok((PathBuf::from("flag.toml"), Origin::Flag))
        );
        assert_eq!(
            l(None, var.clone(), true),
            Ok((PathBuf::from("var.toml"), Origin::Env))
        );
        assert_eq!(
            l(None, Some("".into()), true),
            Ok((PathBuf::from(DEFAULT_PATH), Origin::Default))
        );
        assert_eq!(
            l(None, None, true),
            Ok((PathBuf::from(DEFAULT_PATH), Origin::Default))
        );
        let e = l(None, None, false).expect_err("nothing found");
        for place in ["--config", "SHINGLED_CONFIG", DEFAULT_PATH] {
            assert!(e.contains(place), "{e}");
        }
    }

    #[test]
    fn missing_paths_section_is_an_error() {
        let e = Config::from_toml("[intake]\n").expect_err("no paths");
        assert!(e.to_string().contains("paths"), "{e}");
    }
}
