// Package config owns the service's settings: every MOOC_* environment
// variable is read and validated here, once, at start-up, so the rest of the
// code receives plain values and never calls os.Getenv.
package config
