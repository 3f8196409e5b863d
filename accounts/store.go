package accounts

import (
	"context"
	"errors"
	"slices"
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
	Announcements bool
	// PrivacyNoticeVersion is the notice in force when the person
	// registered (and so agreed to), PrivacyAcceptedAt when.
	PrivacyNoticeVersion string
	PrivacyAcceptedAt    *time.Time
	ClosedAt             *time.Time
	CreatedAt            time.Time
	UpdatedAt            time.Time
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

// replaceRoles makes the user's roles exactly roles, touching only the
// ones that change, in the caller's transaction.
func (s store) replaceRoles(ctx context.Context, userID string, roles []string) error {
	q := s.db.Conn(ctx).Where("user_id = ?", userID)
	if len(roles) > 0 {
		q = q.Where("role NOT IN ?", roles)
	}
	if err := q.Delete(&roleRow{}).Error; err != nil {
		return database.Translate(err)
	}
	have, err := s.roles(ctx, userID)
	if err != nil {
		return err
	}
	var add []string
	for _, r := range roles {
		if !slices.Contains(have[userID], r) {
			add = append(add, r)
		}
	}
	if len(add) == 0 {
		return nil
	}
	return s.addRoles(ctx, userID, add)
}

// lockTeam returns the ids of the team's accounts, holding their role rows
// until the transaction ends, so that two team members taking the role
// from each other at once cannot both see the other still there.
func (s store) lockTeam(ctx context.Context) ([]string, error) {
	var ids []string
	err := s.db.ForUpdate(ctx).Model(&roleRow{}).Where("role = ?", RoleTeam).Order("user_id").Pluck("user_id", &ids).Error
	return ids, database.Translate(err)
}

// update writes the given columns of the user.
func (s store) update(ctx context.Context, id string, cols map[string]any) error {
	return database.Translate(s.db.Conn(ctx).Model(&userRow{}).Where("id = ?", id).Updates(cols).Error)
}

// erase empties a closed account of personal data, in the caller's
// transaction: the row stays (certificates, attendance and the funders'
// counts point at it) under a placeholder address nobody can sign in
// with, which frees the real address to register again.
func (s store) erase(ctx context.Context, id string, at time.Time) error {
	conn := s.db.Conn(ctx)
	if err := conn.Model(&userRow{}).Where("id = ?", id).Updates(map[string]any{
		"email": "closed-" + id + "@invalid", "password_hash": "", "given_name": "", "family_name": "",
		"municipality": "", "workplace": "", "position": "", "email_verified": false, "announcements": false,
		"closed_at": at, "updated_at": at,
	}).Error; err != nil {
		return database.Translate(err)
	}
	if err := conn.Where("user_id = ?", id).Delete(&roleRow{}).Error; err != nil {
		return database.Translate(err)
	}
	return database.Translate(conn.Where("user_id = ?", id).Delete(&linkRow{}).Error)
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

// withRole lists the open accounts holding role, by family and given name.
func (s store) withRole(ctx context.Context, role string) ([]userRow, error) {
	var rows []userRow
	err := s.db.Conn(ctx).Where("closed_at IS NULL AND id IN (?)", s.db.Conn(ctx).Model(&roleRow{}).Select("user_id").Where("role = ?", role)).
		Order("family_name, given_name, id").Find(&rows).Error
	return rows, database.Translate(err)
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
