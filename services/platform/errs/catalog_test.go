package errs

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
)

// reasonShape is the form of every reason: UPPER_SNAKE_CASE.
var reasonShape = regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$`)

func TestCatalogIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	groups := map[Group]bool{}
	var last Group
	for _, r := range Catalog() {
		if !reasonShape.MatchString(r.Name) {
			t.Errorf("%q is not UPPER_SNAKE_CASE", r.Name)
		}
		if seen[r.Name] {
			t.Errorf("%s is listed twice", r.Name)
		}
		seen[r.Name] = true
		if r.Code == codes.OK || r.Code > codes.Unauthenticated {
			t.Errorf("%s: code %v is not an error code", r.Name, r.Code)
		}
		// 304 is the one answer below 400: a conditional GET that matched (NOT_MODIFIED).
		if r.HTTP != 0 && (r.HTTP < 400 || r.HTTP > 599) && r.HTTP != http.StatusNotModified {
			t.Errorf("%s: HTTP %d is not an error status", r.Name, r.HTTP)
		}
		if r.HTTP != 0 && r.Command != "" {
			t.Errorf("%s: a command's reason has no HTTP status", r.Name)
		}
		if r.Group == "" || r.EN == "" || r.ZH == "" || r.Do == "" {
			t.Errorf("%s: group, meaning (EN and ZH) and what to do are all required", r.Name)
		}
		for _, s := range []string{r.EN, r.ZH, r.Do, r.Command} {
			if strings.ContainsAny(s, "|\n") {
				t.Errorf("%s: %q would break the table of docs/errors.md", r.Name, s)
			}
		}
		if r.Group != last && groups[r.Group] {
			t.Errorf("%s: the reasons of group %q are not together", r.Name, r.Group)
		}
		groups[r.Group], last = true, r.Group
	}
}

// TestCatalogMatchesCode holds the catalog to the code: every reason a call site uses is
// listed, every listed reason is used, and each has the code its call sites give it.
func TestCatalogMatchesCode(t *testing.T) {
	root := repoRoot(t)
	sites, problems, err := scanReasons(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	listed := map[string]Reason{}
	for _, r := range Catalog() {
		listed[r.Name] = r
	}
	used := map[string]bool{}
	for _, s := range sites {
		used[s.reason] = true
		r, ok := listed[s.reason]
		switch {
		case !ok:
			t.Errorf("%s: reason %s is not in the catalog: add it to services/platform/errs/catalog.go "+
				"and run `go test ./services/platform/errs -run TestErrorsDoc -update`", s.pos, s.reason)
		case s.code != "" && s.code != r.Code.String():
			t.Errorf("%s: reason %s is answered with codes.%s here, but the catalog says codes.%s", s.pos, s.reason, s.code, r.Code)
		}
	}
	t.Logf("%d call sites of %d reasons", len(sites), len(used))
	for _, r := range Catalog() {
		if !used[r.Name] {
			t.Errorf("reason %s is in the catalog but no code uses it: remove it from catalog.go", r.Name)
		}
	}
}

// TestScanSeesEveryForm runs the scanner on a file that writes reasons in every form it
// knows, and on the ones it must refuse.
func TestScanSeesEveryForm(t *testing.T) {
	const src = `package p

import (
	"google.golang.org/grpc/codes"
	e "github.com/example/m/services/platform/errs"
)

const reasonConst = "FROM_CONST"

var a = e.New(codes.Aborted, "FROM_NEW", "en", "zh")
var b = &e.Error{Code: codes.NotFound, Reason: "FROM_POINTER_LITERAL"}
var c = e.Error{Reason: "FROM_LITERAL", Code: codes.Internal}
var d = e.New(codes.DataLoss, reasonConst, "en", "zh")
var f = e.Error{codes.Unavailable, "FROM_POSITIONAL", "en", "zh", nil, 0}

