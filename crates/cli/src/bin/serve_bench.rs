//! `actledger-serve-bench`: remote appends per second against a running `actledger serve`, with
//! N clients, and where the time goes (docs/PERFORMANCE.md, "Serving"). Each client does what
//! `record --remote` does (GET /head, sign here, POST /events, again on 409); the server's
//! `Server-Timing` header splits its part into waiting for the ledger, checking and the
//! durable write.
//!
//! ```sh
//! actledger-serve-bench --url http://127.0.0.1:8080 --key recorder.key --clients 4 --appends 250
//! ```

#![forbid(unsafe_code)]

use std::time::{Duration, Instant};

use actledger_core::event::{DraftTabled, EventBody, Fact};
use actledger_core::{DraftSymbol, SigningKey, Text};
use actledger_http::client::{join, Client};
use actledger_http::serve::remote::RemoteLog;
use anyhow::{bail, Context, Result};

#[derive(Debug, Default, Clone, Copy)]
struct Times {
    head: f64,
    sign: f64,
    post: f64,
    lock: f64,
    check: f64,
    write: f64,
    conflicts: u64,
}

impl Times {
    fn add(&mut self, o: &Times) {
        self.head += o.head;
        self.sign += o.sign;
        self.post += o.post;
        self.lock += o.lock;
        self.check += o.check;
        self.write += o.write;
        self.conflicts += o.conflicts;
    }
}

fn server_timing(v: Option<&str>) -> [f64; 3] {
    let mut out = [0.0; 3];
    for part in v.unwrap_or_default().split(',') {
        let mut it = part.trim().split(";dur=");
        let (Some(name), Some(d)) = (it.next(), it.next()) else {
            continue;
        };
        let d: f64 = d.parse().unwrap_or(0.0);
        match name {
            "lock" => out[0] = d,
            "check" => out[1] = d,
            "write" => out[2] = d,
            _ => {}
        }
    }
    out
}

fn draft(year: u16, n: u32) -> Result<EventBody> {
    Ok(EventBody::Fact(Fact::DraftTabled(DraftTabled {
        draft: DraftSymbol::new(year, n)?,
        subject: Text::new("serve bench")?,
        agenda_item: Text::empty(),
        penholders: vec![],
        tabled_on: None,
        reported_vote: None,
        source: Text::new("actledger-serve-bench")?,
        note: Text::empty(),
    })))
}

fn client(url: &str, key: &SigningKey, year: u16, first: u32, n: u32) -> Result<Times> {
    let log = RemoteLog::new(url);
    let http = Client::new(Duration::from_secs(60), 1 << 20);
    let post_url = join(url, "events");
    let mut t = Times::default();
    for i in 0..n {
        let body = draft(year, first + i)?;
        loop {
            let a = Instant::now();
            let head = log.head()?;
            let b = Instant::now();
            let sealed = RemoteLog::seal(key, &head, std::slice::from_ref(&body))?;
            let c = Instant::now();
            let r = http.post(&post_url, "application/octet-stream", &sealed[0].bytes)?;
            let d = Instant::now();
            t.head += (b - a).as_secs_f64() * 1000.0;
            t.sign += (c - b).as_secs_f64() * 1000.0;
            t.post += (d - c).as_secs_f64() * 1000.0;
            let [lock, check, write] = server_timing(r.header("server-timing"));
            t.lock += lock;
            t.check += check;
            t.write += write;
            match r.status {
                201 => break,
                409 => t.conflicts += 1,
                s => bail!("POST /events answered {s}: {}", r.text()),
            }
        }
    }
    Ok(t)
}

fn main() -> Result<()> {
    let mut url = None;
    let mut key = None;
    let (mut clients, mut appends, mut year) = (1u32, 200u32, 2040u16);
    let mut fill = 0u32;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--url" => url = args.next(),
            "--key" => key = args.next(),
            "--clients" => clients = args.next().context("--clients N")?.parse()?,
            "--appends" => appends = args.next().context("--appends N")?.parse()?,
            "--year" => year = args.next().context("--year Y")?.parse()?,
            "--fill" => fill = args.next().context("--fill N")?.parse()?,
            _ => bail!("usage: actledger-serve-bench --url URL --key FILE [--clients N] [--appends N] [--year Y] | --fill N"),
        }
    }
    let url = url.context("--url URL")?;
    let key_path = key.context("--key FILE")?;
    let key = SigningKey::from_key_file(
        &std::fs::read_to_string(&key_path).with_context(|| format!("cannot read {key_path}"))?,
    )
    .map_err(|e| anyhow::anyhow!("{key_path}: {e}"))?;
    if fill > 0 {
        // Grow the served ledger by `fill` drafts, in batches of 2,000 (to bench a larger log).
        let log = RemoteLog::new(&url);
        let start = Instant::now();
        let mut done = 0;
        while done < fill {
            let n = (fill - done).min(2000);
            let bodies = (done..done + n)
                .map(|i| {
                    draft(
                        year.saturating_add(u16::try_from(i / 99_999).unwrap_or(0)),
                        i % 99_999 + 1,
                    )
                })
                .collect::<Result<Vec<_>>>()?;
            log.append_batch(&key, &bodies)?;
            done += n;
        }
        println!(
            "filled {fill} events in {:.1} s",
            start.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    let start = Instant::now();
    let results: Vec<Result<Times>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                let (url, key) = (&url, &key);
                s.spawn(move || client(url, key, year, c * appends + 1, appends))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a client panicked")))
            })
            .collect()
    });
    let wall = start.elapsed().as_secs_f64();
    let mut total = Times::default();
    for r in results {
        total.add(&r?);
    }
    let n = f64::from(clients * appends);
    let client_ms = total.head + total.sign + total.post;
    let server_ms = total.lock + total.check + total.write;
    let network = client_ms - total.sign - server_ms;
    let share = |x: f64| 100.0 * x / client_ms;
    println!(
        "clients {clients}, appends {}: {:.0} appends/s ({:.2} ms each per client), {} conflicts (409)",
        clients * appends,
        n / wall,
        client_ms / n,
        total.conflicts
    );
    println!(
        "time per client: signing {:.1}%, network and HTTP {:.1}%, waiting for the ledger {:.1}%, checking {:.1}%, durable write {:.1}%",
        share(total.sign),
        share(network),
        share(total.lock),
        share(total.check),
        share(total.write)
    );
    Ok(())
}
