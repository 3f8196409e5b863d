package web

// authorRoutes adds the pages of authors (/author).
func (p *pages) authorRoutes(get, post routeFunc) {}
