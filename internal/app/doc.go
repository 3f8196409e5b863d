// Package app builds the whole platform from its configuration: the
// database (migrated), object storage, every domain service with the
// dependencies it is constructed with, and the HTTP adapter over them.
// The command (cmd/mooc) and the tests build it the same way, through New;
// Start runs its background workers under one group and Close waits for
// them before it closes anything they use. Each worker claims its work as
// this replica (MOOC_REPLICA_ID, internal/lease), so several replicas
// share the work and take over what a dead one held.
package app
