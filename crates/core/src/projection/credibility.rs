//! Whose credibility assessments count (the Code's "credible" is undefined on purpose, and
//! observers may disagree). A [`TrustPolicy`] names the trusted assessor keys; a draft's
//! [`Verdict`] is derived from the trusted assessments only. Disagreement among trusted
//! assessors is a **conflict**: reported, never resolved.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::event::AtrocityCrime;
use crate::projection::{Basis, View};
use crate::symbol::{DraftSymbol, UnSymbol};
use crate::types::{PublicKey, Seq, Timestamp};

/// Which assessor keys to trust.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum TrustPolicy {
    /// Every key granted the assessor role in the replayed log (the default). A key revoked
    /// later stays trusted for the assessments it made before revocation: revocation stops a
    /// key from signing, it does not unsay what it said (rotating a key must not erase a
    /// record of breaches).
    #[default]
    AllAssessors,
    /// Exactly these keys (the command line's `--trust KEY`, repeatable).
    Only(BTreeSet<PublicKey>),
}

/// How the trusted keys were chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyKind {
    /// Every assessor key of the ledger (`"all-assessors"`).
    AllAssessors,
    /// An explicit list (`"explicit"`).
    Explicit,
}

/// A trusted key and what the ledger says of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedKey {
    /// The key (hex).
    pub key: PublicKey,
    /// Who holds it, when the ledger granted it the assessor role.
    pub holder: Option<String>,
    /// Sequence number of the assessor grant, if any (an explicitly trusted key the ledger
    /// never granted has none, and no assessments).
    pub granted: Option<Seq>,
    /// Sequence number of its revocation, if revoked.
    pub revoked: Option<Seq>,
}

/// A policy resolved against a view: the trusted keys, with their grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// How the keys were chosen.
    pub kind: PolicyKind,
    /// The trusted keys, sorted.
    pub keys: Vec<TrustedKey>,
}

/// The short form of a policy cited by each finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicySummary {
    /// How the keys were chosen.
    pub kind: PolicyKind,
    /// The trusted keys, sorted.
    pub keys: Vec<PublicKey>,
}

impl TrustPolicy {
    /// The trusted keys for this view.
    pub fn resolve(&self, view: &View) -> Policy {
        let known = view.assessor_keys();
        let describe = |k: &PublicKey| {
            let info = known.get(k);
            TrustedKey {
                key: *k,
                holder: info.map(|i| i.holder.clone()),
                granted: info.map(|i| i.granted),
                revoked: info.and_then(|i| i.revoked),
            }
        };
        match self {
            TrustPolicy::AllAssessors => Policy {
                kind: PolicyKind::AllAssessors,
                keys: known.keys().map(describe).collect(),
            },
            TrustPolicy::Only(keys) => Policy {
                kind: PolicyKind::Explicit,
                keys: keys.iter().map(describe).collect(),
            },
        }
    }
}

impl Policy {
    /// Whether `key` is trusted.
    pub fn trusts(&self, key: &PublicKey) -> bool {
        self.keys.binary_search_by(|k| k.key.cmp(key)).is_ok()
    }

    /// The short form cited by findings.
    pub fn summary(&self) -> PolicySummary {
        PolicySummary {
            kind: self.kind,
            keys: self.keys.iter().map(|k| k.key).collect(),
        }
    }
}

/// What the trusted assessors say of a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Every trusted assessment says credible (`"credible"`).
    Credible,
    /// Every trusted assessment says not credible (`"not-credible"`).
    NotCredible,
    /// Trusted assessors disagree (`"conflict"`).
    Conflict,
    /// No trusted assessor assessed it (`"unassessed"`).
    Unassessed,
}

impl Verdict {
    /// The kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Credible => "credible",
            Verdict::NotCredible => "not-credible",
            Verdict::Conflict => "conflict",
            Verdict::Unassessed => "unassessed",
        }
    }
}

/// One assessment, as cited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentRef {
    /// Sequence number of the `CredibilityAssessment` event.
    pub seq: Seq,
    /// Corrections applied to it.
    pub corrections: Vec<Seq>,
    /// The assessor key.
    pub assessor: PublicKey,
    /// Credible or not.
    pub credible: bool,
    /// Crimes concerned.
    pub crimes: Vec<AtrocityCrime>,
    /// UN documents cited.
    pub basis: Vec<UnSymbol>,
    /// When the version in effect was recorded.
    pub recorded_at: Timestamp,
}

/// A draft's credibility under a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credibility {
    /// The draft.
    pub draft: DraftSymbol,
    /// The verdict of the trusted assessors.
    pub verdict: Verdict,
    /// The trusted assessments it rests on, in log order.
    pub trusted: Vec<AssessmentRef>,
    /// Sequence numbers of assessments by keys outside the policy (ignored).
    pub untrusted: Vec<Seq>,
}

