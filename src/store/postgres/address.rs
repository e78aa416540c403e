//! The practice server's address as typed (a `postgres://` URL or libpq's
//! `key=value` form), and how the connection to it is secured.
//!
//! Patient details cross the practice network on this connection, so a server
//! on another machine is reached over TLS with its certificate verified
//! (`sslmode=require` unless the address says otherwise), against the operating
//! system's trusted certificates plus, for a practice's own certificate
//! authority, the file named by `sslrootcert=` (or `PGSSLROOTCERT`), as libpq
//! does. A Unix socket or a loopback address stays on this machine, so it is not
//! encrypted unless the address asks (a local server's certificate is often a
//! self-signed one that could not be verified anyway).

use std::path::PathBuf;

use postgres::Config;
use postgres::config::{Host, SslMode};

use crate::store::{StoreError, StoreResult};

/// A parsed server address: the connection settings and the certificate
/// authority to trust for TLS, if the address names one.
#[derive(Clone)]
pub struct ServerAddress {
    pub config: Config,
    /// A PEM (or DER) file of the certificate authority that signed the server's certificate.
    pub root_cert: Option<PathBuf>,
}

/// The settings this module reads itself (libpq's names) rather than passing on.
const OWN_KEYS: [&str; 1] = ["sslrootcert"];

impl ServerAddress {
    /// Reads an address as typed. The password comes from the address or, if
    /// it has none, `PGPASSWORD`; the certificate authority from `sslrootcert=`
    /// or `PGSSLROOTCERT`.
    pub fn parse(text: &str) -> StoreResult<Self> {
        let (rest, own) = split_own_settings(text.trim());
        let mut config: Config = rest.parse().map_err(|e: postgres::Error| StoreError::Open {
            path: "practice server".into(),
            message: format!(
                "the server address is not valid ({e}); it looks like postgres://user@server/database"
            ),
        })?;
        if config.get_password().is_none()
            && let Ok(p) = std::env::var("PGPASSWORD")
        {
            config.password(p);
        }
        if !mentions_sslmode(&rest) {
            config.ssl_mode(if leaves_this_machine(&config) {
                SslMode::Require
            } else {
                SslMode::Disable
            });
        }
        let root_cert = own
            .iter()
            .find(|(k, _)| k == "sslrootcert")
            .map(|(_, v)| PathBuf::from(v))
            .or_else(|| std::env::var_os("PGSSLROOTCERT").map(PathBuf::from));
        Ok(Self { config, root_cert })
    }

    /// An address from ready settings (TLS as they say; no extra authority).
    pub fn from_config(config: Config) -> Self {
        Self {
            config,
            root_cert: None,
        }
    }

    /// Whether the connection is required to be encrypted.
    pub fn requires_tls(&self) -> bool {
        self.config.get_ssl_mode() == SslMode::Require
    }

    /// The TLS connector for this address: the system's trusted certificates,
    /// plus the practice's own authority if one is named.
    pub fn tls(&self) -> StoreResult<postgres_native_tls::MakeTlsConnector> {
        let mut builder = native_tls::TlsConnector::builder();
        if let Some(path) = &self.root_cert {
            let bytes = std::fs::read(path).map_err(|e| StoreError::Open {
                path: path.clone(),
                message: format!(
                    "the server's certificate authority file (sslrootcert) could not be read: {e}"
                ),
            })?;
            let cert = native_tls::Certificate::from_pem(&bytes)
                .or_else(|_| native_tls::Certificate::from_der(&bytes))
                .map_err(|e| StoreError::Open {
                    path: path.clone(),
                    message: format!(
                        "the server's certificate authority file (sslrootcert) is not a PEM or DER certificate: {e}"
                    ),
                })?;
            builder.add_root_certificate(cert);
        }
        let connector = builder.build().map_err(|e| StoreError::Open {
            path: "practice server".into(),
            message: format!("TLS could not be set up on this computer: {e}"),
        })?;
        Ok(postgres_native_tls::MakeTlsConnector::new(connector))
    }
}

