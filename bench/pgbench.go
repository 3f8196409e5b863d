package bench

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Pgbench is what a pgbench run reported.
type Pgbench struct {
	Processed, Wanted int     // "number of transactions actually processed: 2000/2000"
	Failed            int     // "number of failed transactions: 0 (0.000%)" (PostgreSQL 15+)
	LatencyMs         float64 // "latency average = 12.3 ms"
	TPS               float64 // "tps = 1234.5 (without initial connection time)"
	// With -r: each command's average latency, in the script's order.
	Statements []PgbenchStatement
}

// PgbenchStatement is one line of pgbench -r's per-statement latencies.
type PgbenchStatement struct {
	Ms      float64
	Command string // the script's line, as pgbench prints it
}

var (
	pgbenchProcessed = regexp.MustCompile(`(?m)^number of transactions actually processed: (\d+)(?:/(\d+))?`)
	pgbenchFailed    = regexp.MustCompile(`(?m)^number of failed transactions: (\d+)`)
	pgbenchLatency   = regexp.MustCompile(`(?m)^latency average = ([0-9.]+) ms`)
	// PostgreSQL 14 and later print one tps line; older ones two, the
	// second "excluding connections establishing".
	pgbenchStatement = regexp.MustCompile(`^\s+([0-9.]+)\s+(?:[0-9]+\s+)?(\S.*)$`)
	pgbenchTPS       = regexp.MustCompile(`(?m)^tps = ([0-9.]+) \((?:without initial connection time|excluding connections establishing)\)`)
)

// ParsePgbench reads pgbench's summary.
func ParsePgbench(out string) (Pgbench, error) {
	var p Pgbench
	m := pgbenchProcessed.FindStringSubmatch(out)
	t := pgbenchTPS.FindStringSubmatch(out)
	if m == nil || t == nil {
		return p, fmt.Errorf("bench: pgbench printed no summary")
	}
	p.Processed, _ = strconv.Atoi(m[1])
	p.Wanted = p.Processed
	if m[2] != "" {
		p.Wanted, _ = strconv.Atoi(m[2])
	}
	p.TPS, _ = strconv.ParseFloat(t[1], 64)
	if f := pgbenchFailed.FindStringSubmatch(out); f != nil {
		p.Failed, _ = strconv.Atoi(f[1])
	}
	if l := pgbenchLatency.FindStringSubmatch(out); l != nil {
		p.LatencyMs, _ = strconv.ParseFloat(l[1], 64)
	}
	// After "statement latencies in milliseconds…": "  0.537  0  SELECT …"
	// (PostgreSQL 15 adds the failures column).
	if i := strings.Index(out, "statement latencies in milliseconds"); i >= 0 {
		lines := strings.Split(out[i:], "\n")[1:]
		for _, line := range lines {
			m := pgbenchStatement.FindStringSubmatch(line)
			if m == nil {
				break
			}
			ms, _ := strconv.ParseFloat(m[1], 64)
			p.Statements = append(p.Statements, PgbenchStatement{Ms: ms, Command: m[2]})
		}
	}
	return p, nil
}
