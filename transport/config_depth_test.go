package transport_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/resilient-go/resilient/transport"
)

// settings walks t's exported fields, recursing into this module's
// structs (a pointer to one included) that have exported fields; each
// other field is one setting, at the depth of its selector path from
// Config (Config.Breaker.Window.Kind is 3). It calls f for each setting.
func settings(t reflect.Type, path string, depth int, seen map[reflect.Type]bool, f func(path string, depth int)) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || !strings.HasPrefix(t.PkgPath(), "github.com/resilient-go/resilient") || seen[t] || !hasExported(t) {
		f(path, depth)
		return
	}
	seen[t] = true
	defer delete(seen, t)
	for i := 0; i < t.NumField(); i++ {
		fld := t.Field(i)
		if !fld.IsExported() {
			continue
		}
		if fld.Anonymous { // promoted: no selector of its own
			settings(fld.Type, path, depth, seen, f)
			continue
		}
		settings(fld.Type, path+"."+fld.Name, depth+1, seen, f)
	}
}

func hasExported(t reflect.Type) bool {
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).IsExported() {
			return true
		}
	}
	return false
}

// Every setting of Config is within three selectors of it
// (Config.Breaker.Window.Kind is the deepest kind allowed): a user never
// writes a config four literals deep.
func TestConfigDepth(t *testing.T) {
	n, deepest := 0, ""
	maxDepth := 0
	settings(reflect.TypeFor[transport.Config](), "Config", 0, map[reflect.Type]bool{}, func(path string, depth int) {
		n++
		if depth > 3 {
			t.Errorf("%s is %d selectors deep, more than 3", path, depth)
		}
		if depth > maxDepth {
			maxDepth, deepest = depth, path
		}
	})
	t.Logf("%d settings; deepest %s (%d)", n, deepest, maxDepth)
}
