// Package training owns a person's yearly training record: the hours of
// every online course and in-person programme they completed in a
// calendar year (Riga time), against the yearly requirement
// (MOOC_YEARLY_TRAINING_HOURS), and the same as a Latvian transcript
// (izziņa) PDF.
//
// The record is read from the certificates: a certificate is the proof
// that a course or programme was completed, so what has none does not
// count, and a revoked certificate does not count either. An online
// course counts its effort hours (as the certificate states them) on the
// certificate's date, the day it was completed; an in-person programme
// counts the hours its participant attended, on the day its certificate
// was issued, when the team's attendance record confirmed it. The PDF is
// drawn and sealed by the certificates package (Deps.Transcripts), with
// the same embedded fonts, the issuer and the issuer's seal.
package training
