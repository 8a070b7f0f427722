package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// binSizes are the sizes in bytes of the same hello-world client built
// twice: once on a plain http.Client, once on transport.New.
type binSizes struct {
	Plain, Resilient int64
}

// helloMain is the hello-world: it builds a client and, given a URL,
// fetches it, so that the linker keeps the client and all it reaches.
const helloMain = `package main

import (
	"fmt"
	"net/http"
	"os"
%s)

func main() {
%s
	if len(os.Args) < 2 {
		fmt.Println("hello")
		return
	}
	resp, err := client.Get(os.Args[1])
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	resp.Body.Close()
	fmt.Println(resp.Status)
}
`

const plainClient = `	client := &http.Client{}`

const resilientClient = `	rt, err := transport.New(transport.Config{})
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	client := &http.Client{Transport: rt}`

// buildSizes builds both hello-worlds in a temporary module that replaces
// the root module with the one at root (go build -trimpath -ldflags="-s
// -w": no symbol table, no DWARF, no local paths), and returns their sizes.
func buildSizes(root string) (binSizes, error) {
	var s binSizes
	const mod = "github.com/resilient-go/resilient"
	dir, err := os.MkdirTemp("", "house-hello-")
	if err != nil {
		return s, err
	}
	defer os.RemoveAll(dir)
	gomod := fmt.Sprintf("module house.example/hello\n\ngo 1.26.0\n\nrequire %s v0.0.0-00010101000000-000000000000\n\nreplace %s => %s\n", mod, mod, root)
	files := map[string]string{
		"go.mod":            gomod,
		"plain/main.go":     fmt.Sprintf(helloMain, "", plainClient),
		"resilient/main.go": fmt.Sprintf(helloMain, "\n\t\""+mod+"/transport\"\n", resilientClient),
	}
	// The root's go.sum holds every sum the hello-world needs, so that
	// tidy needs no network when the module cache is warm.
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		return s, err
	}
	files["go.sum"] = string(sum)
	for name, text := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			return s, err
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return s, err
		}
	}
	if _, err := goCmd(dir, "mod", "tidy"); err != nil {
		return s, err
	}
	for _, b := range []struct {
		name string
		size *int64
	}{{"plain", &s.Plain}, {"resilient", &s.Resilient}} {
		exe := filepath.Join(dir, b.name+".exe")
		if _, err := goCmd(dir, "build", "-trimpath", "-ldflags=-s -w", "-o", exe, "./"+b.name); err != nil {
			return s, err
		}
		fi, err := os.Stat(exe)
		if err != nil {
			return s, err
		}
		*b.size = fi.Size()
	}
	return s, nil
}