func g(code codes.Code, r string) error {
	x := e.New(code, "CODE_UNSEEN", "en", "zh")
	x.Reason = "FROM_ASSIGNMENT"
	_ = e.New(codes.Internal, r, "en", "zh")
	return &e.Error{Code: codes.Internal}
}
`
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module github.com/example/m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "p"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "p", "p.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	sites, problems, err := scanReasons(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range sites {
		got = append(got, s.reason+"/"+s.code)
	}
	want := []string{
		"FROM_NEW/Aborted", "FROM_POINTER_LITERAL/NotFound", "FROM_LITERAL/Internal", "FROM_CONST/DataLoss",
		"FROM_POSITIONAL/Unavailable", "CODE_UNSEEN/", "FROM_ASSIGNMENT/",
	}
	if !slices.Equal(got, want) {
		t.Errorf("sites:\n got %v\nwant %v", got, want)
	}
	if len(problems) != 2 || !strings.HasPrefix(problems[0], "p/p.go:19:") || !strings.HasPrefix(problems[1], "p/p.go:20:") {
		t.Errorf("want the dynamic reason (line 19) and the missing one (line 20) refused, got %q", problems)
	}
}

// site is one place in the sources that answers with a reason.
type site struct {
	pos    string // file:line:column, the file relative to the module root
	reason string
	code   string // the codes.Code name (codes.Aborted.String()), or "" when the site does not say
}

// skipDirs are the trees the scan leaves out, relative to the module root: generated code.
var skipDirs = map[string]bool{"ent": true, "api/gen": true}

// scanReasons finds every reason the Go sources under root (a module) answer with: string
// literals and constants given as the reason of errs.New, as the Reason of an errs.Error
// composite literal (keyed or positional, with or without &), or assigned to a Reason
// field. Tests, generated files, ent/ and api/gen/ are left out. A reason the scan cannot
// resolve to a string is a problem: the catalog could not be checked against it.
func scanReasons(root string) (sites []site, problems []string, err error) {
	module, err := modulePath(filepath.Join(root, "go.mod"))
	if err != nil {
		return nil, nil, err
	}
	errsPath := module + "/services/platform/errs"
	fset := token.NewFileSet()
	pkgs := map[string][]*ast.File{} // by directory, relative to root, slash-separated
	var dirs []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			name := d.Name()
			if rel != "." && (skipDirs[rel] || name == "testdata" || name == "vendor" ||
				strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		if ast.IsGenerated(f) {
			return nil
		}
		dir := path.Dir(rel)
		if pkgs[dir] == nil {
			dirs = append(dirs, dir)
		}
		pkgs[dir] = append(pkgs[dir], f)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	consts := map[string]map[string]string{} // import path → constant → value
	for _, dir := range dirs {
		consts[importPath(module, dir)] = stringConsts(pkgs[dir])
	}
	for _, dir := range dirs {
		own := importPath(module, dir)
		for _, f := range pkgs[dir] {
			s := fileScan{root: root, fset: fset, consts: consts, own: own, imports: map[string]string{}}
			for _, im := range f.Imports {
				p, _ := strconv.Unquote(im.Path.Value)
				name := path.Base(p)
				if im.Name != nil {
					name = im.Name.Name
				}
				s.imports[name] = p
				switch p {
				case errsPath:
					s.errs = name
				case "google.golang.org/grpc/codes":
					s.codes = name
				}
			}
			s.inErrs = own == errsPath
			if s.errs == "" && !s.inErrs {
				continue
			}
			s.file(f)
			sites = append(sites, s.sites...)
			problems = append(problems, s.problems...)
		}
	}
	return sites, problems, nil
}

// fileScan scans one file.
type fileScan struct {
	root     string
	fset     *token.FileSet
	consts   map[string]map[string]string
	own      string            // the import path of the file's package
	imports  map[string]string // local name → import path
	errs     string            // the file's name for package errs, if it imports it
	codes    string            // the file's name for package codes
	inErrs   bool              // the file is in package errs, which names New and Error bare
	sites    []site
	problems []string
}

func (s *fileScan) file(f *ast.File) {
	for _, decl := range f.Decls {
		// errs.New itself builds an Error from its parameters: that is no call site.
		if fd, ok := decl.(*ast.FuncDecl); ok && s.inErrs && fd.Recv == nil && fd.Name.Name == "New" {
			continue
		}
		ast.Inspect(decl, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if s.isErrs(n.Fun, "New") && len(n.Args) >= 2 {
					s.add(n.Args[1], n.Args[0], n.Pos())
				}
			case *ast.CompositeLit:
				if s.isErrs(n.Type, "Error") {
					s.literal(n)
				}
			case *ast.AssignStmt:
				// x.Reason = "X": the type of x is unknown without type checking, so only
				// values shaped like a reason count.
				for i, lhs := range n.Lhs {
					if sel, ok := lhs.(*ast.SelectorExpr); ok && sel.Sel.Name == "Reason" && len(n.Rhs) == len(n.Lhs) {
						if v, ok := s.value(n.Rhs[i]); ok && reasonShape.MatchString(v) {
							s.sites = append(s.sites, site{pos: s.where(n.Pos()), reason: v})
						}
					}
				}
			}
			return true
		})
	}
}

// where is pos as file:line:column, the file relative to the module root.
func (s *fileScan) where(pos token.Pos) string {
	p := s.fset.Position(pos)
	if rel, err := filepath.Rel(s.root, p.Filename); err == nil {
		p.Filename = filepath.ToSlash(rel)
	}
	return p.String()
}

// isErrs reports whether e names package errs' identifier name.
func (s *fileScan) isErrs(e ast.Expr, name string) bool {
	switch e := e.(type) {
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		return ok && s.errs != "" && x.Name == s.errs && e.Sel.Name == name
	case *ast.Ident:
		return s.inErrs && e.Name == name
	}
	return false
}

// literal records the reason of an errs.Error composite literal.
func (s *fileScan) literal(n *ast.CompositeLit) {
	var reason, code ast.Expr
	for i, el := range n.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			if k, ok := kv.Key.(*ast.Ident); ok {
				switch k.Name {
				case "Reason":
					reason = kv.Value
				case "Code":
					code = kv.Value
				}
			}
			continue
		}
		switch i { // positional: Code, Reason, …
		case 0:
			code = el
		case 1:
			reason = el
		}
	}
	if reason == nil {
		s.problems = append(s.problems, s.where(n.Pos())+": an errs.Error without a Reason")
		return
	}
	s.add(reason, code, n.Pos())
}

// add records a site, or a problem when the reason is not a string the scan can see.
func (s *fileScan) add(reason, code ast.Expr, pos token.Pos) {
	v, ok := s.value(reason)
	if !ok {
		s.problems = append(s.problems, s.where(pos)+": the reason is not a string literal or constant, so the catalog cannot be checked against it")
		return
	}
	st := site{pos: s.where(pos), reason: v}
	if sel, ok := code.(*ast.SelectorExpr); ok {
		if x, ok := sel.X.(*ast.Ident); ok && s.codes != "" && x.Name == s.codes {
			st.code = sel.Sel.Name
		}
	}
	s.sites = append(s.sites, st)
}

// value resolves a string literal, a constant of the file's package, or pkg.Constant of
// another package of the module.
func (s *fileScan) value(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			v, err := strconv.Unquote(e.Value)
			return v, err == nil
		}
	case *ast.ParenExpr:
		return s.value(e.X)
	case *ast.Ident:
		v, ok := s.consts[s.own][e.Name]
		return v, ok
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok {
			v, ok := s.consts[s.imports[x.Name]][e.Sel.Name]
			return v, ok
		}
	}
	return "", false
}

// stringConsts collects the constants of a package that are given as string literals,
// at package level or inside functions.
func stringConsts(files []*ast.File) map[string]string {
	out := map[string]string{}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			gd, ok := n.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				return true
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							if v, err := strconv.Unquote(lit.Value); err == nil {
								out[name.Name] = v
							}
						}
					}
				}
			}
			return false
		})
	}
	return out
}

func importPath(module, dir string) string {
	if dir == "." {
		return module
	}
	return module + "/" + dir
}

func modulePath(goMod string) (string, error) {
	f, err := os.Open(goMod)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(m), `"`), nil
		}
	}
	return "", fmt.Errorf("%s: no module line", goMod)
}

// repoRoot is the module root: the nearest directory above the test's with a go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}
