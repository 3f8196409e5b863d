// Package cpmap reads gofpdf's code page maps, for the certificates'
// fonts: the generator (internal/fontgen) cuts the fonts to a map's
// characters, and the renderer encodes text with the same map.
package cpmap