/// Whether a connection to `config`'s first host crosses a network: anything
/// but a Unix socket or a loopback name or address.
fn leaves_this_machine(config: &Config) -> bool {
    match config.get_hosts().first() {
        Some(Host::Tcp(name)) => {
            let name = name.trim_start_matches('[').trim_end_matches(']');
            let loopback = name.eq_ignore_ascii_case("localhost")
                || name
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            !loopback
        }
        #[cfg(unix)]
        Some(Host::Unix(_)) => false,
        // No host: libpq's default, a local socket (or localhost on Windows).
        None => false,
    }
}

fn mentions_sslmode(text: &str) -> bool {
    text.to_ascii_lowercase().contains("sslmode=")
}

/// A server address fit to show and to keep: any password in it is removed
/// (`postgres://user:secret@host/db`, `?password=secret` and `host=h
/// password='secret'` alike).
pub fn without_password(url: &str) -> String {
    let is_password = |kv: &str| {
        kv.trim_start()
            .to_ascii_lowercase()
            .strip_prefix("password")
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    };
    if let Some((scheme, rest)) = url.split_once("://") {
        let (base, query) = match rest.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (rest, None),
        };
        let (authority, path) = match base.find('/') {
            Some(i) => base.split_at(i),
            None => (base, ""),
        };
        let authority = match authority.rsplit_once('@') {
            Some((userinfo, host)) => {
                let user = userinfo.split(':').next().unwrap_or("");
                format!("{user}@{host}")
            }
            None => authority.to_string(),
        };
        let mut out = format!("{scheme}://{authority}{path}");
        if let Some(q) = query {
            let kept: Vec<&str> = q.split('&').filter(|kv| !is_password(kv)).collect();
            if !kept.is_empty() {
                out.push('?');
                out.push_str(&kept.join("&"));
            }
        }
        return out;
    }
    split_key_values(url)
        .into_iter()
        .filter(|kv| !is_password(kv))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What becomes of one setting of a typed address.
enum Setting {
    /// Read here (see [`OWN_KEYS`]), not passed on.
    Own,
    /// Passed on as typed.
    Keep,
    /// libpq's `sslmode=verify-ca` / `verify-full`: passed on as `require`
    /// (the certificate is always verified here).
    Require,
}

fn classify(key: &str, value: &str) -> Setting {
    let key = key.trim().to_ascii_lowercase();
    if OWN_KEYS.contains(&key.as_str()) {
        Setting::Own
    } else if key == "sslmode" && matches!(value, "verify-ca" | "verify-full") {
        Setting::Require
    } else {
        Setting::Keep
    }
}

/// Takes the settings in [`OWN_KEYS`] out of an address and rewrites libpq's
/// verifying `sslmode`s. Returns the rest of the address and the settings taken.
fn split_own_settings(text: &str) -> (String, Vec<(String, String)>) {
    let mut own = Vec::new();
    if text.starts_with("postgres://") || text.starts_with("postgresql://") {
        let Some((base, query)) = text.split_once('?') else {
            return (text.to_string(), own);
        };
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_encoding::percent_decode_str(value)
                .decode_utf8_lossy()
                .into_owned();
            match classify(key, &value) {
                Setting::Own => own.push((key.to_ascii_lowercase(), value)),
                Setting::Keep => kept.push(pair.to_string()),
                Setting::Require => kept.push(format!("{key}=require")),
            }
        }
        let rest = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        return (rest, own);
    }
    // key=value form; values with spaces must be quoted, as libpq requires.
    let mut kept = Vec::new();
    for token in split_key_values(text) {
        let Some((key, value)) = token.split_once('=') else {
            kept.push(token);
            continue;
        };
        let value = unquote(value.trim());
        match classify(key, &value) {
            Setting::Own => own.push((key.trim().to_ascii_lowercase(), value)),
            Setting::Keep => kept.push(token.clone()),
            Setting::Require => kept.push(format!("{}=require", key.trim())),
        }
    }
    (kept.join(" "), own)
}

