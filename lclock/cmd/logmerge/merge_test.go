package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMergeOrderAndTies(t *testing.T) {
	dir := t.TempDir()
	x := writeFile(t, dir, "x.log", `{"msg":"x1","lclock":"2"}
{"msg":"x2","lclock":5}

{"msg":"no stamp"}
`)
	y := writeFile(t, dir, "y.log", `{"msg":"y1","lclock":"1"}
{"msg":"y2","lclock":"5"}
{"msg":"y3","lclock":"3"}
`)
	var out, errOut bytes.Buffer
	if code := run([]string{x, y}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	want := `{"msg":"y1","lclock":"1"}
{"msg":"x1","lclock":"2"}
{"msg":"y3","lclock":"3"}
{"msg":"x2","lclock":5}
{"msg":"y2","lclock":"5"}
`
	if out.String() != want {
		t.Errorf("merged:\n%s\nwant:\n%s", out.String(), want)
	}
	if !strings.Contains(errOut.String(), "1 lines without") {
		t.Errorf("unstamped lines not reported: %q", errOut.String())
	}
}

func TestMergeErrors(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.log", `{"msg":"a","lclock":"1764190881123.00001"}`+"\n")
	for _, tc := range []struct {
		name    string
		args    []string
		code    int
		message string
	}{
		{"no files", nil, 2, "usage"},
		{"bad flag", []string{"-nope", good}, 2, "flag provided but not defined"},
		{"missing file", []string{filepath.Join(dir, "absent.log")}, 1, "absent.log"},
		{"not JSON", []string{writeFile(t, dir, "bad.log", "hello\n")}, 1, "bad.log:1: not a JSON object"},
		{"mixed kinds", []string{good, writeFile(t, dir, "lamport.log", `{"lclock":"42"}`+"\n")}, 1, `lamport.log:1: "42" is not an HLC stamp`},
		{"garbage stamp", []string{writeFile(t, dir, "garbage.log", `{"lclock":"-1"}`+"\n")}, 1, `"-1" is not a Lamport stamp`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(tc.args, &out, &errOut); code != tc.code || !strings.Contains(errOut.String(), tc.message) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut.String(), tc.code, tc.message)
			}
		})
	}
}

func TestTableWithoutWallTimes(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "a.log", `{"msg":"second","lclock":"2","service":"s"}
{"msg":"first","lclock":"1","service":"s"}
`)
	var out, errOut bytes.Buffer
	if code := run([]string{"-table", f}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	want := "   STAMP  WALL TIME  SERVICE  MESSAGE\n" +
		"   1      -          s        first\n" +
		"   2      -          s        second\n" +
		"2 lines; 0 out of order by wall clock (marked !)\n"
	if out.String() != want {
		t.Errorf("table:\n%q\nwant:\n%q", out.String(), want)
	}
}
