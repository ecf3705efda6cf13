//! Command-line arguments, parsed by hand to keep the load generator's build small.

use std::collections::HashMap;

/// How to call the program; printed after an argument error.
pub const USAGE: &str = "\
usage: loadgen --url API_ROOT_URL[,API_ROOT_URL…] --collection ID --user NAME --password PW --count N
               [--batch 500] [--in-flight 4] [--page 1000] [--clients 32]
               [--queries 6400] [--seed 1] [--label TEXT] [--after-ingest CMD]";

/// The settings of one run.
#[derive(Debug, Clone)]
pub struct Args {
    /// The API root, e.g. `http://127.0.0.1:8080/default/`; several,
    /// separated by commas, for servers sharing one database.
    pub url: String,
    /// The collection id (or alias) to fill and read.
    pub collection: String,
    /// HTTP Basic user name.
    pub user: String,
    /// HTTP Basic password.
    pub password: String,
    /// How many indicators to ingest.
    pub count: u64,
    /// Objects per envelope.
    pub batch: u64,
    /// Envelopes outstanding at once.
    pub in_flight: usize,
    /// The `limit` of each page of the read-back.
    pub page: u64,
    /// Concurrent clients in the query phase.
    pub clients: usize,
    /// Filtered GETs in all, shared among the clients.
    pub queries: u64,
    /// Makes the generated ids differ between runs into one server.
    pub seed: u32,
    /// Names the run in the report (default: the count).
    pub label: Option<String>,
    /// A shell command run between ingest and read (e.g. PostgreSQL's
    /// `ANALYZE`, which a server without autovacuum needs after a bulk load).
    pub after_ingest: Option<String>,
}

impl Args {
    /// Parses `--name value` pairs; every name is known and every required one present.
    pub fn parse(argv: impl Iterator<Item = String>) -> Result<Args, String> {
        let mut given = HashMap::new();
        let mut argv = argv.peekable();
        while let Some(name) = argv.next() {
            let key = name
                .strip_prefix("--")
                .ok_or_else(|| format!("unexpected argument {name:?}"))?
                .to_string();
            let value = argv.next().ok_or_else(|| format!("{name} needs a value"))?;
            given.insert(key, value);
        }
        let mut take = |key: &str| given.remove(key);
        let required =
            |v: Option<String>, key: &str| v.ok_or_else(|| format!("--{key} is required"));
        let number = |v: Option<String>, key: &str, default: u64| -> Result<u64, String> {
            match v {
                None => Ok(default),
                Some(s) => s
                    .parse()
                    .map_err(|_| format!("--{key} must be a whole number, not {s:?}")),
            }
        };
        let mut url = required(take("url"), "url")?;
        if !url.ends_with('/') {
            url.push('/');
        }
        let args = Args {
            url,
            collection: required(take("collection"), "collection")?,
            user: required(take("user"), "user")?,
            password: required(take("password"), "password")?,
            count: number(take("count"), "count", 0)?,
            batch: number(take("batch"), "batch", 500)?,
            in_flight: number(take("in-flight"), "in-flight", 4)? as usize,
            page: number(take("page"), "page", 1000)?,
            clients: number(take("clients"), "clients", 32)? as usize,
            queries: number(take("queries"), "queries", 6400)?,
            seed: number(take("seed"), "seed", 1)? as u32,
            label: take("label"),
            after_ingest: take("after-ingest"),
        };
        if let Some(unknown) = given.keys().next() {
            return Err(format!("unknown option --{unknown}"));
        }
        if args.count == 0
            || args.batch == 0
            || args.in_flight == 0
            || args.page == 0
            || args.clients == 0
        {
            return Err(
                "--count, --batch, --in-flight, --page and --clients must be above zero".into(),
            );
        }
        Ok(args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Args, String> {
        Args::parse(line.split_whitespace().map(str::to_string))
    }

    #[test]
    fn defaults_fill_what_is_not_given() {
        let a = parse("--url http://h/default --collection c --user u --password p --count 9")
            .expect("valid arguments");
        assert_eq!(a.url, "http://h/default/");
        assert_eq!(
            (a.count, a.batch, a.in_flight, a.page, a.clients),
            (9, 500, 4, 1000, 32)
        );
    }

    #[test]
    fn mistakes_are_reported() {
        let base = "--url u --collection c --user u --password p";
        assert_eq!(
            parse(base).err().as_deref(),
            Some("--count, --batch, --in-flight, --page and --clients must be above zero")
        );
        assert!(parse(&format!("{base} --count ten")).is_err_and(|e| e.contains("whole number")));
        assert!(
            parse(&format!("{base} --count 1 --colour red")).is_err_and(|e| e.contains("--colour"))
        );
        assert!(parse("--url u --count 1").is_err_and(|e| e.contains("--collection")));
        assert!(parse("--url").is_err_and(|e| e.contains("needs a value")));
    }
}