/// Splits `key=value key='quoted value'` into its pairs, keeping quotes.
fn split_key_values(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            current.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => {
                current.push(c);
                escaped = true;
            }
            '\'' => {
                current.push(c);
                quoted = !quoted;
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn unquote(value: &str) -> String {
    let inner = value
        .strip_prefix('\'')
        .and_then(|v| v.strip_suffix('\''))
        .unwrap_or(value);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> ServerAddress {
        match ServerAddress::parse(text) {
            Ok(a) => a,
            Err(e) => panic!("{text}: {e}"),
        }
    }

    #[test]
    fn a_server_on_another_machine_must_be_reached_over_tls() {
        for text in [
            "postgres://desk@practice-server/cutover",
            "host=192.168.1.20 user=desk dbname=cutover",
            "postgresql://desk@10.0.0.5:5433/cutover?application_name=desk1",
        ] {
            assert!(parsed(text).requires_tls(), "{text}");
        }
        for text in [
            "postgres://desk@localhost/cutover",
            "host=127.0.0.1 user=desk dbname=cutover",
            "postgres://desk@[::1]/cutover",
            "host=/run/postgresql user=desk dbname=cutover",
        ] {
            assert_eq!(
                parsed(text).config.get_ssl_mode(),
                SslMode::Disable,
                "{text}: on this machine, TLS only if asked for"
            );
        }
    }

    #[test]
    fn the_address_can_say_otherwise_in_libpq_words() {
        let off = parsed("postgres://desk@practice-server/cutover?sslmode=disable");
        assert_eq!(off.config.get_ssl_mode(), SslMode::Disable);
        let kv = parsed("host=practice-server sslmode=prefer dbname=cutover");
        assert_eq!(kv.config.get_ssl_mode(), SslMode::Prefer);
        for text in [
            "postgres://desk@localhost/cutover?sslmode=verify-full",
            "host=localhost sslmode=verify-ca dbname=cutover",
        ] {
            assert!(parsed(text).requires_tls(), "{text}");
        }
    }

    #[test]
    fn sslrootcert_names_the_practice_authority_in_either_form() {
        let url = parsed(
            "postgres://desk@practice-server/cutover?sslrootcert=C%3A%5CCerts%5Cpractice%20ca.pem&sslmode=verify-full",
        );
        assert_eq!(
            url.root_cert,
            Some(PathBuf::from("C:\\Certs\\practice ca.pem"))
        );
        assert_eq!(url.config.get_dbname(), Some("cutover"));
        assert!(url.requires_tls());
        let kv = parsed(
            "host=practice-server sslrootcert='/etc/cutover/practice ca.pem' user=desk dbname=cutover",
        );
        assert_eq!(
            kv.root_cert,
            Some(PathBuf::from("/etc/cutover/practice ca.pem"))
        );
        assert_eq!(kv.config.get_user(), Some("desk"));
    }

    #[test]
    fn a_missing_or_unreadable_authority_file_is_a_clear_message() {
        let dir = match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        };
        let missing = dir.path().join("missing.pem");
        let mut a = parsed("host=practice-server dbname=cutover");
        a.root_cert = Some(missing);
        let message = match a.tls() {
            Err(e) => e.to_string(),
            Ok(_) => panic!("a missing file was accepted"),
        };
        assert!(message.contains("certificate authority file"), "{message}");
        let junk = dir.path().join("junk.pem");
        if let Err(e) = std::fs::write(&junk, "not a certificate") {
            panic!("{e}");
        }
        a.root_cert = Some(junk);
        let message = match a.tls() {
            Err(e) => e.to_string(),
            Ok(_) => panic!("junk was accepted"),
        };
        assert!(
            message.contains("not a PEM or DER certificate"),
            "{message}"
        );
    }

    #[test]
    fn a_bad_address_says_what_one_looks_like() {
        let message = match ServerAddress::parse("postgres://desk@server/db?colour=blue") {
            Err(e) => e.to_string(),
            Ok(_) => panic!("an unknown setting was accepted"),
        };
        assert!(
            message.contains("postgres://user@server/database"),
            "{message}"
        );
    }

    #[test]
    fn passwords_never_reach_the_label() {
        assert_eq!(
            without_password("postgres://desk:s3cret@server/cutover"),
            "postgres://desk@server/cutover"
        );
        assert_eq!(
            without_password("host=server user=desk password=s3cret dbname=cutover"),
            "host=server user=desk dbname=cutover"
        );
        assert_eq!(
            without_password("postgres://server/cutover"),
            "postgres://server/cutover"
        );
        assert_eq!(
            without_password("postgres://desk@server/cutover?password=s3cret&sslmode=require"),
            "postgres://desk@server/cutover?sslmode=require"
        );
        assert_eq!(
            without_password("host=server password='s3 cret' dbname=cutover"),
            "host=server dbname=cutover"
        );
    }
}
