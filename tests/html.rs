//! `actledger export html`: nothing from the ledger can inject markup, the page is
//! self-contained and deterministic, a ledger that fails verification gets no page, and the
//! demo ledger's page renders in headless Chromium without console errors (screenshot kept at
//! `target/artifacts/report.png`).
#![allow(clippy::unwrap_used)]

mod util;

use std::time::Duration;

use util::chromium::{artifacts_dir, console_lines, for_test, headless, screenshot};
use util::{Env, E10_2022, P5};

/// Text with every character that matters to HTML, plus attempts at script, attribute and
/// URL injection.
const EVIL: &str = r#"<script>alert(1)</script> "quoted" & 'single' " onmouseover="alert(3)"#;
const EVIL_SOURCE: &str = r#"<script>alert(2)</script> https://x.example/a?b=1&c=2 javascript:alert(4) https://y.example/"><script>alert(5)</script>"#;

fn export(env: &Env, extra: &[&str]) -> String {
    let out = env.path("page.html");
    let _ = std::fs::remove_file(&out);
    // The hostile ledger's one calendar is not UN Headquarters: it is used only when named.
    let mut args = vec![
        "export",
        "html",
        "--out",
        out.to_str().unwrap(),
        "--calendar",
        EVIL,
    ];
    args.extend_from_slice(extra);
    let said = env.ok(&args);
    assert!(said.starts_with("wrote "), "{said}");
    std::fs::read_to_string(out).unwrap()
}

/// A ledger whose free text is hostile everywhere the page shows free text.
fn hostile() -> Env {
    let env = Env::new();
    let admin = env.key("admin");
    env.ok(&[
        "init",
        "--origin",
        "test.example/ledger",
        "--admin-key",
        &admin,
        "--description",
        EVIL,
        "--holder",
        EVIL,
    ]);
    for (name, role) in [
        ("dep", "depositary"),
        ("rec", "recorder"),
        ("assessor", "assessor"),
        ("log", "log"),
    ] {
        let k = env.key(name);
        env.ok(&[
            "key",
            "grant",
            "--key",
            &admin,
            "--public-from",
            &k,
            "--role",
            role,
            "--holder",
            EVIL,
        ]);
    }
    let rec = env.key("rec");
    let dep = env.key("dep");
    for (states, seat) in [(&P5[..], "permanent"), (&E10_2022[..], "elected")] {
        for s in states {
            env.ok(&[
                "record",
                "--key",
                &rec,
                "term",
                "--state",
                s,
                "--seat",
                seat,
                "--from",
                "2022-01-01",
                "--to",
                "2022-12-31",
                "--source",
                EVIL_SOURCE,
            ]);
        }
    }
    for s in ["GBR", "IRL", "MEX"] {
        env.ok(&[
            "record",
            "--key",
            &dep,
            "adherence",
            "--state",
            s,
            "--date",
            "2015-10-01",
            "--reference",
            EVIL,
            "--source",
            EVIL_SOURCE,
            "--note",
            EVIL,
        ]);
    }
    env.ok(&[
        "record",
        "--key",
        &rec,
        "draft",
        "--draft",
        "S/2022/720",
        "--subject",
        EVIL,
        "--agenda-item",
        EVIL,
        "--source",
        EVIL_SOURCE,
    ]);
    env.ok(&[
        "record",
        "--key",
        &rec,
        "vote",
        "--draft",
        "S/2022/720",
        "--date",
        "2022-09-30",
        "--meeting",
        "S/PV.9143",
        "--yes",
        "FRA,USA,ALB,GHA,IRL,KEN,MEX,NOR,ARE",
        "--no",
        "RUS",
        "--abstain",
        "CHN,BRA,GAB,IND,GBR",
        "--source",
        EVIL_SOURCE,
        "--note",
        EVIL,
    ]);
    env.ok(&[
        "record",
        "--key",
        &rec,
        "holidays",
        "--calendar",
        EVIL,
        "--year",
        "2022",
        "--holiday",
        &format!("2022-10-10={EVIL}"),
        "--complete",
        "--source",
        EVIL_SOURCE,
    ]);
    env.ok(&[
        "record",
        "--key",
        &rec,
        "meeting",
        "--date",
        "2022-10-12",
        "--session",
        "77",
        "--follows",
        "2022-09-30:S/2022/720",
        "--speakers",
        "RUS",
        "--source",
        EVIL_SOURCE,
        "--note",
        EVIL,
    ]);
    env
}

