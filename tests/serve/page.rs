//! The served `GET /` in headless Chromium: it renders, its figures equal the API's, and it is
//! live (a remote append shows on the next load). The screenshot is kept at
//! `target/artifacts/served.png`.

use std::path::Path;

use actledger_core::event::{AdherenceDate, AdherenceLetter, EventBody, Fact, Instrument};
use actledger_core::{SigningKey, StateCode, Text};
use actledger_http::serve::remote::RemoteLog;

use crate::server::{demo, Server};
use crate::util::chromium::{console_lines, for_test, headless, screenshot};
use crate::util::Env;

/// The page's key figures: label → number.
fn figures(dom: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for part in dom.split("<span class=\"n\">").skip(1) {
        let n: String = part.chars().take_while(char::is_ascii_digit).collect();
        let label = part
            .split("<span class=\"l\">")
            .nth(1)
            .and_then(|l| l.split('<').next())
            .unwrap_or_default()
            .to_string();
        out.push((label, n.parse().unwrap()));
    }
    out
}

fn figure(dom: &str, label: &str) -> u64 {
    figures(dom)
        .into_iter()
        .find(|(l, _)| l.starts_with(label))
        .unwrap_or_else(|| panic!("no figure {label:?} in {:?}", figures(dom)))
        .1
}

fn api(server: &Server, path: &str) -> serde_json::Value {
    let r = server.get(path);
    assert_eq!(r.status, 200, "{path}: {}", r.text());
    serde_json::from_slice(r.body.split(|b| *b == b'\n').next().unwrap()).unwrap()
}

/// The served page as Chromium sees it, checked against the API.
fn check(bin: &Path, server: &Server, scratch: &Path) -> String {
    let (ok, dom, err) = headless(bin, &["--dump-dom"], &server.url(""), scratch);
    assert!(ok, "chromium failed:\n{err}");
    assert!(
        dom.contains("<title>ACT Code of Conduct"),
        "{}",
        &dom[..dom.len().min(300)]
    );
    let console = console_lines(&err);
    assert!(console.is_empty(), "console messages: {console:?}");
    let supporters = api(server, "api/supporters");
    let vetoed = api(server, "api/votes?vetoed");
    let compliance = api(server, "api/compliance");
    let head = api(server, "head");
    assert_eq!(
        figure(&dom, "supporters recorded"),
        supporters["count"].as_u64().unwrap()
    );
    assert_eq!(
        figure(&dom, "vetoes recorded"),
        vetoed["votes"].as_array().unwrap().len() as u64
    );
    assert_eq!(
        figure(&dom, "breaches found"),
        compliance["counts"]["breach"].as_u64().unwrap()
    );
    let events = format!(": {} events", head["size"]);
    assert!(dom.contains(&events), "the page does not say {events:?}");
    let table = dom
        .split("id=\"supporters-table\"")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .unwrap();
    assert_eq!(
        table.matches("<tr><th scope=\"row\"").count() as u64,
        supporters["count"].as_u64().unwrap(),
        "supporter rows"
    );
    dom
}

#[test]
fn the_served_page_renders_live_and_its_numbers_are_the_apis() {
    let Some(bin) = for_test("the_served_page_renders_live_and_its_numbers_are_the_apis") else {
        return;
    };
    let env = Env::new();
    let log = demo(&env);
    let server = Server::start(&env.ledger(), &["--log-key", &log]);
    let scratch = env.dir.path();
    let dom = check(&bin, &server, scratch);
    let before = figure(&dom, "supporters recorded");

    // A remote depositary records a new supporter: the next load shows it.
    let listed: Vec<String> = api(&server, "api/supporters")["supporters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["state"].as_str().unwrap().to_string())
        .collect();
    let state = [
        "BRA", "IND", "ZAF", "IDN", "ARG", "EGY", "KEN", "NGA", "TUR", "PAK",
    ]
    .into_iter()
    .find(|s| !listed.iter().any(|l| l == s))
    .expect("a state that is not a supporter");
    let dep = SigningKey::from_key_file(
        &std::fs::read_to_string(env.ledger().join("keys/depositary.key")).unwrap(),
    )
    .unwrap();
    let body = EventBody::Fact(Fact::AdherenceLetter(AdherenceLetter {
        state: state.parse::<StateCode>().unwrap(),
        date: AdherenceDate::Exact("2024-01-15".parse().unwrap()),
        received: None,
        instrument: Instrument::Letter,
        reference: Text::empty(),
        source: Text::new("tests/serve/page.rs").unwrap(),
        note: Text::empty(),
    }));
    RemoteLog::new(&server.url).append(&dep, &body).unwrap();
    let dom = check(&bin, &server, scratch);
    assert_eq!(figure(&dom, "supporters recorded"), before + 1);
    assert!(dom.contains(&format!(
        "<tr><th scope=\"row\" class=\"mono\">{state}</th>"
    )));

    screenshot(&bin, &server.url(""), "served.png", (1280, 4000), scratch);
    server.stop();
}
