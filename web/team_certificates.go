package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"mooc/certificates"
	"mooc/cohorts"
)

// teamCertificatesPage is the search of certificates by code or holder,
// each found one with its revocation form.
type teamCertificatesPage struct {
	Query    string
	Found    []certificates.Certificate
	Searched bool
	Refused  string // the code whose revocation was refused
	Reason   string
}

func (p *pages) teamCertificatesData(r *request, query string) (teamCertificatesPage, error) {
	query = strings.TrimSpace(query)
	pg := teamCertificatesPage{Query: query, Searched: query != ""}
	found, err := p.Certificates.Search(r.ctx, query, 50)
	pg.Found = found
	return pg, err
}

func (p *pages) teamCertificates(c *fiber.Ctx, r *request) error {
	pg, err := p.teamCertificatesData(r, c.Query("q"))
	if err != nil {
		return err
	}
	return p.render(c, r, fiber.StatusOK, "team_certificates", r.loc.T("team.certs.title"), pg, nil)
}

func (p *pages) teamRevoke(c *fiber.Ctx, r *request) error {
	code := pathParam(c, "code")
	reason := strings.TrimSpace(c.FormValue("reason"))
	if _, err := p.Certificates.Revoke(r.ctx, code, certificates.Revocation{Reason: reason}); err != nil {
		pg, perr := p.teamCertificatesData(r, code)
		if perr != nil {
			return perr
		}
		pg.Refused, pg.Reason = certificates.NormalizeCode(code), reason
		return p.formRefusal(c, r, "team_certificates", r.loc.T("team.certs.title"), pg, err)
	}
	return p.redirect(c, r, "/team/certificates?q="+urlQueryEscape(code), "team.flash.revoked")
}

// teamStartBulk queues the issue of a cohort's certificates and shows the
// job's page.
func (p *pages) teamStartBulk(c *fiber.Ctx, r *request) error {
	j, err := p.Certificates.StartBulk(r.ctx, r.principal, c.Params("id"))
	if err != nil {
		return err
	}
	return p.redirect(c, r, "/team/certificate-jobs/"+j.ID, "team.flash.bulk_started")
}

// teamJobPage is a bulk issue's progress: team.js follows it live; without
// a script, reloading shows where it is.
type teamJobPage struct {
	certificates.Job
	Cohort cohorts.Cohort
}

// Percent is how much of the job is done.
func (j teamJobPage) Percent() int {
	if j.Status == certificates.JobDone {
		return 100
	}
	if j.Total == 0 {
		return 0
	}
	return (j.Issued + j.Existing + j.NotEligible + j.Failed) * 100 / j.Total
}

// Done is how many of the cohort's learners the job has dealt with.
func (j teamJobPage) Done() int { return j.Issued + j.Existing + j.NotEligible + j.Failed }

func (p *pages) teamJob(c *fiber.Ctx, r *request) error {
	j, err := p.Certificates.Job(r.ctx, c.Params("id"))
	if err != nil {
		return err
	}
	co, err := p.Cohorts.Cohort(r.ctx, j.CohortID)
	if err != nil {
		return err
	}
	return p.render(c, r, fiber.StatusOK, "team_job", r.loc.T("team.job.title"), teamJobPage{Job: j, Cohort: co}, nil)
}
