//! Section 7 and the footer: the proof of integrity and the commands that check it.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) fn integrity_section(out: &mut String, p: &Page) {
    out.push_str("<section id=\"integrity\" aria-labelledby=\"h-integrity\">\n");
    out.push_str("<h2 id=\"h-integrity\"><span class=\"num\">7</span> Proof of integrity</h2>\n");
    out.push_str(
        "<p>Before writing this page, <code>actledger</code> recomputed every hash, signature and \
         rule of the ledger from its stored bytes. The result is the fingerprint below: change, \
         insert or remove any event and it changes. A signed <em>checkpoint</em> (a C2SP \
         transparency-log tree head) commits to the whole log in a form anyone can verify with \
         the log's public key alone, without trusting whoever published this page.</p>\n",
    );
    out.push_str("<table class=\"kv\" id=\"head-table\">\n<caption>The ledger when this page was written</caption>\n<tbody>\n");
    out.push_str(&format!(
        "<tr><th scope=\"row\">Origin</th><td class=\"mono\">{}</td></tr>\n",
        Esc(&p.origin)
    ));
    out.push_str(&format!(
        "<tr><th scope=\"row\">Events</th><td>{} (event 0 to {}), all verified</td></tr>\n",
        p.head.events,
        p.head.events.saturating_sub(1)
    ));
    out.push_str(&format!(
        "<tr><th scope=\"row\">Head (SHA-256 of the last event)</th><td class=\"mono hash\">{}</td></tr>\n",
        Esc(&p.head.hash)
    ));
    if let Some(c) = &p.cut {
        out.push_str(&format!(
            "<tr><th scope=\"row\">This page stops at event {}</th><td class=\"mono hash\">{}</td></tr>\n",
            c.seq,
            Esc(&c.hash)
        ));
    }
    out.push_str("</tbody>\n</table>\n");

    match &p.checkpoint {
        None => {
            out.push_str(
                "<div class=\"checkpoint none\" id=\"checkpoint\"><p><strong>No checkpoint yet:</strong> \
                 run <code>actledger checkpoint --key keys/log.key</code> to sign one, then export \
                 this page again. Until then the fingerprint above is the record's proof.</p></div>\n",
            );
        }
        Some(cp) => checkpoint_box(out, cp, p.head.events),
    }

    out.push_str("<h3>Check it yourself</h3>\n<pre class=\"commands\" id=\"verify-commands\">");
    out.push_str(
        "<span class=\"c\"># recompute every hash, signature and rule; prints the head above</span>\n\
         actledger verify\n",
    );
    match p.checkpoint.as_ref().and_then(|c| c.verifier_keys.first()) {
        None => out.push_str(
            "<span class=\"c\"># sign a checkpoint with the log key, then export this page again</span>\n\
             actledger checkpoint --key keys/log.key\n",
        ),
        Some(vkey) => {
            let (state, lower) = p.supporters.supporters.first().map_or(
                ("GBR".to_string(), "gbr".to_string()),
                |s| (s.state.to_string(), s.state.as_str().to_lowercase()),
            );
            out.push_str(&format!(
                "<span class=\"c\"># print the latest signed checkpoint (compare with the note above)</span>\n\
                 actledger checkpoint --latest\n\
                 <span class=\"c\"># prove one supporter's adherence against it, then check the proof offline</span>\n\
                 actledger prove --state {state} &gt; {lower}.proof\n\
                 actledger verify-proof --vkey '{vkey}' {lower}.proof\n\
                 <span class=\"c\"># or hand an auditor a snapshot that verifies without the database</span>\n\
                 actledger export snapshot --out snapshot\n\
                 actledger verify-snapshot snapshot --vkey '{vkey}'\n",
                state = Esc(state),
                lower = Esc(lower),
                vkey = Esc(vkey),
            ));
        }
    }
    out.push_str("</pre>\n");
    out.push_str(&format!(
        "<p class=\"note\">Run these with <code>--ledger DIR</code> (or <code>ACTLEDGER_DIR</code>) \
         pointing at a copy of the ledger. The same ledger always gives the same page, byte for \
         byte: export it again with <code>actledger export html --out FILE.html{}</code> and \
         compare.</p>\n",
        cutoff_flags(p)
    ));
    out.push_str("</section>\n");
}

