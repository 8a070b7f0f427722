package main

import (
	"go/ast"
	"go/parser"
	"go/token"
)

// exported counts a package's exported identifiers by kind, as a user
// would meet them: types, package-level funcs, methods on exported types
// (a method of an unexported type is reached only through an interface,
// and its interface already counts), consts and vars.
type exported struct {
	Types, Funcs, Methods, Consts, Vars int
}

// Total is the number of exported identifiers of every kind.
func (e exported) Total() int { return e.Types + e.Funcs + e.Methods + e.Consts + e.Vars }

func (e *exported) add(o exported) {
	e.Types += o.Types
	e.Funcs += o.Funcs
	e.Methods += o.Methods
	e.Consts += o.Consts
	e.Vars += o.Vars
}

// countExported parses the named files (the package's non-test files for
// this platform, so that a name declared once per build tag counts once).
func countExported(files []string) (exported, error) {
	var e exported
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			return e, err
		}
		e.add(exportedIn(f))
	}
	return e, nil
}

func exportedIn(f *ast.File) exported {
	var e exported
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() {
				continue
			}
			if d.Recv == nil {
				e.Funcs++
			} else if ast.IsExported(receiverType(d.Recv.List[0].Type)) {
				e.Methods++
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() {
						e.Types++
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if !n.IsExported() {
							continue
						}
						if d.Tok == token.CONST {
							e.Consts++
						} else {
							e.Vars++
						}
					}
				}
			}
		}
	}
	return e
}

// receiverType names a method's receiver type: T in T, *T, T[K] and *T[K, V].
func receiverType(x ast.Expr) string {
	for {
		switch t := x.(type) {
		case *ast.StarExpr:
			x = t.X
		case *ast.IndexExpr:
			x = t.X
		case *ast.IndexListExpr:
			x = t.X
		case *ast.ParenExpr:
			x = t.X
		case *ast.Ident:
			return t.Name
		default:
			return ""
		}
	}
}
