package api

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"mooc/accounts"
)

type loginRequest struct {
	Email    string `json:"email" validate:"required"`
	Password string `json:"password" validate:"required"`
}

type loginReply struct {
	AccessToken string        `json:"access_token"`
	TokenType   string        `json:"token_type"`
	ExpiresIn   int           `json:"expires_in"`
	User        accounts.User `json:"user"`
}

type tokenRequest struct {
	Token string `json:"token" validate:"required"`
}

type resetRequest struct {
	Email string `json:"email" validate:"required"`
}

type resetConfirmRequest struct {
	Token    string `json:"token" validate:"required"`
	Password string `json:"password" validate:"required"`
}

type rolesRequest struct {
	Roles []string `json:"roles" validate:"required"`
}

// list is the reply shape of every list route.
type list[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

func registerAccounts(r *registry, svc *accounts.Service) {
	r.add(BasePath, op{method: "POST", path: "/auth/register", summary: "Register a learner account", tag: "accounts",
		body: accounts.Registration{}, reply: accounts.User{}, status: 201},
		func(c *fiber.Ctx) error {
			var in accounts.Registration
			if err := bind(c, &in); err != nil {
				return err
			}
			u, err := svc.Register(c.UserContext(), in, c.IP())
			if err != nil {
				return err
			}
			return c.Status(fiber.StatusCreated).JSON(u)
		})

	r.add(BasePath, op{method: "POST", path: "/auth/login", summary: "Log in and receive an access token", tag: "accounts",
		body: loginRequest{}, reply: loginReply{}},
		func(c *fiber.Ctx) error {
			var in loginRequest
			if err := bind(c, &in); err != nil {
				return err
			}
			s, err := svc.Login(c.UserContext(), in.Email, in.Password, c.IP())
			if err != nil {
				return err
			}
			return c.JSON(loginReply{AccessToken: s.AccessToken, TokenType: "Bearer", ExpiresIn: int(s.ExpiresIn.Seconds()), User: s.User})
		})

	r.add(BasePath, op{method: "GET", path: "/me", summary: "The signed-in user", tag: "accounts", access: signedIn, reply: accounts.User{}},
		func(c *fiber.Ctx) error {
			u, err := svc.Get(c.UserContext(), me(c).UserID)
			if errors.Is(err, accounts.ErrNotFound) { // the token outlived its account
				return accounts.ErrInvalidToken
			}
			if err != nil {
				return err
			}
			return c.JSON(u)
		})

	r.add(BasePath, op{method: "POST", path: "/auth/verify-email", summary: "Verify the e-mail address with the token of the link sent to it", tag: "accounts",
		body: tokenRequest{}, status: 204},
		func(c *fiber.Ctx) error {
			var in tokenRequest
			if err := bind(c, &in); err != nil {
				return err
			}
			if err := svc.VerifyEmail(c.UserContext(), in.Token); err != nil {
				return err
			}
			return c.SendStatus(fiber.StatusNoContent)
		})

	r.add(BasePath, op{method: "POST", path: "/auth/logout", summary: "End the session of the token used", tag: "accounts", access: signedIn, status: 204},
		func(c *fiber.Ctx) error {
			if err := svc.Logout(c.UserContext(), me(c)); err != nil {
				return err
			}
			return c.SendStatus(fiber.StatusNoContent)
		})

	r.add(BasePath, op{method: "PUT", path: "/me/password", summary: "Change the password; every other session ends", tag: "accounts", access: signedIn,
		body: accounts.PasswordChange{}, status: 204},
		func(c *fiber.Ctx) error {
			var in accounts.PasswordChange
			if err := bind(c, &in); err != nil {
				return err
			}
			if err := svc.ChangePassword(c.UserContext(), me(c), in); err != nil {
				return err
			}
			return c.SendStatus(fiber.StatusNoContent)
		})

	r.add(BasePath, op{method: "POST", path: "/auth/password-reset", summary: "E-mail a password reset link (202 whether or not the address is known)", tag: "accounts",
		body: resetRequest{}, status: 202},
		func(c *fiber.Ctx) error {
			var in resetRequest
			if err := bind(c, &in); err != nil {
				return err
			}
			if err := svc.RequestPasswordReset(c.UserContext(), in.Email, c.IP()); err != nil {
				return err
			}
			return c.SendStatus(fiber.StatusAccepted)
		})

	r.add(BasePath, op{method: "POST", path: "/auth/password-reset/confirm", summary: "Set a new password with a reset link's token; every session ends", tag: "accounts",
		body: resetConfirmRequest{}, status: 204},
		func(c *fiber.Ctx) error {
			var in resetConfirmRequest
			if err := bind(c, &in); err != nil {
				return err
			}
			if err := svc.ResetPassword(c.UserContext(), in.Token, in.Password); err != nil {
				return err
			}
			return c.SendStatus(fiber.StatusNoContent)
		})

	r.add(BasePath, op{method: "PUT", path: "/users/:id/roles", summary: "Set a user's roles (learner is always kept)", tag: "accounts",
		access: team, body: rolesRequest{}, reply: accounts.User{}},
		func(c *fiber.Ctx) error {
			var in rolesRequest
			if err := bind(c, &in); err != nil {
				return err
			}
			u, err := svc.SetRoles(c.UserContext(), c.Params("id"), in.Roles)
			if err != nil {
				return err
			}
			return c.JSON(u)
		})

	r.add(BasePath, op{method: "GET", path: "/users", summary: "Find users by e-mail", tag: "accounts", access: team,
		reply: list[accounts.User]{}, query: append([]param{{"email", "part of the e-mail address"}}, pageParams...)},
		func(c *fiber.Ctx) error {
			limit, err := limitOf(c)
			if err != nil {
				return err
			}
			users, next, err := svc.Search(c.UserContext(), c.Query("email"), limit, c.Query("cursor"))
			if err != nil {
				return err
			}
			return c.JSON(list[accounts.User]{Items: users, NextCursor: next})
		})
}

// limitOf reads ?limit=; absent means the default.
func limitOf(c *fiber.Ctx) (int, error) {
	if c.Query("limit") == "" {
		return 0, nil
	}
	n := c.QueryInt("limit", -1)
	if n < 1 || n > 200 {
		return 0, badRequest(400, "invalid_limit", "limit must be a whole number from 1 to 200")
	}
	return n, nil
}