/// Every `href="..."` value of the page.
fn hrefs(html: &str) -> Vec<&str> {
    html.split("href=\"")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect()
}

#[test]
fn nothing_from_the_ledger_can_inject_markup() {
    let env = hostile();
    let html = export(&env, &[]);
    // The page has no script of its own, so any `<script` would be an injection.
    assert!(
        !html.to_lowercase().contains("<script"),
        "raw <script> in the page"
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "subject not shown as text"
    );
    assert!(
        html.contains("&lt;script&gt;alert(2)&lt;/script&gt;"),
        "source not shown as text"
    );
    assert!(html.contains("&quot;quoted&quot; &amp; &#39;single&#39;"));
    assert!(!html.contains("onmouseover=\""), "attribute injection");
    assert!(html.contains("onmouseover=&quot;alert(3)"));
    // Where each hostile field lands: the subject in the veto table, the calendar name in the
    // veto-initiative text, the description in the masthead, the key holder in the policy.
    for section in [
        "id=\"vetoes-table\"",
        "id=\"veto-initiative\"",
        "class=\"masthead\"",
        "id=\"compliance\"",
    ] {
        assert!(html.contains(section), "{section}");
    }
    let calendar = format!("<strong>{}</strong>", actledger::html::escape(EVIL));
    assert!(html.contains(&calendar), "calendar name escaped");
    assert!(html.contains(&format!("held by {}", actledger::html::escape(EVIL))));
    // Links only to http(s) URLs and to the page's own anchors; the hostile URL is cut at its
    // quote and the rest is text.
    for h in hrefs(&html) {
        assert!(
            h.starts_with('#') || h.starts_with("https://") || h.starts_with("http://"),
            "unexpected link {h:?}"
        );
        assert!(
            !h.contains('<') && !h.contains('>') && !h.contains('\''),
            "{h:?}"
        );
    }
    assert!(html.contains("href=\"https://x.example/a?b=1&amp;c=2\""));
    assert!(!html.contains("href=\"javascript"));
    assert!(
        html.contains("javascript:alert(4)"),
        "non-http URL kept as text"
    );
}

