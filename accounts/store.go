package accounts

import (
	"context"
	"errors"
	"strings"
	"time"

	"mooc/internal/database"
	"mooc/internal/page"
)

// userRow is the users table; the domain User never carries the hash.
type userRow struct {
	ID            string
	Email         string
	PasswordHash  string
	GivenName     string
	FamilyName    string
	Municipality  string
	Workplace     string
	Position      string
	EmailVerified bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (userRow) TableName() string { return "users" }

type roleRow struct {
	UserID string
	Role   string
}

func (roleRow) TableName() string { return "user_roles" }

type store struct{ db *database.DB }

func (s store) insert(ctx context.Context, u userRow, roles []string) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.db.Conn(ctx).Create(&u).Error; err != nil {
			if errors.Is(database.Translate(err), database.ErrDuplicate) {
				return ErrEmailTaken
			}
			return database.Translate(err)
		}
		return s.addRoles(ctx, u.ID, roles)
	})
}

func (s store) addRoles(ctx context.Context, userID string, roles []string) error {
	rows := make([]roleRow, len(roles))
	for i, r := range roles {
		rows[i] = roleRow{UserID: userID, Role: r}
	}
	return database.Translate(s.db.Conn(ctx).Create(&rows).Error)
}

func (s store) byEmail(ctx context.Context, email string) (userRow, error) {
	var u userRow
	err := database.Translate(s.db.Conn(ctx).Where("email = ?", email).Take(&u).Error)
	if errors.Is(err, database.ErrNotFound) {
		return u, ErrNotFound
	}
	return u, err
}

func (s store) byID(ctx context.Context, id string) (userRow, error) {
	var u userRow
	err := database.Translate(s.db.Conn(ctx).Where("id = ?", id).Take(&u).Error)
	if errors.Is(err, database.ErrNotFound) {
		return u, ErrNotFound
	}
	return u, err
}

func (s store) roles(ctx context.Context, userIDs ...string) (map[string][]string, error) {
	var rows []roleRow
	if err := s.db.Conn(ctx).Where("user_id IN ?", userIDs).Order("role").Find(&rows).Error; err != nil {
		return nil, database.Translate(err)
	}
	out := make(map[string][]string, len(userIDs))
	for _, r := range rows {
		out[r.UserID] = append(out[r.UserID], r.Role)
	}
	return out, nil
}

func (s store) replaceRoles(ctx context.Context, userID string, roles []string) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.db.Conn(ctx).Where("user_id = ?", userID).Delete(&roleRow{}).Error; err != nil {
			return database.Translate(err)
		}
		return s.addRoles(ctx, userID, roles)
	})
}

// search lists users whose e-mail contains query, ordered by e-mail.
func (s store) search(ctx context.Context, query string, p page.Request) ([]userRow, error) {
	q := s.db.Conn(ctx).Order("email").Limit(p.Limit + 1)
	if query != "" {
		q = q.Where("email LIKE ? ESCAPE '\\'", "%"+escapeLike(strings.ToLower(query))+"%")
	}
	if len(p.After) == 1 {
		q = q.Where("email > ?", p.After[0])
	}
	var rows []userRow
	return rows, database.Translate(q.Find(&rows).Error)
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func (s store) exists(ctx context.Context, email string) (bool, error) {
	var n int64
	err := s.db.Conn(ctx).Model(&userRow{}).Where("email = ?", email).Count(&n).Error
	return n > 0, database.Translate(err)
}

func (s store) byIDs(ctx context.Context, ids []string) ([]userRow, error) {
	var rows []userRow
	return rows, database.Translate(s.db.Conn(ctx).Where("id IN ?", ids).Find(&rows).Error)
}

func (s store) markVerified(ctx context.Context, id string) error {
	return database.Translate(s.db.Conn(ctx).Model(&userRow{}).Where("id = ?", id).Update("email_verified", true).Error)
}

func (s store) setPassword(ctx context.Context, id, hash string, at time.Time) error {
	return database.Translate(s.db.Conn(ctx).Model(&userRow{}).Where("id = ?", id).
		Updates(map[string]any{"password_hash": hash, "updated_at": at}).Error)
}

// useLinks uses up every live link of the purpose the user has.
func (s store) useLinks(ctx context.Context, userID, purpose string, at time.Time) error {
	return database.Translate(s.db.Conn(ctx).Model(&linkRow{}).Where("user_id = ? AND purpose = ? AND used_at IS NULL", userID, purpose).
		Update("used_at", at).Error)
}
