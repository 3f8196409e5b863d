package certificates

import (
	"context"
	"strings"

	"mooc/internal/database"
)

// Search finds certificates for the team: the one a code names (typed
// with or without dashes and spaces), or those whose holder's name
// contains query, letter case aside; newest first, at most limit.
func (s *Service) Search(ctx context.Context, query string, limit int) ([]Certificate, error) {
	query = strings.TrimSpace(query)
	if query == "" {
		return []Certificate{}, nil
	}
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	rows, err := s.store.search(ctx, NormalizeCode(query), query, limit)
	if err != nil {
		return nil, err
	}
	return s.views(rows), nil
}

// HeldBy lists a person's certificates for the team, newest first.
func (s *Service) HeldBy(ctx context.Context, userID string) ([]Certificate, error) {
	var rows []certificateRow
	if err := s.db.Conn(ctx).Where("user_id = ?", userID).Order("issued_at DESC, id").Find(&rows).Error; err != nil {
		return nil, database.Translate(err)
	}
	return s.views(rows), nil
}

// OfSources are the certificates earned by the given sources of a kind
// (the applications of a programme's participants, say), by source id.
func (s *Service) OfSources(ctx context.Context, kind string, ids []string) (map[string]Certificate, error) {
	out := map[string]Certificate{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.store.bySources(ctx, kind, ids)
	if err != nil {
		return nil, err
	}
	for id, r := range rows {
		out[id] = s.view(r)
	}
	return out, nil
}

func (s *Service) views(rows []certificateRow) []Certificate {
	out := make([]Certificate, len(rows))
	for i, r := range rows {
		out[i] = s.view(r)
	}
	return out
}
