package web

// teamRoutes adds the pages of the project team (/team).
func (p *pages) teamRoutes(get, post routeFunc) {}
