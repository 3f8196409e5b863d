// Package certificates owns the completion certificates ("apliecinājumi"):
// issuing exactly one per completed enrolment (or in-person programme
// place), the Latvian PDF with its verification QR code, kept in object
// storage, public verification by code, revocation, and issuing a whole
// cohort's certificates as a background job. Revocations are on the
// audit log; a closed account's certificates stay, with the name printed
// on them, and stay verifiable. The yearly training transcript (izziņa)
// of package training is drawn here too (transcript.go), in the same fonts.
//
// Every PDF names its issuer (MOOC_ISSUER_NAME, with the logo of
// MOOC_ISSUER_LOGO; issuer.go) and carries the issuer's electronic seal: a
// PAdES-style certification signature (sign.go) by the X.509 seal of
// MOOC_SEAL_CERT and MOOC_SEAL_KEY, or by a self-signed one generated once
// into the data directory (seal.go), so that any PDF reader can tell,
// without this server, who issued a certificate and that it is unchanged.
// Render and RenderTranscript stay pure; the service seals what they draw.
//
// Whether a certificate is earned is not decided here: an online course's
// rule is cohorts.Missing (asked through the Completions of the cohorts
// domain), an in-person programme's is its attendance threshold in the
// programmes domain, which issues through Issue.
package certificates
