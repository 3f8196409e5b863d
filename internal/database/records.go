package database

import (
	"time"

	"gorm.io/gorm"
)

// Records runs q and returns its rows as column → value, for exports that
// must carry every column a table holds (a person's data, GDPR article
// 15), so that a column added later is exported without anyone
// remembering to. Text read as bytes becomes a string, times are UTC.
// Booleans read from SQLite stay 0 or 1: it has no boolean type.
func Records(q *gorm.DB) ([]map[string]any, error) {
	rows := []map[string]any{}
	if err := q.Find(&rows).Error; err != nil {
		return nil, Translate(err)
	}
	for _, r := range rows {
		for k, v := range r {
			switch t := v.(type) {
			case []byte:
				r[k] = string(t)
			case time.Time:
				r[k] = t.UTC()
			}
		}
	}
	return rows, nil
}
