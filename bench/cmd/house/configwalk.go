package main

import (
	"reflect"
	"strings"
)

// configShape is what a user meets writing a config literal: how many
// settings there are, and how many selectors deep the deepest lie.
type configShape struct {
	Leaves  int      // settings: fields not walked into
	Opaque  int      // of the leaves, funcs, interfaces and channels
	Depth   int      // selectors from the root to the deepest setting
	Deepest []string // the settings at Depth, as Root.A.B.C
}

// walkConfig walks t's exported fields. It enters structs (and pointers
// to structs) declared in the module (a type whose package path is module
// or below it) that have exported fields; every other field is a leaf
// setting, and so is a field whose struct is already on the path (a
// cycle). An embedded struct's fields are promoted: they take no selector
// of their own. Funcs, interfaces and channels are leaves too (a value to
// hand over, not a literal to write), counted apart in Opaque.
func walkConfig(t reflect.Type, module string) configShape {
	var s configShape
	name := t.Name()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
		name = t.Name()
	}
	walkFields(t, name, 0, module, map[reflect.Type]bool{}, &s)
	return s
}

func walkFields(t reflect.Type, path string, depth int, module string, onPath map[reflect.Type]bool, s *configShape) {
	onPath[t] = true
	defer delete(onPath, t)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && enters(ft, module, onPath) {
			walkFields(ft, path, depth, module, onPath, s)
			continue
		}
		p := path + "." + f.Name
		if enters(ft, module, onPath) {
			walkFields(ft, p, depth+1, module, onPath, s)
			continue
		}
		s.leaf(p, depth+1, ft)
	}
}

// enters reports whether the walk goes into t.
func enters(t reflect.Type, module string, onPath map[reflect.Type]bool) bool {
	if t.Kind() != reflect.Struct || onPath[t] {
		return false
	}
	if pkg := t.PkgPath(); pkg != module && !strings.HasPrefix(pkg, module+"/") {
		return false
	}
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).IsExported() {
			return true
		}
	}
	return false
}

func (s *configShape) leaf(path string, depth int, t reflect.Type) {
	s.Leaves++
	switch t.Kind() {
	case reflect.Func, reflect.Interface, reflect.Chan:
		s.Opaque++
	}
	switch {
	case depth > s.Depth:
		s.Depth, s.Deepest = depth, []string{path}
	case depth == s.Depth:
		s.Deepest = append(s.Deepest, path)
	}
}
