package web

import (
	"embed"
	"io/fs"
)

// dist is the console as npm run build writes it. "all:" keeps files whose names start
// with a dot or an underscore, which bundlers emit for some chunks.
//
//go:embed all:dist
var dist embed.FS

// Dist is the built console, rooted at dist/.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // "dist" is a valid path: fs.Sub cannot refuse it
	}
	return sub
}