#[test]
fn the_page_is_self_contained_and_deterministic() {
    let env = hostile();
    let a = export(&env, &[]);
    let b = export(&env, &[]);
    assert_eq!(a, b, "same ledger, same bytes");
    assert!(a.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(a.contains("<title>"));
    assert!(a.contains("content=\"default-src 'none'; style-src 'unsafe-inline'\""));
    for forbidden in [
        "<link",
        "<img",
        "<iframe",
        "<object",
        " src=",
        "@import",
        "url(http",
        "@font-face",
    ] {
        assert!(
            !a.contains(forbidden),
            "the page must load nothing: found {forbidden:?}"
        );
    }
    assert!(a.contains("@media print") && a.contains("size: A4"));
    for id in [
        "supporters-chart",
        "vetoes-chart",
        "working-days-chart",
        "supporters-table",
        "council-table",
        "vetoes-table",
        "veto-initiative-table",
        "compliance-table",
        "head-table",
    ] {
        assert!(a.contains(&format!("id=\"{id}\"")), "missing #{id}");
    }
    // What the ledger says, computed: the veto by RUS, 9-1-5; the meeting 7 working days
    // later (10 October was a recorded holiday); GBR's abstention is a permitted finding.
    assert!(a.contains("<td class=\"mono\">RUS</td><td class=\"r\">9</td><td class=\"r\">1</td><td class=\"r\">5</td>"));
    assert!(
        a.contains("<td class=\"r\">7</td><td>&#10003; held</td>"),
        "working days"
    );
    assert!(a.contains("abstained (permitted)"));
    let (events, head) = env.verify();
    assert!(a.contains(&head), "the head hash is on the page");
    assert!(a.contains(&format!("{events} (event 0 to {})", events - 1)));

    // No checkpoint yet: the page says how to sign one.
    assert!(a.contains("No checkpoint yet:"));
    assert!(a.contains("actledger checkpoint --key keys/log.key"));

    // With a checkpoint: origin, size, root and signature, checked against the ledger.
    let log = env.key("log");
    let note = env.ok(&["checkpoint", "--key", &log]);
    let root = note.lines().nth(2).unwrap().to_string();
    let c = export(&env, &[]);
    assert!(c.contains("id=\"checkpoint-table\""));
    assert!(c.contains(&root), "root {root} on the page");
    assert!(c.contains(&format!("<td>{events} events</td>")));
    assert!(c.contains(&format!("It commits to all {events} events")));
    assert_eq!(
        c.matches("&#10003;</span>").count(),
        3,
        "origin, root and signature checks pass"
    );
    assert!(!c.contains("&#10007;</span>"));
    let vkey = env.ok(&["key", "show", &log, "--verifier"]);
    assert!(c.contains(&format!("actledger verify-proof --vkey '{}'", vkey.trim())));
    assert_eq!(c, export(&env, &[]), "deterministic with a checkpoint too");

    // Cut-offs: --at-seq names the event and its hash; --as-of drops later facts.
    let out = env.path("cut.html");
    env.ok(&[
        "export",
        "html",
        "--out",
        out.to_str().unwrap(),
        "--at-seq",
        "5",
    ]);
    let cut = std::fs::read_to_string(out).unwrap();
    assert!(cut.contains("This page stops at event 5"));
    assert!(cut.contains("The ledger records <strong>0 supporters</strong>"));
    let early = export(&env, &["--as-of", "2022-09-29"]);
    assert!(early.contains("facts dated on or before 2022-09-29"));
    assert!(early.contains("The ledger records 0 votes in the Council"));
    assert!(early.contains("The ledger records <strong>3 supporters</strong>"));
}

#[test]
fn a_ledger_that_fails_verification_gets_no_page() {
    let env = hostile();
    // Flip one byte of the last event.
    {
        let db = sled::open(env.db_path()).unwrap();
        let bundles = db.open_tree("bundles").unwrap();
        let (k, v) = bundles.last().unwrap().unwrap();
        let mut v = v.to_vec();
        let i = v.len() - 10;
        v[i] ^= 1;
        bundles.insert(k, v).unwrap();
        db.flush().unwrap();
    }
    // sled releases its lock shortly after the handle is dropped.
    std::thread::sleep(Duration::from_millis(300));
    let out = env.path("page.html");
    let err = env.fails(1, &["export", "html", "--out", out.to_str().unwrap()]);
    assert!(err.contains("verification failed"), "{err}");
    assert!(!out.exists(), "no page for a ledger that does not verify");
}

/// The page is derived before the ledger is verified: a ledger that replays but does not
/// verify (an index entry removed: the replay reads only the events) still gets no page.
#[test]
fn a_ledger_that_replays_but_fails_verification_gets_no_page() {
    let env = hostile();
    let out = env.path("page.html");
    // The same ledger untouched gets its page: the test can fail.
    export(&env, &[]);
    std::fs::remove_file(&out).unwrap();
    // sled releases its lock shortly after the handle is dropped.
    std::thread::sleep(Duration::from_millis(300));
    {
        let db = sled::open(env.db_path()).unwrap();
        let by_state = db.open_tree("by_state").unwrap();
        let (k, _) = by_state.first().unwrap().unwrap();
        by_state.remove(k).unwrap();
        db.flush().unwrap();
    }
    std::thread::sleep(Duration::from_millis(300));
    let page = out.to_str().unwrap();
    let err = env.fails(1, &["export", "html", "--out", page, "--calendar", EVIL]);
    assert!(err.contains("verification failed"), "{err}");
    assert!(!out.exists(), "no page for a ledger that does not verify");
    assert!(!env.path("page.data").exists());
    // Verification is still reported before a bad option that the derivation refuses.
    let err = env.fails(1, &["export", "html", "--out", page, "--calendar", "nope"]);
    assert!(err.contains("verification failed"), "{err}");
}

// ---- Browser test -------------------------------------------------------------------------

#[test]
fn demo_page_renders_in_headless_chromium() {
    let Some(bin) = for_test("demo_page_renders_in_headless_chromium") else {
        return;
    };
    let env = Env::new();
    env.ok(&["demo"]);
    let log = env.ledger().join("keys").join("log.key");
    env.ok(&["checkpoint", "--key", log.to_str().unwrap()]);
    let page = env.path("report.html");
    env.ok(&["export", "html", "--out", page.to_str().unwrap()]);
    let scratch = env.dir.path();

    // The console check must be able to fail: a canary page whose CSP blocks an image and a
    // script must show up in the log, or this Chromium does not log the console to stderr.
    let canary = env.path("canary.html");
    std::fs::write(
        &canary,
        "<!DOCTYPE html><html lang=\"en\"><head><meta http-equiv=\"Content-Security-Policy\" \
         content=\"default-src 'none'\"><title>canary</title></head><body>\
         <img src=\"http://canary.invalid/x.png\" alt=\"\"><script>console.error('canary')</script></body></html>",
    )
    .unwrap();
    let (_, _, err) = headless(
        &bin,
        &["--dump-dom"],
        &format!("file://{}", canary.display()),
        scratch,
    );
    assert!(
        !console_lines(&err).is_empty(),
        "{} does not report console messages on stderr; cannot check the page for errors:\n{err}",
        bin.display()
    );

    // The page: loads with no console message at all, and the DOM has the charts and tables.
    let url = format!("file://{}", page.display());
    let (ok, dom, err) = headless(&bin, &["--dump-dom"], &url, scratch);
    assert!(ok, "chromium --dump-dom failed:\n{err}");
    let console = console_lines(&err);
    assert!(
        console.is_empty(),
        "console messages while loading the page:\n{}",
        console.join("\n")
    );
    assert!(
        dom.contains("<title>ACT Code of Conduct: the public record"),
        "{}",
        &dom[..dom.len().min(500)]
    );
    for id in ["supporters-chart", "vetoes-chart", "working-days-chart"] {
        let at = dom
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("no #{id} in the DOM"));
        let tag_start = dom[..at].rfind('<').unwrap();
        assert!(
            dom[tag_start..].starts_with("<svg"),
            "#{id} is not an <svg>"
        );
    }
    assert!(
        dom.contains("class=\"series\""),
        "the supporter line is drawn"
    );
    assert_eq!(
        dom.matches("<g class=\"veto\">").count(),
        38,
        "one mark per veto"
    );
    for id in [
        "supporters-table",
        "council-table",
        "vetoes-table",
        "veto-initiative-table",
        "compliance-table",
        "checkpoint-table",
    ] {
        let at = dom
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("no #{id} in the DOM"));
        let tag_start = dom[..at].rfind('<').unwrap();
        assert!(
            dom[tag_start..].starts_with("<table"),
            "#{id} is not a <table>"
        );
    }
    assert!(
        dom.matches("<tr><th scope=\"row\" class=\"mono\">").count() >= 38 + 15,
        "supporter and Council rows"
    );

    // The screenshot, kept as a CI artefact with the page.
    let png = screenshot(&bin, &url, "report.png", (1280, 11000), scratch);
    let dir = artifacts_dir();
    std::fs::copy(&page, dir.join("report.html")).unwrap();
    eprintln!("screenshot: {}", png.display());
}

