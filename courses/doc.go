// Package courses owns the catalogue: methodologies, their online courses
// of (usually) five weeks, the lessons of each week in order, and the rule
// for when a course is complete enough to publish. Who may see or edit a
// course is decided here too: drafts belong to their author and the team.
package courses
