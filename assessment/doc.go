// Package assessment owns the knowledge tests: each course's question bank,
// its weekly and final tests, the attempts learners make (questions drawn
// and fixed when an attempt starts, time limits enforced by the server) and
// their grading. It tells the catalogue which tests a course has and how a
// learner stands in them, and copies a course's bank and tests into its
// next edition, or removes them with a deleted draft, in the catalogue's
// transaction (banks.go). A person's attempts, with the answers they gave
// (never the key), are part of their data export (personal.go).
package assessment
