//! The read API answers what the CLI's `--json` prints; `GET /` is `export html`'s page.

use crate::server::{demo, Server};
use crate::util::Env;

/// (API path, the CLI command line it must equal).
pub const PAIRS: &[(&str, &[&str])] = &[
    ("api/supporters", &["supporters", "--json"]),
    (
        "api/supporters?as_of=2015-10-23",
        &["supporters", "--json", "--as-of", "2015-10-23"],
    ),
    (
        "api/supporters?at_seq=250",
        &["supporters", "--json", "--at-seq", "250"],
    ),
    (
        "api/council?on=2022-05-01",
        &["council", "--json", "--on", "2022-05-01"],
    ),
    (
        "api/outlook?on=2022-09-30",
        &["outlook", "--json", "--on", "2022-09-30"],
    ),
    ("api/votes", &["votes", "--json"]),
    ("api/votes?vetoed", &["votes", "--json", "--vetoed"]),
    ("api/compliance", &["compliance", "--json"]),
    (
        "api/compliance?state=RUS&all=true",
        &["compliance", "--json", "--state", "RUS", "--all"],
    ),
    ("api/veto-initiative", &["veto-initiative", "--json"]),
    (
        "api/scorecard?states=DEU,FRA",
        &["scorecard", "--json", "--states", "DEU,FRA"],
    ),
    (
        "api/events?from=300&limit=5",
        &["log", "--json", "--from", "300", "--limit", "5"],
    ),
    ("api/events", &["log", "--json"]),
    ("api/keys", &["key", "list", "--json"]),
];

#[test]
fn the_api_answers_what_the_cli_prints() {
    let env = Env::new();
    let log = demo(&env);
    env.ok(&["checkpoint", "--key", &log]);
    let server = Server::start(&env.ledger(), &[]);
    let mut served = Vec::new();
    for (path, _) in PAIRS {
        let r = server.get(path);
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        assert_eq!(
            r.content_type.as_deref(),
            Some("application/x-ndjson"),
            "{path}"
        );
        assert!(!r.body.is_empty(), "{path}");
        served.push(r.body);
    }
    let page = server.get("");
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(
        page.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
    // Bad queries: 400 with the CLI's message; an unknown report: 404.
    for (path, msg) in [
        (
            "api/council",
            "the following required arguments were not provided: --on <ON>",
        ),
        ("api/supporters?as_of=yesterday", "--as-of"),
        (
            "api/supporters?holidays=/etc/passwd",
            "supporters takes no parameter \"holidays\"",
        ),
        (
            "api/veto-initiative?holidays=/etc/passwd",
            "takes no parameter",
        ),
        ("api/compliance?state=XXX", "--state"),
        ("api/supporters?as_of=%zz", "bad percent-encoding"),
    ] {
        let r = server.get(path);
        assert_eq!(r.status, 400, "{path}: {}", r.text());
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert!(
            v["error"].as_str().unwrap().contains(msg),
            "{path}: {}",
            r.text()
        );
    }
    assert_eq!(server.get("api/nothing").status, 404);
    server.stop();
    for ((path, args), body) in PAIRS.iter().zip(&served) {
        let cli = env.ok(args);
        assert!(
            cli.as_bytes() == body.as_slice(),
            "{path} differs from `actledger {}`",
            args.join(" ")
        );
    }
    let file = env.path("report.html");
    env.ok(&["export", "html", "--out", file.to_str().unwrap()]);
    assert!(
        std::fs::read(&file).unwrap() == page.body,
        "GET / differs from `export html`"
    );
}
