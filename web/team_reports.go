package web

// reportRoutes adds the pages of the team's reports (/team/reports).
func (p *pages) reportRoutes(get, post routeFunc) {}
