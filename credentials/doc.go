// Package credentials owns the machine-verifiable form of the certificates:
// the issuer's Ed25519 key and its DID (did:web of the public host when the
// platform is served over https, else the key's did:key), the DID document,
// each certificate as an Open Badges 3.0 OpenBadgeCredential (a W3C
// Verifiable Credential, data model 2.0) with an eddsa-rdfc-2022 Data
// Integrity proof, the Bitstring Status List credentials that say which
// credentials are revoked, and the verification of a credential someone
// pastes back.
//
// A credential is meant to be checked in ten years by anyone with a VC
// verifier, without this server except for the status list: everything a
// verifier needs is in the credential and the DID (the did:key names the
// key itself; the did:web document is at /.well-known/did.json), and the
// JSON-LD contexts are the published ones, embedded in the binary
// (contexts/README.md) and never fetched at run time.
//
// The certificate facts (holder, title, hours, revocation) stay the
// certificates domain's, read through its Facts. What this package keeps
// is only each certificate's place in the status lists, allocated once; a
// list is built from the certificates' revoked state whenever it is asked
// for, so a revocation shows in it at once and nothing has to be kept in
// step.
package credentials