/// A record too large for one page (1,100 votes, every one vetoed, supporters abstaining on
/// a third): the page is summarised and stays under 5 MB, and the files beside it hold every
/// row, byte for byte what the report commands print; every link on the page to them works.
/// A small record gets no folder (the full tables are on its page, as before).
#[test]
fn a_large_record_is_summarised_with_every_row_in_the_files_beside_it() {
    let env = Env::new();
    env.standard();
    for (s, d) in [
        ("FRA", "2015-10-23"),
        ("GBR", "2015-10-01"),
        ("MEX", "2015-10-23"),
    ] {
        env.adherence(s, d);
    }
    let page = env.path("p.html");
    let data = env.path("p.data");
    let export = || {
        env.ok(&["export", "html", "--out", page.to_str().unwrap()]);
        std::fs::read_to_string(&page).unwrap()
    };
    let small = export();
    assert!(
        !data.exists(),
        "a small record's page has no folder beside it"
    );
    assert!(!small.contains("This page summarises a large record"));

    let mut csv =
        String::from("draft_symbol,vote_date,member_state,iso3,vote,seat,method,source\n");
    let members: Vec<&str> = P5.iter().chain(E10_2022.iter()).copied().collect();
    let n: usize = 1_100;
    for d in 0..n {
        let (month, day) = (1 + d % 12, 1 + (d / 12) % 28);
        for (i, s) in members.iter().enumerate() {
            let vote = match *s {
                "RUS" => "N",
                "FRA" | "GBR" | "MEX" if d % 3 == 0 => "A",
                _ => "Y",
            };
            csv.push_str(&format!(
                "S/2022/{},2022-{month:02}-{day:02},{s},{s},{vote},{},test,https://press.example/S/2022/{}\n",
                d + 1,
                if i < 5 { "permanent" } else { "elected" },
                d + 1
            ));
        }
    }
    let votes_csv = env.path("votes.csv");
    std::fs::write(&votes_csv, csv).unwrap();
    let rec = env.key("rec");
    env.ok(&[
        "import",
        "votes",
        votes_csv.to_str().unwrap(),
        "--key",
        &rec,
    ]);

    let html = export();
    assert!(
        html.len() <= 5_000_000,
        "the page is {} bytes, above 5 MB",
        html.len()
    );
    assert!(
        html.contains("This page summarises a large record"),
        "not summarised"
    );
    // Every row of the long tables is in the files, as the commands print them.
    for (file, args) in [
        ("compliance.json", &["compliance", "--json"][..]),
        ("votes.json", &["votes", "--json"][..]),
        ("veto-initiative.json", &["veto-initiative", "--json"][..]),
    ] {
        let beside = std::fs::read_to_string(data.join(file)).unwrap();
        assert_eq!(
            beside,
            env.ok(args),
            "{file} is not what `{}` prints",
            args.join(" ")
        );
    }
    let compliance: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data.join("compliance.json")).unwrap())
            .unwrap();
    let findings: usize = compliance["votes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["findings"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        findings,
        3 * n.div_ceil(3),
        "FRA, GBR and MEX abstain on every third"
    );
    let rows = |file: &str| {
        std::fs::read_to_string(data.join(file))
            .unwrap()
            .lines()
            .count()
            - 1
    };
    assert_eq!(rows("findings.csv"), findings);
    assert_eq!(rows("vetoes.csv"), n, "every vote is vetoed by RUS");
    // The page shows fewer rows than the record holds, and says so.
    let shown = html
        .split("id=\"vetoes-table\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap()
        .matches("<tr><td")
        .count();
    assert!(shown > 0 && shown < n, "{shown} vetoes shown of {n}");
    assert!(
        html.contains(&format!("{shown} of the {n} vetoes")),
        "no note of what is shown"
    );
    // Every relative link resolves to a file beside the page.
    let links: Vec<&str> = hrefs(&html)
        .into_iter()
        .filter(|h| !h.starts_with("http") && !h.starts_with('#'))
        .collect();
    assert!(links.len() >= 5, "{links:?}");
    for l in links {
        assert!(l.starts_with("p.data/"), "{l}");
        assert!(env.path(l).is_file(), "the link {l} leads nowhere");
    }
    // Exported again over its own folder: the same page and files.
    assert_eq!(export(), html);
}
