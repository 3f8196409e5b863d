// Package api translates HTTP into domain calls and domain errors into
// status codes. It owns routing, request decoding, the problem+json error
// table, authentication of requests, metrics, the OpenAPI document and the
// docs page; every rule about courses, seats or certificates lives in the
// domain packages it calls.
package api
