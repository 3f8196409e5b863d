package api

import (
	"github.com/gofiber/fiber/v2"

	"mooc/accounts"
	"mooc/audit"
	"mooc/internal/validation"
	"mooc/privacy"
)

type closeRequest struct {
	Password string `json:"password" validate:"required"`
}

// registerPrivacy: a person's own data (change, export, close) and the
// team's view of accounts and of its own actions.
func registerPrivacy(r *registry, people *accounts.Service, data *privacy.Service, log *audit.Log) {
	r.add(BasePath, op{method: "PATCH", path: "/me", summary: "Change your names, workplace or choice of announcements", tag: "accounts",
		access: signedIn, body: accounts.ProfileChange{}, reply: accounts.User{}},
		func(c *fiber.Ctx) error {
			var in accounts.ProfileChange
			if err := bind(c, &in); err != nil {
				return err
			}
			u, err := people.UpdateProfile(c.UserContext(), me(c), in)
			if err != nil {
				return err
			}
			return c.JSON(u)
		})

	r.add(BasePath, op{method: "GET", path: "/me/data", summary: "Everything the platform holds about you, as JSON", tag: "accounts",
		access: signedIn, reply: map[string]any{}},
		func(c *fiber.Ctx) error {
			out, err := data.Export(c.UserContext(), me(c))
			if err != nil {
				return err
			}
			c.Set(fiber.HeaderContentDisposition, `attachment; filename="mooc-data.json"`)
			c.Set(fiber.HeaderCacheControl, "no-store")
			return c.JSON(out)
		})

	r.add(BasePath, op{method: "DELETE", path: "/me", summary: "Close your account: sessions end, personal data is erased; certificates stay verifiable", tag: "accounts",
		access: signedIn, body: closeRequest{}, status: 204},
		func(c *fiber.Ctx) error {
			var in closeRequest
			if err := bind(c, &in); err != nil {
				return err
			}
			if err := validation.Struct(in); err != nil { // no password is not a wrong one
				return err
			}
			if err := data.CloseOwn(c.UserContext(), me(c), in.Password); err != nil {
				return err
			}
			return c.SendStatus(fiber.StatusNoContent)
		})

	r.add(BasePath, op{method: "POST", path: "/auth/verify-email/resend", summary: "E-mail a new verification link (202; nothing is sent when the address is verified already)", tag: "accounts",
		access: signedIn, status: 202},
		func(c *fiber.Ctx) error {
			if _, err := people.ResendVerification(c.UserContext(), me(c)); err != nil {
				return err
			}
			return c.SendStatus(fiber.StatusAccepted)
		})

	r.add(BasePath, op{method: "GET", path: "/users/:id", summary: "One user", tag: "accounts", access: team, reply: accounts.User{}},
		func(c *fiber.Ctx) error {
			u, err := people.Get(c.UserContext(), c.Params("id"))
			if err != nil {
				return err
			}
			return c.JSON(u)
		})

	r.add(BasePath, op{method: "DELETE", path: "/users/:id", summary: "Close an account (the team, e.g. at its owner's written request); 422 last_team_member", tag: "accounts",
		access: team, status: 204},
		func(c *fiber.Ctx) error {
			if err := data.Close(c.UserContext(), c.Params("id")); err != nil {
				return err
			}
			return c.SendStatus(fiber.StatusNoContent)
		})

	r.add(BasePath, op{method: "GET", path: "/audit", summary: "The team's actions, newest first", tag: "accounts", access: team,
		reply: list[audit.Entry]{}, query: append([]param{
			{"actor_id", "who acted"}, {"subject_id", "the person concerned"}, {"target_id", "what was acted on"}, {"action", "e.g. user.roles_changed"},
		}, pageParams...)},
		func(c *fiber.Ctx) error {
			limit, err := limitOf(c)
			if err != nil {
				return err
			}
			f := audit.Filter{ActorID: c.Query("actor_id"), SubjectID: c.Query("subject_id"), TargetID: c.Query("target_id"), Action: c.Query("action")}
			items, next, err := log.List(c.UserContext(), f, limit, c.Query("cursor"))
			if err != nil {
				return err
			}
			return c.JSON(list[audit.Entry]{Items: items, NextCursor: next})
		})
}