impl Credibility {
    /// Sequence numbers of the trusted assessments.
    pub fn seqs(&self) -> Vec<Seq> {
        self.trusted.iter().map(|a| a.seq).collect()
    }
}

/// The credibility of `draft` under `policy`.
pub fn credibility(view: &View, policy: &Policy, draft: DraftSymbol) -> Credibility {
    let mut trusted = Vec::new();
    let mut untrusted = Vec::new();
    for a in view.assessments().get(&draft).into_iter().flatten() {
        if policy.trusts(&a.assessor) {
            trusted.push(AssessmentRef {
                seq: a.seq,
                corrections: a.corrections.clone(),
                assessor: a.assessor,
                credible: a.fact.credible,
                crimes: a.fact.crimes.clone(),
                basis: a.fact.basis.clone(),
                recorded_at: a.recorded_at,
            });
        } else {
            untrusted.push(a.seq);
        }
    }
    let yes = trusted.iter().any(|a| a.credible);
    let no = trusted.iter().any(|a| !a.credible);
    let verdict = match (yes, no) {
        (true, true) => Verdict::Conflict,
        (true, false) => Verdict::Credible,
        (false, true) => Verdict::NotCredible,
        (false, false) => Verdict::Unassessed,
    };
    Credibility {
        draft,
        verdict,
        trusted,
        untrusted,
    }
}

/// Every draft voted on or assessed in the view, judged under one policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredibilityReport {
    /// The cut-offs and the part of the log this rests on.
    pub basis: Basis,
    /// The policy used.
    pub policy: Policy,
    /// Drafts, sorted by symbol.
    pub drafts: Vec<Credibility>,
}

/// The credibility of every draft voted on or assessed in the view.
pub fn credibility_report(view: &View, policy: &Policy) -> CredibilityReport {
    let drafts: BTreeSet<DraftSymbol> = view
        .votes()
        .keys()
        .chain(view.assessments().keys().copied())
        .collect();
    CredibilityReport {
        basis: view.basis().clone(),
        policy: policy.clone(),
        drafts: drafts
            .into_iter()
            .map(|d| credibility(view, policy, d))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Role, Vote};
    use crate::projection::testkit::*;
    use crate::projection::Cutoff;

    #[test]
    fn verdicts_under_policies() {
        let mut l = Log::new();
        let (a, b, c) = (key(10), key(11), key(12));
        l.grant(a, Role::Assessor);
        l.grant(b, Role::Assessor);
        l.fact(vote_all_yes("S/2022/1", "2022-05-02", &[("RUS", Vote::No)]));
        let sa = l.fact_by(a, assessment("S/2022/1", true));
        let sb = l.fact_by(b, assessment("S/2022/1", false));
        let sc = l.fact_by(c, assessment("S/2022/1", true));
        l.revoke(a);
        let v = l.view(Cutoff::default());
        let all = TrustPolicy::AllAssessors.resolve(&v);
        assert_eq!(all.keys.len(), 2);
        assert!(
            all.keys.iter().any(|k| k.revoked.is_some()),
            "revoked keys stay trusted"
        );
        let x = credibility(&v, &all, sym("S/2022/1"));
        assert_eq!(x.verdict, Verdict::Conflict);
        assert_eq!(x.seqs(), vec![sa, sb]);
        assert_eq!(x.untrusted, vec![sc]);
        let only_a = TrustPolicy::Only([a].into()).resolve(&v);
        assert_eq!(
            credibility(&v, &only_a, sym("S/2022/1")).verdict,
            Verdict::Credible
        );
        let only_b = TrustPolicy::Only([b].into()).resolve(&v);
        assert_eq!(
            credibility(&v, &only_b, sym("S/2022/1")).verdict,
            Verdict::NotCredible
        );
        let only_c = TrustPolicy::Only([c].into()).resolve(&v);
        assert_eq!(only_c.keys[0].granted, None);
        assert_eq!(
            credibility(&v, &only_c, sym("S/2022/1")).verdict,
            Verdict::Credible
        );
        let none = TrustPolicy::Only(BTreeSet::new()).resolve(&v);
        assert_eq!(
            credibility(&v, &none, sym("S/2022/1")).verdict,
            Verdict::Unassessed
        );
        let report = credibility_report(&v, &all);
        assert_eq!(report.drafts.len(), 1);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["drafts"][0]["verdict"], "conflict");
        assert_eq!(json["policy"]["kind"], "all-assessors");
    }
}