pub(super) fn cutoff_flags(p: &Page) -> String {
    let mut s = String::new();
    if let Some(d) = p.as_of {
        s.push_str(&format!(" --as-of {}", Esc(d)));
    }
    if let Some(n) = p.at_seq {
        s.push_str(&format!(" --at-seq {n}"));
    }
    s
}

pub(super) fn checkpoint_box(out: &mut String, cp: &CheckpointInfo, events: u64) {
    out.push_str(
        "<div class=\"checkpoint\" id=\"checkpoint\">\n<h3>Latest signed checkpoint</h3>\n",
    );
    if cp.size == events {
        out.push_str(&format!(
            "<p>It commits to all {events} events of the ledger.</p>\n"
        ));
    } else if cp.size < events {
        out.push_str(&format!(
            "<p>It commits to the first {} of the {events} events; the {} recorded since will be \
             covered by the next checkpoint (<code>actledger checkpoint --key keys/log.key</code>).</p>\n",
            cp.size,
            events - cp.size
        ));
    }
    out.push_str("<table class=\"kv\" id=\"checkpoint-table\">\n<caption class=\"sr-only\">The checkpoint (C2SP tlog-checkpoint in a signed note)</caption>\n<tbody>\n");
    out.push_str(&format!(
        "<tr><th scope=\"row\">Origin</th><td class=\"mono\">{}</td></tr>\n",
        Esc(&cp.origin)
    ));
    out.push_str(&format!(
        "<tr><th scope=\"row\">Tree size</th><td>{} events</td></tr>\n",
        cp.size
    ));
    out.push_str(&format!(
        "<tr><th scope=\"row\">Root hash (base64)</th><td class=\"mono hash\">{}</td></tr>\n",
        Esc(&cp.root)
    ));
    for s in &cp.signatures {
        out.push_str(&format!(
            "<tr><th scope=\"row\">Signature</th><td>by <span class=\"mono\">{}</span>, key ID <span class=\"mono\">{}</span>: <span class=\"mono hash\">{}</span></td></tr>\n",
            Esc(&s.name),
            Esc(&s.key_id),
            Esc(&s.signature)
        ));
    }
    for k in &cp.verifier_keys {
        out.push_str(&format!(
            "<tr><th scope=\"row\">Log verifier key</th><td class=\"mono hash\">{}</td></tr>\n",
            Esc(k)
        ));
    }
    out.push_str("</tbody>\n</table>\n");
    out.push_str("<ul class=\"checks\">\n");
    for c in &cp.checks {
        out.push_str(&format!(
            "<li class=\"{}\">{} {}</li>\n",
            if c.ok { "ok" } else { "fail" },
            if c.ok {
                "<span aria-label=\"passed\">&#10003;</span>"
            } else {
                "<span aria-label=\"failed\">&#10007;</span>"
            },
            Esc(&c.what)
        ));
    }
    out.push_str("</ul>\n");
    out.push_str(&format!(
        "<p>The signed note, verbatim:</p>\n<pre class=\"note-text\" id=\"checkpoint-note\">{}</pre>\n</div>\n",
        Esc(&cp.note)
    ));
}

pub(super) fn footer(out: &mut String, p: &Page) {
    out.push_str(&format!(
        "<footer><p>Generated by {} from the ledger <span class=\"mono\">{}</span> ({} events, head \
         <span class=\"mono\">{}</span>). This file contains no scripts and loads nothing: it works \
         offline and prints on A4.</p></footer>\n",
        Esc(&p.generator),
        Esc(&p.origin),
        p.head.events,
        Esc(p.head.hash.get(..16).unwrap_or(&p.head.hash)),
    ));
}
